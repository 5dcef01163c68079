"""The "Registers from Excel" tab: a file read and previewed, the mapping edited, the import run."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from PySide6.QtCore import Qt

from models.exchange.legacy import problem_text
from models.orm import Person

from ui.context import AppContext
from ui.exchange import legacy
from ui.exchange.legacy import LegacyTab

REGISTER = (
    "Реестр детей ТЖС на 01.12.2026\r\n"
    "Фамилия;Имя;Дата рождения;Пол;Район\r\n"
    "Асанова;Айгерим;01.02.2015;ж;Сокулукский район\r\n"
    "Ёлкин;Иван;03.04.16;м;\r\n"
    "Сидоров;Ислам;31.02.2015;м;\r\n"
)


def _file(tmp_path: Path, text: str = REGISTER) -> Path:
    path = tmp_path / "реестр.csv"
    path.write_bytes(text.encode("cp1251"))
    return path


def _loaded(qtbot: QtBot, ctx: AppContext, path: Path) -> LegacyTab:
    tab = LegacyTab(ctx)
    qtbot.add_widget(tab)
    with qtbot.wait_signal(tab.preview_ready):
        tab.load(path)
    return tab


def _persons(ctx: AppContext) -> int:
    with ctx.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Person)) or 0


@pytest.mark.usefixtures("background_work_ends")
def test_a_loaded_file_shows_how_it_was_read_its_mapping_and_its_rows(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, qtmodeltester: object
) -> None:
    tab = _loaded(qtbot, ctx, _file(tmp_path))
    assert "Windows-1251" in tab.how_label.text() and "заголовок в строке 2" in tab.how_label.text()
    assert [box.currentData() for box in tab.mapping_boxes] == [
        "last_name",
        "first_name",
        "birth_date",
        "sex",
        "district",
    ]
    assert tab.model.rowCount() == 3
    bad = tab.model.index(2, 1)
    assert bad.data() == "Дата рождения: «31.02.2015» — не дата."
    assert bad.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert tab.model.index(0, 5).data() == "01.02.2015"
    assert tab.counts_label.text() == "Строк: 3; без ошибок: 2; с ошибками: 1; вероятных дублей: 0."
    assert not tab.import_button.isEnabled() and tab.skip_button.isEnabled()
    qtmodeltester.check(tab.model)  # type: ignore[attr-defined]


@pytest.mark.usefixtures("background_work_ends")
def test_changing_a_column_mapping_checks_the_rows_again(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    tab = _loaded(qtbot, ctx, _file(tmp_path))
    with qtbot.wait_signal(tab.preview_ready):
        tab.mapping_boxes[1].setCurrentIndex(tab.mapping_boxes[1].findData(None))
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    assert headers == ["Строка", "Ошибки", "Фамилия", "Пол", "Дата рождения", "Район"]
    assert all("Имя: обязательное поле." in problem_text(tab.model.row_at(r)) for r in range(3))


@pytest.mark.usefixtures("background_work_ends")
def test_import_writes_every_row_and_announces_the_change(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    text = REGISTER.replace("31.02.2015", "28.02.2015")
    tab = _loaded(qtbot, ctx, _file(tmp_path, text))
    assert tab.import_button.isEnabled()
    with qtbot.wait_signal(tab.imported) as done, qtbot.wait_signal(ctx.data_changed) as changed:
        tab.import_button.click()
    assert len(done.args[0].ids) == 3 and changed.args == ["person"]
    assert _persons(ctx) == 3
    assert tab.bar.text() == "Импортировано 3 записи."


@pytest.mark.usefixtures("background_work_ends")
def test_importing_the_valid_rows_saves_the_skipped_ones_where_the_user_chose(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "пропущено.csv"
    monkeypatch.setattr(legacy, "ask_report_path", lambda parent, suggested: target)
    tab = _loaded(qtbot, ctx, _file(tmp_path))
    with qtbot.wait_signal(tab.imported):
        tab.skip_button.click()
    assert _persons(ctx) == 2
    assert "Сидоров" in target.read_text(encoding="utf-8-sig")
    assert str(target) in tab.bar.text()


@pytest.mark.usefixtures("background_work_ends")
def test_a_file_in_an_unknown_encoding_is_explained(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "реестр.csv"
    path.write_bytes(REGISTER.encode("utf-16"))
    tab = LegacyTab(ctx)
    qtbot.add_widget(tab)
    tab.load(path)
    qtbot.wait_until(lambda: "ни UTF-8, ни Windows-1251" in tab.bar.text())
    assert tab.model.rowCount() == 0 and not tab.import_button.isEnabled()
