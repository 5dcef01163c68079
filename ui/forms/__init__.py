"""Record forms: one non-modal window per record, opened with :func:`open_form`."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from models.i18n import gettext

from ui.context import AppContext
from ui.forms.base import RecordForm
from ui.forms.case import CaseForm
from ui.forms.child import PersonForm
from ui.forms.household import HouseholdForm
from ui.forms.report import ReportForm

FORMS: dict[str, type[RecordForm[Any]]] = {
    "person": PersonForm,
    "household": HouseholdForm,
    "report": ReportForm,
    "case": CaseForm,
}
# Kinds whose records are worked on inside a case's workspace, not in a form of their own.
WORKSPACE_KINDS = ("referral", "kdd_meeting")
_unparented_boxes: list[QMessageBox] = []

__all__ = ["FORMS", "CaseForm", "HouseholdForm", "PersonForm", "RecordForm", "ReportForm", "open_form"]


class _OpenForms(QObject):
    """The forms open in one session (a child of the session's context), to bring one to the front."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setObjectName("open_forms")
        self.forms: list[RecordForm] = []

    def add(self, form: RecordForm) -> None:
        self.forms.append(form)
        form.destroyed.connect(lambda *_args, form=form: self._forget(form))

    def _forget(self, form: RecordForm) -> None:
        if form in self.forms:
            self.forms.remove(form)

    def find(self, kind: str, record_id: uuid.UUID) -> RecordForm | None:
        for form in self.forms:
            if form.kind == kind and form.record_id == record_id and form.isVisible():
                return form
        return None


def open_forms(ctx: AppContext) -> _OpenForms:
    registry = ctx.findChild(_OpenForms, "open_forms", Qt.FindChildOption.FindDirectChildrenOnly)
    if isinstance(registry, _OpenForms):
        return registry
    return _OpenForms(ctx)


def open_form(
    ctx: AppContext, kind: str, record_id: uuid.UUID | None, parent: QWidget | None = None
) -> RecordForm | None:
    """Show the form of a record (a new one when *record_id* is None); returns the form's window.

    The window shows at once and reads the record in the background (see RecordForm.load); if
    the record cannot be read (deleted meanwhile), a message says so and the window closes.
    Forms are non-modal, one window per record: opening a record whose form is already open
    brings that window to the front. Referrals and КДД meetings are worked on in the case
    workspace: for them an information message is shown (non-modal) and None returned.
    """
    if kind in WORKSPACE_KINDS:
        _tell_opened_elsewhere(kind, parent)
        return None
    if kind not in FORMS:
        raise ValueError(f"no form for records of kind {kind!r}")
    registry = open_forms(ctx)
    if record_id is not None and (existing := registry.find(kind, record_id)) is not None:
        existing.showNormal()
        existing.raise_()
        existing.activateWindow()
        return existing
    form = FORMS[kind](ctx, record_id, parent)
    registry.add(form)
    form.load()
    form.show()
    return form


def _tell_opened_elsewhere(kind: str, parent: QWidget | None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(gettext("Bala Korgoo"))
    if kind == "referral":
        box.setText(gettext("Referrals are opened from the workspace of their case."))
    else:
        box.setText(gettext("КДД meetings are opened from the workspace of a case."))
    box.setInformativeText(gettext("Open the case first, then choose the record there."))
    box.setObjectName("opened_elsewhere")
    if parent is None:  # nothing else keeps a box without a parent alive until it is closed
        _unparented_boxes.append(box)
        box.finished.connect(lambda _result: _unparented_boxes.remove(box))
    box.open()
    return box
