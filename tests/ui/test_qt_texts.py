"""Qt's own buttons speak the reader's language, Kyrgyz included (Qt has no Kyrgyz catalog)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QDialogButtonBox, QWizard

from models.i18n import translator

from ui.preferences import install_qt_translations, remove_qt_translations


@pytest.fixture
def qt_language(qtbot: QtBot) -> Iterator[None]:
    yield
    remove_qt_translations()


def _ok_and_cancel(qtbot: QtBot) -> tuple[str, str]:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.add_widget(buttons)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    return ok.text(), cancel.text()


def test_kyrgyz_readers_get_kyrgyz_dialog_buttons(qtbot: QtBot, qt_language: None) -> None:
    install_qt_translations("ky")
    ky = translator("ky")
    assert _ok_and_cancel(qtbot) == (ky("OK"), ky("Cancel"))
    assert ky("Cancel") not in ("Cancel", "Отмена")

    wizard = QWizard()
    qtbot.add_widget(wizard)
    assert wizard.buttonText(QWizard.WizardButton.NextButton) == ky("&Next >")


def test_russian_readers_get_qts_own_russian_buttons(qtbot: QtBot, qt_language: None) -> None:
    install_qt_translations("ru")
    assert _ok_and_cancel(qtbot)[1] == "Отмена"


def test_the_kyrgyz_texts_leave_when_the_language_changes(qtbot: QtBot, qt_language: None) -> None:
    install_qt_translations("ky")
    install_qt_translations("en")
    assert _ok_and_cancel(qtbot) == ("OK", "Cancel")
