"""The upload and received packages tabs: making a package, importing it elsewhere, deciding conflicts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QApplication

from models.database import Database, open_database
from models.exchange.crypto import generate_keys
from models.exchange.importer import import_package, open_conflicts
from models.exchange.settings import set_exchange_settings
from models.exchange.writer import export_package
from models.i18n import gettext
from models.services.base import Actor
from models.services.office import OfficeDetails, set_up_office
from models.services.people import get_person, register_child, update_person
from models.services.users import authenticate
from models.validation import PersonInput

from ui import tasks
from ui.context import AppContext
from ui.exchange import packages, received
from ui.exchange.packages import FOLDER_KEY, NO_KEY_TEXT, PackagesTab
from ui.exchange.received import ReceivedTab

from tests.conftest import ADMIN_PASSWORD

# The offscreen platform says so for every top-level window with size constraints.
pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
    pytest.mark.usefixtures("background_work_ends"),
]

REGION_DISTRICT = "41702205"  # Ак-Суйский район: the consolidating office
WAIT_MS = 20_000


@pytest.fixture(autouse=True)
def _errors_fail_the_test(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A failed task's message box would wait for a click: record the error instead."""
    shown: list[str] = []
    monkeypatch.setattr(tasks, "show_error", lambda _parent, error, _title=None: shown.append(str(error)))
    return shown


@pytest.fixture
def child(ctx: AppContext) -> str:
    """A child of the office, registered through the service; her full name."""
    register_child(
        ctx.db,
        ctx.actor,
        PersonInput(last_name="Үсөнбаева", first_name="Ңурзат", sex="F", birth_date=date(2015, 2, 1)),
    )
    return "Үсөнбаева Ңурзат"


@pytest.fixture
def usb(ctx: AppContext, tmp_path: Path) -> Path:
    """The folder packages go to, remembered as the tab's folder."""
    folder = tmp_path / "usb"
    folder.mkdir()
    ctx.state.setValue(FOLDER_KEY, str(folder))
    return folder


@pytest.fixture
def keys(ctx: AppContext, tmp_path: Path) -> Path:
    """A key pair, its public key configured in the office; the private key file."""
    folder = tmp_path / "keys"
    folder.mkdir()
    pair = generate_keys(folder)
    set_exchange_settings(ctx.db, ctx.actor, recipients=[pair.recipient], identity_file=None)
    return pair.identity_path


@pytest.fixture
def region(tmp_path: Path) -> Iterator[tuple[Database, Actor]]:
    """The consolidating office of another district: its database and its signed-in administrator."""
    db = open_database(tmp_path / "region.sqlite")
    set_up_office(
        db,
        OfficeDetails(REGION_DISTRICT, "Ак-Суу району", "Ак-Суйский район", "Ёлкин Пётр", "с. Теплоключенка"),
        "admin",
        "Администратор Области",
        ADMIN_PASSWORD,
    )
    yield db, authenticate(db, "admin", ADMIN_PASSWORD)
    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()
    db.dispose()


@pytest.fixture
def region_ctx(region: tuple[Database, Actor], tmp_path: Path) -> Iterator[AppContext]:
    context = AppContext(*region, QSettings(str(tmp_path / "region-ui.ini"), QSettings.Format.IniFormat))
    yield context
    context.deleteLater()


def packages_tab(ctx: AppContext, qtbot: QtBot) -> PackagesTab:
    tab = PackagesTab(ctx)
    qtbot.add_widget(tab)
    tab.resize(1100, 760)
    return tab


def received_tab(ctx: AppContext, qtbot: QtBot) -> ReceivedTab:
    tab = ReceivedTab(ctx)
    qtbot.add_widget(tab)
    tab.resize(1100, 760)
    return tab


def answer(monkeypatch: pytest.MonkeyPatch, module: object, name: str, value: object) -> list[object]:
    """Stand in for the user at the dialog *name* of *module*; the calls it got."""
    calls: list[object] = []

    def ask(*args: object) -> object:
        calls.append(args)
        return value

    monkeypatch.setattr(module, name, ask)
    return calls


@pytest.mark.usefixtures("child")
def test_a_package_is_made_encrypted_and_listed(
    ctx: AppContext, qtbot: QtBot, qtmodeltester: ModelTester, usb: Path, keys: Path
) -> None:
    tab = packages_tab(ctx, qtbot)

    with qtbot.wait_signal(tab.package_made, timeout=WAIT_MS) as made:
        tab.make_button.click()

    path = made.args[0].path
    assert path.parent == usb and path.name.endswith(".zip.age")
    assert str(path) in tab.bar.text()
    assert tab.model.rowCount() == 1
    qtmodeltester.check(tab.model)


@pytest.mark.usefixtures("child")
def test_without_a_key_the_tab_says_so_and_writes_nothing_unless_confirmed(
    ctx: AppContext, qtbot: QtBot, usb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = packages_tab(ctx, qtbot)
    asked = answer(monkeypatch, packages, "ask_write_unencrypted", False)

    tab.make_button.click()

    assert tab.key_note.text() == gettext(NO_KEY_TEXT)
    assert len(asked) == 1
    assert list(usb.iterdir()) == []
    assert tab.model.rowCount() == 0


@pytest.mark.usefixtures("child")
def test_a_confirmed_unencrypted_package_is_written_with_a_warning(
    ctx: AppContext, qtbot: QtBot, usb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = packages_tab(ctx, qtbot)
    answer(monkeypatch, packages, "ask_write_unencrypted", True)

    with qtbot.wait_signal(tab.package_made, timeout=WAIT_MS) as made:
        tab.make_button.click()

    assert made.args[0].path.suffix == ".zip"
    assert not made.args[0].encrypted
    assert "НЕ зашифрован" in tab.bar.text()


def test_the_chosen_folder_is_remembered_for_the_next_time(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stick = tmp_path / "Флешка Ёлкина"
    stick.mkdir()
    answer(monkeypatch, packages, "ask_folder", stick)
    tab = packages_tab(ctx, qtbot)

    tab.folder_button.click()

    assert packages_tab(ctx, qtbot).folder_label.text() == str(stick)


def test_the_keys_are_shown_to_administrators_only(
    ctx: AppContext, ctx_as: Callable[[str], AppContext], qtbot: QtBot
) -> None:
    assert packages_tab(ctx, qtbot).keys is not None
    assert packages_tab(ctx_as("specialist"), qtbot).keys is None


def test_a_wrong_public_key_is_refused_in_the_keys_box(ctx: AppContext, qtbot: QtBot) -> None:
    tab = packages_tab(ctx, qtbot)
    assert tab.keys is not None
    tab.keys.recipients.setPlainText("age1notakey")

    tab.keys.save_button.click()

    assert "age1notakey" in tab.keys.bar.text()
    assert tab.key_note.text() == gettext(NO_KEY_TEXT)


def test_a_new_key_pair_is_made_and_its_public_key_saved_for_packages(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = packages_tab(ctx, qtbot)
    assert tab.keys is not None
    answer(monkeypatch, packages, "ask_key_folder", tmp_path)
    tab.keys.generate_button.click()
    public = (tmp_path / "bala-korgoo-recipient.txt").read_text(encoding="utf-8").strip()
    tab.keys.recipients.setPlainText(public)

    tab.keys.save_button.click()

    assert public in tab.keys.recipients.toPlainText()
    assert tab.keys.identity.text() == str(tmp_path / "bala-korgoo-identity.txt")
    assert tab.key_note.text() != gettext(NO_KEY_TEXT)
    assert tab.keys.bar.text() == gettext("The keys are saved.")


@pytest.mark.usefixtures("child")
def test_a_package_from_an_office_is_imported_with_the_key_file_asked_for(
    ctx: AppContext,
    region_ctx: AppContext,
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    usb: Path,
    keys: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = export_package(ctx.db, ctx.actor, usb, full=True)
    tab = received_tab(region_ctx, qtbot)
    answer(monkeypatch, received, "ask_package_file", made.path)
    asked_key = answer(monkeypatch, received, "ask_identity_file", keys)

    with qtbot.wait_signal(tab.package_imported, timeout=WAIT_MS) as imported:
        tab.import_button.click()

    assert len(asked_key) == 1
    assert imported.args[0].counts["persons"]["inserted"] >= 1
    assert tab.history.rowCount() == 1
    assert "№ 1" in tab.bar.text()
    qtmodeltester.check(tab.history)


def _edit_notes(db: Database, actor: Actor, person_id: object, notes: str) -> None:
    details = get_person(db, actor, person_id)  # type: ignore[arg-type]
    update_person(db, actor, details.id, replace(details.data, notes=notes), details.version)


def test_a_conflict_is_shown_side_by_side_and_taken_from_the_package(
    ctx: AppContext,
    region: tuple[Database, Actor],
    region_ctx: AppContext,
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    usb: Path,
) -> None:
    child_id = register_child(
        ctx.db,
        ctx.actor,
        PersonInput(last_name="Ёлкин", first_name="Usenov", sex="M", birth_date=date(2016, 3, 4)),
    ).id
    first = export_package(ctx.db, ctx.actor, usb, full=True, plaintext=True)
    import_package(*region, first.path)
    _edit_notes(ctx.db, ctx.actor, child_id, "Переехал к бабушке")
    second = export_package(ctx.db, ctx.actor, usb, plaintext=True)
    _edit_notes(*region, child_id, "Живёт с матерью")
    assert import_package(*region, second.path).conflicts == 1
    tab = received_tab(region_ctx, qtbot)
    qtmodeltester.check(tab.conflicts)
    qtmodeltester.check(tab.comparison)

    rows = [
        [tab.comparison.index(row, column).data() for column in range(3)]
        for row in range(tab.comparison.rowCount())
    ]
    shaded = [
        tab.comparison.index(row, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
        for row in range(tab.comparison.rowCount())
    ]
    tab.take_button.click()

    assert rows[0] == [gettext("Notes"), "Живёт с матерью", "Переехал к бабушке"]
    assert shaded[0] and not shaded[-1]  # the field that differs stands out
    assert [gettext("Date of birth"), "04.03.2016", "04.03.2016"] in rows
    assert not any(row[0] in ("created_by", "current_case_id", "version") for row in rows)
    assert [row[1] for row in rows if row[0] == gettext("Sex")] in ([gettext("Female")], [gettext("Male")])
    assert tab.conflicts.rowCount() == 0
    assert not tab.take_button.isEnabled()
    assert get_person(*region, child_id).data.notes == "Переехал к бабушке"
    assert open_conflicts_count(region[0]) == 0


def open_conflicts_count(db: Database) -> int:
    with db.reading() as session:
        return len(open_conflicts(session))
