"""Every printable form, and the one path from a record to a finished, recorded document.

The desktop client and the ``bala-korgoo print`` command both call :func:`make_document` and,
once the document has gone to a printer or a file, :func:`record_print`.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from models.database import Database
from models.errors import DomainError, NotFound
from models.i18n import _
from models.papers import document_language
from models.services import documents
from models.services.base import Actor
from models.services.documents import PrintedRecord

from reports.language import Texts
from reports.layout import Rendered


@dataclass(frozen=True)
class Target:
    """What to print: a record (*record_id*, from the desktop client) or *options* (the command's,
    by :attr:`Option.key`, e.g. {"number": "12/2026"}; registers and statistics take filters here)."""

    form: str
    record_id: uuid.UUID | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Made:
    """A form's output: the PDF, its number (outgoing №, case №) and the records it shows."""

    rendered: Rendered
    number: str | None
    records: tuple[PrintedRecord, ...]


@dataclass(frozen=True)
class Option:
    """An option of the ``print`` command for a form.

    *flag* is "--number" style (its value lands in ``Target.options["number"]``) or a bare name
    for a positional argument; *choices* limits the values; *required* as argparse means it.
    """

    flag: str
    help: str
    example: str = ""
    choices: tuple[str, ...] = ()
    required: bool = True

    @property
    def key(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")


@dataclass(frozen=True)
class FormSpec:
    """A printable form: its name (command line, audit), title msgid, options and maker."""

    name: str
    title: str
    make: Callable[[Database, Actor, Target, Texts], Made]
    options: tuple[Option, ...] = ()
    wide: bool = False
    order: int = 100
    # The same figures as an XLSX workbook (the statistics), for a --out file ending in .xlsx.
    spreadsheet: Callable[[Database, Actor, Target, str], bytes] | None = None


@dataclass(frozen=True)
class Document:
    """A finished document: the PDF and what the print record and the file name need."""

    form: str
    title: str
    number: str | None
    language: str
    pdf: bytes
    pages: int
    records: tuple[PrintedRecord, ...]

    @property
    def file_name(self) -> str:
        """A file name for saving: the title and the number, safe on Windows."""
        name = f"{self.title} {self.number}" if self.number else self.title
        return re.sub(r'[\\/:*?"<>|]+', "-", name).strip() + ".pdf"


@functools.cache
def forms() -> dict[str, FormSpec]:
    """The printable forms by name: the ``FORMS`` of every module of :mod:`reports.forms`, by *order*."""
    import reports.forms

    found: list[FormSpec] = []
    for module_info in pkgutil.iter_modules(reports.forms.__path__):
        module = importlib.import_module(f"reports.forms.{module_info.name}")
        found += getattr(module, "FORMS", [])
    return {spec.name: spec for spec in sorted(found, key=lambda spec: (spec.order, spec.name))}


def make_document(db: Database, actor: Actor, target: Target, lang: str | None = None) -> Document:
    """Read the data of *target*, lay out the document in *lang* (default: the office's setting)."""
    spec = forms().get(target.form)
    if spec is None:
        raise NotFound(_("There is no form named {form}.", form=target.form))
    if lang is None:
        with db.reading() as session:
            lang = document_language(session)
    t = Texts(lang)
    made = spec.make(db, actor, target, t)
    return Document(
        form=spec.name,
        title=t.each(spec.title)[0],
        number=made.number,
        language=lang,
        pdf=made.rendered.pdf,
        pages=made.rendered.pages,
        records=made.records,
    )


def make_spreadsheet(db: Database, actor: Actor, target: Target, lang: str | None = None) -> bytes:
    """The XLSX workbook of a form that has one (the statistics); others are refused."""
    spec = forms().get(target.form)
    if spec is None:
        raise NotFound(_("There is no form named {form}.", form=target.form))
    if spec.spreadsheet is None:
        raise DomainError(_("The form {form} is printed as a PDF only.", form=target.form))
    if lang is None:
        with db.reading() as session:
            lang = document_language(session)
    return spec.spreadsheet(db, actor, target, lang)


def record_print(
    db: Database, actor: Actor, document: Document, *, destination: str = "printer", copies: int = 1
) -> None:
    """Write in the audit log (and so in the case's Documents tab) that *document* was printed or saved."""
    documents.record_print(
        db,
        actor,
        form=document.form,
        records=document.records,
        number=document.number,
        language=document.language,
        pages=document.pages,
        destination=destination,
        copies=copies,
    )
