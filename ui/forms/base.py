"""The frame of every record form: loading in the background, fields with problem lines, saving,
and the unsaved-changes guard.

A form is a non-modal window (one per record). It shows at once; the record is read in the
background (:meth:`RecordForm.fetch`, in a worker thread) while the window says it is loading,
and the fields are laid out (:meth:`RecordForm.build`) and filled (:meth:`RecordForm.show_record`)
when it arrives. :meth:`RecordForm.write` writes the form with the services. The frame shows
:class:`ValidationFailed` problems next to their fields (keeping what was typed), warnings in
amber, a stale record as a question to reload, and asks before a window with unsaved changes closes.

The questions the forms ask are module functions (:func:`ask_unsaved_changes`,
:func:`ask_reload`, :func:`ask_discard_typed`) so that tests can answer them.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from models.database import Database
from models.errors import DomainError, FieldProblem, StaleRecord, ValidationFailed
from models.i18n import current_language, gettext
from models.lookups import Choice
from models.permissions import Permission
from models.services.base import Actor
from models.settings import office_district_id

from ui.context import AppContext
from ui.dialogs import Dialog
from ui.errors import error_text, show_error
from ui.forms import choices
from ui.forms.widgets import ChoiceCombo, FieldSet, ProblemLabel, changed_signal, set_read_only
from ui.tasks import Progress, Task, run_task

D = TypeVar("D")


class UnsavedChoice(enum.Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_unsaved_changes(parent: QWidget) -> UnsavedChoice:
    """Ask whether to save the changes of a form that is being closed."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(parent.windowTitle().replace("[*]", ""))
    box.setText(gettext("This form has changes that are not saved."))
    box.setInformativeText(gettext("Save them before closing?"))
    save = box.addButton(gettext("Save"), QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton(gettext("Discard changes"), QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(gettext("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(save)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is save:
        return UnsavedChoice.SAVE
    if clicked is discard:
        return UnsavedChoice.DISCARD
    return UnsavedChoice.CANCEL


def may_close(
    window: QWidget, event: QCloseEvent, *, unsaved: bool, save_and_close: Callable[[], bool]
) -> bool:
    """The unsaved-changes guard of a closing window: whether it may close now.

    Without *unsaved* changes it may. Otherwise the user is asked: Cancel keeps the window open;
    Discard lets it close; Save calls *save_and_close*, which returns True when the changes are
    saved already, else False (a save running in the background closes the window when it ends,
    or problems keep it open with what was typed). An event the window may not close on is
    ignored here.
    """
    if not unsaved:
        return True
    choice = ask_unsaved_changes(window)
    if choice is UnsavedChoice.CANCEL or (choice is UnsavedChoice.SAVE and not save_and_close()):
        event.ignore()
        return False
    return True


def ask_reload(parent: QWidget, message: str) -> bool:
    """Someone else saved the record: whether to reload it (dropping the changes in the form)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(parent.windowTitle().replace("[*]", ""))
    box.setText(message)
    box.setInformativeText(
        gettext(
            "Reload the record to see the saved version; your changes in this form will be lost. "
            "Or keep the form as it is, copy what you need, and reload later."
        )
    )
    reload = box.addButton(gettext("Reload the record"), QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton(gettext("Keep my changes"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is reload


def ask_discard_typed(parent: QWidget) -> bool:
    """The existing record was opened instead: whether to close this form without saving what was typed."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(parent.windowTitle().replace("[*]", ""))
    box.setText(gettext("The existing record is open. Close this form without saving what you typed here?"))
    box.setInformativeText(
        gettext("Keep the form open to copy details that the existing record does not have yet.")
    )
    close = box.addButton(gettext("Close without saving"), QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(gettext("Keep the form open"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is close


@dataclass
class _Loaded:
    """What a form's background read brings back to the GUI thread."""

    sequence: int
    language: str
    choices_generation: int
    lists: dict[str, list[Choice[Any]]] = field(default_factory=dict)
    record: Any = None
    error: Exception | None = None


class RecordForm(Dialog, Generic[D]):
    """A record's form in its own window, generic in what :meth:`fetch` reads (the record's details).

    The window shows at once with Save disabled and "Loading…"; the record (or a new record's
    defaults, :meth:`fetch_new`) and the :attr:`choice_lists` not read yet in this session are read
    in a worker thread, then the fields are built, filled and enabled. Saving reads the record back
    the same way. Subclasses set :attr:`kind`, :attr:`write_permission` and :attr:`choice_lists`,
    and implement :meth:`build`, :meth:`fetch`, :meth:`show_record`, :meth:`write` and
    :meth:`title` (and :meth:`fetch_new` / :meth:`fill_new` for new records). Users whose role
    lacks the write permission see the form read-only, without Save.

    Signals:
        saved(object): the record was written; the object is its id.
        loaded(): the record (or a new record's defaults) was read into the fields, after opening,
            saving or reloading; the form can be edited.
    """

    saved = Signal(object)
    loaded = Signal()

    kind: ClassVar[str] = ""
    write_permission: ClassVar[Permission] = Permission.READ
    # The lists of ui.forms.choices that build() uses, read with the record when not read yet.
    choice_lists: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, ctx: AppContext, record_id: uuid.UUID | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx.state, f"form-{self.kind}", parent)
        self.ctx = ctx
        self.record_id = record_id
        self.version: int | None = None
        self.read_only = not ctx.can(self.write_permission)
        self.fields = FieldSet()
        self._dirty = False
        self._filling = False  # the fields are being filled: their changes are not edits
        self._filled = False  # the fields were filled once (the record, or a new one's defaults)
        self._closed = False
        self._load_sequence = 0
        self._loading = False
        self._read: Callable[[Progress], _Loaded] | None = None  # the read waiting for the fields
        self._load_task: Task[_Loaded] | None = None
        self._arrived: _Loaded | None = None  # the record, waiting for the fields
        self._building: tuple[QWidget, Iterator[None]] | None = None
        self._pending_warnings: list[FieldProblem] = []
        self._close_after_save = False
        self._in_close_event = False
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(False)

        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.problems_summary = ProblemLabel()
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.body: QWidget | None = None  # the fields, once built
        placeholder = QLabel(gettext("Loading…"))
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area.setWidget(placeholder)
        # The fields are built a part at a time (see build()) in the next turns of the event loop,
        # once the window shows, so that the window keeps answering. The record is read after that
        # (if the choice lists are read already), so that the two do not take turns at the interpreter.
        self._build_timer = QTimer(self)
        self._build_timer.setSingleShot(True)
        self._build_timer.setInterval(0)
        self._build_timer.timeout.connect(self._on_build_timer_timeout)

        self.loading_label = QLabel(gettext("Loading…"))
        self.loading_label.hide()
        self.save_button = QPushButton(gettext("Save"))
        self.save_button.setToolTip(gettext("Save (Ctrl+S)"))
        self.save_close_button = QPushButton(gettext("Save and close"))
        self.close_button = QPushButton(gettext("Close"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.loading_label)
        buttons.addStretch(1)
        for button in (self.save_button, self.save_close_button, self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.save_close_button.clicked.connect(self._on_save_close_button_clicked)
        self.close_button.clicked.connect(self.close)
        self._save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self._save_shortcut.activated.connect(self._on_save_button_clicked)

        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.problems_summary)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(buttons)

        if self.read_only:
            for button in (self.save_button, self.save_close_button):
                button.hide()
            self._save_shortcut.setEnabled(False)
            self.notice.setText(gettext("Your role allows viewing this record, not changing it."))
            self.notice.show()

    # --- for subclasses ----------------------------------------------------------------

    def build(self, body: QWidget) -> Iterator[None]:
        """Lay out the fields on *body*, registering each with :attr:`fields`; yield between parts.

        Each part is built in its own turn of the event loop (a form has many widgets). The lists
        named in :attr:`choice_lists` are read already (``ui.forms.choices``).
        """
        raise NotImplementedError

    @classmethod
    def fetch(cls, db: Database, actor: Actor, record_id: uuid.UUID) -> D:
        """Read the record with the services. Runs in a worker thread: touch no widget, no Qt object."""
        raise NotImplementedError

    @classmethod
    def fetch_new(cls, db: Database, actor: Actor) -> object:
        """Read the defaults of a new record (in a worker thread, as :meth:`fetch`)."""
        return None

    def show_record(self, details: D) -> None:
        """Fill the fields with the record read by :meth:`fetch`; set :attr:`version`."""
        raise NotImplementedError

    def fill_new(self, defaults: object) -> None:
        """Fill the fields of a new record with the *defaults* read by :meth:`fetch_new`."""

    def write(self) -> list[FieldProblem] | None:
        """Write the form with the services; returns the warnings, or None if the save waits for an answer.

        Raises :class:`ValidationFailed` (shown next to the fields), :class:`StaleRecord` and other
        domain errors. On success :attr:`record_id` names the record written.
        """
        raise NotImplementedError

    def title(self) -> str:
        """The window title: what the record is (called once the record was read)."""
        raise NotImplementedError

    def field_edited(self, name: str) -> None:
        """Called after the user changed the field *name* (not while the record is being read)."""

    def make_read_only(self) -> None:
        """Disable what the frame does not know about (buttons of lists, pickers) for read-only users."""

    # --- the frame -----------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """Whether the form has changes that are not saved."""
        return self._dirty

    @property
    def is_loading(self) -> bool:
        """Whether the form waits for its record (its fields and Save are disabled meanwhile)."""
        return self._loading

    def set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.setWindowModified(dirty)

    def mark_edited(self) -> None:
        """Something outside the registered fields changed (a list of people, a picked child)."""
        if not self._filling:
            self.set_dirty(True)

    def load(self) -> None:
        """Read the record (or a new record's defaults) in the background and fill the form with it.

        Meanwhile the fields and Save are disabled and "Loading…" is shown; :attr:`loaded` is
        emitted once the form is filled. If the record cannot be read, a message says why: the
        window closes if it never showed the record, else the message stays at its top.
        """
        self._load_sequence += 1
        sequence = self._load_sequence
        lists, generation = choices.missing(self.ctx, self.choice_lists)
        language = current_language()
        db, actor, record_id, form_type = self.ctx.db, self.ctx.actor, self.record_id, type(self)

        def work(_progress: Progress) -> _Loaded:
            loaded = _Loaded(sequence, language, generation)
            try:
                loaded.lists = choices.read(db, lists, language)
                if record_id is None:
                    loaded.record = form_type.fetch_new(db, actor)
                else:
                    loaded.record = form_type.fetch(db, actor, record_id)
            except Exception as error:  # shown by the form, in the GUI thread
                loaded.error = error
            return loaded

        self._loading = True
        self._show_loading(True)
        self._update_title()
        if lists or self._built:
            self._load_task = run_task(work, self._on_load_task_finished)
        else:
            self._read = work
            self._build_timer.start()

    def save(self) -> bool:
        """Save the form; problems appear next to their fields. Whether the record was written."""
        if self.read_only or self.is_loading:
            self._close_after_save = False
            return False
        self.fields.clear()
        self.problems_summary.clear_problem()
        try:
            warnings = self.write()
        except ValidationFailed as failed:
            self._close_after_save = False
            self.show_problems(failed.problems)
            return False
        except StaleRecord as stale:
            self._close_after_save = False
            self.problems_summary.show_error(stale.message.render())
            if ask_reload(self, stale.message.render()):
                self.reload()
            return False
        except DomainError as error:
            self._close_after_save = False
            self.problems_summary.show_error(error.message.render())
            return False
        except Exception as error:
            self._close_after_save = False
            show_error(self, error, self.title())
            return False
        if warnings is None:
            return False  # the form asked something; it saves again when answered
        self.finish_save(warnings)
        return True

    def finish_save(self, warnings: Sequence[FieldProblem]) -> None:
        """After the services wrote the record: tell the others; close, or read it back and show warnings."""
        self.set_dirty(False)
        self.ctx.announce_change(self.kind)
        self.saved.emit(self.record_id)
        if self._close_after_save:
            if not self._in_close_event:
                self._close_after_save = False
                self.close()
            return
        self.reload()
        self._pending_warnings = list(warnings)

    def reload(self) -> None:
        """Read the record again (after a save, or to drop changes); what was typed is replaced."""
        if self.record_id is None:
            return
        self.fields.clear()
        self.problems_summary.clear_problem()
        self._pending_warnings = []
        self.set_dirty(False)  # what is in the form now is dropped for the stored record
        self.load()

    def show_problems(self, problems: Sequence[FieldProblem]) -> None:
        """Each problem under its field, the others at the top; the first bad field gets the focus."""
        unplaced = self.fields.show_errors(problems)
        if unplaced:
            self.problems_summary.show_error("\n".join(p.render() for p in unplaced))
        editor = self.fields.first_with_error()
        if editor is not None:
            editor.setFocus(Qt.FocusReason.OtherFocusReason)
            self.scroll_area.ensureWidgetVisible(editor)

    def show_warnings(self, warnings: Sequence[FieldProblem]) -> None:
        for warning in self.fields.show_warnings(warnings):
            self.problems_summary.add_warning(warning.render())

    @property
    def _built(self) -> bool:
        return self.body is not None

    def _build_part(self) -> None:
        """Build the next part of the fields; once all are built, put them in place."""
        if self._building is None:
            body = QWidget()
            self._building = (body, self.build(body))
        body, parts = self._building
        try:
            next(parts)
        except StopIteration:
            pass
        else:
            self._build_timer.start()
            return
        self._building = None
        for name, editor in self.fields.editors.items():
            signal = changed_signal(editor)
            if signal is not None:
                signal.connect(lambda *_args, name=name: self._on_field_edited(name))
        if self.read_only:
            self._make_read_only()
        body.setEnabled(not self.is_loading)
        self.scroll_area.setWidget(body)  # the placeholder goes
        self.body = body
        self.loading_label.setVisible(self.is_loading)
        if self._read is not None:
            self._load_task = run_task(self._read, self._on_load_task_finished)
            self._read = None
        elif self._arrived is not None:
            self._build_timer.start()  # fill the fields in the next turn

    def _show_loading(self, loading: bool) -> None:
        # Until the fields are built, the placeholder in their place says it.
        self.loading_label.setVisible(loading and self.body is not None)
        if self.body is not None:
            self.body.setEnabled(not loading)
        for button in (self.save_button, self.save_close_button):
            button.setEnabled(not loading)
        self._save_shortcut.setEnabled(not loading and not self.read_only)
        if loading:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def _update_title(self) -> None:
        if self.record_id is not None and not self._filled:
            self.setWindowTitle(gettext("Loading…") + "[*]")
        else:
            self.setWindowTitle(self.title() + "[*]")
        self.setWindowModified(self._dirty)

    def _make_read_only(self) -> None:
        for editor in self.fields.editors.values():
            if changed_signal(editor) is not None:
                set_read_only(editor)
        self.make_read_only()

    def _load_failed(self, error: Exception) -> None:
        self._show_loading(False)
        if self._filled:  # a reload: keep what the form shows
            if isinstance(error, DomainError):
                self.problems_summary.show_error(error_text(error))
            else:
                show_error(self, error, self.title())
            return
        self.close()
        show_error(self.parentWidget(), error, None)

    @Slot(object)
    def _on_load_task_finished(self, loaded: _Loaded) -> None:
        if self._closed or loaded.sequence != self._load_sequence:
            return  # the window was closed meanwhile, or the record is being read again
        self._load_task = None
        if loaded.error is not None:
            self._loading = False
            self._load_failed(loaded.error)
            return
        choices.store(self.ctx, loaded.language, loaded.lists, loaded.choices_generation)
        self._arrived = loaded
        if self._built:
            self._fill()
        elif not self._build_timer.isActive():
            self._build_timer.start()

    def _fill(self) -> None:
        loaded, self._arrived = self._arrived, None
        assert loaded is not None
        self._loading = False
        self._filling = True
        try:
            if self.record_id is None:
                self.fill_new(loaded.record)
            else:
                self.show_record(loaded.record)
        finally:
            self._filling = False
        self._filled = True
        self.set_dirty(False)
        self._update_title()
        self._show_loading(False)
        warnings, self._pending_warnings = self._pending_warnings, []
        self.show_warnings(warnings)
        self.loaded.emit()

    @Slot()
    def _on_build_timer_timeout(self) -> None:
        if self._built:
            if self._arrived is not None:
                self._fill()
        else:
            self._build_part()

    def _on_field_edited(self, name: str) -> None:
        if self._filling:
            return
        self.fields.clear_field(name)
        self.set_dirty(True)
        self.field_edited(name)

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self._close_after_save = False
        self.save()

    @Slot()
    def _on_save_close_button_clicked(self) -> None:
        self._close_after_save = True
        self.save()  # the window closes once the record is written

    def reject(self) -> None:
        """Escape closes the window through the unsaved-changes guard."""
        self.close()

    def _save_to_close(self) -> bool:
        self._close_after_save = True
        self._in_close_event = True
        try:
            return self.save()
        finally:
            self._in_close_event = False

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not may_close(
            self, event, unsaved=self._dirty and not self.read_only, save_and_close=self._save_to_close
        ):
            return  # problems are shown, or a question is open; nothing is lost
        self._close_after_save = False
        self._closed = True
        self.save_geometry()
        event.accept()


class DistrictRecordForm(RecordForm[D]):
    """A record form whose new record starts in the office's district.

    Subclasses build the district choice as :attr:`district_id` (in :meth:`RecordForm.build`).
    """

    district_id: ChoiceCombo[uuid.UUID]

    @classmethod
    def fetch_new(cls, db: Database, actor: Actor) -> uuid.UUID | None:
        with db.reading() as session:
            return office_district_id(session)

    def fill_new(self, defaults: object) -> None:
        self.district_id.set_value(defaults if isinstance(defaults, uuid.UUID) else None)
