"""What the user sees when the program meets an error nobody expected: where the details are."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from models.i18n import gettext


class CrashDialog(QMessageBox):
    """Says that an unexpected error happened and names the log file, with a button to open its folder."""

    def __init__(self, log_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.log_path = log_path
        self.setIcon(QMessageBox.Icon.Critical)
        self.setWindowTitle(gettext("Bala Korgoo: unexpected error"))
        self.setText(
            gettext(
                "The program met an unexpected error. The details were written to the log file:\n{path}"
            ).format(path=log_path)
        )
        self.setInformativeText(
            gettext(
                "Check the record you were working on. If the program behaves strangely, "
                "close it and start it again, and give the log file to your administrator."
            )
        )
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder = self.addButton(gettext("Open the log folder"), QMessageBox.ButtonRole.ActionRole)
        self.open_folder.clicked.connect(self._on_open_folder_clicked)
        self.addButton(QMessageBox.StandardButton.Close)

    @Slot()
    def _on_open_folder_clicked(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_path.parent)))


def show_crash(log_path: Path, parent: QWidget | None = None) -> None:
    """A modal :class:`CrashDialog`."""
    CrashDialog(log_path, parent).exec()
