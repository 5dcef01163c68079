"""Print preview, printing, saving as PDF and batch printing: what the user sees and what is recorded."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import Qt
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from models.orm import AuditEntry, Referral
from models.services import kdd
from models.services.kdd import ItemInput, MeetingInput
from models.services.reference import OrganisationInput, add_organisation
from models.services.referrals import ReferralInput, create_referral, issue_referral

from reports.catalog import Document, Target

from ui.casework.referrals import ReferralsTab
from ui.casework.workspace import CASE_DOCUMENTS, open_workspace
from ui.context import AppContext
from ui.kdd import meeting as meeting_window
from ui.printing import batch, output
from ui.printing.preview import PreviewDialog, open_preview
from ui.registers import page as register_page
from ui.registers.page import RegisterPage

from tests.models.helpers import child_case, stored_version
from tests.reports.conftest import PrintOffice, add_named_child, issued_referral
from tests.reports.pdf import text

pytestmark = [
    pytest.mark.qt_log_ignore(
        "This plugin does not support propagateSizeHints", "This plugin does not support raise"
    ),
    pytest.mark.usefixtures("background_work_ends"),
]

TODAY = date.today()


@pytest.fixture
def office(ctx: AppContext) -> PrintOffice:
    """A case of Үсөнбаева Ңурзат Ёлкиновна and a school in the directory, in the UI's office."""
    child_id = add_named_child(ctx.db)
    case = child_case(ctx.db, ctx.actor, TODAY - timedelta(days=40), child_id=child_id)
    organisation_id = add_organisation(
        ctx.db,
        ctx.actor,
        OrganisationInput("Школа № 3 им. Токтогула", "Токтогул атындагы № 3 мектеп", "school"),
    )
    return PrintOffice(ctx.db, ctx.actor, child_id, case.id, case.number, organisation_id)


@pytest.fixture
def referral(office: PrintOffice) -> tuple[uuid.UUID, str]:
    """An issued referral of the office's case: its id and outgoing №."""
    return issued_referral(office)


def shown(qtbot: QtBot, dialog: PreviewDialog) -> Document:
    """Wait for the dialog to show its (next) document."""
    with qtbot.wait_signal(dialog.shown, timeout=20000) as blocker:
        pass
    document = blocker.args[0]
    assert isinstance(document, Document)
    return document


@pytest.fixture
def preview(qtbot: QtBot, ctx: AppContext, referral: tuple[uuid.UUID, str]) -> PreviewDialog:
    """The preview of the issued referral, its document shown."""
    dialog = open_preview(ctx, Target("referral", referral[0]))
    qtbot.add_widget(dialog)
    shown(qtbot, dialog)
    return dialog


def audit(ctx: AppContext, action: str) -> list[dict[str, object]]:
    """The audit entries of *action*, oldest first: entity, id and details."""
    with ctx.db.reading() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        return [{"entity": row.entity, "entity_id": row.entity_id, **json.loads(row.details)} for row in rows]


def test_the_preview_shows_the_referral_in_both_languages_by_default(
    preview: PreviewDialog, referral: tuple[uuid.UUID, str]
) -> None:
    document = preview.document
    assert document is not None and document.language == "both"
    assert preview.language.currentData() == "both"
    assert preview.page_count == document.pages >= 1
    assert preview.view.document() is preview.pdf
    assert preview.view.pageMode() == QPdfView.PageMode.MultiPage
    assert preview.page_label.text() == f"Страница 1 из {document.pages}"
    assert referral[1] in preview.windowTitle()
    content = text(document.pdf)
    assert "ЖОЛДОМО" in content and "НАПРАВЛЕНИЕ" in content and "Үсөнбаева Ңурзат" in content
    assert preview.print_button.isEnabled() and preview.save_button.isEnabled()


def test_zoom_changes_the_view(qtbot: QtBot, preview: PreviewDialog) -> None:
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    preview.zoom_in()
    assert preview.view.zoomMode() == QPdfView.ZoomMode.Custom
    bigger = preview.view.zoomFactor()
    assert bigger > 1.0
    assert preview.zoom_label.text() == f"{round(bigger * 100)} %"
    preview.zoom_out()
    preview.zoom_out()
    assert preview.view.zoomFactor() < bigger
    preview.fit_page()
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitInView
    assert preview.fit_page_button.isChecked() and not preview.fit_width_button.isChecked()
    assert preview.zoom_label.isHidden()
    preview.fit_width()
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitToWidth


def test_page_navigation_moves_between_pages(qtbot: QtBot, ctx: AppContext, office: PrintOffice) -> None:
    reason = " ".join(["Ёлкин Ңурзат не посещает школу, семья Usenova нуждается в помощи."] * 45)
    referral_id = create_referral(
        ctx.db,
        ctx.actor,
        ReferralInput(office.organisation_id, "education", reason=reason, contains_personal_data=False),
        case_id=office.case_id,
    )
    issue_referral(ctx.db, ctx.actor, referral_id, stored_version(ctx.db, Referral, referral_id))
    dialog = open_preview(ctx, Target("referral", referral_id))
    qtbot.add_widget(dialog)
    shown(qtbot, dialog)
    pages = dialog.page_count
    assert pages >= 2
    assert dialog.page_label.text() == f"Страница 1 из {pages}"
    assert not dialog.previous_button.isEnabled() and dialog.next_button.isEnabled()
    dialog.next_button.click()
    qtbot.wait_until(lambda: dialog.current_page == 1)
    assert dialog.page_label.text() == f"Страница 2 из {pages}"
    assert dialog.previous_button.isEnabled()
    dialog.previous_button.click()
    qtbot.wait_until(lambda: dialog.current_page == 0)
    dialog.go_to_page(99)
    qtbot.wait_until(lambda: dialog.current_page == pages - 1)
    assert not dialog.next_button.isEnabled()


def test_the_language_choice_makes_the_document_again(qtbot: QtBot, preview: PreviewDialog) -> None:
    with qtbot.wait_signal(preview.shown, timeout=20000) as blocker:
        preview.language.setCurrentIndex(preview.language.findData("ru"))
        preview.language.activated.emit(preview.language.currentIndex())
    russian = blocker.args[0]
    assert russian.language == "ru" and russian.title == "Направление"
    assert "ЖОЛДОМО" not in text(russian.pdf) and "НАПРАВЛЕНИЕ" in text(russian.pdf)
    with qtbot.wait_signal(preview.shown, timeout=20000) as blocker:
        preview.language.setCurrentIndex(preview.language.findData("ky"))
        preview.language.activated.emit(preview.language.currentIndex())
    kyrgyz = blocker.args[0]
    assert kyrgyz.language == "ky" and kyrgyz.title == "Жолдомо"
    assert preview.document is kyrgyz


def test_save_as_pdf_writes_the_file_and_records_it(
    qtbot: QtBot,
    preview: PreviewDialog,
    ctx: AppContext,
    referral: tuple[uuid.UUID, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    offered: list[str] = []

    def choose(_parent: QWidget, _folder: Path, file_name: str) -> Path:
        offered.append(file_name)
        return tmp_path / file_name

    monkeypatch.setattr(output, "ask_pdf_path", choose)
    assert preview.document is not None
    with qtbot.wait_signal(preview.recorded, timeout=20000) as blocker:
        preview.save_button.click()
    assert blocker.args == ["pdf"]
    assert offered == [preview.document.file_name]
    saved = tmp_path / preview.document.file_name
    assert saved.read_bytes() == preview.document.pdf
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".bala-korgoo-")] == []
    entries = audit(ctx, "document.save")
    assert len(entries) == 1
    assert entries[0]["entity"] == "referrals" and entries[0]["entity_id"] == referral[0]
    assert entries[0]["form"] == "referral" and entries[0]["number"] == referral[1]
    assert output.last_folder(ctx.state) == tmp_path


def test_cancelling_the_save_dialog_writes_and_records_nothing(
    preview: PreviewDialog, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "ask_pdf_path", lambda *_args: None)
    preview.save_button.click()
    assert not preview.is_busy
    assert audit(ctx, "document.save") == []


def pdf_printer(target: Path, copies: int = 1, pages: tuple[int, int] | None = None) -> object:
    """A stand-in for the print dialog: the user picks a PDF "printer", copies and a page range."""

    def accept(_parent: QWidget, printer: QPrinter, _pages: int) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        printer.setCopyCount(copies)
        if pages is not None:
            printer.setPrintRange(QPrinter.PrintRange.PageRange)
            printer.setFromTo(*pages)
        return True

    return accept


def test_printing_paints_the_pages_and_records_the_copies(
    qtbot: QtBot,
    preview: PreviewDialog,
    ctx: AppContext,
    referral: tuple[uuid.UUID, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    printed = tmp_path / "printer.pdf"
    monkeypatch.setattr(output, "ask_printer", pdf_printer(printed, copies=2))
    assert preview.document is not None
    with qtbot.wait_signal(preview.recorded, timeout=30000) as blocker:
        preview.print_button.click()
    assert blocker.args == ["printer"]
    sheets = len(PdfReader(printed).pages)
    assert sheets == 2 * preview.document.pages
    entries = audit(ctx, "document.print")
    assert len(entries) == 1
    assert entries[0]["entity_id"] == referral[0] and entries[0]["copies"] == 2
    assert entries[0]["language"] == "both"


def test_printing_a_page_range_prints_only_those_pages(
    qtbot: QtBot,
    preview: PreviewDialog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    printed = tmp_path / "printer.pdf"
    monkeypatch.setattr(output, "ask_printer", pdf_printer(printed, pages=(1, 1)))
    with qtbot.wait_signal(preview.recorded, timeout=30000):
        preview.print_button.click()
    assert len(PdfReader(printed).pages) == 1


def test_a_draft_referral_is_refused_in_the_preview(
    qtbot: QtBot, ctx: AppContext, office: PrintOffice
) -> None:
    draft_id = create_referral(
        ctx.db,
        ctx.actor,
        ReferralInput(office.organisation_id, "education", reason="Ёлкин", contains_personal_data=False),
        case_id=office.case_id,
    )
    dialog = open_preview(ctx, Target("referral", draft_id))
    qtbot.add_widget(dialog)
    with qtbot.wait_signal(dialog.failed, timeout=20000) as blocker:
        pass
    assert "Печатается только выданное направление" in blocker.args[0]
    assert dialog.message.text() == blocker.args[0]
    assert not dialog.print_button.isEnabled() and not dialog.save_button.isEnabled()


def test_a_batch_of_referrals_issued_today_is_printed_in_one_job_and_each_recorded(
    qtbot: QtBot, ctx: AppContext, office: PrintOffice, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [issued_referral(office)[0] for _ in range(3)]
    printed = tmp_path / "batch.pdf"
    monkeypatch.setattr(output, "ask_printer", pdf_printer(printed))
    parent = QWidget()
    qtbot.add_widget(parent)
    job = batch.print_referrals_issued_on(ctx, TODAY, parent)
    progress: list[tuple[int, int]] = []
    job.progressed.connect(lambda done, total, _text: progress.append((done, total)))
    with qtbot.wait_signal(job.done, timeout=60000) as blocker:
        pass
    assert blocker.args == [3]
    assert job.made is not None
    assert sum(document.pages for document in job.made.documents) == len(PdfReader(printed).pages)
    assert (0, 3) in progress and (2, 3) in progress
    entries = audit(ctx, "document.print")
    assert sorted(str(entry["entity_id"]) for entry in entries) == sorted(str(i) for i in ids)
    assert {entry["copies"] for entry in entries} == {1}
    assert job.summary is not None and job.summary.text() == "Напечатано 3 документа."


def test_a_batch_saved_into_a_folder_writes_one_file_per_document(
    qtbot: QtBot, ctx: AppContext, office: PrintOffice, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = sorted(issued_referral(office)[1] for _ in range(3))
    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.setattr(output, "ask_folder", lambda *_args: folder)
    parent = QWidget()
    qtbot.add_widget(parent)
    job = batch.print_referrals_issued_on(ctx, TODAY, parent, destination="pdf")
    with qtbot.wait_signal(job.done, timeout=60000) as blocker:
        pass
    assert blocker.args == [3]
    names = sorted(path.name for path in folder.iterdir())
    assert len(names) == 3 and all(name.endswith(".pdf") for name in names)
    assert [number for number in numbers if not any(number.replace("/", "-") in n for n in names)] == []
    assert len(audit(ctx, "document.save")) == 3


def test_a_day_without_referrals_prints_nothing_and_says_so(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []

    def ask(*_args: object) -> bool:
        asked.append(1)
        return True

    monkeypatch.setattr(output, "ask_printer", ask)
    parent = QWidget()
    qtbot.add_widget(parent)
    job = batch.print_referrals_issued_on(ctx, TODAY - timedelta(days=3), parent)
    with qtbot.wait_signal(job.done, timeout=20000) as blocker:
        pass
    assert blocker.args == [0] and asked == []
    assert job.summary is not None
    assert "не было выдано ни одного направления" in job.summary.informativeText()


# --- the windows that print -----------------------------------------------------------------------


def test_ctrl_p_in_the_case_workspace_previews_the_child_card(
    qtbot: QtBot, ctx: AppContext, office: PrintOffice
) -> None:
    window = open_workspace(ctx, office.case_id)
    qtbot.add_widget(window)
    qtbot.wait_until(lambda: window.header is not None)
    assert [action.data() for action in window.print_menu.actions()] == [form for form, _t in CASE_DOCUMENTS]
    assert window.print_target() == Target("child-card", office.case_id)
    QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(window.preview, PreviewDialog)
    document = shown(qtbot, window.preview)
    assert document.form == "child-card" and "Үсөнбаева Ңурзат" in text(document.pdf)
    plan_action = window.print_menu.actions()[1]
    plan_action.trigger()
    assert isinstance(window.preview, PreviewDialog)
    assert window.preview.target == Target("case-plan", options={"case": office.case_number})


def test_the_referrals_tab_prints_the_chosen_issued_referral(
    qtbot: QtBot, ctx: AppContext, office: PrintOffice, referral: tuple[uuid.UUID, str]
) -> None:
    window = open_workspace(ctx, office.case_id)
    qtbot.add_widget(window)
    qtbot.wait_until(lambda: window.header is not None)
    tab = window.show_tab("referrals")
    assert isinstance(tab, ReferralsTab)
    qtbot.wait_until(lambda: tab.model.rowCount() == 1)
    assert not tab.print_button.isEnabled()
    tab.view.selectRow(0)
    assert tab.print_button.isEnabled()
    assert window.print_target() == Target("referral", referral[0])
    tab.print_button.click()
    assert isinstance(tab.preview, PreviewDialog)
    assert shown(qtbot, tab.preview).number == referral[1]


def test_the_register_prints_what_it_shows(
    qtbot: QtBot, ctx: AppContext, referral: tuple[uuid.UUID, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[dict[str, object]] = []
    monkeypatch.setattr(
        register_page, "show_preview", lambda _ctx, form, options, parent: asked.append({form: options})
    )
    page = RegisterPage(ctx, "referrals")
    qtbot.add_widget(page)
    qtbot.wait_signal(page.loaded, timeout=10000)
    page.set_column_visible(page._columns[1].key, False)
    page.print_view()
    options = asked[0]["register"]
    assert isinstance(options, dict) and options["name"] == "referrals"
    assert options["query"] == page.model.query()
    assert page._columns[1].key not in options["columns"] and page._columns[0].key in options["columns"]


def test_the_meeting_window_prints_its_papers_and_all_its_notices(
    qtbot: QtBot,
    ctx: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    planned = kdd.plan_meeting(ctx.db, ctx.actor, MeetingInput(TODAY, None, "Асанова", "Токтогулова"), [])
    invited = kdd.add_item(ctx.db, ctx.actor, planned.id, ItemInput("Ёлкин: поведение", parent_invited=True))
    kdd.add_item(ctx.db, ctx.actor, planned.id, ItemInput("Отчёт школы"))
    asked: list[tuple[str, uuid.UUID | None]] = []
    monkeypatch.setattr(
        meeting_window, "show_preview", lambda _ctx, form, record_id, parent: asked.append((form, record_id))
    )
    monkeypatch.setattr(output, "ask_folder", lambda *_args: tmp_path)
    window = meeting_window.open_meeting(ctx, planned.id)
    qtbot.add_widget(window)
    qtbot.wait_until(lambda: window.meeting is not None and not window._busy)
    assert window.print_button.isEnabled()
    window.agenda_view.clearSelection()
    assert not window.paper_actions["kdd-notice"].isEnabled()  # no item chosen
    window.paper_actions["kdd-agenda"].trigger()
    window.agenda_view.selectRow(0)
    window.paper_actions["kdd-notice"].trigger()
    assert asked == [("kdd-agenda", planned.id), ("kdd-notice", invited)]
    window.save_notices_action.trigger()
    assert isinstance(window.batch, batch.BatchPrint)
    with qtbot.wait_signal(window.batch.done, timeout=20000):
        pass
    made = window.batch.made
    assert made is not None and len(made.documents) + len(made.refused) == 1  # the invited item only
