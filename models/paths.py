"""Where the program keeps the user's files: the per-user data directory, the default database, the log.

Kept apart from :mod:`models.database` so that the desktop client can take the database's lock and
start its log before the database code (SQLAlchemy, Alembic) is loaded.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "BalaKorgoo"


def data_dir() -> Path:
    """The per-user data directory (never the program folder)."""
    return user_data_path(APP_NAME, appauthor=False, ensure_exists=False)


def default_database_path() -> Path:
    return data_dir() / "bala-korgoo.sqlite"


def log_file() -> Path:
    """The rotating log of unexpected errors, shown to the user when something goes wrong."""
    return data_dir() / "logs" / "bala-korgoo.log"
