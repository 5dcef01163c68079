"""Writing upload packages: members and checksums, full and incremental, streams, encryption, refusals."""

from __future__ import annotations

import hashlib
import json
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from models.database import Database
from models.errors import PermissionDenied
from models.exchange import format as fmt
from models.exchange.crypto import decrypt, generate_keys
from models.exchange.settings import set_exchange_settings
from models.exchange.writer import ExportCancelled, PackageMade, export_package, sent_packages
from models.i18n import gettext
from models.orm import AuditEntry, ExchangePackage
from models.services.base import Actor
from models.services.people import get_person, remove_household_member, update_person
from models.services.users import disable_user

from tests.models.exchange.conftest import Office, birth_dates, personal_values, require_age_tool, sign_in


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def lines(path: Path, record_type: str) -> list[dict[str, Any]]:
    text = members(path)[fmt.member_name(record_type)].decode()
    return [json.loads(line) for line in text.splitlines()]


def by_id(path: Path, record_type: str) -> dict[str, dict[str, Any]]:
    return {line["id"]: line for line in lines(path, record_type)}


def export(db: Database, actor: Actor, out: Path, **options: Any) -> PackageMade:
    options.setdefault("plaintext", True)
    return export_package(db, actor, out, **options)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The folder packages are written to (the office database lives next to it)."""
    folder = tmp_path / "packages"
    folder.mkdir()
    return folder


def package_rows(db: Database) -> int:
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(ExchangePackage)) or 0)


# --- members, manifest and checksums --------------------------------------------------------


def test_full_package_has_the_manifest_first_then_one_member_per_record_type(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out)
    with zipfile.ZipFile(made.path) as archive:
        assert archive.namelist() == [fmt.MANIFEST_MEMBER, *fmt.MEMBER_NAMES]
        assert archive.testzip() is None


def test_manifest_lists_the_sha256_size_and_lines_of_every_member(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out)
    contents = members(made.path)
    manifest = json.loads(contents.pop(fmt.MANIFEST_MEMBER))
    assert set(manifest["members"]) == set(contents)
    for name, data in contents.items():
        expected = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "lines": data.count(b"\n")}
        assert manifest["members"][name] == expected, name


def test_manifest_names_the_office_stream_and_changes(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out)
    manifest = json.loads(members(made.path)[fmt.MANIFEST_MEMBER])
    assert manifest["format"] == fmt.FORMAT_NAME
    assert manifest["format_version"] == fmt.FORMAT_VERSION
    assert manifest["schema_version"] == "0008"
    assert manifest["office"]["district_code"] == "41708222"
    assert (manifest["kind"], manifest["sequence"], manifest["previous_sequence"]) == ("full", 1, None)
    assert manifest["changes_through"] == made.changes_through > 0
    assert manifest["created_by"] == "admin"
    assert manifest["counts"] == made.counts


def test_counts_are_the_live_records_and_tombstones_of_each_type(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out)
    for record_type in fmt.RECORD_TYPES:
        found = lines(made.path, record_type)
        live = sum(1 for line in found if "data" in line)
        assert made.counts[record_type] == {"records": live, "deleted": len(found) - live}
    assert made.counts["persons"]["deleted"] == 1


# --- what lines hold ------------------------------------------------------------------------


def test_person_line_holds_the_columns_with_codes_iso_dates_and_no_search_keys(
    office: Office, office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out)
    data = by_id(made.path, "persons")[str(office.new_child_id)]["data"]
    assert (data["last_name"], data["first_name"], data["patronymic"]) == ("Үсөнбаева", "Ңурзат", "Ёлкиновна")
    assert data["birth_date"] == "2015-02-01"
    assert data["school"] == "№ 3"
    assert data["version"] == 2
    assert data["created_at"].endswith("Z")
    assert "last_name_key" not in data and "id" not in data and "deleted_at" not in data
    assert "pin" not in data  # NULL columns are left out


def test_admin_unit_references_travel_as_soate_codes(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out)
    case = lines(made.path, "cases")[0]["data"]
    assert case["district_code"] == "41708222"
    assert "district_id" not in case
    units = by_id(made.path, "admin_units")
    assert any(line["data"].get("code") == "41708222" for line in units.values())


def test_users_travel_without_passwords_or_sign_in_state(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out)
    for line in lines(made.path, "users"):
        assert set(line["data"]) <= {*fmt.USER_COLUMNS, *fmt.METADATA_COLUMNS}
    assert b"argon2" not in members(made.path)[fmt.member_name("users")]


def test_sub_records_and_associations_travel_inside_their_parent(
    office: Office, office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out)
    meeting = lines(made.path, "kdd_meetings")[0]["data"]
    item = meeting["agenda_items"][0]["data"]
    assert "meeting_id" not in item
    assert item["decisions"][0]["data"]["text"]
    report = lines(made.path, "reports")[0]["data"]
    assert report["children"] == sorted(report["children"])
    households = lines(made.path, "households")
    removed = [
        member
        for household in households
        for member in household["data"].get("members", [])
        if member["id"] == str(office.removed_member_id)
    ]
    assert removed == [
        {"id": str(office.removed_member_id), "deleted_at": removed[0]["deleted_at"], "version": 2}
    ]


def test_decimal_travels_as_a_string_with_its_scale_and_acts_carry_their_commission(
    office: Office, office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out)
    data = by_id(made.path, "housing_acts")[str(office.housing_act_id)]["data"]
    assert data["area_m2"] == "45.50"
    assert [member["data"]["full_name"] for member in data["members"]] == ["Ёлкин Нурбек"]


def test_soft_deleted_record_is_a_tombstone_without_data(
    office: Office, office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out)
    line = by_id(made.path, "persons")[str(office.deleted_child_id)]
    assert set(line) == {"id", "deleted_at", "version"}
    assert line["deleted_at"].endswith("Z")


# --- full and incremental; sequences --------------------------------------------------------


def test_first_package_of_a_stream_is_full_even_when_incremental_was_asked(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out, full=False)
    assert (made.kind, made.sequence) == ("full", 1)
    assert made.path.name == "bk-41708222-000001-full.zip"


def test_next_package_is_incremental_and_follows_the_previous(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    export(office_db, office_admin, out)
    made = export(office_db, office_admin, out)
    manifest = json.loads(members(made.path)[fmt.MANIFEST_MEMBER])
    assert (made.kind, manifest["sequence"], manifest["previous_sequence"]) == ("incremental", 2, 1)
    assert made.path.name == "bk-41708222-000002-incremental.zip"


def test_incremental_holds_exactly_the_records_changed_since_the_previous_package(
    office: Office, office_db: Database, office_admin: Actor, out: Path
) -> None:
    export(office_db, office_admin, out)
    details = get_person(office_db, office_admin, office.new_child_id)
    update_person(
        office_db, office_admin, office.new_child_id, replace(details.data, school="Гимназия № 5"), 2
    )
    made = export(office_db, office_admin, out)
    persons = lines(made.path, "persons")
    assert [line["id"] for line in persons] == [str(office.new_child_id)]
    assert persons[0]["data"]["school"] == "Гимназия № 5"
    assert sum(c["records"] + c["deleted"] for c in made.counts.values()) == 1


def test_changed_sub_record_resends_its_parent_whole(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    first = export(office_db, office_admin, out)
    household = next(
        h
        for h in lines(first.path, "households")
        if sum("data" in m for m in h["data"].get("members", [])) >= 2  # two members not removed
    )
    member_id = next(m["id"] for m in household["data"]["members"] if "data" in m)
    remove_household_member(office_db, office_admin, fmt.parse_uuid(member_id))
    made = export(office_db, office_admin, out)
    [resent] = lines(made.path, "households")
    assert resent["id"] == household["id"]
    sent_members = {m["id"]: m for m in resent["data"]["members"]}
    assert set(sent_members) == {m["id"] for m in household["data"]["members"]}
    assert "deleted_at" in sent_members[member_id]


def test_full_package_after_others_holds_everything_and_continues_the_sequence(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    first = export(office_db, office_admin, out)
    export(office_db, office_admin, out)
    made = export(office_db, office_admin, out, full=True)
    assert (made.kind, made.sequence) == ("full", 3)
    assert made.counts == first.counts


def test_depersonalised_packages_have_a_sequence_of_their_own(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    export(office_db, office_admin, out)
    made = export(office_db, office_admin, out, depersonalized=True)
    assert (made.sequence, made.kind, made.depersonalized) == (1, "full", True)
    assert made.path.name == "bk-41708222-000001-full-depersonalized.zip"


def test_written_packages_are_recorded_for_the_history(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out)
    with office_db.reading() as session:
        [row] = sent_packages(session)
        manifest = members(made.path)[fmt.MANIFEST_MEMBER]
        assert row.manifest_sha256 == hashlib.sha256(manifest).hexdigest()
        assert (row.direction, row.stream, row.sequence, row.file_name) == (
            "out",
            "personal",
            1,
            made.path.name,
        )
        assert row.changes_through == made.changes_through


# --- depersonalised -------------------------------------------------------------------------


def test_depersonalised_package_reveals_no_names_pins_addresses_or_phones(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out, depersonalized=True, plaintext=False)
    contents = b"".join(members(made.path).values()).decode()
    secrets = personal_values(office_db)
    assert len(secrets) > 100
    leaked = sorted(value for value in secrets if value in contents)
    assert leaked == []


def test_depersonalised_package_has_no_birth_date_of_anyone(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out, depersonalized=True)
    births = birth_dates(office_db)
    persons = lines(made.path, "persons")
    assert len(persons) == len(births) > 40
    for line in persons:
        assert births[fmt.parse_uuid(line["id"])].isoformat() not in json.dumps(line)


def test_depersonalised_person_has_an_age_instead_of_a_birth_date(
    office: Office, office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export(office_db, office_admin, out, depersonalized=True)
    data = by_id(made.path, "persons")[str(office.new_child_id)]["data"]
    assert "birth_date" not in data and "last_name" not in data
    assert data["age_years"] == fmt.age_on(fmt.parse_date("2015-02-01"), made_on(made))


def made_on(made: PackageMade) -> Any:
    manifest = json.loads(members(made.path)[fmt.MANIFEST_MEMBER])
    return fmt.parse_datetime(manifest["created_at"]).date()


# --- encryption -----------------------------------------------------------------------------


def test_personal_package_without_a_key_is_refused_and_nothing_is_written(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(fmt.EncryptionRequired) as refused:
        export_package(office_db, office_admin, out)
    assert str(refused.value).startswith(
        gettext(
            "No public key to encrypt the package to is configured, and the package holds personal data. "
            "Configure the recipient's public key in the exchange settings, or choose explicitly to write "
            "the package unencrypted."
        )[:40]
    )
    assert list(out.iterdir()) == []
    assert package_rows(office_db) == 0


def test_plaintext_choice_is_recorded_in_the_audit_log(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    export(office_db, office_admin, out, plaintext=True)
    with office_db.reading() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "package.export")).one()
    details = json.loads(entry.details)
    assert (details["plaintext"], details["plaintext_chosen"], details["encrypted"]) == (True, True, False)


def configure_key(db: Database, actor: Actor, keys_dir: Path) -> Path:
    keys_dir.mkdir()
    pair = generate_keys(keys_dir)
    set_exchange_settings(db, actor, recipients=[pair.recipient], identity_file=None)
    return pair.identity_path


def test_package_is_encrypted_to_the_configured_key_and_age_decrypts_it(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    age = require_age_tool()
    identity = configure_key(office_db, office_admin, tmp_path / "keys")
    out = tmp_path / "out"
    out.mkdir()
    made = export_package(office_db, office_admin, out)
    assert made.encrypted and made.path.name.endswith(".zip.age")
    assert "Үсөнбаева".encode() not in made.path.read_bytes()
    decrypted = tmp_path / "package.zip"
    subprocess.run([age, "-d", "-i", str(identity), "-o", str(decrypted), str(made.path)], check=True)
    with zipfile.ZipFile(decrypted) as archive:
        assert archive.namelist()[0] == fmt.MANIFEST_MEMBER
    assert decrypt(made.path.read_bytes(), identity.read_text()) == decrypted.read_bytes()


def test_plaintext_chosen_with_a_key_configured_writes_a_plain_zip(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    configure_key(office_db, office_admin, tmp_path / "keys")
    made = export(office_db, office_admin, tmp_path / "keys", plaintext=True)
    assert not made.encrypted
    assert zipfile.is_zipfile(made.path)


def test_depersonalised_package_without_a_key_is_written_in_the_clear(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    made = export_package(office_db, office_admin, out, depersonalized=True)
    assert not made.encrypted and zipfile.is_zipfile(made.path)


# --- refusals and atomicity -----------------------------------------------------------------


def test_role_without_export_permission_is_refused(office_db: Database, out: Path) -> None:
    social_worker = sign_in(office_db, ("cholpon", "demo-sw-1"))
    with pytest.raises(PermissionDenied):
        export(office_db, social_worker, out)
    assert list(out.iterdir()) == []


def test_missing_folder_is_refused(office_db: Database, office_admin: Actor, out: Path) -> None:
    with pytest.raises(fmt.PackageRefused, match=r"не существует|does not exist"):
        export(office_db, office_admin, out / "нет")


def test_existing_file_of_the_same_name_is_never_overwritten(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    existing = out / "bk-41708222-000001-full.zip"
    existing.write_bytes(b"keep me")
    with pytest.raises(fmt.PackageRefused):
        export(office_db, office_admin, out)
    assert existing.read_bytes() == b"keep me"
    assert package_rows(office_db) == 0


def test_cancelled_export_leaves_no_file_and_no_record(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    with pytest.raises(ExportCancelled):
        export(office_db, office_admin, out, cancelled=lambda: True)
    assert list(out.iterdir()) == []
    assert package_rows(office_db) == 0


def test_export_whose_recording_fails_removes_its_file(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    specialist = sign_in(office_db, ("aizada", "demo-spec-1"))

    def disable_the_exporter(done: int, total: int) -> None:
        if done == 0:
            disable_user(office_db, office_admin, "aizada")

    with pytest.raises(PermissionDenied):
        export(office_db, specialist, out, progress=disable_the_exporter)
    assert list(out.iterdir()) == []
    assert package_rows(office_db) == 0


def test_progress_counts_up_to_the_records_written(
    office_db: Database, office_admin: Actor, out: Path
) -> None:
    seen: list[tuple[int, int]] = []
    made = export(office_db, office_admin, out, progress=lambda done, total: seen.append((done, total)))
    total = sum(c["records"] + c["deleted"] for c in made.counts.values())
    assert seen[0] == (0, total) and seen[-1] == (total, total)
