"""The data exchange page: one tab per kind of data leaving or entering the office.

Each tab's module is imported when the tab is first shown, so that opening the page stays
quick and the libraries a tab needs (zip, age, openpyxl) load only then.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

from PySide6.QtWidgets import QWidget

from models.i18n import N_
from models.permissions import Permission

from ui.admin.page import AdminPage
from ui.context import AppContext


def _lazy(module: str, name: str) -> Callable[[AppContext], QWidget]:
    def make(ctx: AppContext) -> QWidget:
        return cast(QWidget, getattr(importlib.import_module(module), name)(ctx))

    return make


# (name, title, permission, constructor), in the order of the tabs.
TABS: list[tuple[str, str, Permission, Callable[[AppContext], QWidget]]] = [
    ("packages", N_("Upload packages"), Permission.EXPORT, _lazy("ui.exchange.packages", "PackagesTab")),
    ("received", N_("Received packages"), Permission.IMPORT, _lazy("ui.exchange.received", "ReceivedTab")),
    ("legacy", N_("Registers from Excel"), Permission.IMPORT, _lazy("ui.exchange.legacy", "LegacyTab")),
    ("backups", N_("Backups"), Permission.BACKUP, _lazy("ui.exchange.backups", "BackupsTab")),
]


class ExchangePage(AdminPage):
    """Upload packages, received packages and their conflicts, registers from Excel, backups.

    Each tab appears only if the user's role allows its work, and is built when first shown.
    """

    tabs_spec = TABS
    state_key = "exchange/tab"
    refused_text = N_("Your role does not allow exchanging data.")
