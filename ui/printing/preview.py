"""The print preview: a document made from the record, shown page by page, then printed or saved as PDF.

The document is made in the background (:func:`reports.catalog.make_document`) in the
language chosen in the dialog (at first the office's default), shown with QtPdf, and sent
to a printer or a file; each print or save is recorded (:func:`reports.catalog.record_print`),
so it appears in the audit log and in the case's Documents tab.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.files import write_atomically
from models.i18n import gettext
from models.papers import DOCUMENT_LANGUAGE_LABELS, DOCUMENT_LANGUAGES

from reports.catalog import Document, Target, make_document, record_print

from ui.context import AppContext
from ui.dialogs import Dialog
from ui.errors import error_text
from ui.printing import output
from ui.tasks import Progress, Task, run_task, run_with_progress

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.25, 6.0


class PreviewDialog(Dialog):
    """The preview of one document (*target*), with zoom, page navigation, language, print and save.

    Signals:
        shown(object): a document was made and is shown (the :class:`~reports.catalog.Document`).
        failed(str): the document could not be made; the message shown in its place.
        recorded(str): a print ("printer") or a save ("pdf") was done and recorded.
    """

    shown = Signal(object)
    failed = Signal(str)
    recorded = Signal(str)

    def __init__(self, ctx: AppContext, target: Target, parent: QWidget | None = None) -> None:
        super().__init__(ctx.state, "print-preview", parent)
        self.ctx = ctx
        self.target = target
        self.document: Document | None = None
        self._sequence = 0
        self._task: Task[Document] | None = None
        self._buffer: QBuffer | None = None  # the PDF's bytes, read by the QPdfDocument while shown
        self._output_task: Task[None] | None = None
        self._printer: QPrinter | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle(gettext("Print preview"))
        self.resize(900, 1000)

        self.pdf = QPdfDocument(self)
        self.view = QPdfView()
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.pdf)
        self.message = QLabel(gettext("Making the document…"))
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)
        self.pages.addWidget(self.view)

        self.language = QComboBox()
        for code in DOCUMENT_LANGUAGES:
            self.language.addItem(gettext(DOCUMENT_LANGUAGE_LABELS[code]), code)
        language_caption = QLabel(gettext("Language:"))
        language_caption.setBuddy(self.language)
        self.previous_button = self._tool("◀", gettext("Previous page (Page Up)"), self._on_previous_clicked)
        self.page_label = QLabel()
        self.next_button = self._tool("▶", gettext("Next page (Page Down)"), self._on_next_clicked)
        self.zoom_out_button = self._tool("−", gettext("Zoom out (Ctrl+-)"), self.zoom_out)
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(self.zoom_label.fontMetrics().horizontalAdvance("0000 %"))
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = self._tool("+", gettext("Zoom in (Ctrl++)"), self.zoom_in)
        self.fit_width_button = self._tool(gettext("Fit width"), "", self.fit_width)
        self.fit_page_button = self._tool(gettext("Whole page"), "", self.fit_page)
        for button in (self.fit_width_button, self.fit_page_button):
            button.setCheckable(True)
        self.print_button = QPushButton(gettext("Print…"))
        self.print_button.setToolTip(gettext("Print (Ctrl+P)"))
        self.save_button = QPushButton(gettext("Save as PDF…"))
        self.save_button.setToolTip(gettext("Save as PDF (Ctrl+S)"))
        self.close_button = QPushButton(gettext("Close"))
        for push in (self.print_button, self.save_button, self.close_button):
            push.setAutoDefault(False)

        bar = QHBoxLayout()
        bar.addWidget(language_caption)
        bar.addWidget(self.language)
        bar.addSpacing(16)
        bar.addWidget(self.previous_button)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_button)
        bar.addSpacing(16)
        for widget in (
            self.zoom_out_button,
            self.zoom_label,
            self.zoom_in_button,
            self.fit_width_button,
            self.fit_page_button,
        ):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        bar.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)

        shortcuts = (
            (QKeySequence.StandardKey.Print, self._on_print_clicked),
            (QKeySequence.StandardKey.Save, self._on_save_clicked),
            (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            (QKeySequence("Ctrl+="), self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
            (QKeySequence(Qt.Key.Key_PageUp), self._on_previous_clicked),
            (QKeySequence(Qt.Key.Key_PageDown), self._on_next_clicked),
        )
        for keys, slot in shortcuts:
            QShortcut(QKeySequence(keys), self).activated.connect(slot)
        self.language.activated.connect(self._on_language_activated)
        self.print_button.clicked.connect(self._on_print_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.close_button.clicked.connect(self.close)
        self.view.pageNavigator().currentPageChanged.connect(self._on_navigator_page_changed)
        self.view.zoomFactorChanged.connect(self._on_view_zoom_changed)
        self.view.zoomModeChanged.connect(self._on_view_zoom_changed)
        self._update_controls()

    def _tool(self, text: str, tip: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    # --- making the document ---------------------------------------------------------------

    @property
    def is_busy(self) -> bool:
        """Whether the document is being made, printed or saved."""
        return any(task is not None and task.running for task in (self._task, self._output_task))

    def load(self, lang: str | None = None) -> None:
        """Make the document in the background in *lang* (None: the office's default language)."""
        self._sequence += 1
        sequence, db, actor, target = self._sequence, self.ctx.db, self.ctx.actor, self.target
        self.message.setText(gettext("Making the document…"))
        if self.document is None:
            self.pages.setCurrentWidget(self.message)
        self._task = run_task(
            lambda _progress: make_document(db, actor, target, lang),
            lambda document: self._on_made(sequence, document),
            parent=self,
            on_error=lambda error: self._on_make_failed(sequence, error),
        )
        self._update_controls()

    def _on_made(self, sequence: int, document: Document) -> None:
        if sequence != self._sequence:
            return
        self._task = None
        self.document = document
        self.language.setCurrentIndex(max(0, self.language.findData(document.language)))
        name = f"{document.title} № {document.number}" if document.number else document.title
        self.setWindowTitle(gettext("Print preview — {name}").format(name=name))
        buffer = QBuffer(self)
        buffer.setData(QByteArray(document.pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf.close()
        self.pdf.load(buffer)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer
        self.pages.setCurrentWidget(self.view)
        self._update_controls()
        self.shown.emit(document)

    def _on_make_failed(self, sequence: int, error: BaseException) -> None:
        if sequence != self._sequence:
            return
        self._task = None
        text = error_text(error)
        self.message.setText(text)
        self.pages.setCurrentWidget(self.message)
        self.document = None
        self._update_controls()
        self.failed.emit(text)

    @Slot(int)
    def _on_language_activated(self, _index: int) -> None:
        lang = self.language.currentData()
        if self.document is None or lang != self.document.language:
            self.load(str(lang))

    # --- pages and zoom --------------------------------------------------------------------

    @property
    def page_count(self) -> int:
        return self.pdf.pageCount() if self.document is not None else 0

    @property
    def current_page(self) -> int:
        """The page shown (0-based)."""
        return self.view.pageNavigator().currentPage()

    def go_to_page(self, page: int) -> None:
        """Show *page* (0-based), within the document."""
        if self.page_count:
            navigator = self.view.pageNavigator()
            navigator.jump(max(0, min(page, self.page_count - 1)), QPointF(), navigator.currentZoom())

    @Slot()
    def _on_previous_clicked(self) -> None:
        self.go_to_page(self.current_page - 1)

    @Slot()
    def _on_next_clicked(self) -> None:
        self.go_to_page(self.current_page + 1)

    @Slot()
    def zoom_in(self) -> None:
        self._zoom_to(self.view.zoomFactor() * ZOOM_STEP)

    @Slot()
    def zoom_out(self) -> None:
        self._zoom_to(self.view.zoomFactor() / ZOOM_STEP)

    def _zoom_to(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(MIN_ZOOM, min(factor, MAX_ZOOM)))

    @Slot()
    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    @Slot()
    def fit_page(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)

    @Slot(int)
    def _on_navigator_page_changed(self, _page: int) -> None:
        self._update_controls()

    @Slot()
    def _on_view_zoom_changed(self) -> None:
        self._update_controls()

    def _update_controls(self) -> None:
        pages, ready = self.page_count, self.document is not None and not self.is_busy
        page = self.current_page + 1 if pages else 0
        self.page_label.setText(gettext("Page {page} of {pages}").format(page=page, pages=pages))
        self.previous_button.setEnabled(pages > 0 and page > 1)
        self.next_button.setEnabled(pages > 0 and page < pages)
        mode = self.view.zoomMode()
        self.fit_width_button.setChecked(mode == QPdfView.ZoomMode.FitToWidth)
        self.fit_page_button.setChecked(mode == QPdfView.ZoomMode.FitInView)
        custom = mode == QPdfView.ZoomMode.Custom
        self.zoom_label.setText(f"{round(self.view.zoomFactor() * 100)} %")
        self.zoom_label.setVisible(custom)
        for widget in (
            self.zoom_in_button,
            self.zoom_out_button,
            self.fit_width_button,
            self.fit_page_button,
            self.print_button,
            self.save_button,
        ):
            widget.setEnabled(ready)
        self.language.setEnabled(not self.is_busy)

    # --- printing and saving ---------------------------------------------------------------

    @Slot()
    def _on_print_clicked(self) -> None:
        document = self.document
        if document is None or self.is_busy:
            return
        printer = output.new_printer(document)
        printer.setFromTo(1, document.pages)
        if not output.ask_printer(self, printer, document.pages):
            return
        job = output.job_of(printer, document.pages)
        db, actor = self.ctx.db, self.ctx.actor

        def work(progress: Progress) -> None:
            output.paint(printer, [document], job, progress)
            record_print(db, actor, document, destination="printer", copies=job.copies)

        self._printer = printer  # used by the worker until the job has ended
        self._run(gettext("Printing…"), work, "printer")

    @Slot()
    def _on_save_clicked(self) -> None:
        document = self.document
        if document is None or self.is_busy:
            return
        path = output.ask_pdf_path(self, output.last_folder(self.ctx.state), document.file_name)
        if path is None:
            return
        output.remember_folder(self.ctx.state, path.parent)
        db, actor = self.ctx.db, self.ctx.actor

        def work(_progress: Progress) -> None:
            write_atomically(path, document.pdf)
            record_print(db, actor, document, destination="pdf")

        self._run(gettext("Saving…"), work, "pdf")

    def _run(self, title: str, work: Callable[[Progress], None], destination: str) -> None:
        """Run a print or save behind a progress dialog, then say it was recorded."""
        self._output_task = run_with_progress(
            self, title, work, lambda _result: self.recorded.emit(destination)
        )
        self._output_task.ended.connect(self._on_output_ended)
        self._update_controls()

    @Slot()
    def _on_output_ended(self) -> None:
        self._output_task = None
        self._printer = None
        self._update_controls()


def open_preview(ctx: AppContext, target: Target, parent: QWidget | None = None) -> PreviewDialog:
    """Show the preview of *target* in a window of its own and start making the document."""
    dialog = PreviewDialog(ctx, target, parent)
    dialog.show()
    dialog.load()
    return dialog
