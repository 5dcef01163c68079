"""The ``bala-korgoo`` program: the desktop client, or a command line command (see :mod:`desktop.cli`)."""

from __future__ import annotations

import sys

from desktop.cli import run


def main(argv: list[str] | None = None) -> int:
    """Run the program with *argv* (default: the process arguments); the exit code."""
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
