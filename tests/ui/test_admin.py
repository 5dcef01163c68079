"""The administration page: tabs by role, users, office details, deadlines, reference data, organisations."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QPushButton, QWidget

from models.i18n import gettext, set_language
from models.lookups import reference_choices
from models.papers import document_language
from models.services.reference import (
    OrganisationInput,
    add_organisation,
    list_organisations,
    list_reference_items,
    update_organisation,
)
from models.services.settings import get_number_settings, get_office
from models.services.users import list_users

from ui.admin import AdminPage
from ui.admin.common import ROW_ROLE, select_where
from ui.admin.deadlines import DeadlinesTab
from ui.admin.office import OfficeTab
from ui.admin.organisations import OrganisationDialog, OrganisationsTab, organisation_model
from ui.admin.reference import ReferenceItemDialog, ReferenceTab, item_model
from ui.admin.users import AddUserDialog, RoleDialog, UsersTab, user_model
from ui.context import AppContext

from tests.conftest import USER_PASSWORD, make_user

# The offscreen platform says so for every top-level window with size constraints.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

D = TypeVar("D", bound=QDialog)
W = TypeVar("W", bound=QWidget)

SCHOOL = OrganisationInput("Школа № 3 им. Ёлкина", "Ёлкин атындагы № 3 мектеп", type_code="school")


def page_of(ctx: AppContext, qtbot: QtBot) -> AdminPage:
    page = AdminPage(ctx)
    qtbot.add_widget(page)
    page.resize(1366, 768)
    return page


def tab_of(
    ctx: AppContext, qtbot: QtBot, name: str, kind: type[W], show: bool = False
) -> tuple[AdminPage, W]:
    """The page and its tab *name* (brought to the front of a shown page if *show*)."""
    page = page_of(ctx, qtbot)
    if show:
        page.show()
        page.show_tab(name)
    tab: object = page.tab(name)
    assert isinstance(tab, kind)
    return page, tab


def ok_button(dialog: AddUserDialog | RoleDialog | ReferenceItemDialog | OrganisationDialog) -> QPushButton:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    button = box.button(QDialogButtonBox.StandardButton.Ok)
    assert button is not None
    return button


def opened_by(button: QPushButton, tab: QWidget, kind: type[D]) -> D:
    """Click *button* of *tab* and return the dialog of *kind* it opened."""
    button.click()
    dialog = tab.findChild(kind)
    assert dialog is not None and dialog.isVisible()
    return dialog


def type_into(edit: QLineEdit, text: str) -> None:
    """Type *text* at the cursor (QTest's key clicks know only ASCII)."""
    edit.setFocus()
    edit.insert(text)


def error_under(dialog_or_tab: object, field: str) -> str:
    label = dialog_or_tab.findChild(QLabel, f"error_{field}")  # type: ignore[attr-defined]
    assert label is not None
    return "" if label.isHidden() else str(label.text())


# --- tabs by role ---------------------------------------------------------------------


def test_an_administrator_sees_every_tab(ctx: AppContext, qtbot: QtBot) -> None:
    page = page_of(ctx, qtbot)

    assert page.tab_names() == ["users", "office", "deadlines", "reference", "organisations"]
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [
        gettext(title)
        for title in ("Users", "Office", "Deadlines and security", "Reference data", "Organisations")
    ]
    assert page.record_kind is None


def test_a_department_head_sees_reference_data_and_organisations_but_not_users(
    ctx_as: Callable[[str], AppContext], qtbot: QtBot
) -> None:
    page = page_of(ctx_as("head"), qtbot)

    assert page.tab_names() == ["reference", "organisations"]


def test_a_specialist_is_told_the_role_allows_no_changes(
    ctx_as: Callable[[str], AppContext], qtbot: QtBot
) -> None:
    page = page_of(ctx_as("specialist"), qtbot)

    assert page.tab_names() == []
    label = page.findChild(QLabel)
    assert label is not None
    assert label.text() == gettext("Your role does not allow changing the office's settings.")


def test_the_open_tab_is_remembered(ctx: AppContext, qtbot: QtBot) -> None:
    page = page_of(ctx, qtbot)
    page.show_tab("organisations")
    page.save_state()

    again = page_of(ctx, qtbot)

    assert again.tab_names()[again.tabs.currentIndex()] == "organisations"


# --- models ---------------------------------------------------------------------------


def test_the_table_models_pass_the_model_tester(ctx: AppContext, qtmodeltester: ModelTester) -> None:
    users = user_model()
    users.set_rows(list_users(ctx.db, ctx.actor))
    qtmodeltester.check(users)
    add_organisation(ctx.db, ctx.actor, SCHOOL)
    organisations = organisation_model()
    organisations.set_rows(list_organisations(ctx.db, ctx.actor))
    qtmodeltester.check(organisations)
    items = item_model()
    items.set_rows(list_reference_items(ctx.db, ctx.actor, "tjs_category"))
    qtmodeltester.check(items)
    assert items.index(0, 0).data(ROW_ROLE).kind == "tjs_category"


# --- users ----------------------------------------------------------------------------


def test_a_user_added_through_the_dialog_is_listed(ctx: AppContext, qtbot: QtBot) -> None:
    _page, tab = tab_of(ctx, qtbot, "users", UsersTab)
    dialog = opened_by(tab.add_button, tab, AddUserDialog)
    type_into(dialog.username, "Usenova")
    type_into(dialog.full_name, "Үсөнбаева Ңурзат")
    dialog.role.setCurrentIndex(dialog.role.findData("social_worker"))
    type_into(dialog.password, USER_PASSWORD)
    type_into(dialog.password_repeat, USER_PASSWORD)

    with qtbot.wait_signal(ctx.data_changed, timeout=10_000) as changed:
        ok_button(dialog).click()

    assert changed.args == ["user"]
    rows = {row.username: row for row in tab.model.rows()}
    assert rows["usenova"].full_name == "Үсөнбаева Ңурзат"
    assert rows["usenova"].role == "social_worker"
    assert tab.selected() == rows["usenova"]
    assert "usenova" in tab.bar.text()


def test_a_repeated_password_that_differs_is_shown_next_to_it(ctx: AppContext, qtbot: QtBot) -> None:
    _page, tab = tab_of(ctx, qtbot, "users", UsersTab)
    dialog = opened_by(tab.add_button, tab, AddUserDialog)
    type_into(dialog.username, "usenova")
    type_into(dialog.password, USER_PASSWORD)
    type_into(dialog.password_repeat, USER_PASSWORD + "x")

    ok_button(dialog).click()

    assert dialog.isVisible()
    assert error_under(dialog, "password_repeat")
    assert dialog.username.text() == "usenova"
    assert [row.username for row in list_users(ctx.db, ctx.actor)] == ["admin"]


def test_a_taken_user_name_is_shown_next_to_it(ctx: AppContext, qtbot: QtBot) -> None:
    _page, tab = tab_of(ctx, qtbot, "users", UsersTab)
    dialog = opened_by(tab.add_button, tab, AddUserDialog)
    type_into(dialog.username, "admin")
    type_into(dialog.full_name, "Ёлкин Иван")
    type_into(dialog.password, USER_PASSWORD)
    type_into(dialog.password_repeat, USER_PASSWORD)

    ok_button(dialog).click()
    qtbot.wait_until(lambda: bool(error_under(dialog, "username")), timeout=10_000)

    assert "admin" in error_under(dialog, "username")
    assert dialog.isVisible() and dialog.full_name.text() == "Ёлкин Иван"


def test_disabling_the_only_administrator_shows_the_refusal(ctx: AppContext, qtbot: QtBot) -> None:
    _page, tab = tab_of(ctx, qtbot, "users", UsersTab)
    select_where(tab.table, lambda u: u.username == "admin")

    with qtbot.assert_not_emitted(ctx.data_changed):
        tab.active_button.click()

    assert not tab.bar.isHidden()
    assert tab.bar.text() == "Нельзя отключить собственную учётную запись."
    assert [row.active for row in list_users(ctx.db, ctx.actor)] == [True]


def test_taking_the_role_from_the_last_administrator_shows_the_refusal(ctx: AppContext, qtbot: QtBot) -> None:
    _page, tab = tab_of(ctx, qtbot, "users", UsersTab)
    select_where(tab.table, lambda u: u.username == "admin")
    dialog = opened_by(tab.role_button, tab, RoleDialog)
    dialog.role.setCurrentIndex(dialog.role.findData("head"))

    ok_button(dialog).click()

    assert dialog.isVisible()
    assert dialog.bar.text() == gettext("The last active administrator cannot lose the role.")
    assert [row.role for row in list_users(ctx.db, ctx.actor)] == ["administrator"]


def test_disabling_and_enabling_another_user(ctx: AppContext, qtbot: QtBot) -> None:
    _page, tab = tab_of(ctx, qtbot, "users", UsersTab)
    make_user(ctx.db, ctx.actor, "usenova", "specialist")
    tab.refresh()
    select_where(tab.table, lambda u: u.username == "usenova")

    with qtbot.wait_signal(ctx.data_changed):
        tab.active_button.click()

    assert not {row.username: row.active for row in tab.model.rows()}["usenova"]
    assert tab.selected() is not None and tab.active_button.text() == gettext("Enable")
    tab.active_button.click()
    assert {row.username: row.active for row in tab.model.rows()}["usenova"]


# --- office and deadlines -------------------------------------------------------------


def test_changing_a_deadline_and_saving_persists_it(ctx: AppContext, qtbot: QtBot) -> None:
    _page, tab = tab_of(ctx, qtbot, "deadlines", DeadlinesTab)
    spin = tab.spins["deadline.referral_reply_days"]
    assert spin.value() == 10
    assert not tab.save_button.isEnabled()

    spin.setValue(14)
    with qtbot.wait_signal(ctx.data_changed) as changed:
        tab.save_button.click()

    assert changed.args == ["settings"]
    assert get_number_settings(ctx.db, ctx.actor)["deadline.referral_reply_days"] == 14
    assert spin.value() == 14
    assert not tab.save_button.isEnabled()


def test_office_details_are_saved_and_a_missing_name_is_shown_next_to_its_field(
    ctx: AppContext, qtbot: QtBot
) -> None:
    _page, tab = tab_of(ctx, qtbot, "office", OfficeTab, show=True)
    edits = tab.edits
    assert "Сокулук" in tab.district.text()

    edits["department_name_ru"].clear()
    type_into(edits["head_name"], " Ңурзат")
    tab.save_button.click()

    assert error_under(tab, "department_name_ru") == gettext("{field}: required.").format(
        field=gettext("Department name in Russian")
    )
    assert edits["head_name"].text().endswith("Ңурзат")
    assert get_office(ctx.db, ctx.actor).details.head_name == "Асанова Гүлнара"

    type_into(edits["department_name_ru"], "Отдел защиты детей")
    with qtbot.wait_signal(ctx.data_changed) as changed:
        tab.save_button.click()

    assert changed.args == ["office"]
    details = get_office(ctx.db, ctx.actor).details
    assert (details.department_name_ru, details.head_name) == ("Отдел защиты детей", "Асанова Гүлнара Ңурзат")
    assert error_under(tab, "department_name_ru") == ""


def test_the_office_chooses_the_language_its_documents_print_in(ctx: AppContext, qtbot: QtBot) -> None:
    _page, tab = tab_of(ctx, qtbot, "office", OfficeTab, show=True)
    assert tab.language.currentText() == "Кыргызский и русский"
    tab.language.setCurrentIndex(tab.language.findData("ky"))
    assert tab.save_button.isEnabled()
    with qtbot.wait_signal(ctx.data_changed):
        tab.save_button.click()
    assert get_office(ctx.db, ctx.actor).details.document_language == "ky"
    with ctx.db.reading() as session:
        assert document_language(session) == "ky"


# --- reference data -------------------------------------------------------------------


def reference_tab(ctx: AppContext, qtbot: QtBot, kind: str) -> tuple[AdminPage, ReferenceTab]:
    page, tab = tab_of(ctx, qtbot, "reference", ReferenceTab, show=True)
    tab.choose_kind(kind)
    return page, tab


def test_an_item_added_in_the_dialog_appears_in_the_list(ctx: AppContext, qtbot: QtBot) -> None:
    _page, tab = reference_tab(ctx, qtbot, "service_type")
    dialog = opened_by(tab.add_button, tab, ReferenceItemDialog)
    type_into(dialog.code, "day_centre")
    type_into(dialog.names["name_ru"], "Дневной центр")
    type_into(dialog.names["name_ky"], "Күндүзгү борбор")
    type_into(dialog.names["name_en"], "Day centre")

    with qtbot.wait_signal(ctx.data_changed) as changed:
        ok_button(dialog).click()

    assert changed.args == ["reference"]
    assert tab.model.rows()[-1].code == "day_centre"
    assert tab.selected() is not None and tab.selected().code == "day_centre"  # type: ignore[union-attr]


def test_a_code_already_in_the_list_is_shown_next_to_the_code(ctx: AppContext, qtbot: QtBot) -> None:
    _page, tab = reference_tab(ctx, qtbot, "tjs_category")
    dialog = opened_by(tab.add_button, tab, ReferenceItemDialog)
    type_into(dialog.code, "orphans")
    type_into(dialog.names["name_ru"], "Сироты")

    ok_button(dialog).click()

    assert "orphans" in error_under(dialog, "code")
    assert error_under(dialog, "name_ky")
    assert dialog.isVisible() and dialog.names["name_ru"].text() == "Сироты"


def test_a_deactivated_item_is_kept_in_the_list_but_not_offered(ctx: AppContext, qtbot: QtBot) -> None:
    _page, tab = reference_tab(ctx, qtbot, "tjs_category")
    select_where(tab.table, lambda item: item.code == "street_children")

    with qtbot.wait_signal(ctx.data_changed):
        tab.active_button.click()

    [street] = [row for row in tab.model.rows() if row.code == "street_children"]
    assert not street.active
    assert tab.active_button.text() == gettext("Activate")
    with ctx.db.reading() as session:
        assert "street_children" not in [c.value for c in reference_choices(session, "tjs_category")]


def test_moving_an_item_down_changes_the_order(ctx: AppContext, qtbot: QtBot) -> None:
    _page, tab = reference_tab(ctx, qtbot, "risk_level")
    first, second = tab.model.rows()[:2]
    select_where(tab.table, lambda item: item.id == first.id)
    assert not tab.up_button.isEnabled()

    with qtbot.wait_signal(ctx.data_changed):
        tab.down_button.click()

    assert [row.id for row in tab.model.rows()[:2]] == [second.id, first.id]
    assert tab.selected() is not None and tab.selected().id == first.id  # type: ignore[union-attr]


# --- organisations --------------------------------------------------------------------


def organisations_tab(ctx: AppContext, qtbot: QtBot) -> tuple[AdminPage, OrganisationsTab]:
    return tab_of(ctx, qtbot, "organisations", OrganisationsTab, show=True)


def test_an_organisation_added_in_the_form_is_listed(ctx: AppContext, qtbot: QtBot) -> None:
    _page, tab = organisations_tab(ctx, qtbot)
    dialog = opened_by(tab.add_button, tab, OrganisationDialog)
    assert dialog.district_id() == get_office(ctx.db, ctx.actor).district_id
    type_into(dialog.edits["name_ru"], SCHOOL.name_ru)
    type_into(dialog.edits["name_ky"], SCHOOL.name_ky)
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("school"))
    type_into(dialog.edits["contact_person"], "Үсөнбаева Ңурзат")

    with qtbot.wait_signal(ctx.data_changed) as changed:
        ok_button(dialog).click()

    assert changed.args == ["organisation"]
    [row] = tab.model.rows()
    assert (row.data.name_ru, row.data.type_code, row.data.contact_person) == (
        SCHOOL.name_ru,
        "school",
        "Үсөнбаева Ңурзат",
    )
    assert row.district_label == "Сокулукский район"


def test_a_wrong_email_is_shown_next_to_it(ctx: AppContext, qtbot: QtBot) -> None:
    _page, tab = organisations_tab(ctx, qtbot)
    dialog = opened_by(tab.add_button, tab, OrganisationDialog)
    type_into(dialog.edits["name_ru"], SCHOOL.name_ru)
    type_into(dialog.edits["name_ky"], SCHOOL.name_ky)
    type_into(dialog.edits["email"], "school3")

    ok_button(dialog).click()

    assert "school3" in error_under(dialog, "email")
    assert list_organisations(ctx.db, ctx.actor) == []


def test_saving_an_organisation_someone_else_changed_is_refused(ctx: AppContext, qtbot: QtBot) -> None:
    org_id = add_organisation(ctx.db, ctx.actor, SCHOOL)
    _page, tab = organisations_tab(ctx, qtbot)
    tab.refresh()
    select_where(tab.table, lambda org: org.id == org_id)
    dialog = opened_by(tab.edit_button, tab, OrganisationDialog)
    [opened] = list_organisations(ctx.db, ctx.actor)
    update_organisation(
        ctx.db, ctx.actor, org_id, opened.version, OrganisationInput(**{**SCHOOL.__dict__, "phone": "1"})
    )
    type_into(dialog.edits["address"], "с. Сокулук")

    ok_button(dialog).click()

    assert dialog.isVisible()
    assert dialog.bar.text() == gettext(
        "Someone else saved this record after you opened it. Reopen it and try again."
    )
    [row] = list_organisations(ctx.db, ctx.actor)
    assert (row.data.address, row.data.phone) == ("", "1")


def test_the_filter_narrows_the_directory(ctx: AppContext, qtbot: QtBot) -> None:
    add_organisation(ctx.db, ctx.actor, SCHOOL)
    add_organisation(
        ctx.db, ctx.actor, OrganisationInput("Кризисный центр «Сезим»", "«Сезим» кризистик борбору")
    )
    _page, tab = organisations_tab(ctx, qtbot)
    tab.refresh()
    assert tab.proxy.rowCount() == 2

    type_into(tab.filter_edit, "сезим")

    assert tab.proxy.rowCount() == 1
    assert tab.proxy.index(0, 0).data(ROW_ROLE).data.name_ru == "Кризисный центр «Сезим»"


def test_deactivating_an_organisation_greys_it(ctx: AppContext, qtbot: QtBot) -> None:
    add_organisation(ctx.db, ctx.actor, SCHOOL)
    _page, tab = organisations_tab(ctx, qtbot)
    tab.refresh()
    select_where(tab.table, lambda org: True)
    active_colour = tab.proxy.index(0, 0).data(Qt.ItemDataRole.ForegroundRole)

    with qtbot.wait_signal(ctx.data_changed):
        tab.active_button.click()

    [row] = list_organisations(ctx.db, ctx.actor)
    assert not row.active
    assert active_colour is None
    assert tab.proxy.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_the_page_builds_in_each_language(ctx: AppContext, qtbot: QtBot, lang: str) -> None:
    set_language(lang)
    page = page_of(ctx, qtbot)
    page.show()
    for name in page.tab_names():
        page.show_tab(name)
    assert page.tabs.count() == 5
