"""The referral and its reply slip, as printed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.errors import DomainError
from models.orm import AuditEntry, Referral
from models.services.casefile import case_documents
from models.services.referrals import ReferralInput, create_referral

from reports.catalog import Target, make_document, record_print

from tests.reports.conftest import PrintOffice, issued_referral
from tests.reports.pdf import chars_outside, fonts, pages_text, text


def test_a_russian_referral_shows_the_letterhead_the_child_the_service_and_the_reply_slip(
    office: PrintOffice,
) -> None:
    referral_id, number = issued_referral(office)
    document = make_document(office.db, office.actor, Target("referral", referral_id), "ru")
    found = text(document.pdf)
    for expected in (
        "МИНИСТЕРСТВО ТРУДА, СОЦИАЛЬНОГО ОБЕСПЕЧЕНИЯ И МИГРАЦИИ КЫРГЫЗСКОЙ РЕСПУБЛИКИ",
        "Отдел защиты детей Сокулукского района",
        f"Исх. № {number}",
        "НАПРАВЛЕНИЕ",
        "Школа № 3 им. Токтогула",
        "Үсөнбаева Ңурзат Ёлкиновна",
        "01.02.2015",
        "12020201500123",
        "Зачислить в 5 класс",
        "Үсөнбаева Айгүл, мать",
        "ОТРЫВНОЙ ТАЛОН",
        f"к направлению № {number}",
    ):
        assert expected in found
    assert "ЖОЛДОМО" not in found
    assert document.file_name == f"Направление {number.replace('/', '-')}.pdf"


def test_a_kyrgyz_referral_is_in_kyrgyz_and_a_bilingual_one_puts_kyrgyz_first(office: PrintOffice) -> None:
    referral_id, _ = issued_referral(office)
    kyrgyz = text(make_document(office.db, office.actor, Target("referral", referral_id), "ky").pdf)
    assert "ЖОЛДОМО" in kyrgyz and "Токтогул атындагы № 3 мектеп" in kyrgyz
    assert "НАПРАВЛЕНИЕ" not in kyrgyz and "АЙРЫЛМА ТАЛОН" in kyrgyz
    both = text(make_document(office.db, office.actor, Target("referral", referral_id), "both").pdf)
    assert both.index("ЖОЛДОМО") < both.index("НАПРАВЛЕНИЕ")
    assert "Бала (аты-жөнү) / Ребёнок (ФИО)" in both


def test_the_fonts_are_embedded_and_the_text_stays_on_the_page(office: PrintOffice) -> None:
    referral_id, _ = issued_referral(office)
    pdf = make_document(office.db, office.actor, Target("referral", referral_id), "both").pdf
    used = fonts(pdf)
    assert used and all(used.values())
    assert any("LiberationSerif" in name for name in used)
    assert chars_outside(pdf, margin=20) == []


def test_without_personal_data_the_referral_names_no_child(office: PrintOffice) -> None:
    referral_id, _ = issued_referral(office, personal=False)
    found = text(make_document(office.db, office.actor, Target("referral", referral_id), "ru").pdf)
    assert "Персональные данные с этим направлением не передаются." in found
    assert "Үсөнбаева Ңурзат" not in found and "12020201500123" not in found


def test_a_draft_referral_is_not_printed(office: PrintOffice) -> None:
    draft_id = create_referral(
        office.db,
        office.actor,
        ReferralInput(office.organisation_id, "education", reason="Не посещает школу"),
        case_id=office.case_id,
    )
    with pytest.raises(DomainError) as caught:
        make_document(office.db, office.actor, Target("referral", draft_id), "ru")
    assert "выданное" in str(caught.value)


def test_a_printed_referral_is_in_the_audit_log_and_the_cases_documents(office: PrintOffice) -> None:
    referral_id, number = issued_referral(office)
    document = make_document(office.db, office.actor, Target("referral", referral_id), "ky")
    record_print(office.db, office.actor, document, destination="pdf")
    with office.db.reading() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "document.save")).one()
        assert (entry.entity, entry.entity_id) == (Referral.__tablename__, referral_id)
    documents = case_documents(office.db, office.actor, office.case_id)
    assert [(d.document, d.number, d.language) for d in documents] == [("Направление", number, "Кыргызский")]


def test_a_referral_fits_on_one_page_with_its_slip(office: PrintOffice) -> None:
    referral_id, _ = issued_referral(office)
    pages = pages_text(make_document(office.db, office.actor, Target("referral", referral_id), "ru").pdf)
    assert len(pages) == 1
    assert "Страница 1 из 1" in pages[0]


def test_the_command_finds_the_referral_by_its_number(office: PrintOffice) -> None:
    _, number = issued_referral(office)
    document = make_document(office.db, office.actor, Target("referral", options={"number": number}), "ru")
    assert f"к направлению № {number}" in text(document.pdf)
    with pytest.raises(DomainError) as caught:
        make_document(office.db, office.actor, Target("referral", options={"number": "99/1999"}), "ru")
    assert "99/1999" in str(caught.value)


def test_a_reason_longer_than_a_page_flows_onto_the_next_page(office: PrintOffice) -> None:
    reason = "Ребёнок не посещает школу с сентября, семья Ёлкиных не отвечает на звонки. " * 110
    referral_id, _ = issued_referral(office, reason=reason)
    document = make_document(office.db, office.actor, Target("referral", referral_id), "ru")
    assert document.pages >= 3
    assert chars_outside(document.pdf, margin=20) == []
    assert text(document.pdf).count("семья Ёлкиных") == 110
