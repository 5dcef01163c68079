"""Fixtures of the Qt tests: a signed-in session on a real SQLite office in tmp_path."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtWidgets import QApplication

from models.database import Database
from models.services.base import Actor

from ui.context import AppContext

from tests.conftest import make_user
from tests.ui.casework_helpers import open_child_case


@pytest.fixture
def ui_state(tmp_path: Path) -> QSettings:
    """The saved window state (sizes, columns) of the test, in an INI file in tmp_path."""
    return QSettings(str(tmp_path / "ui-state.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def ctx(sqlite_db: Database, sqlite_admin: Actor, ui_state: QSettings) -> Iterator[AppContext]:
    """The administrator of a newly set-up office, signed in."""
    context = AppContext(sqlite_db, sqlite_admin, ui_state)
    yield context
    context.deleteLater()


@pytest.fixture
def ctx_as(sqlite_db: Database, sqlite_admin: Actor, ui_state: QSettings) -> Callable[[str], AppContext]:
    """A session of a new user with the given role, in the same office as ``ctx``."""

    def make(role: str) -> AppContext:
        return AppContext(sqlite_db, make_user(sqlite_db, sqlite_admin, f"user_{role}", role), ui_state)

    return make


@pytest.fixture
def background_work_ends(ctx: AppContext) -> Iterator[None]:
    """No read or write started by a tab or a window outlives its test (and its database)."""
    yield
    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()


@pytest.fixture
def case_id(ctx: AppContext) -> uuid.UUID:
    """The open case of a child, opened 40 days ago."""
    return open_child_case(ctx.db, ctx.actor, date.today() - timedelta(days=40), ["not_in_school"])
