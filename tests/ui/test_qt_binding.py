"""The Qt binding keeps Python's None alive: empty values that Qt hands back don't drop a reference."""

from __future__ import annotations

import sys

from pytestqt.qtbot import QtBot

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox


def test_empty_values_from_qt_keep_the_reference_count_of_none(qtbot: QtBot) -> None:
    combo = QComboBox()
    qtbot.add_widget(combo)
    combo.addItem("без данных")
    model = QStandardItemModel()
    model.appendRow(QStandardItem())
    index = model.index(0, 0)

    before = sys.getrefcount(None)
    for _ in range(200):
        combo.currentData()
        index.data()
    # A binding that drops a reference per call (PySide6 6.12.0) crashes long-running windows.
    assert sys.getrefcount(None) - before > -50
