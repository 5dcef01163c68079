"""The yardstick of start-up time: a minimal PySide6 window, frozen the same way as the program.

Like the program, it writes the time its window was shown to the file named by
``BALAKORGOO_STARTUP_PROBE`` and quits (installer/build.py compares the two).
"""

from __future__ import annotations

import functools
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

PROBE = "BALAKORGOO_STARTUP_PROBE"


def report_shown(path: str, app: QApplication) -> None:
    Path(path).write_text(repr(time.time()), encoding="utf-8")
    app.quit()


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QLabel("Bala Korgoo")
    window.show()
    probe = os.environ.get(PROBE)
    if probe:
        QTimer.singleShot(0, functools.partial(report_shown, probe, app))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
