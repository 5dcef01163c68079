"""The workspace of one case: its header, the actions its status and the user's role allow, and its tabs.

One non-modal window per case (:func:`open_workspace`). The header is read in the background
(:func:`models.services.casefile.case_header`; the first read audits the view). The tabs are
created when first shown, each module imported at that moment, so that a tab's reads and
imports cost nothing until the user asks for it. A tab that changed the case (``case_changed``)
or a change announced by another window (``ctx.data_changed``) reloads the header and the tabs
already created.
"""

from __future__ import annotations

import importlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError
from models.i18n import N_, current_language, gettext, ngettext
from models.permissions import Permission
from models.services.casefile import CaseHeader, case_header
from models.services.workflow import change_status
from models.validation import format_date

from ui.casework.tab import CaseTab
from ui.context import AppContext
from ui.dialogs import Dialog
from ui.errors import error_text, show_error
from ui.forms.widgets import ERROR_COLOUR, WARNING_COLOUR
from ui.tasks import Progress, Task, run_task

if TYPE_CHECKING:
    from reports.catalog import Target

log = logging.getLogger(__name__)

# Kinds announced by ctx.data_changed after which the workspace reads its case again.
RELOAD_AFTER = (
    "case",
    "person",
    "household",
    "report",
    "referral",
    "kdd_meeting",
    "reference",
    "user",
    "settings",
)


@dataclass(frozen=True)
class TabSpec:
    """A tab of the workspace: *module* and *class_name* are imported when the tab is first shown."""

    key: str
    title: str  # an English msgid
    module: str
    class_name: str


# The documents of a case, printed from the workspace's Print menu: form name and title msgid.
CASE_DOCUMENTS = (
    ("child-card", N_("Child registration card")),
    ("case-plan", N_("Child protection plan")),
    ("initial-assessment", N_("Initial assessment")),
    ("comprehensive-assessment", N_("Comprehensive needs assessment")),
    ("housing-act", N_("Housing conditions act")),
)

TABS = (
    TabSpec("overview", N_("Overview"), "ui.casework.overview", "OverviewTab"),
    TabSpec("people", N_("Child and household"), "ui.casework.people", "PeopleTab"),
    TabSpec("assessments", N_("Assessments"), "ui.casework.assessments", "AssessmentsTab"),
    TabSpec("plan", N_("Plan"), "ui.casework.plan", "PlanTab"),
    TabSpec("referrals", N_("Referrals"), "ui.casework.referrals", "ReferralsTab"),
    TabSpec("visits", N_("Visits"), "ui.casework.visits", "VisitsTab"),
    TabSpec("kdd", N_("КДД"), "ui.casework.kdd", "CaseKddTab"),
    TabSpec("documents", N_("Documents"), "ui.casework.documents", "DocumentsTab"),
    TabSpec("history", N_("History"), "ui.casework.history", "HistoryTab"),
)


def age_text(age: int) -> str:
    return ngettext("{n} year", "{n} years", age).format(n=age)


class HeaderBand(QFrame):
    """The top of the workspace: case №, child and age, categories, risk, status, worker, next deadline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("case_header")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(gettext("Loading…"))
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel()
        self.status.setObjectName("case_status")
        self.categories = QLabel()
        self.categories.setWordWrap(True)
        self.risk = QLabel()
        self.worker = QLabel()
        self.deadline = QLabel()
        self.deadline.setWordWrap(True)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        grid = QGridLayout(self)
        grid.addWidget(self.title, 0, 0, 1, 3)
        grid.addWidget(self.status, 0, 3, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.categories, 1, 0, 1, 2)
        grid.addWidget(self.risk, 1, 2)
        grid.addWidget(self.worker, 1, 3)
        grid.addWidget(self.deadline, 2, 0, 1, 4)
        grid.addWidget(self.notice, 3, 0, 1, 4)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(3, 1)

    def show_header(self, header: CaseHeader) -> None:
        child = header.child_name
        if header.child_age is not None:
            child += f", {age_text(header.child_age)}"
        self.title.setText(gettext("Case № {number}").format(number=header.number) + f" — {child}")
        status = header.status_label
        if header.closed_on:
            status += " " + gettext("on {date}").format(date=format_date(header.closed_on))
        self.status.setText(f"<b>{status}</b>")
        categories = ", ".join(header.categories) or "—"
        self.categories.setText(gettext("Categories: {list}").format(list=categories))
        self.risk.setText(gettext("Risk: {level}").format(level=header.risk or "—"))
        self.worker.setText(
            gettext("Responsible: {name}").format(name=header.worker_name or gettext("nobody"))
        )
        due = header.next_deadline
        if due is None:
            self.deadline.setText(gettext("Next deadline: none"))
            self.deadline.setStyleSheet("")
        else:
            text = gettext("Next deadline: {date} — {what}").format(date=format_date(due.due), what=due.label)
            if due.overdue:
                text += " (" + gettext("overdue") + ")"
            self.deadline.setText(text)
            self.deadline.setStyleSheet(f"color: {ERROR_COLOUR};" if due.overdue else "")
        self.deadline.setProperty("overdue", bool(due and due.overdue))
        notices = []
        if header.pending_closure is not None:
            pending = header.pending_closure
            notices.append(
                gettext(
                    "A closure on {date} ({reason}) is waiting for the department head's approval."
                ).format(date=format_date(pending.closed_on), reason=pending.reason)
            )
        if header.transferred_to:
            notices.append(gettext("Transferred to {district}.").format(district=header.transferred_to))
        self.notice.setText(" ".join(notices))
        self.notice.setStyleSheet(f"color: {WARNING_COLOUR};")
        self.notice.setVisible(bool(notices))


class CaseWorkspace(Dialog):
    """The window of one case.

    Signals:
        header_loaded(object): the header was read and shown (the :class:`CaseHeader`).
        tab_created(str): the tab with this key was created (when first shown).
    """

    header_loaded = Signal(object)
    tab_created = Signal(str)

    def __init__(self, ctx: AppContext, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(ctx.state, "case-workspace", parent)
        self.ctx = ctx
        self.case_id = case_id
        self.header: CaseHeader | None = None
        self.dialog: QWidget | None = None  # the action dialog open, if any
        self.preview: QWidget | None = None  # the print preview opened last, if any
        self._sequence = 0
        self._loading = False
        self._closed = False
        self._task: Task[Any] | None = None
        self._tabs: dict[str, QWidget] = {}
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(False)
        self.setWindowTitle(gettext("Case"))
        self.resize(1100, 720)

        self.band = HeaderBand()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error.hide()

        self.status_button = QToolButton()
        self.status_button.setText(gettext("Change status"))
        self.status_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.status_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.status_button.setMinimumWidth(self.status_button.sizeHint().width() + 16)
        self.status_menu = QMenu(self.status_button)
        self.status_button.setMenu(self.status_menu)
        self.request_closure_button = QPushButton(gettext("Request closure…"))
        self.decide_closure_button = QPushButton(gettext("Approve or reject closure…"))
        self.reopen_button = QPushButton(gettext("Reopen…"))
        self.assign_button = QPushButton(gettext("Responsible worker…"))
        self.transfer_button = QPushButton(gettext("Transfer to another district…"))
        self.edit_button = QPushButton(gettext("Edit case…"))
        self.refresh_button = QPushButton(gettext("Refresh"))
        self.refresh_button.setToolTip(gettext("Read the case again (F5)"))
        self.print_button = QToolButton()
        self.print_button.setText(gettext("Print…"))
        self.print_button.setToolTip(gettext("Print a document of the case (Ctrl+P: that of the open tab)"))
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.print_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.print_menu = QMenu(self.print_button)
        for form, title in CASE_DOCUMENTS:
            self.print_menu.addAction(gettext(title)).setData(form)
        self.print_menu.triggered.connect(self._on_print_menu_triggered)
        self.print_button.setMenu(self.print_menu)
        self.print_button.setVisible(ctx.can(Permission.PRINT))
        actions = QHBoxLayout()
        actions.addWidget(self.status_button)
        for push in (
            self.request_closure_button,
            self.decide_closure_button,
            self.reopen_button,
            self.assign_button,
            self.transfer_button,
        ):
            push.setAutoDefault(False)
            actions.addWidget(push)
        actions.addStretch(1)
        actions.addWidget(self.print_button)
        for push in (self.edit_button, self.refresh_button):
            push.setAutoDefault(False)
            actions.addWidget(push)
        self._action_buttons: list[QWidget] = [
            self.status_button,
            self.request_closure_button,
            self.decide_closure_button,
            self.reopen_button,
            self.assign_button,
            self.transfer_button,
        ]
        for button in self._action_buttons:
            button.hide()

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for spec in TABS:
            page = QWidget()
            page.setObjectName(f"tab_{spec.key}")
            QVBoxLayout(page).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(page, gettext(spec.title))

        layout = QVBoxLayout(self)
        layout.addWidget(self.band)
        layout.addWidget(self.error)
        layout.addLayout(actions)
        layout.addWidget(self.tabs, 1)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(0)
        self._reload_timer.timeout.connect(self._on_reload_timer_timeout)
        self._refresh_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self)
        self._refresh_shortcut.activated.connect(self._on_refresh_button_clicked)
        self._print_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self)
        self._print_shortcut.activated.connect(self._on_print_shortcut_activated)

        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.request_closure_button.clicked.connect(self._on_request_closure_button_clicked)
        self.decide_closure_button.clicked.connect(self._on_decide_closure_button_clicked)
        self.reopen_button.clicked.connect(self._on_reopen_button_clicked)
        self.assign_button.clicked.connect(self._on_assign_button_clicked)
        self.transfer_button.clicked.connect(self._on_transfer_button_clicked)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.refresh_button.clicked.connect(self._on_refresh_button_clicked)
        ctx.data_changed.connect(self._on_ctx_data_changed)
        self._ensure_tab(0)

    # --- reading ---------------------------------------------------------------------------

    @property
    def is_loading(self) -> bool:
        """Whether the header is being read."""
        return self._loading

    def load(self, *, audit_view: bool = False) -> None:
        """Read the header in the background (the first read of a window audits the view)."""
        self._sequence += 1
        sequence = self._sequence
        db, actor, case_id, language = self.ctx.db, self.ctx.actor, self.case_id, current_language()

        def work(_progress: Progress) -> CaseHeader:
            return case_header(db, actor, case_id, audit_view=audit_view, lang=language)

        self._loading = True
        self._task = run_task(
            work,
            lambda header: self._on_header_read(sequence, header),
            parent=self,
            on_error=lambda error: self._on_header_failed(sequence, error),
        )

    def _on_header_read(self, sequence: int, header: CaseHeader) -> None:
        if self._closed or sequence != self._sequence:
            return
        self._loading = False
        self.header = header
        self.error.hide()
        self.band.show_header(header)
        self.setWindowTitle(
            gettext("Case № {number}").format(number=header.number) + f" — {header.child_name}"
        )
        self._update_actions(header)
        for tab in self._tabs.values():
            if hasattr(tab, "show_header"):
                tab.show_header(header)
        self.header_loaded.emit(header)

    def _on_header_failed(self, sequence: int, error: BaseException) -> None:
        if self._closed or sequence != self._sequence:
            return
        self._loading = False
        if self.header is None:  # never shown: nothing to work on
            self.close()
            show_error(self.parentWidget(), error)
            return
        self.error.setText(error_text(error))
        self.error.show()

    def reload(self) -> None:
        """Read the header and refresh the tabs already created (once per turn of the event loop)."""
        self._reload_timer.start()

    @Slot()
    def _on_reload_timer_timeout(self) -> None:
        self.load()
        for tab in self._tabs.values():
            if isinstance(tab, CaseTab) and not tab.header_only:
                tab.refresh()

    # --- actions ---------------------------------------------------------------------------

    def _update_actions(self, header: CaseHeader) -> None:
        can = self.ctx.can
        open_case = not header.is_closed
        pending = header.pending_closure is not None
        self.status_menu.clear()
        for move in header.moves:
            action = QAction(move.label, self.status_menu)
            action.setData(move.to_status)
            if move.refused:
                action.setEnabled(False)
                action.setToolTip(move.refused)
                action.setText(f"{move.label} — {move.refused}")
            action.triggered.connect(self._on_status_action_triggered)
            self.status_menu.addAction(action)
        self.status_button.setVisible(can(Permission.CASE_WRITE) and open_case and bool(header.moves))
        self.request_closure_button.setVisible(can(Permission.CASE_WRITE) and open_case and not pending)
        self.decide_closure_button.setVisible(can(Permission.CASE_CLOSE_APPROVE) and open_case and pending)
        self.reopen_button.setVisible(can(Permission.CASE_WRITE) and header.is_closed)
        self.assign_button.setVisible(can(Permission.CASE_ASSIGN) and open_case)
        self.transfer_button.setVisible(can(Permission.CASE_ASSIGN) and open_case and not pending)

    def status_actions(self) -> list[QAction]:
        """The entries of the status menu (one per move the rules offer from the current status)."""
        return [action for action in self.status_menu.actions() if action.data()]

    def change_status(self, to_status: str) -> None:
        """Move the case to *to_status* (in the background); a refusal is shown with its reason."""
        header = self.header
        if header is None:
            return
        db, actor, case_id, version = self.ctx.db, self.ctx.actor, self.case_id, header.version
        self._run_write(lambda: change_status(db, actor, case_id, to_status, version))

    def _run_write(self, write: Callable[[], object]) -> None:
        def work(_progress: Progress) -> object:
            return write()

        for button in self._action_buttons:
            button.setEnabled(False)
        run_task(work, self._on_write_done, parent=self, on_error=self._on_write_failed)

    def _on_write_done(self, _result: object) -> None:
        for button in self._action_buttons:
            button.setEnabled(True)
        self.ctx.announce_change("case")

    def _on_write_failed(self, error: BaseException) -> None:
        for button in self._action_buttons:
            button.setEnabled(True)
        if isinstance(error, DomainError):
            self.error.setText(error_text(error))
            self.error.show()
        else:
            show_error(self, error, self.windowTitle())
        self.reload()

    @Slot()
    def _on_status_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction) and action.data():
            self.change_status(str(action.data()))

    def _open_dialog(self, factory: Callable[[], QWidget]) -> None:
        if self.header is None:
            return
        dialog = factory()
        self.dialog = dialog
        done = getattr(dialog, "done_writing", None)
        if done is not None:
            done.connect(self._on_dialog_done_writing)
        dialog.show()
        start = getattr(dialog, "start", None)
        if callable(start):
            start()

    @Slot(object)
    def _on_dialog_done_writing(self, _result: object) -> None:
        self.error.hide()
        self.ctx.announce_change("case")

    @Slot()
    def _on_request_closure_button_clicked(self) -> None:
        closure = importlib.import_module("ui.casework.closure")
        self._open_dialog(lambda: closure.RequestClosureDialog(self.ctx, self.header, self))

    @Slot()
    def _on_decide_closure_button_clicked(self) -> None:
        closure = importlib.import_module("ui.casework.closure")
        self._open_dialog(lambda: closure.DecideClosureDialog(self.ctx, self.header, self))

    @Slot()
    def _on_reopen_button_clicked(self) -> None:
        closure = importlib.import_module("ui.casework.closure")
        self._open_dialog(lambda: closure.ReopenDialog(self.ctx, self.header, self))

    @Slot()
    def _on_assign_button_clicked(self) -> None:
        closure = importlib.import_module("ui.casework.closure")
        self._open_dialog(lambda: closure.AssignWorkerDialog(self.ctx, self.header, self))

    @Slot()
    def _on_transfer_button_clicked(self) -> None:
        closure = importlib.import_module("ui.casework.closure")
        self._open_dialog(lambda: closure.TransferOutDialog(self.ctx, self.header, self))

    @Slot()
    def _on_edit_button_clicked(self) -> None:
        importlib.import_module("ui.forms").open_record_form(self.ctx, "case", self.case_id, self)

    @Slot()
    def _on_refresh_button_clicked(self) -> None:
        self.reload()

    @Slot(str)
    def _on_ctx_data_changed(self, kind: str) -> None:
        if kind in RELOAD_AFTER and not self._closed:
            self.reload()

    # --- printing --------------------------------------------------------------------------

    def print_target(self) -> Target | None:
        """What Ctrl+P prints: the document of the open tab (its ``print_target()``), else the child card."""
        if self.header is None:
            return None
        tab = self._tabs.get(TABS[self.tabs.currentIndex()].key)
        chosen = getattr(tab, "print_target", None)
        target = chosen() if callable(chosen) else None
        return target if target is not None else self.document_target("child-card")

    def document_target(self, form: str) -> Target:
        """The case's document *form*: the child card by the case, the others by the case's №."""
        from reports.catalog import Target  # the documents' code is loaded when first printed

        if form == "child-card" or self.header is None:
            return Target(form, self.case_id)
        return Target(form, options={"case": self.header.number})

    def print_document(self, target: Target) -> QWidget:
        """Open the print preview of *target*."""
        preview = importlib.import_module("ui.printing.preview")
        self.preview = preview.open_preview(self.ctx, target, self)
        return self.preview

    @Slot()
    def _on_print_shortcut_activated(self) -> None:
        target = self.print_target()
        if target is not None and self.ctx.can(Permission.PRINT):
            self.print_document(target)

    @Slot(QAction)
    def _on_print_menu_triggered(self, action: QAction) -> None:
        if action.data():
            self.print_document(self.document_target(str(action.data())))

    # --- tabs ------------------------------------------------------------------------------

    def tab(self, key: str) -> QWidget | None:
        """The tab with *key* if it was created (see :data:`TABS`)."""
        return self._tabs.get(key)

    def show_tab(self, key: str) -> QWidget | None:
        """Bring the tab with *key* to the front (creating it); returns it."""
        index = next(i for i, spec in enumerate(TABS) if spec.key == key)
        self.tabs.setCurrentIndex(index)
        self._ensure_tab(index)
        return self._tabs.get(key)

    @Slot(int)
    def _on_tabs_current_changed(self, index: int) -> None:
        self._ensure_tab(index)

    def _ensure_tab(self, index: int) -> None:
        if not 0 <= index < len(TABS):
            return
        spec = TABS[index]
        if spec.key in self._tabs:
            return
        page = self.tabs.widget(index)
        layout = page.layout() if page is not None else None
        assert page is not None and layout is not None
        try:
            module = importlib.import_module(spec.module)
            tab: QWidget = getattr(module, spec.class_name)(self.ctx, self.case_id, page)
        except Exception as error:
            log.exception("the tab %s of the case workspace could not be created", spec.key)
            tab = QLabel(gettext("This part cannot be shown: {error}").format(error=error_text(error)))
            tab.setWordWrap(True)
            tab.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._tabs[spec.key] = tab
        layout.addWidget(tab)
        if isinstance(tab, CaseTab):
            tab.case_changed.connect(self._on_tab_case_changed)
            # A tab reads its data when it is created; the overview shows the header read here.
            if self.header is not None and hasattr(tab, "show_header"):
                tab.show_header(self.header)
        self.tab_created.emit(spec.key)

    @Slot()
    def _on_tab_case_changed(self) -> None:
        self.ctx.announce_change("case")

    # --- closing ---------------------------------------------------------------------------

    def reject(self) -> None:
        """Escape closes the window through :meth:`closeEvent` (tabs with unsaved work are asked)."""
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        for tab in self._tabs.values():
            confirm = getattr(tab, "confirm_close", None)
            if callable(confirm) and not confirm():
                event.ignore()
                return
        self._closed = True
        self._sequence += 1
        super().closeEvent(event)


class _OpenWorkspaces(QObject):
    """The workspaces open in one session (a child of the context), one per case."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setObjectName("open_workspaces")
        self.windows: dict[uuid.UUID, CaseWorkspace] = {}

    def add(self, window: CaseWorkspace) -> None:
        self.windows[window.case_id] = window
        window.destroyed.connect(lambda *_args, case_id=window.case_id: self.windows.pop(case_id, None))


def _registry(ctx: AppContext) -> _OpenWorkspaces:
    found = ctx.findChild(_OpenWorkspaces, "open_workspaces", Qt.FindChildOption.FindDirectChildrenOnly)
    return found if isinstance(found, _OpenWorkspaces) else _OpenWorkspaces(ctx)


def open_workspace(ctx: AppContext, case_id: uuid.UUID, parent: QWidget | None = None) -> CaseWorkspace:
    """Show the workspace of a case; a case whose workspace is open brings that window to the front."""
    registry = _registry(ctx)
    existing = registry.windows.get(case_id)
    if existing is not None and existing.isVisible():
        existing.showNormal()
        existing.raise_()
        existing.activateWindow()
        return existing
    window = CaseWorkspace(ctx, case_id, parent)
    registry.add(window)
    window.load(audit_view=True)
    window.show()
    return window
