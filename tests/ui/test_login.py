"""Signing in: the service's answers shown in the dialog, the user name kept, the language switch."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QSettings

from models.database import Database
from models.i18n import current_language, gettext
from models.services.base import Actor

from ui.login import USERNAME_KEY, LoginDialog
from ui.preferences import LANGUAGE_KEY, remove_qt_translations

from tests.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def login(qtbot: QtBot, sqlite_db: Database, sqlite_admin: Actor, ui_state: QSettings) -> LoginDialog:
    dialog = LoginDialog(sqlite_db, ui_state)
    qtbot.add_widget(dialog)
    dialog.show()
    return dialog


def sign_in(qtbot: QtBot, dialog: LoginDialog, username: str, password: str) -> None:
    """Type and press "Sign in", then wait until the check is over (signed in or refused)."""
    dialog.username.setText(username)
    dialog.password.setText(password)
    dialog.sign_in_button.click()
    qtbot.wait_until(lambda: dialog.sign_in_button.isEnabled())


def test_the_right_password_signs_in_and_remembers_the_user_name(
    qtbot: QtBot, login: LoginDialog, ui_state: QSettings
) -> None:
    with qtbot.wait_signal(login.signed_in) as blocker:
        login.username.setText("Admin ")
        login.password.setText(ADMIN_PASSWORD)
        login.sign_in_button.click()

    actor = blocker.args[0]
    assert isinstance(actor, Actor)
    assert actor.username == "admin"
    assert login.result() == LoginDialog.DialogCode.Accepted
    assert ui_state.value(USERNAME_KEY) == "admin"


def test_the_office_is_named_at_the_top(login: LoginDialog) -> None:
    assert login.office.text() == "Отдел защиты детей Сокулукского района"


def test_a_wrong_password_is_refused_with_the_services_message(qtbot: QtBot, login: LoginDialog) -> None:
    sign_in(qtbot, login, "admin", "not-the-password")

    assert login.message.isVisible()
    assert login.message.text() == "Неверное имя пользователя или пароль."
    assert login.username.text() == "admin"
    assert login.password.text() == ""
    assert login.isVisible()


def test_five_failures_lock_the_account(qtbot: QtBot, login: LoginDialog) -> None:
    for _attempt in range(4):
        sign_in(qtbot, login, "admin", "not-the-password")
        assert "заблокирован" not in login.message.text()

    sign_in(qtbot, login, "admin", "not-the-password")
    assert "заблокирована" in login.message.text()

    sign_in(qtbot, login, "admin", ADMIN_PASSWORD)
    assert "заблокирована" in login.message.text()
    assert login.actor is None


def test_empty_fields_ask_for_a_name_and_password(qtbot: QtBot, login: LoginDialog) -> None:
    login.username.clear()
    login.sign_in_button.click()

    assert login.message.text() == gettext("Enter your user name and password.")
    assert login.sign_in_button.isEnabled()


def test_choosing_kyrgyz_relabels_the_dialog_and_is_remembered(
    qtbot: QtBot, login: LoginDialog, ui_state: QSettings
) -> None:
    try:
        with qtbot.wait_signal(login.language_changed) as blocker:
            login.language.setCurrentIndex(login.language.findData("ky"))

        assert blocker.args == ["ky"]
        assert current_language() == "ky"
        assert login.windowTitle() == gettext("Bala Korgoo: sign in")
        assert login.office.text() == "Сокулук райондук балдарды коргоо бөлүмү"
        assert ui_state.value(LANGUAGE_KEY) == "ky"
    finally:
        remove_qt_translations()


def test_a_sign_in_pressed_while_the_database_opens_is_carried_out_once_it_is_open(
    qtbot: QtBot, sqlite_db: Database, sqlite_admin: Actor, ui_state: QSettings
) -> None:
    dialog = LoginDialog(None, ui_state)
    qtbot.add_widget(dialog)
    dialog.show()
    dialog.username.setText("admin")
    dialog.password.setText(ADMIN_PASSWORD)
    dialog.sign_in_button.click()
    assert not dialog.sign_in_button.isEnabled()
    assert dialog.message.isVisible() and dialog.message.text() == "Открывается база данных…"
    dialog.reject()  # Esc while it waits does not drop the sign-in the user asked for
    assert dialog.isVisible()

    with qtbot.wait_signal(dialog.signed_in) as blocker:
        dialog.set_database(sqlite_db)

    assert blocker.args[0].username == "admin"
    assert dialog.result() == LoginDialog.DialogCode.Accepted


def test_while_the_database_opens_the_office_is_named_as_it_was_last_time(
    qtbot: QtBot, login: LoginDialog, ui_state: QSettings
) -> None:
    login.close()
    early = LoginDialog(None, ui_state)
    qtbot.add_widget(early)

    assert early.office.text() == "Отдел защиты детей Сокулукского района"
