"""The ``bala-korgoo`` program: the desktop client, a command line command (see :mod:`desktop.cli`),
or ``--self-test`` (see :mod:`desktop.selftest`).

Without a command the desktop client starts straight away: the command line (and with it the
database code) is loaded only for a command, so the sign-in window shows as early as it can.

The windowed executable of the Windows build has no console: ``sys.stdout`` and ``sys.stderr``
are None there. :func:`main` gives them somewhere to go, and shows what an ending command wrote
to stderr (a refusal, the path of the log after a crash) in a message box instead of vanishing.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path

from models.i18n import LANGUAGES

SELF_TEST = "--self-test"


def main(argv: list[str] | None = None) -> int:
    """Run the program with *argv* (default: the process arguments); the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if sys.stdout is not None and sys.stderr is not None:
        return _dispatch(arguments)
    return run_windowed(arguments)


def _dispatch(arguments: list[str]) -> int:
    if arguments[:1] == [SELF_TEST]:
        from desktop.selftest import run_self_test  # loads Qt, which the commands do without

        return run_self_test(arguments[1:])
    window = window_options(arguments)
    if window is not None:
        from desktop import gui

        return gui.run_gui(*window)
    from desktop.cli import run

    return run(arguments)


def window_options(arguments: list[str]) -> tuple[str | None, str | None] | None:
    """The database and language of a line that only starts the desktop client (``[--db X]
    [--lang L]``); None for a command, help or a mistake, which the command line handles."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--db")
    parser.add_argument("--lang", choices=LANGUAGES)
    try:
        options, rest = parser.parse_known_args(arguments)
    except (argparse.ArgumentError, SystemExit):
        return None
    if rest:
        return None
    return options.db, options.lang


def run_windowed(arguments: list[str], show: Callable[[str], None] | None = None) -> int:
    """Run without a console: output is kept in memory, and errors are shown by *show* when it ends."""
    stdout, stderr = sys.stdout, sys.stderr
    errors = io.StringIO()
    with Path(os.devnull).open("w", encoding="utf-8") as nowhere:
        sys.stdout = stdout or nowhere
        sys.stderr = stderr or errors
        try:
            code = _dispatch(arguments)
        finally:
            sys.stdout, sys.stderr = stdout, stderr  # as the program found them
    if errors.getvalue().strip():
        (show or show_message_box)(errors.getvalue().strip())
    return code


def show_message_box(text: str) -> None:
    """Show *text* in a native message box (Windows), without Qt: it may be what failed to load."""
    if sys.platform == "win32":
        import ctypes

        ctypes.windll.user32.MessageBoxW(None, text, "Bala Korgoo", 0x10)  # MB_ICONERROR


if __name__ == "__main__":
    sys.exit(main())
