"""The administration page: one tab for each part of the office's set-up the user may change."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from models.i18n import N_, gettext
from models.permissions import Permission

from ui.admin.common import AdminTab
from ui.admin.deadlines import DeadlinesTab
from ui.admin.office import OfficeTab
from ui.admin.organisations import OrganisationsTab
from ui.admin.reference import ReferenceTab
from ui.admin.users import UsersTab
from ui.context import AppContext

TAB_KEY = "admin/tab"

# (name, title, permission, constructor), in the order of the tabs.
TABS: list[tuple[str, str, Permission, Callable[[AppContext], QWidget]]] = [
    ("users", N_("Users"), Permission.USERS_MANAGE, UsersTab),
    ("office", N_("Office"), Permission.SETTINGS_WRITE, OfficeTab),
    ("deadlines", N_("Deadlines and security"), Permission.SETTINGS_WRITE, DeadlinesTab),
    ("reference", N_("Reference data"), Permission.REFERENCE_WRITE, ReferenceTab),
    ("organisations", N_("Organisations"), Permission.REFERENCE_WRITE, OrganisationsTab),
]


class AdminPage(QWidget):
    """Users, office details, deadlines and security, reference lists, organisations.

    Each tab appears only if the user's role allows its changes, and is built the first
    time it is shown (so that opening the page stays quick). Built tabs reload when the
    context announces a change of what they show (``ctx.data_changed``).
    """

    record_kind: str | None = None
    tabs_spec: list[tuple[str, str, Permission, Callable[[AppContext], QWidget]]] = TABS
    state_key = TAB_KEY
    refused_text = N_("Your role does not allow changing the office's settings.")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self._makers: dict[str, Callable[[AppContext], QWidget]] = {}
        self._holders: dict[str, QVBoxLayout] = {}
        self._built: dict[str, AdminTab] = {}
        for name, title, permission, make in self.tabs_spec:
            if ctx.can(permission):
                holder = QWidget()
                holder_layout = QVBoxLayout(holder)
                holder_layout.setContentsMargins(0, 0, 0, 0)
                self.tabs.addTab(holder, gettext(title))
                self._makers[name] = make
                self._holders[name] = holder_layout
        layout = QVBoxLayout(self)
        if self._makers:
            layout.addWidget(self.tabs)
            saved = ctx.state.value(self.state_key)
            if saved in self._makers:
                self.tabs.setCurrentIndex(self.tab_names().index(str(saved)))
            self._build(self.tab_names()[self.tabs.currentIndex()])
            self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        else:
            self.tabs.hide()
            layout.addWidget(QLabel(gettext(self.refused_text)))
            layout.addStretch(1)
        ctx.data_changed.connect(self._on_ctx_data_changed)

    def tab_names(self) -> list[str]:
        """The names of the tabs shown, in order (users, office, deadlines, reference, organisations)."""
        return list(self._makers)

    def tab(self, name: str) -> AdminTab:
        """The tab called *name*, built now if it was not shown yet."""
        return self._build(name)

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(self.tab_names().index(name))

    def _build(self, name: str) -> AdminTab:
        if name not in self._built:
            widget = self._makers[name](self.ctx)
            widget.setObjectName(f"admin_{name}")
            self._holders[name].addWidget(widget)
            self._built[name] = cast(AdminTab, widget)
        return self._built[name]

    def _current(self) -> AdminTab | None:
        index = self.tabs.currentIndex()
        return self._build(self.tab_names()[index]) if index >= 0 and self._makers else None

    def refresh(self) -> None:
        for page in self._built.values():
            page.refresh()

    def focus_search(self) -> None:
        current = self._current()
        if current is not None:
            current.focus_search()

    def save_state(self) -> None:
        for page in self._built.values():
            page.save_state()
        index = self.tabs.currentIndex()
        if index >= 0 and self._makers:
            self.ctx.state.setValue(self.state_key, self.tab_names()[index])

    @Slot(int)
    def _on_tabs_current_changed(self, index: int) -> None:
        if index >= 0:
            self._build(self.tab_names()[index])

    @Slot(str)
    def _on_ctx_data_changed(self, kind: str) -> None:
        for page in self._built.values():
            if kind in page.kinds:
                page.refresh()
