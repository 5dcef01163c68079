"""Documents printed one after another, as a batch print makes them: each reads its own data afresh,
and what one document remembers to go faster (font subsets, wrapped labels) never shows in another."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

from models.services.kdd import ItemInput, add_item
from models.services.settings import get_office, update_office

from reports.catalog import Target, make_document

from tests.models.helpers import child_case
from tests.reports.conftest import TODAY, PrintOffice, add_named_child
from tests.reports.pdf import fonts, text
from tests.reports.test_kdd_papers import meeting


def notice_text(office: PrintOffice, item_id: uuid.UUID, lang: str = "ru") -> str:
    """The text of the notices of *item_id*, checking that their fonts are embedded."""
    document = make_document(office.db, office.actor, Target("kdd-notice", item_id), lang)
    assert all(fonts(document.pdf).values()), "a font is not embedded"
    return text(document.pdf)


def test_a_notice_printed_after_the_office_changes_its_phone_shows_the_new_phone(office: PrintOffice) -> None:
    planned = meeting(office)
    details = get_office(office.db, office.actor).details
    update_office(office.db, office.actor, dataclasses.replace(details, phone="+996 3134 5-12-34"))
    assert "+996 3134 5-12-34" in notice_text(office, planned.item_id)
    update_office(office.db, office.actor, dataclasses.replace(details, phone="+996 555 77-88-99"))
    found = notice_text(office, planned.item_id)
    assert "+996 555 77-88-99" in found and "5-12-34" not in found


def test_the_notice_of_the_second_item_carries_the_items_place_on_the_agenda(office: PrintOffice) -> None:
    planned = meeting(office)
    other = child_case(office.db, office.actor, TODAY - timedelta(days=5))
    second = add_item(
        office.db,
        office.actor,
        planned.id,
        ItemInput("О жилищно-бытовых условиях семьи", other.id, parent_invited=True),
    )
    document = make_document(office.db, office.actor, Target("kdd-notice", second), "ru")
    assert document.number == f"{planned.number}/2"
    assert "О жилищно-бытовых условиях семьи" in text(document.pdf)


def test_a_name_in_rarer_letters_prints_between_ordinary_notices(office: PrintOffice) -> None:
    ordinary = meeting(office)
    child_id = add_named_child(office.db, "Şahin-Ñúñez", "Ölmez", "Ğaliyevna")
    case = child_case(office.db, office.actor, TODAY - timedelta(days=10), child_id=child_id)
    rare = meeting(dataclasses.replace(office, child_id=child_id, case_id=case.id, case_number=case.number))
    before = notice_text(office, ordinary.item_id, "both")
    found = notice_text(office, rare.item_id, "both")
    after = notice_text(office, ordinary.item_id, "both")
    assert "Şahin-Ñúñez Ölmez Ğaliyevna" in found
    assert "Үсөнбаева Ңурзат Ёлкиновна" in before and before == after
