"""Entry point of the frozen program (both executables): the same ``main()`` as the ``bala-korgoo`` script."""

from __future__ import annotations

import sys

from desktop.main import main

if __name__ == "__main__":
    sys.exit(main())
