"""The register pages: rows read in blocks, search and filters in SQL, the count, columns, opening records."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QDate, QPoint, QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QApplication

from models.database import Database, copy_sqlite, open_database
from models.demo import generate
from models.i18n import gettext
from models.registers import REGISTERS, RegisterQuery, RegisterRow
from models.registers import RegisterPage as Page
from models.services import users
from models.services.people import delete_person, get_person, register_child, update_person
from models.services.users import authenticate
from models.validation import PersonInput

from ui.context import AppContext
from ui.registers import ID_ROLE, ROW_ROLE, RegisterPage, RegisterTableModel
from ui.registers import model as register_model
from ui.registers.columns import column_index
from ui.registers.model import BLOCK_SIZE, PLACEHOLDER, DatabaseSource
from ui.registers.page import format_count

AS_OF = date(2026, 11, 1)
# Showing a top-level widget on the offscreen platform warns that it cannot pass size hints on.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def _background_reads_end() -> Iterator[None]:
    """No read of a register outlives its test (and its database)."""
    yield
    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo office of about 300 children, made once for the module."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        db = open_database(path)
        generate(db, 300, seed=11, as_of=AS_OF)
        db.dispose()
    return path


@pytest.fixture
def demo_ctx(demo_template: Path, tmp_path: Path, ui_state: QSettings) -> Iterator[AppContext]:
    """The demo administrator signed in to a copy of the demo office."""
    path = tmp_path / "demo.sqlite"
    copy_sqlite(demo_template, path)
    db = open_database(path, create=False)
    context = AppContext(db, authenticate(db, "admin", "demo-admin-1"), ui_state)
    yield context
    QThreadPool.globalInstance().waitForDone()
    context.deleteLater()
    db.dispose()


class CountingSource(DatabaseSource):
    """Reads the database like the page does, and keeps every query it was asked.

    With *hold_ids* the ordered ids are read only once :attr:`release` is set (by the test).
    """

    def __init__(self, db: Database, *, hold_ids: bool = False) -> None:
        super().__init__(db)
        self.fetched: list[RegisterQuery] = []
        self.snapshots: list[Sequence[uuid.UUID]] = []
        self.by_ids: list[list[uuid.UUID]] = []
        self.release = threading.Event()
        if not hold_ids:
            self.release.set()

    def fetch(self, query: RegisterQuery) -> Page:
        self.fetched.append(query)
        return super().fetch(query)

    def ids(self, query: RegisterQuery) -> Sequence[uuid.UUID]:
        assert self.release.wait(10)
        ids = super().ids(query)
        self.snapshots.append(ids)
        return ids

    def rows(self, query: RegisterQuery, ids: Sequence[uuid.UUID]) -> list[RegisterRow]:
        self.by_ids.append(list(ids))
        return super().rows(query, ids)


def make_page(
    qtbot: QtBot, ctx: AppContext, register: str = "children", source: DatabaseSource | None = None
) -> RegisterPage:
    """A register page, shown, with its first rows and its filters' choices read."""
    page = RegisterPage(ctx, register, source=source)
    qtbot.add_widget(page)
    with qtbot.wait_signals([page.loaded, page.filter_bar.choices_loaded], timeout=10_000):
        page.resize(1366, 768)
        page.show()
    return page


def names(page: RegisterPage) -> list[str]:
    model = page.model
    column = column_index(page.register, "full_name")
    assert column is not None
    return [model.index(row, column).data() for row in range(min(model.rowCount(), BLOCK_SIZE))]


def child(db: Database, ctx: AppContext, last: str, first: str, born: date = date(2014, 5, 6)) -> uuid.UUID:
    return register_child(
        db, ctx.actor, PersonInput(last_name=last, first_name=first, birth_date=born, sex="F")
    ).id


def count_shown(page: RegisterPage) -> tuple[int, int]:
    """The two numbers of «Найдено N из M» (or «Всего: M» twice), thousands separators and all."""
    numbers = [
        int(n.replace("\u00a0", "")) for n in re.findall(r"\d[\d\u00a0]*", page.filter_bar.count_label.text())
    ]
    return (numbers[0], numbers[-1])


# --- the model --------------------------------------------------------------------------


@pytest.mark.parametrize("register", REGISTERS)
def test_the_table_model_of_every_register_is_a_correct_qt_model(
    qtbot: QtBot, qtmodeltester, demo_ctx, register
):
    model = RegisterTableModel(register, DatabaseSource(demo_ctx.db))
    with qtbot.wait_signal(model.loaded, timeout=10_000):
        model.set_query(RegisterQuery(register))
    assert model.rowCount() > 0
    qtmodeltester.check(model)
    qtbot.wait_until(lambda: not model.is_busy())
    qtmodeltester.check(model)


def test_rows_past_the_first_block_arrive_when_the_view_asks_for_them(qtbot: QtBot, demo_ctx):
    source = CountingSource(demo_ctx.db, hold_ids=True)  # before the ids arrive: read by offset
    model = RegisterTableModel("children", source)
    with qtbot.wait_signal(model.loaded, timeout=10_000):
        model.set_query(RegisterQuery("children"))
    assert model.rowCount() > BLOCK_SIZE  # the demo office has about 300 children
    assert model.loaded_rows() == BLOCK_SIZE
    late = model.index(BLOCK_SIZE + 5, 0)
    assert late.data() == PLACEHOLDER
    assert model.record_id(late.row()) is None
    with qtbot.wait_signal(model.block_loaded, timeout=10_000) as blocker:
        late.data()  # asked again while it is being read: no second read
    assert blocker.args == [1]
    assert isinstance(late.data(ID_ROLE), uuid.UUID)
    assert late.data() == late.data(ROW_ROLE).full_name
    assert [(q.offset, q.limit) for q in source.fetched] == [(0, BLOCK_SIZE), (BLOCK_SIZE, BLOCK_SIZE)]
    with qtbot.wait_signal(model.ids_loaded, timeout=10_000):
        source.release.set()
    assert model.loaded_rows() == model.rowCount()  # the blocks read agree with the ids: kept
    assert source.by_ids == []


def test_once_the_ids_arrive_a_deep_block_is_read_by_its_ids(qtbot: QtBot, demo_ctx):
    source = CountingSource(demo_ctx.db)
    model = RegisterTableModel("children", source)
    with qtbot.wait_signal(model.ids_loaded, timeout=10_000):
        model.set_query(RegisterQuery("children", sort="birth_date", descending=True))
    (ids,) = source.snapshots
    assert model.rowCount() == model.total() == len(ids) > BLOCK_SIZE
    last = model.index(len(ids) - 1, 0)
    assert last.data() == PLACEHOLDER
    with qtbot.wait_signal(model.block_loaded, timeout=10_000) as blocker:
        last.data()
    number = (len(ids) - 1) // BLOCK_SIZE
    assert blocker.args == [number]
    assert source.by_ids == [ids[number * BLOCK_SIZE : (number + 1) * BLOCK_SIZE]]
    assert [q.offset for q in source.fetched] == [0]  # only the first block was read by offset
    assert last.data(ID_ROLE) == ids[-1]
    assert last.data() == last.data(ROW_ROLE).full_name
    assert model.find(ids[-1]) == len(ids) - 1


def test_the_row_count_follows_the_ids_when_children_were_added_meanwhile(
    qtbot: QtBot, qtmodeltester, ctx: AppContext
):
    first = child(ctx.db, ctx, "Борубаев", "Азамат")
    source = CountingSource(ctx.db, hold_ids=True)
    model = RegisterTableModel("children", source)
    with qtbot.wait_signal(model.loaded, timeout=10_000):
        model.set_query(RegisterQuery("children"))
    qtmodeltester.check(model)  # Qt's tester stays attached and checks the rows inserted below
    assert model.rowCount() == 1
    added = [child(ctx.db, ctx, "Абдыкадыров", "Эрлан"), child(ctx.db, ctx, "Ёлкина", "Анна")]
    with qtbot.wait_signals([model.rowsInserted, model.ids_loaded], timeout=10_000):
        source.release.set()
    assert model.rowCount() == model.total() == model.unfiltered_total() == 3
    with qtbot.wait_signal(model.block_loaded, timeout=10_000):
        model.index(0, 0).data()  # block 0, read before, no longer agrees with the ids: read again
    assert [model.index(row, 0).data(ID_ROLE) for row in range(3)] == [added[0], first, added[1]]


def test_a_child_deleted_after_the_ids_were_read_shows_an_empty_row(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(register_model, "BLOCK_SIZE", 2)
    ids = [
        child(ctx.db, ctx, last, "Айгүл") for last in ("Абаева", "Бекова", "Дуйшеева", "Исакова", "Касымова")
    ]
    model = RegisterTableModel("children", CountingSource(ctx.db))
    with qtbot.wait_signal(model.ids_loaded, timeout=10_000):
        model.set_query(RegisterQuery("children"))
    delete_person(ctx.db, ctx.actor, ids[3])  # Исакова, in block 1
    with qtbot.wait_signal(model.block_loaded, timeout=10_000):
        model.index(3, 0).data()
    assert model.rowCount() == 5
    assert [model.index(row, 0).data() for row in (2, 3)] == ["Дуйшеева Айгүл", ""]
    assert model.index(3, 0).data(ID_ROLE) is None and model.index(3, 0).data(ROW_ROLE) is None
    assert model.record_id(3) is None and model.find_loaded(ids[3]) is None
    with qtbot.wait_signal(model.ids_loaded, timeout=10_000):
        model.reload()
    assert model.rowCount() == 4


def test_cells_read_as_people_write_them(qtbot: QtBot, ctx: AppContext):
    child(ctx.db, ctx, "Үсөнбаева", "Ңурзат", date(2012, 3, 4))
    page = make_page(qtbot, ctx)
    row = {
        spec_key: page.model.index(0, column_index("children", spec_key) or 0).data()
        for spec_key in ("birth_date", "sex")
    }
    assert row == {"birth_date": "04.03.2012", "sex": "Женский"}


# --- search and filters ----------------------------------------------------------------


def test_a_latin_spelling_finds_a_cyrillic_name(qtbot: QtBot, ctx: AppContext):
    child(ctx.db, ctx, "Үсөнбаева", "Ңурзат")
    child(ctx.db, ctx, "Ёлкина", "Анна")
    page = make_page(qtbot, ctx)
    assert page.filter_bar.count_label.text() == gettext("Total: {total}").format(total=2)
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        qtbot.keyClicks(page.filter_bar.search, "usonbaeva")
    assert names(page) == ["Үсөнбаева Ңурзат"]
    assert page.filter_bar.count_label.text() == gettext("Found {found} of {total}").format(found=1, total=2)


def test_typing_a_word_runs_one_query_after_the_pause(qtbot: QtBot, ctx: AppContext):
    source = CountingSource(ctx.db)
    page = make_page(qtbot, ctx, source=source)
    before = len(source.fetched)
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        qtbot.keyClicks(page.filter_bar.search, "usonbaeva")
    qtbot.wait(400)  # longer than the pause: nothing else is read
    assert [q.search for q in source.fetched[before:]] == ["usonbaeva"]


def test_enter_in_the_search_box_searches_at_once(qtbot: QtBot, ctx: AppContext):
    source = CountingSource(ctx.db)
    page = make_page(qtbot, ctx, source=source)
    before = len(source.fetched)
    qtbot.keyClicks(page.filter_bar.search, "yolkin")
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        qtbot.keyClick(page.filter_bar.search, Qt.Key.Key_Return)
    qtbot.wait(400)
    assert [q.search for q in source.fetched[before:]] == ["yolkin"]


def test_a_status_filter_narrows_the_count_shown(qtbot: QtBot, demo_ctx):
    page = make_page(qtbot, demo_ctx)
    whole, same = count_shown(page)
    assert whole == same == page.model.total() > BLOCK_SIZE
    statuses = page.filter_bar.statuses
    assert statuses is not None
    implementation = next(a for a in statuses.actions_of_choices() if a.data() == "implementation")
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        implementation.trigger()
    found, of = count_shown(page)
    assert 0 < found < whole and of == whole
    assert statuses.text() == "Статус (1)"
    assert {page.model.index(r, 0).data(ROW_ROLE).case_status for r in range(min(found, BLOCK_SIZE))} == {
        "implementation"
    }
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        page.filter_bar.clear_button.click()
    assert count_shown(page) == (whole, whole)
    assert statuses.selected() == ()


def test_categories_can_be_chosen_together(qtbot: QtBot, demo_ctx):
    page = make_page(qtbot, demo_ctx, "cases")
    categories = page.filter_bar.categories
    assert categories is not None
    chosen = {"disability", "neglect"}
    for action in categories.actions_of_choices():
        if action.data() in chosen:
            with qtbot.wait_signal(page.loaded, timeout=10_000):
                action.trigger()
    assert set(categories.selected()) == chosen
    found = page.model.total()
    assert 0 < found < (page.model.unfiltered_total() or 0)
    rows = [page.model.index(r, 0).data(ROW_ROLE) for r in range(min(found, BLOCK_SIZE))]
    assert all(chosen & set(row.category_codes) for row in rows)


def test_every_register_offers_its_own_filters(qtbot: QtBot, demo_ctx):
    for register in REGISTERS:
        page = make_page(qtbot, demo_ctx, register)
        bar = page.filter_bar
        assert (bar.overdue is not None) == (register == "referrals")
        assert (bar.urgent_only is not None) == (register == "reports")
        assert (bar.statuses is None) == (register == "households")
        assert page.model.total() > 0, register


def test_a_worker_and_a_date_range_filter_the_cases(qtbot: QtBot, demo_ctx):
    page = make_page(qtbot, demo_ctx, "cases")
    whole = page.model.total()
    bar = page.filter_bar
    assert bar.worker is not None and bar.date_from is not None
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        bar.worker.setCurrentIndex(bar.worker.findText("Жумабаев Нурлан Талантбекович"))
    by_worker = page.model.total()
    assert 0 < by_worker < whole
    assert {page.model.index(r, 0).data(ROW_ROLE).worker for r in range(by_worker)} == {
        "Жумабаев Нурлан Талантбекович"
    }
    bar.date_from.edit.setDate(QDate(AS_OF.year, AS_OF.month, AS_OF.day))
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        bar.date_from.check.setChecked(True)
    assert page.model.query().date_from == AS_OF
    assert all(page.model.index(r, 0).data(ROW_ROLE).opened_on >= AS_OF for r in range(page.model.total()))


# --- sorting and columns ------------------------------------------------------------------


def test_sorting_by_name_reverses_the_first_row(qtbot: QtBot, demo_ctx):
    page = make_page(qtbot, demo_ctx)
    header = page.view.horizontalHeader()
    column = column_index("children", "full_name")
    assert column is not None
    first = names(page)[0]
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        header.sectionClicked.emit(column)
    assert page.model.query().descending
    assert names(page)[0] != first
    assert header.sortIndicatorSection() == column
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder


def test_a_column_that_cannot_be_sorted_ignores_the_click(qtbot: QtBot, demo_ctx):
    source = CountingSource(demo_ctx.db)
    page = make_page(qtbot, demo_ctx, source=source)
    before = len(source.fetched)
    sex = column_index("children", "sex")
    header = page.view.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_section_centre(page, sex))
    qtbot.wait(50)
    assert len(source.fetched) == before
    assert header.sortIndicatorSection() == column_index("children", "full_name")


def test_the_column_layout_is_kept_for_the_next_page(qtbot: QtBot, ctx: AppContext):
    page = make_page(qtbot, ctx)
    header = page.view.horizontalHeader()
    pin, birth, name = (column_index("children", key) for key in ("pin", "birth_date", "full_name"))
    assert pin is not None and birth is not None and name is not None
    page.set_column_visible("pin", False)
    header.moveSection(header.visualIndex(birth), 0)
    header.resizeSection(name, 321)
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        header.sectionClicked.emit(birth)
    page.save_state()

    again = make_page(qtbot, ctx)
    header = again.view.horizontalHeader()
    assert header.isSectionHidden(pin)
    assert header.logicalIndex(0) == birth
    assert header.sectionSize(name) == 321
    assert (again.model.query().sort, again.model.query().descending) == ("birth_date", False)
    assert header.sortIndicatorSection() == birth


def test_the_header_menu_hides_and_shows_columns(qtbot: QtBot, ctx: AppContext):
    page = make_page(qtbot, ctx)
    header = page.view.horizontalHeader()
    menu = page.column_menu()  # what a right click on the header pops up
    pin = next(action for action in menu.actions() if action.text() == gettext("PIN"))
    pin.trigger()
    assert header.isSectionHidden(column_index("children", "pin") or 0)
    pin.trigger()
    assert not header.isSectionHidden(column_index("children", "pin") or 0)
    menu.close()


def test_the_last_column_shown_cannot_be_hidden(qtbot: QtBot, ctx: AppContext):
    page = make_page(qtbot, ctx, "kdd_meetings")
    for key in ("number", "meeting_date", "place", "items_count", "status"):
        page.set_column_visible(key, False)
    header = page.view.horizontalHeader()
    assert [header.isSectionHidden(i) for i in range(header.count())].count(False) == 1


# --- opening records and refreshing -----------------------------------------------------


def test_a_double_click_opens_the_child(qtbot: QtBot, ctx: AppContext):
    ident = child(ctx.db, ctx, "Үсөнбаева", "Ңурзат")
    page = make_page(qtbot, ctx)
    rect = page.view.visualRect(page.model.index(0, 0))
    with qtbot.wait_signal(ctx.open_requested) as blocker:
        qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["person", ident]


def test_enter_on_a_case_opens_the_case(qtbot: QtBot, demo_ctx):
    page = make_page(qtbot, demo_ctx, "cases")
    page.view.setFocus()
    page.view.setCurrentIndex(page.model.index(2, 0))
    with qtbot.wait_signal(demo_ctx.open_requested) as blocker:
        qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert blocker.args == ["case", page.model.index(2, 0).data(ROW_ROLE).id]
    assert page.record_kind == "case"


def test_a_new_child_appears_and_the_current_row_stays(qtbot: QtBot, ctx: AppContext):
    child(ctx.db, ctx, "Борубаев", "Азамат")
    kept = child(ctx.db, ctx, "Ёлкина", "Анна")
    page = make_page(qtbot, ctx)
    page.view.setCurrentIndex(page.model.index(1, 0))
    assert page.view.currentIndex().data(ID_ROLE) == kept
    child(ctx.db, ctx, "Абдыкадыров", "Эрлан")  # sorts before both
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        ctx.announce_change("person")
    assert page.model.total() == 3
    assert page.view.currentIndex().data(ID_ROLE) == kept
    assert page.view.currentIndex().row() == 2


def test_refresh_finds_the_current_child_wherever_the_change_moved_it(qtbot: QtBot, demo_ctx):
    page = make_page(qtbot, demo_ctx)
    qtbot.wait_until(page.model.has_ids)
    # One with a ПИН: the demo marks some ПИНs verified without one, which a save refuses.
    row = next(row for row in range(BLOCK_SIZE) if page.model.index(row, 0).data(ROW_ROLE).pin)
    page.view.setCurrentIndex(page.model.index(row, 0))
    kept = page.view.currentIndex().data(ID_ROLE)
    details = get_person(demo_ctx.db, demo_ctx.actor, kept)
    update_person(
        demo_ctx.db, demo_ctx.actor, kept, replace(details.data, last_name="Zykova"), details.version
    )
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        demo_ctx.announce_change("person")  # now sorted last, beyond the rows read first
    qtbot.wait_until(lambda: page.view.currentIndex().data(ID_ROLE) == kept, timeout=10_000)
    assert page.view.currentIndex().row() == page.model.rowCount() - 1 >= BLOCK_SIZE
    assert page.view.currentIndex().data(ROW_ROLE).full_name.startswith("Zykova")


def test_refresh_deep_in_the_register_reads_the_ids_then_blocks_by_their_ids(qtbot: QtBot, demo_ctx):
    source = CountingSource(demo_ctx.db)
    page = make_page(qtbot, demo_ctx, source=source)
    qtbot.wait_until(page.model.has_ids)
    deep = page.model.index(BLOCK_SIZE + 10, 0)
    with qtbot.wait_signal(page.model.block_loaded, timeout=10_000):
        deep.data()
    page.view.setCurrentIndex(deep)
    kept = deep.data(ID_ROLE)
    fetched, snapshots = len(source.fetched), len(source.snapshots)
    source.by_ids.clear()
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        page.refresh()
    assert page.view.currentIndex().data(ID_ROLE) == kept
    assert page.view.currentIndex().row() == BLOCK_SIZE + 10
    assert len(source.fetched) == fetched  # no walk of the register up to that row
    assert len(source.snapshots) == snapshots + 1
    ids = source.snapshots[-1]
    assert source.by_ids == [ids[:BLOCK_SIZE], ids[BLOCK_SIZE : 2 * BLOCK_SIZE]]
    assert count_shown(page) == (len(ids), len(ids))


def test_refresh_keeps_the_filters(qtbot: QtBot, ctx: AppContext):
    child(ctx.db, ctx, "Үсөнбаева", "Ңурзат")
    page = make_page(qtbot, ctx)
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        page.filter_bar.search.setText("Ус")  # QTest types Latin letters only
    child(ctx.db, ctx, "Усенова", "Нургүл")
    child(ctx.db, ctx, "Ёлкина", "Анна")
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        page.refresh()
    assert names(page) == ["Усенова Нургүл", "Үсөнбаева Ңурзат"]
    assert page.filter_bar.count_label.text() == gettext("Found {found} of {total}").format(found=2, total=3)


def test_a_hidden_page_refreshes_when_shown_again(qtbot: QtBot, ctx: AppContext):
    page = make_page(qtbot, ctx)
    page.hide()
    child(ctx.db, ctx, "Ёлкина", "Анна")
    ctx.announce_change("person")
    qtbot.wait(50)
    assert page.model.total() == 0
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        page.show()
    assert page.model.total() == 1


def test_focus_search_puts_the_cursor_in_the_search_box(qtbot: QtBot, ctx: AppContext):
    page = make_page(qtbot, ctx)
    page.activateWindow()
    page.focus_search()
    qtbot.wait_until(lambda: page.filter_bar.search.hasFocus())


def test_the_count_has_thousands_separated() -> None:
    assert format_count(100_250) == "100\u00a0250"
    assert format_count(999) == "999"


def _section_centre(page: RegisterPage, logical: int | None):
    assert logical is not None
    header = page.view.horizontalHeader()

    return QPoint(
        header.sectionViewportPosition(logical) + header.sectionSize(logical) // 2, header.height() // 2
    )
