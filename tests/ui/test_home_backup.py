"""The home page's line about the last backup: its time, and a warning when there is none or it is old."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from models.backups import Occasion, auto_backup
from models.i18n import gettext

from ui.context import AppContext
from ui.home import OVERDUE_RED, HomePage

from tests.models.helpers import add_child

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def _background_reads_end() -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()


def loaded(qtbot: QtBot, ctx: AppContext) -> HomePage:
    page = HomePage(ctx)
    qtbot.add_widget(page)
    qtbot.wait_until(lambda: not page.is_loading() and page.backup_label.text() != "")
    return page


def is_red(page: HomePage) -> bool:
    return OVERDUE_RED.name() in page.backup_label.styleSheet()


def test_without_any_backup_the_home_page_warns(qtbot: QtBot, ctx: AppContext) -> None:
    page = loaded(qtbot, ctx)

    assert page.backup_label.text() == gettext("No backup of the database has been made yet.")
    assert is_red(page)


def test_the_home_page_shows_the_time_of_the_last_backup_quietly(qtbot: QtBot, ctx: AppContext) -> None:
    outcome = auto_backup(ctx.db, ctx.actor, Occasion.EXIT)
    assert outcome is not None

    page = loaded(qtbot, ctx)

    made = outcome.last.made_at.astimezone()
    assert page.backup_label.text() == gettext("Last backup: {moment}").format(
        moment=f"{made:%d.%m.%Y %H:%M}"
    )
    assert not is_red(page)


def test_an_old_backup_with_changes_since_is_a_warning(qtbot: QtBot, ctx: AppContext) -> None:
    auto_backup(ctx.db, ctx.actor, Occasion.EXIT, now=datetime.now(UTC) - timedelta(days=5))
    add_child(ctx.db, "Үсөнбаева", "Ңурзат")  # entered after that backup

    page = loaded(qtbot, ctx)

    assert gettext("more than {days} days ago").format(days=3) in page.backup_label.text()
    assert is_red(page)


def test_a_reload_after_a_backup_clears_the_warning(qtbot: QtBot, ctx: AppContext) -> None:
    page = loaded(qtbot, ctx)
    assert is_red(page)

    auto_backup(ctx.db, ctx.actor, Occasion.EXIT)
    with qtbot.wait_signal(page.loaded):
        page.refresh()  # as the launcher's "backup" announcement makes it

    assert not is_red(page)
