"""The base dialog: a size and position remembered under its name, no help button."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout

from ui.dialogs import Dialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def make(qtbot: QtBot, state: QSettings, name: str) -> Dialog:
    dialog = Dialog(state, name)
    QVBoxLayout(dialog).addWidget(QLabel("Үсөнбаева Ңурзат"))
    qtbot.add_widget(dialog)
    return dialog


def test_a_dialog_reopens_where_it_was_left(qtbot: QtBot, ui_state: QSettings) -> None:
    first = make(qtbot, ui_state, "person")
    first.show()
    first.setGeometry(QRect(60, 50, 520, 380))
    first.accept()

    second = make(qtbot, ui_state, "person")
    second.show()

    assert second.geometry() == QRect(60, 50, 520, 380)
    assert ui_state.contains("dialogs/person/geometry")


def test_each_dialog_has_its_own_geometry(qtbot: QtBot, ui_state: QSettings) -> None:
    person = make(qtbot, ui_state, "person")
    person.show()
    person.setGeometry(QRect(60, 50, 520, 380))
    person.close()

    household = make(qtbot, ui_state, "household")
    household.show()

    assert household.geometry() != QRect(60, 50, 520, 380)
    assert not household.windowFlags() & Qt.WindowType.WindowContextHelpButtonHint
