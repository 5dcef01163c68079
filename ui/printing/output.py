"""Where documents go: the print and file dialogs, painting PDF pages on a printer, writing PDF files.

The dialogs are small module functions so that a test can stand in for the user. Painting
runs in a worker thread (a QPainter may paint on a QPrinter outside the GUI thread): each PDF
is opened there in its own :class:`QPdfDocument`, each page rendered to an image at the
printer's resolution (at most :data:`MAX_RENDER_DPI`) and drawn to fill the paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSettings, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QWidget

from models.errors import DomainError
from models.i18n import _, gettext

from reports.catalog import Document

from ui.tasks import Progress

# Enough for sharp text on paper; a 600 or 1200 dpi printer would make images of a gigabyte.
MAX_RENDER_DPI = 300
FOLDER_KEY = "printing/folder"


@dataclass(frozen=True)
class PrintJob:
    """What the print dialog settled: the copies and the pages (1-based, inclusive; 0, 0 for all)."""

    copies: int
    from_page: int = 0
    to_page: int = 0


def ask_printer(parent: QWidget, printer: QPrinter, pages: int) -> bool:
    """The system print dialog (printer, copies and, when *pages* > 0, a page range); whether to print."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(gettext("Print"))
    options = (
        QAbstractPrintDialog.PrintDialogOption.PrintToFile
        | QAbstractPrintDialog.PrintDialogOption.PrintShowPageSize
    )
    if pages > 0:
        options |= QAbstractPrintDialog.PrintDialogOption.PrintPageRange
        dialog.setMinMax(1, pages)
    dialog.setOptions(options)
    return dialog.exec() == QPrintDialog.DialogCode.Accepted


def ask_pdf_path(parent: QWidget, folder: Path, file_name: str) -> Path | None:
    """The save dialog for one PDF, starting in *folder* with *file_name*; None if the user cancelled."""
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, gettext("Save as PDF"), str(folder / file_name), gettext("PDF documents (*.pdf)")
    )
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


def ask_folder(parent: QWidget, folder: Path) -> Path | None:
    """The folder dialog for a batch of PDFs; None if the user cancelled."""
    chosen = QFileDialog.getExistingDirectory(parent, gettext("Save the documents in a folder"), str(folder))
    return Path(chosen) if chosen else None


def last_folder(state: QSettings) -> Path:
    """The folder the user last saved documents in, else the home folder's Documents (or home)."""
    saved = state.value(FOLDER_KEY)
    if isinstance(saved, str) and saved and Path(saved).is_dir():
        return Path(saved)
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def remember_folder(state: QSettings, folder: Path) -> None:
    state.setValue(FOLDER_KEY, str(folder))


def new_printer(document: Document | None = None) -> QPrinter:
    """A printer at high resolution, A4, in the orientation of *document*'s first page."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)
    printer.setDocName(document.file_name[:-4] if document else gettext("Documents"))
    if document is not None and _landscape(document.pdf):
        printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    return printer


def job_of(printer: QPrinter, pages: int) -> PrintJob:
    """The copies and page range the user chose in the print dialog for a document of *pages* pages."""
    copies = max(1, printer.copyCount())
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(1, printer.fromPage())
        last = min(pages, printer.toPage() or pages)
        return PrintJob(copies, first, max(first, last))
    return PrintJob(copies)


def paint(printer: QPrinter, documents: Sequence[Document], job: PrintJob, progress: Progress) -> int:
    """Paint *documents* on *printer* as one job (in a worker thread); the sheets painted.

    The page range applies to a single document; copies are painted here unless the printer
    makes them itself. Cancelling aborts the job, so that nothing half-done is printed.
    """
    copies = 1 if printer.supportsMultipleCopies() else job.copies
    plan: list[tuple[int, list[int]]] = []
    for index, document in enumerate(documents):
        first, last = (
            (job.from_page, job.to_page) if job.from_page and len(documents) == 1 else (1, document.pages)
        )
        plan.append((index, list(range(first - 1, last))))
    total = copies * sum(len(pages) for _index, pages in plan)
    painter = QPainter()
    if not painter.begin(printer):
        raise DomainError(_("The printer could not be started; check that it is connected and switched on."))
    done = 0
    try:
        for _copy in range(copies):
            for index, pages in plan:
                pdf = _open(documents[index].pdf)
                for page in pages:
                    progress.check()
                    if done:
                        _turn_page(printer, pdf.document, page)
                    _paint_page(painter, printer, pdf.document, page)
                    done += 1
                    progress.report(
                        done,
                        total,
                        gettext("Printing page {done} of {total}…").format(done=done, total=total),
                    )
    except BaseException:
        printer.abort()
        painter.end()
        raise
    painter.end()
    return done


class _OpenPdf:
    """A PDF opened from bytes; the buffer must live as long as the document reads from it."""

    def __init__(self, pdf: bytes) -> None:
        self.buffer = QBuffer()
        self.buffer.setData(QByteArray(pdf))
        self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument()
        self.document.load(self.buffer)
        if self.document.status() != QPdfDocument.Status.Ready:
            raise DomainError(_("The document could not be read for printing."))


def _open(pdf: bytes) -> _OpenPdf:
    return _OpenPdf(pdf)


def _landscape(pdf: bytes) -> bool:
    document = _open(pdf).document
    size = document.pagePointSize(0)
    return size.width() > size.height()


def _turn_page(printer: QPrinter, document: QPdfDocument, page: int) -> None:
    """Start a new sheet, turned to the orientation of *page*."""
    size = document.pagePointSize(page)
    wanted = (
        QPageLayout.Orientation.Landscape
        if size.width() > size.height()
        else QPageLayout.Orientation.Portrait
    )
    if printer.pageLayout().orientation() != wanted:
        printer.setPageOrientation(wanted)
    printer.newPage()


def _paint_page(painter: QPainter, printer: QPrinter, document: QPdfDocument, page: int) -> None:
    """Render *page* at the printer's resolution and draw it centred, as large as the paper allows."""
    points = document.pagePointSize(page)
    paper = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
    dpi = min(printer.resolution(), MAX_RENDER_DPI)
    pixels = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
    image = document.render(page, pixels, QPdfDocumentRenderOptions())
    if image.isNull():
        raise DomainError(_("The page {page} could not be drawn for printing.", page=page + 1))
    scaled = QSizeF(points.width(), points.height()).scaled(paper.size(), Qt.AspectRatioMode.KeepAspectRatio)
    corner = QPointF(
        paper.x() + (paper.width() - scaled.width()) / 2, paper.y() + (paper.height() - scaled.height()) / 2
    )
    painter.drawImage(QRectF(corner, scaled), image.convertToFormat(QImage.Format.Format_RGB32))


def free_path(folder: Path, file_name: str, taken: set[Path]) -> Path:
    """*file_name* in *folder*, numbered "name (2).pdf" … if a file of that name exists or was taken."""
    path = folder / file_name
    stem, suffix = path.stem, path.suffix
    n = 1
    while path.exists() or path in taken:
        n += 1
        path = folder / f"{stem} ({n}){suffix}"
    return path
