"""The frame of every record form: fields with problem lines, saving, and the unsaved-changes guard.

A form is a non-modal window (one per record). Subclasses lay out their fields in
:meth:`RecordForm.build`, read the record in :meth:`RecordForm.read` and write it with the
services in :meth:`RecordForm.write`. The frame shows :class:`ValidationFailed` problems next
to their fields (keeping what was typed), warnings in amber, a stale record as a question to
reload, and asks before a window with unsaved changes closes.

The questions the forms ask are module functions (:func:`ask_unsaved_changes`,
:func:`ask_reload`, :func:`ask_discard_typed`) so that tests can answer them.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from typing import ClassVar

from PySide6.QtCore import Qt, Signal, Slot
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

from models.errors import DomainError, FieldProblem, StaleRecord, ValidationFailed
from models.i18n import gettext
from models.permissions import Permission

from ui.context import AppContext
from ui.dialogs import Dialog
from ui.errors import show_error
from ui.forms.widgets import FieldSet, ProblemLabel, changed_signal, set_read_only


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


class RecordForm(Dialog):
    """A record's form in its own window.

    Subclasses set :attr:`kind` and :attr:`write_permission`, and implement :meth:`build`,
    :meth:`read`, :meth:`fill_new`, :meth:`write` and :meth:`title`. Users whose role lacks
    the write permission see the form read-only, without Save.

    Signals:
        saved(object): the record was written; the object is its id.
    """

    saved = Signal(object)

    kind: ClassVar[str] = ""
    write_permission: ClassVar[Permission] = Permission.READ

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
        self._loading = False
        self._close_after_save = False
        self._in_close_event = False
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(False)

        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.problems_summary = ProblemLabel()
        body = QWidget()
        self.build(body)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(body)

        self.save_button = QPushButton(gettext("Save"))
        self.save_button.setToolTip(gettext("Save (Ctrl+S)"))
        self.save_close_button = QPushButton(gettext("Save and close"))
        self.close_button = QPushButton(gettext("Close"))
        buttons = QHBoxLayout()
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

        for name, editor in self.fields.editors.items():
            signal = changed_signal(editor)
            if signal is not None:
                signal.connect(lambda *_args, name=name: self._on_field_edited(name))
        if self.read_only:
            self._make_read_only()

    # --- for subclasses ----------------------------------------------------------------

    def build(self, body: QWidget) -> None:
        """Lay out the fields on *body*, registering each with :attr:`fields`."""
        raise NotImplementedError

    def read(self) -> None:
        """Read the record :attr:`record_id` with the services into the fields; set :attr:`version`."""
        raise NotImplementedError

    def fill_new(self) -> None:
        """Fill the fields of a new record with their defaults."""

    def write(self) -> list[FieldProblem] | None:
        """Write the form with the services; returns the warnings, or None if the save waits for an answer.

        Raises :class:`ValidationFailed` (shown next to the fields), :class:`StaleRecord` and other
        domain errors. On success :attr:`record_id` names the record written.
        """
        raise NotImplementedError

    def title(self) -> str:
        """The window title: what the record is."""
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

    def set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.setWindowModified(dirty)

    def mark_edited(self) -> None:
        """Something outside the registered fields changed (a list of people, a picked child)."""
        if not self._loading:
            self.set_dirty(True)

    def load(self) -> bool:
        """Fill the form: read the record, or the defaults of a new one. False if it cannot be read."""
        self._loading = True
        try:
            if self.record_id is None:
                self.fill_new()
            else:
                self.read()
        except DomainError as error:
            show_error(self.parentWidget(), error, self.title())
            return False
        finally:
            self._loading = False
        self.set_dirty(False)
        self._update_title()
        return True

    def save(self) -> bool:
        """Save the form; problems appear next to their fields. Whether the record was written."""
        if self.read_only:
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
        """After the services wrote the record: read it back, show the warnings, tell the others."""
        self.ctx.announce_change(self.kind)
        self.reload()
        self.show_warnings(warnings)
        self.saved.emit(self.record_id)
        if self._close_after_save and not self._in_close_event:
            self._close_after_save = False
            self.close()

    def reload(self) -> None:
        """Read the record again (after a save, or to drop changes); what was typed is replaced."""
        if self.record_id is None:
            return
        self.fields.clear()
        self.problems_summary.clear_problem()
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

    def _update_title(self) -> None:
        self.setWindowTitle(self.title() + "[*]")
        self.setWindowModified(self._dirty)

    def _make_read_only(self) -> None:
        for editor in self.fields.editors.values():
            if changed_signal(editor) is not None:
                set_read_only(editor)
        for button in (self.save_button, self.save_close_button):
            button.hide()
        self._save_shortcut.setEnabled(False)
        self.notice.setText(gettext("Your role allows viewing this record, not changing it."))
        self.notice.show()
        self.make_read_only()

    def _on_field_edited(self, name: str) -> None:
        if self._loading:
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
        if self.save():
            self.close()

    def reject(self) -> None:
        """Escape closes the window through the unsaved-changes guard."""
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self._dirty and not self.read_only:
            choice = ask_unsaved_changes(self)
            if choice is UnsavedChoice.CANCEL:
                event.ignore()
                return
            if choice is UnsavedChoice.SAVE:
                self._close_after_save = True
                self._in_close_event = True
                try:
                    saved = self.save()
                finally:
                    self._in_close_event = False
                if not saved:
                    event.ignore()  # problems are shown, or a question is open; nothing is lost
                    return
        self._close_after_save = False
        self.save_geometry()
        event.accept()
