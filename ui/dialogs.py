"""The base of every dialog: window flags, and a size and position remembered between sessions."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QCloseEvent, QHideEvent, QShowEvent
from PySide6.QtWidgets import QDialog, QWidget


class Dialog(QDialog):
    """A dialog that restores its geometry from *ctx_state* under ``dialogs/<name>/geometry``.

    The geometry is saved whenever the dialog is hidden (accepted, rejected or closed), so a
    form opened again appears where the user left it. Without a saved geometry Qt's default
    placement (centred on the parent) applies. No help button in the title bar; resizable.
    """

    def __init__(self, ctx_state: QSettings, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = ctx_state
        self._name = name
        flags = self.windowFlags()
        flags &= ~Qt.WindowType.WindowContextHelpButtonHint
        flags |= Qt.WindowType.WindowMaximizeButtonHint | Qt.WindowType.WindowCloseButtonHint
        self.setWindowFlags(flags)
        self.setSizeGripEnabled(True)
        self._restored = False

    @property
    def geometry_key(self) -> str:
        return f"dialogs/{self._name}/geometry"

    def restore_geometry(self) -> bool:
        """Apply the saved geometry, if any; whether there was one."""
        saved = self._state.value(self.geometry_key)
        if isinstance(saved, QByteArray) and not saved.isEmpty():
            return self.restoreGeometry(saved)
        return False

    def save_geometry(self) -> None:
        self._state.setValue(self.geometry_key, self.saveGeometry())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        if not self._restored:
            self._restored = True
            self.restore_geometry()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        self.save_geometry()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.save_geometry()
        super().closeEvent(event)
