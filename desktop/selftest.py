"""``bala-korgoo --self-test``: does this copy of the program have everything it needs at run time?

Made for the frozen build (installer/build.py runs it before making the installer, and an
administrator can run it on an office PC), it runs unfrozen as well. In a throw-away folder it
creates a database through the migrations, writes and reads records through the services, reads
the translations, renders a PDF in the bundled fonts and one real form, shows that PDF with QtPdf,
makes a printer and shows the sign-in window offscreen. One line per check; exit code 0 only if all passed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QLibraryInfo
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from models.database import Database, head_revision, open_database, schema_revision
from models.errors import DomainError
from models.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, gettext, ngettext, set_language, translator
from models.services.base import Actor
from models.services.cases import CaseInput, open_case
from models.services.office import OfficeDetails, set_up_office
from models.services.people import get_person, register_child
from models.services.users import authenticate
from models.validation import PersonInput

from reports import catalog
from reports.fonts import FAMILY, font_files, register_fonts

from ui.preferences import install_qt_translations, remove_qt_translations

from desktop.gui import WINDOW_ICON, application, open_ui_state
from desktop.session import Launcher

KYRGYZ_SAMPLE = "Үсөнбаева Ңурзат №1 «»"
DISTRICT = "41708222"  # Сокулукский район, seeded by the migrations
ADMIN = "selftest"
ADMIN_PASSWORD = "self-test-Сыр-1"  # noqa: S105 - a throw-away account in a temporary database
# A message every catalog translates: the translations were found and read.
CATALOG_PROBE = "The database cannot be opened."


class CheckFailed(Exception):
    """A check found something wrong; the message says what."""


@dataclass
class Workspace:
    """What the checks make and hand on to the next: the folder, the database, the user, the PDF."""

    folder: Path
    db: Database | None = None
    actor: Actor | None = None
    case_number: str | None = None
    document: bytes | None = None
    problems: list[str] = field(default_factory=list)

    def database(self) -> tuple[Database, Actor]:
        if self.db is None or self.actor is None:
            raise CheckFailed(gettext("skipped: the database check failed"))
        return self.db, self.actor


def check_database(work: Workspace) -> str:
    """Create a database through the Alembic migrations shipped with the program."""
    work.db = open_database(work.folder / "self-test.sqlite", create=True)
    with work.db.engine.connect() as connection:
        revision = schema_revision(connection)
    if revision != head_revision():
        raise CheckFailed(f"{revision} != {head_revision()}")
    return str(revision)


def check_records(work: Workspace) -> str:
    """Set up an office, sign in, register a child and open a case through the services, read it back."""
    if work.db is None:
        raise CheckFailed(gettext("skipped: the database check failed"))
    details = OfficeDetails(DISTRICT, "Бала Коргоо бөлүмү", "Отдел защиты детей", "", "", "")
    set_up_office(work.db, details, ADMIN, "Self Test", ADMIN_PASSWORD)
    work.actor = authenticate(work.db, ADMIN, ADMIN_PASSWORD)
    child = register_child(
        work.db,
        work.actor,
        PersonInput(last_name="Үсөнбаева", first_name="Ңурзат", sex="F", birth_date=date(2015, 2, 1)),
    )
    work.case_number = open_case(
        work.db, work.actor, CaseInput(child.id, date.today(), ("not_in_school",), None, None)
    ).number
    name = get_person(work.db, work.actor, child.id).full_name
    if "Үсөнбаева" not in name:
        raise CheckFailed(name)
    return f"{name}, № {work.case_number}"


def check_translations(work: Workspace) -> str:
    """The Russian and Kyrgyz catalogs are shipped and read."""
    found = {lang: translator(lang)(CATALOG_PROBE) for lang in LANGUAGES if lang != "en"}
    missing = [lang for lang, text in found.items() if text == CATALOG_PROBE]
    if missing:
        raise CheckFailed(", ".join(missing))
    return ", ".join(sorted(found))


def _embeds_bundled_font(pdf: bytes) -> bool:
    return b"/FontFile2" in pdf and FAMILY.encode() in pdf


def check_fonts(work: Workspace) -> str:
    """Draw Kyrgyz text in the bundled fonts; the PDF must embed them."""
    missing = [path.name for path in font_files() if not path.is_file()]
    if missing:
        raise CheckFailed(", ".join(missing))
    family = register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer)
    canvas.setFont(family, 14)
    canvas.drawString(72, 720, KYRGYZ_SAMPLE)
    canvas.save()
    if not _embeds_bundled_font(buffer.getvalue()):
        raise CheckFailed(gettext("the font is not embedded"))
    return KYRGYZ_SAMPLE


def check_document(work: Workspace) -> str:
    """Make one real form (the child's registration card, in Kyrgyz) from the records written above."""
    db, actor = work.database()
    target = catalog.Target("child-card", options={"case": work.case_number})
    document = catalog.make_document(db, actor, target, "ky")
    if not document.pdf.startswith(b"%PDF") or not _embeds_bundled_font(document.pdf):
        raise CheckFailed(gettext("the font is not embedded"))
    work.document = document.pdf
    return f"{document.title}, " + _pages(document.pages)


def check_printing(work: Workspace) -> str:
    """QtPdf shows the form in the preview's view; QtPrintSupport makes a printer for it."""
    if work.document is None:
        raise CheckFailed(gettext("skipped: the document check failed"))
    _application()
    buffer = QBuffer()
    buffer.setData(QByteArray(work.document))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    pdf = QPdfDocument()
    pdf.load(buffer)
    view = QPdfView()
    view.setDocument(pdf)
    pages = pdf.pageCount()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    view.deleteLater()
    pdf.close()
    buffer.close()
    if pages < 1:
        raise CheckFailed(str(pdf.error()))
    return f"{_pages(pages)}, QPdfView, QPrinter {printer.resolution()} dpi"


def _pages(count: int) -> str:
    return ngettext("{count} page", "{count} pages", count).format(count=count)


def check_gui(work: Workspace) -> str:
    """Start the desktop client offscreen up to the sign-in window (with Qt's own translations), close it."""
    db, _actor = work.database()
    app = _application()
    native = _native_platform_plugin(Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)))
    qt_catalog = install_qt_translations("ru")
    launcher = Launcher(db, open_ui_state(work.folder / "ui-state.ini"))
    try:
        launcher.start()
        login = launcher.login
        app.processEvents()
        shown = login is not None and login.isVisible()
        if login is not None:
            login.close()
            login.deleteLater()
        QCoreApplication.sendPostedEvents(None, 0)
    finally:
        launcher.deleteLater()
        remove_qt_translations()
    if not shown:
        raise CheckFailed(gettext("the sign-in window was not shown"))
    if not app.windowIcon().availableSizes():  # named but not read: the file is missing
        raise CheckFailed(str(WINDOW_ICON))
    if qt_catalog != "ru":
        raise CheckFailed("qtbase_ru.qm")
    return f"{app.platformName()}, qtbase_{qt_catalog}, {native}"


def _application() -> QApplication:
    """The program's QApplication, offscreen unless a platform was chosen: nothing shows on the screen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return application()


def _native_platform_plugin(plugins: Path) -> str:
    """The name of the platform plugin a real window on this system needs; fails if it is not shipped."""
    name = {"win32": "qwindows.dll", "darwin": "libqcocoa.dylib"}.get(sys.platform, "libqxcb.so")
    if not (plugins / "platforms" / name).is_file():
        raise CheckFailed(str(plugins / "platforms" / name))
    return name


@dataclass(frozen=True)
class Check:
    title: str  # a msgid
    run: Callable[[Workspace], str]


CHECKS = (
    Check(N_("database created through the migrations"), check_database),
    Check(N_("records written and read through the services"), check_records),
    Check(N_("translations"), check_translations),
    Check(N_("PDF in the bundled fonts"), check_fonts),
    Check(N_("a form"), check_document),
    Check(N_("print preview and printing"), check_printing),
    Check(N_("sign-in window"), check_gui),
)


def run_self_test(argv: list[str], out: Callable[[str], None] = print) -> int:
    """Run every check, say how each went in the language of ``--lang``; 0 if all passed, else 1."""
    lang = argv[argv.index("--lang") + 1] if "--lang" in argv[:-1] else DEFAULT_LANGUAGE
    set_language(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="bala-korgoo-self-test-") as folder:
        work = Workspace(Path(folder))
        try:
            for check in CHECKS:
                try:
                    detail = check.run(work)
                except Exception as error:  # every failure is reported, and the next check runs
                    failed += 1
                    reason = str(error) if isinstance(error, CheckFailed | DomainError) else _describe(error)
                    out(f"FAIL  {gettext(check.title)}: {reason}")
                else:
                    out(f"ok    {gettext(check.title)}: {detail}")
        finally:
            if work.db is not None:
                work.db.dispose()
    if failed:
        out(gettext("Self-test failed.") + f" {failed}/{len(CHECKS)}")
        return 1
    out(gettext("Self-test passed."))
    return 0


def _describe(error: Exception) -> str:
    """An unexpected error in one line, with where it happened (the build's log shows nothing else)."""
    where = traceback.extract_tb(error.__traceback__)[-1]
    return f"{type(error).__name__}: {error} ({Path(where.filename).name}:{where.lineno})"
