"""The main window: a navigation pane, the pages, menus, toolbar and status bar of a signed-in session."""

from __future__ import annotations

import html
import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from PySide6.QtCore import QByteArray, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from models.i18n import N_, gettext
from models.permissions import ROLE_LABELS, Permission
from models.version import program_version

from ui.context import AppContext
from ui.errors import error_text, show_error
from ui.preferences import PreferencesDialog

# What a user needs to create each kind of record (Ctrl+N).
WRITE_PERMISSION = {
    "person": Permission.PERSON_WRITE,
    "household": Permission.HOUSEHOLD_WRITE,
    "report": Permission.REPORT_WRITE,
    "case": Permission.CASE_WRITE,
    "referral": Permission.REFERRAL_WRITE,
    "kdd_meeting": Permission.KDD_WRITE,
}
ADMIN_PERMISSIONS = (Permission.USERS_MANAGE, Permission.SETTINGS_WRITE, Permission.REFERENCE_WRITE)
EXCHANGE_PERMISSIONS = (Permission.EXPORT, Permission.IMPORT, Permission.BACKUP)


@dataclass(frozen=True)
class Section:
    """An entry of the navigation pane: *key* names its page, *label* is a msgid."""

    key: str
    label: str


SECTIONS = (
    Section("home", N_("Home")),
    Section("reports", N_("Report log")),
    Section("children", N_("Children in difficult situations")),
    Section("households", N_("Households")),
    Section("cases", N_("Cases")),
    Section("referrals", N_("Referrals")),
    Section("kdd_meetings", N_("KDD meetings")),
    Section("exchange", N_("Data exchange")),
    Section("admin", N_("Administration")),
)
REGISTER_SECTIONS = frozenset({"reports", "children", "households", "cases", "referrals", "kdd_meetings"})

PageFactory = Callable[[AppContext, str], QWidget]


def make_page(ctx: AppContext, key: str) -> QWidget:
    """The page of navigation entry *key* (imported only when first shown)."""
    if key == "home":
        return cast(QWidget, importlib.import_module("ui.home").HomePage(ctx))
    if key == "admin":
        return cast(QWidget, importlib.import_module("ui.admin").AdminPage(ctx))
    if key == "exchange":
        return cast(QWidget, importlib.import_module("ui.exchange").ExchangePage(ctx))
    if key in REGISTER_SECTIONS:
        return cast(QWidget, importlib.import_module("ui.registers").RegisterPage(ctx, key))
    raise KeyError(key)


def open_form(ctx: AppContext, kind: str, record_id: uuid.UUID | None, parent: QWidget) -> None:
    """Open the form of a record (the forms module is imported when first needed)."""
    importlib.import_module("ui.forms").open_form(ctx, kind, record_id, parent=parent)


class _UnavailablePage(QWidget):
    """Shown in place of a page that could not be built; the error is logged and named."""

    record_kind: str | None = None

    def __init__(self, text: str) -> None:
        super().__init__()
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addStretch(1)

    def refresh(self) -> None:
        return

    def focus_search(self) -> None:
        return

    def save_state(self) -> None:
        return


class MainWindow(QMainWindow):
    """The window of a signed-in session.

    Pages are made the first time their entry is chosen (*page_factory*, default :func:`make_page`)
    and follow :class:`ui.pages.Page`. The window keeps its size, position, maximised state and
    the width of the navigation pane in ``mainwindow/*`` of the UI state, and asks every page it
    made to save its own state when it closes.

    Signals:
        sign_out_requested(): the user chose to sign out or switch user; the window closes.
        closed(): the window closed (for any reason).
    """

    sign_out_requested = Signal()
    closed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        page_factory: PageFactory = make_page,
        form_opener: Callable[[AppContext, str, uuid.UUID | None, QWidget], None] = open_form,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._page_factory = page_factory
        self._form_opener = form_opener
        self._pages: dict[str, QWidget] = {}
        self.setWindowTitle(gettext("Bala Korgoo"))
        self.setMinimumSize(QSize(720, 480))

        shown = {"admin": self.shows_administration(), "exchange": self.shows_exchange()}
        self.sections = [s for s in SECTIONS if shown.get(s.key, True)]
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.navigation.setUniformItemSizes(True)
        self.navigation.setStyleSheet("QListWidget#navigation::item { padding: 5px 6px; }")
        for section in self.sections:
            item = QListWidgetItem(gettext(section.label))
            item.setData(Qt.ItemDataRole.UserRole, section.key)
            self.navigation.addItem(item)
        self.stack = QStackedWidget()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.navigation)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.navigation.setMinimumWidth(160)
        self.splitter.setSizes([200, 1100])
        self.setCentralWidget(self.splitter)

        self._make_actions()
        self._make_menus_and_toolbar()
        self._make_status_bar()

        self.navigation.currentRowChanged.connect(self._on_navigation_row_changed)
        ctx.open_requested.connect(self._on_ctx_open_requested)
        self._restore_state()
        self.navigation.setCurrentRow(0)

    # --- building --------------------------------------------------------------------------

    def shows_administration(self) -> bool:
        return any(self.ctx.can(permission) for permission in ADMIN_PERMISSIONS)

    def shows_exchange(self) -> bool:
        return any(self.ctx.can(permission) for permission in EXCHANGE_PERMISSIONS)

    def _action(
        self,
        text: str,
        slot: Callable[[], None],
        shortcut: QKeySequence | None = None,
        icon: QIcon | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
            action.setToolTip(f"{text} ({shortcut.toString(QKeySequence.SequenceFormat.NativeText)})")
        if icon is not None:
            action.setIcon(icon)
        action.triggered.connect(slot)
        return action

    def _make_actions(self) -> None:
        style = self.style()

        def icon(theme: QIcon.ThemeIcon, pixmap: QStyle.StandardPixmap | None = None) -> QIcon:
            """The desktop theme's icon, else the style's own, else none."""
            return QIcon.fromTheme(theme, style.standardIcon(pixmap) if pixmap is not None else QIcon())

        keys = QKeySequence.StandardKey
        self.new_action = self._action(
            gettext("New record"),
            self._on_new_action_triggered,
            QKeySequence(keys.New),
            icon(QIcon.ThemeIcon.DocumentNew, QStyle.StandardPixmap.SP_FileIcon),
        )
        self.find_action = self._action(
            gettext("Find"),
            self._on_find_action_triggered,
            QKeySequence(keys.Find),
            icon(QIcon.ThemeIcon.EditFind, QStyle.StandardPixmap.SP_FileDialogContentsView),
        )
        self.refresh_action = self._action(
            gettext("Refresh"),
            self._on_refresh_action_triggered,
            QKeySequence(Qt.Key.Key_F5),
            icon(QIcon.ThemeIcon.ViewRefresh, QStyle.StandardPixmap.SP_BrowserReload),
        )
        self.print_action = self._action(
            gettext("Print…"),
            self._on_print_action_triggered,
            QKeySequence(keys.Print),
            icon(QIcon.ThemeIcon.DocumentPrint),
        )
        self.sign_out_action = self._action(
            gettext("Switch user / sign out"), self._on_sign_out_action_triggered
        )
        self.quit_action = self._action(
            gettext("Quit"), self._on_quit_action_triggered, QKeySequence("Ctrl+Q")
        )
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.preferences_action = self._action(gettext("Preferences…"), self._on_preferences_action_triggered)
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.about_action = self._action(gettext("About Bala Korgoo"), self._on_about_action_triggered)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.section_actions: list[QAction] = []
        for row, section in enumerate(self.sections):
            action = QAction(gettext(section.label), self)
            if row < 9:
                action.setShortcut(QKeySequence(f"Ctrl+{row + 1}"))
            action.triggered.connect(lambda _checked=False, r=row: self.navigation.setCurrentRow(r))
            self.section_actions.append(action)

    def _make_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(gettext("&File"))
        file_menu.addAction(self.print_action)
        file_menu.addSeparator()
        file_menu.addAction(self.sign_out_action)
        file_menu.addAction(self.quit_action)
        records = bar.addMenu(gettext("&Records"))
        records.addAction(self.new_action)
        records.addAction(self.find_action)
        view = bar.addMenu(gettext("&View"))
        view.addActions(self.section_actions)
        view.addSeparator()
        view.addAction(self.refresh_action)
        tools = bar.addMenu(gettext("&Tools"))
        tools.addAction(self.preferences_action)
        help_menu = bar.addMenu(gettext("&Help"))
        help_menu.addAction(self.about_action)

        self.toolbar = QToolBar(gettext("Main toolbar"))
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.setIconSize(QSize(20, 20))
        for action in (self.new_action, self.find_action, self.refresh_action, self.print_action):
            self.toolbar.addAction(action)
        # Shortcuts work in the whole window, whether or not the menu or toolbar shows the action.
        self.addActions(
            [*self.toolbar.actions(), self.sign_out_action, self.quit_action, *self.section_actions]
        )
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

    def _make_status_bar(self) -> None:
        actor = self.ctx.actor
        name = actor.full_name or actor.username
        self.user_label = QLabel(
            gettext("User: {name} ({username})").format(name=name, username=actor.username)
        )
        self.role_label = QLabel(
            gettext("Role: {role}").format(role=gettext(ROLE_LABELS.get(actor.role, actor.role)))
        )
        self.database_label = QLabel(gettext("Database: {database}").format(database=self.ctx.db.describe()))
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status = self.statusBar()
        status.addWidget(self.user_label)
        status.addWidget(self.role_label)
        status.addPermanentWidget(self.database_label)

    # --- pages -----------------------------------------------------------------------------

    def page(self, key: str) -> QWidget:
        """The page of *key*, made now if it was not shown before."""
        page = self._pages.get(key)
        if page is None:
            try:
                page = self._page_factory(self.ctx, key)
            except Exception as error:  # a broken page must not take the window down
                page = _UnavailablePage(error_text(error))
            self._pages[key] = page
            self.stack.addWidget(page)
        return page

    def current_key(self) -> str | None:
        row = self.navigation.currentRow()
        return None if row < 0 else self.sections[row].key

    def current_page(self) -> QWidget | None:
        key = self.current_key()
        return None if key is None else self._pages.get(key)

    def created_pages(self) -> dict[str, QWidget]:
        return dict(self._pages)

    def show_section(self, key: str) -> None:
        for row, section in enumerate(self.sections):
            if section.key == key:
                self.navigation.setCurrentRow(row)
                return
        raise KeyError(key)

    @Slot(int)
    def _on_navigation_row_changed(self, row: int) -> None:
        if row < 0:
            return
        page = self.page(self.sections[row].key)
        self.stack.setCurrentWidget(page)
        self._update_actions()

    def _record_kind(self) -> str | None:
        page = self.current_page()
        kind = getattr(page, "record_kind", None)
        return kind if isinstance(kind, str) else None

    def _update_actions(self) -> None:
        page = self.current_page()
        kind = self._record_kind()
        permission = WRITE_PERMISSION.get(kind) if kind else None
        self.new_action.setEnabled(permission is not None and self.ctx.can(permission))
        can_print = getattr(page, "can_print", None)
        self.print_action.setEnabled(
            callable(getattr(page, "print_view", None)) and (not callable(can_print) or bool(can_print()))
        )
        self.find_action.setEnabled(page is not None)
        self.refresh_action.setEnabled(page is not None)

    # --- actions ---------------------------------------------------------------------------

    @Slot()
    def _on_new_action_triggered(self) -> None:
        kind = self._record_kind()
        if kind is not None and self.new_action.isEnabled():
            self.ctx.open_record(kind, None)

    @Slot()
    def _on_find_action_triggered(self) -> None:
        page: Any = self.current_page()
        if page is not None:
            page.focus_search()

    @Slot()
    def _on_refresh_action_triggered(self) -> None:
        page: Any = self.current_page()
        if page is not None:
            page.refresh()

    @Slot()
    def _on_print_action_triggered(self) -> None:
        page: Any = self.current_page()
        if page is not None and callable(getattr(page, "print_view", None)):
            page.print_view()

    @Slot()
    def _on_sign_out_action_triggered(self) -> None:
        self.sign_out_requested.emit()

    @Slot()
    def _on_quit_action_triggered(self) -> None:
        self.close()

    @Slot()
    def _on_preferences_action_triggered(self) -> None:
        PreferencesDialog(self.ctx.state, self).exec()

    @Slot()
    def _on_about_action_triggered(self) -> None:
        QMessageBox.about(
            self,
            gettext("About Bala Korgoo"),
            gettext(
                "<b>Bala Korgoo</b>, version {version}<br>"
                "The case registry of district child-protection departments and "
                "commissions on children's affairs of the Kyrgyz Republic.<br><br>"
                "Database: {database}"
            ).format(version=html.escape(program_version()), database=html.escape(self.ctx.db.describe())),
        )

    @Slot(str, object)
    def _on_ctx_open_requested(self, kind: str, record_id: object) -> None:
        try:
            self._form_opener(self.ctx, kind, record_id if isinstance(record_id, uuid.UUID) else None, self)
        except Exception as error:
            show_error(self, error)

    # --- state -----------------------------------------------------------------------------

    def _restore_state(self) -> None:
        state = self.ctx.state
        geometry = state.value("mainwindow/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self._first_placement()
        splitter = state.value("mainwindow/splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)

    def _first_placement(self) -> None:
        """No saved geometry: maximised on a small screen (1366×768), else a roomy window in the middle."""
        available = self.screen().availableGeometry()
        if available.width() <= 1440 or available.height() <= 900:
            self.resize(1280, 720)
            self.setWindowState(Qt.WindowState.WindowMaximized)
            return
        size = QSize(min(1440, available.width() * 9 // 10), min(900, available.height() * 9 // 10))
        self.resize(size)
        self.move(available.center() - self.rect().center())

    def save_state(self) -> None:
        """Save the window's own state and that of every page it made."""
        for page in self._pages.values():
            cast(Any, page).save_state()
        state = self.ctx.state
        state.setValue("mainwindow/geometry", self.saveGeometry())
        state.setValue("mainwindow/splitter", self.splitter.saveState())
        state.sync()

    def close_record_windows(self) -> bool:
        """Close the forms and other windows opened from this one (each may ask about unsaved
        changes); False if one of them stays open."""
        for widget in self.findChildren(QWidget):
            if widget.isWindow() and widget.isVisible() and not widget.close():
                return False
        return True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.close_record_windows():
            event.ignore()
            return
        self.save_state()
        super().closeEvent(event)
        self.closed.emit()
