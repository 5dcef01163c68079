"""Fixtures of the Qt tests: a signed-in session on a real SQLite office in tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from PySide6.QtCore import QSettings

from models.database import Database
from models.services.base import Actor

from ui.context import AppContext

from tests.conftest import make_user


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
