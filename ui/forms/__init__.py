"""Record forms: one non-modal window per record, opened with :func:`open_form`."""

from __future__ import annotations

import importlib
import uuid
from typing import Any, cast

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

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
__all__ = [
    "FORMS",
    "CaseForm",
    "HouseholdForm",
    "PersonForm",
    "RecordForm",
    "ReportForm",
    "open_form",
    "open_record_form",
]


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
) -> QWidget | None:
    """Show the window of a record (a new one when *record_id* is None); returns the window.

    An existing case opens in its workspace (``ui.casework.workspace``), referrals and КДД meetings
    in their own windows (``ui.casework.referrals``, ``ui.kdd.meeting``); the other kinds, and a
    new case, in their record form (:func:`open_record_form`). One window per record: opening a
    record whose window is open brings that window to the front.
    """
    if kind == "case" and record_id is not None:
        workspace = importlib.import_module("ui.casework.workspace")
        return cast(QWidget, workspace.open_workspace(ctx, record_id, parent))
    if kind == "referral":
        referrals = importlib.import_module("ui.casework.referrals")
        return cast(QWidget | None, referrals.open_referral(ctx, record_id, parent))
    if kind == "kdd_meeting":
        meeting = importlib.import_module("ui.kdd.meeting")
        return cast(QWidget | None, meeting.open_meeting(ctx, record_id, parent))
    return open_record_form(ctx, kind, record_id, parent)


def open_record_form(
    ctx: AppContext, kind: str, record_id: uuid.UUID | None, parent: QWidget | None = None
) -> RecordForm:
    """Show the form of a record (a new one when *record_id* is None); returns the form's window.

    The window shows at once and reads the record in the background (see RecordForm.load); if
    the record cannot be read (deleted meanwhile), a message says so and the window closes.
    Forms are non-modal, one window per record: opening a record whose form is already open
    brings that window to the front. The case workspace edits its case in this form.
    """
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
