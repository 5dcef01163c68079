"""First run: the setup wizard sets up the office through the service and keeps what was typed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QWizard

from models.database import Database, open_database
from models.i18n import gettext
from models.services.users import authenticate
from models.settings import get_setting, office_is_set_up

from ui.setup_wizard import SetupWizard

from tests.conftest import TEST_DISTRICT

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

PASSWORD = "Ңурзат-пароль-1"


@pytest.fixture
def new_db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "new.sqlite")
    yield database
    database.dispose()


@pytest.fixture
def wizard(qtbot: QtBot, new_db: Database) -> SetupWizard:
    dialog = SetupWizard(new_db)
    qtbot.add_widget(dialog)
    dialog.show()
    return dialog


def fill_office(wizard: SetupWizard) -> None:
    page = wizard.office_page
    page.choose_district(TEST_DISTRICT)
    page.department_name_ky.setText("Сокулук райондук балдарды коргоо бөлүмү")
    page.department_name_ru.setText("Отдел защиты детей Сокулукского района")
    page.head_name.setText("Үсөнбаева Ңурзат")
    page.address.setText("с. Сокулук, ул. Ленина, 1")
    page.phone.setText("0313 45 67 89")


def fill_admin(wizard: SetupWizard, username: str = "usenbaeva", again: str = PASSWORD) -> None:
    page = wizard.admin_page
    page.username.setText(username)
    page.full_name.setText("Үсөнбаева Ңурзат")
    page.password.setText(PASSWORD)
    page.password_again.setText(again)


def finish(qtbot: QtBot, wizard: SetupWizard) -> None:
    """Press Finish and wait until the service has answered."""
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.wait_until(lambda: not wizard.busy)


def test_the_wizard_sets_up_the_office_and_its_administrator(
    qtbot: QtBot, wizard: SetupWizard, new_db: Database
) -> None:
    fill_office(wizard)
    wizard.next()
    assert wizard.currentPage() is wizard.admin_page
    fill_admin(wizard, username="Usenbaeva")

    with qtbot.wait_signal(wizard.office_set_up) as blocker:
        wizard.button(QWizard.WizardButton.FinishButton).click()

    assert blocker.args == ["usenbaeva"]
    assert wizard.result() == QWizard.DialogCode.Accepted
    with new_db.reading() as session:
        assert office_is_set_up(session)
        assert get_setting(session, "office.head_name") == "Үсөнбаева Ңурзат"
    assert authenticate(new_db, "usenbaeva", PASSWORD).role == "administrator"


def test_the_district_box_finds_a_district_by_part_of_its_name(wizard: SetupWizard) -> None:
    completer = wizard.office_page.district.completer()
    assert completer is not None
    completer.setCompletionPrefix("кулук")

    found = [completer.completionModel().index(row, 0).data() for row in range(completer.completionCount())]

    assert "Сокулукский район" in found


def test_the_office_page_wants_a_district_and_both_names(wizard: SetupWizard) -> None:
    wizard.office_page.district.setEditText("Ёлкин район")

    wizard.next()

    page = wizard.office_page
    assert wizard.currentPage() is page
    assert page.problems["district"].isVisibleTo(wizard)
    assert (
        page.problems["department_name_ky"].text()
        == "Название отдела на кыргызском языке: обязательное поле."
    )
    assert page.problems["department_name_ru"].isVisibleTo(wizard)
    assert not page.problems["head_name"].isVisibleTo(wizard)
    assert page.district.currentText() == "Ёлкин район"


def test_passwords_that_differ_are_shown_and_nothing_is_lost(
    qtbot: QtBot, wizard: SetupWizard, new_db: Database
) -> None:
    fill_office(wizard)
    wizard.next()
    fill_admin(wizard, again="другой-пароль")

    finish(qtbot, wizard)

    page = wizard.admin_page
    assert page.problems["password_again"].text() == gettext("The passwords do not match.")
    assert page.username.text() == "usenbaeva"
    assert page.password.text() == PASSWORD
    with new_db.reading() as session:
        assert not office_is_set_up(session)


def test_the_services_problems_show_on_their_page_and_a_correction_finishes(
    qtbot: QtBot, wizard: SetupWizard, new_db: Database
) -> None:
    fill_office(wizard)
    wizard.next()
    fill_admin(wizard, username="Үсөнбаева")

    finish(qtbot, wizard)

    page = wizard.admin_page
    assert wizard.currentPage() is page
    assert page.problems["username"].text().startswith("Имя пользователя:")
    assert page.full_name.text() == "Үсөнбаева Ңурзат"
    with new_db.reading() as session:
        assert not office_is_set_up(session)

    page.username.setText("usenbaeva")
    with qtbot.wait_signal(wizard.office_set_up):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert authenticate(new_db, "usenbaeva", PASSWORD).username == "usenbaeva"
