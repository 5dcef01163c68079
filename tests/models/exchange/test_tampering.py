"""A package that is damaged, changed, encrypted for someone else or not for this program is refused whole."""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from models.database import Database
from models.exchange import crypto
from models.exchange.format import (
    PackageDamaged,
    PackageDepersonalized,
    PackageRefused,
    PackageVersionRefused,
)
from models.exchange.importer import import_package
from models.exchange.reader import PackageKeyRefused
from models.exchange.writer import export_package
from models.i18n import gettext
from models.services.base import Actor

from tests.models.exchange.importing import consolidation_db, fingerprint

PERSONS = "data/persons.jsonl"


@pytest.fixture
def target(tmp_path: Path) -> Iterator[tuple[Database, Actor]]:
    db, admin = consolidation_db(tmp_path / "region.sqlite")
    yield db, admin
    db.dispose()


@pytest.fixture
def package(office_db: Database, office_admin: Actor, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    return export_package(office_db, office_admin, out, full=True, plaintext=True).path


def _rewrite(
    source: Path, target: Path, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes]
) -> Path:
    """A copy of the zip with members changed by *change* (None drops one) and *extra* members added."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for name in original.namelist():
            data = change(name, original.read(name))
            if data is not None:
                copy.writestr(name, data)
        for name, data in extra.items():
            copy.writestr(name, data)
    return target


def _with_manifest(source: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    def change(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return _rewrite(source, source.with_name("edited.zip"), change, {})


def _refused(db: Database, admin: Actor, path: Path, error: type[PackageRefused], **kwargs: Any) -> str:
    """Import *path*, expecting *error*; checks the database is unchanged and returns the message."""
    before = fingerprint(db)
    with pytest.raises(error) as refused:
        import_package(db, admin, path, **kwargs)
    assert fingerprint(db) == before
    return str(refused.value)


def _changed_message(member: str) -> str:
    return gettext("The package was changed after it was made (member {member}).").format(member=member)


def test_one_changed_byte_in_a_member_is_detected(package: Path, target: tuple[Database, Actor]) -> None:
    def change(name: str, data: bytes) -> bytes:
        return data.replace("Ңурзат".encode(), "Нурзат".encode(), 1) if name == PERSONS else data

    edited = _rewrite(package, package.with_name("edited.zip"), change, {})

    assert _refused(*target, edited, PackageDamaged) == _changed_message(PERSONS)


def test_a_flipped_byte_in_the_compressed_data_is_detected(
    package: Path, target: tuple[Database, Actor]
) -> None:
    with zipfile.ZipFile(package) as archive:
        info = archive.getinfo(PERSONS)
    data = bytearray(package.read_bytes())
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_length + extra_length
    data[start + info.compress_size // 2] ^= 0x01
    package.write_bytes(bytes(data))

    assert _refused(*target, package, PackageDamaged) == _changed_message(PERSONS)


def test_a_truncated_package_is_refused(package: Path, target: tuple[Database, Actor]) -> None:
    package.write_bytes(package.read_bytes()[: package.stat().st_size // 2])

    message = _refused(*target, package, PackageDamaged)

    assert message == gettext(
        "{name} is not a whole Bala Korgoo package: it is damaged or cut short."
    ).format(name=package.name)


def test_an_extra_member_is_refused(package: Path, target: tuple[Database, Actor]) -> None:
    edited = _rewrite(
        package, package.with_name("edited.zip"), lambda _n, d: d, {"data/extra.jsonl": b"{}\n"}
    )

    assert _refused(*target, edited, PackageDamaged) == gettext(
        "The package holds a file that does not belong to it ({member})."
    ).format(member="data/extra.jsonl")


def test_a_missing_member_is_refused(package: Path, target: tuple[Database, Actor]) -> None:
    edited = _rewrite(package, package.with_name("edited.zip"), lambda n, d: None if n == PERSONS else d, {})

    assert _refused(*target, edited, PackageDamaged) == gettext(
        "The package is missing a file ({member})."
    ).format(member=PERSONS)


def test_an_edited_count_in_the_manifest_is_refused(package: Path, target: tuple[Database, Actor]) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["counts"]["persons"]["records"] += 1

    assert _refused(*target, _with_manifest(package, edit), PackageDamaged) == gettext(
        "The package's manifest does not match its data (member {member})."
    ).format(member=PERSONS)


def test_an_edited_checksum_in_the_manifest_is_refused(package: Path, target: tuple[Database, Actor]) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["members"][PERSONS]["sha256"] = "0" * 64

    assert _refused(*target, _with_manifest(package, edit), PackageDamaged) == _changed_message(PERSONS)


def test_an_older_format_is_refused(package: Path, target: tuple[Database, Actor]) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["format_version"] = 0

    message = _refused(*target, _with_manifest(package, edit), PackageVersionRefused)

    assert message == gettext(
        "The package is in an older format ({version}) that this version of Bala Korgoo no longer reads."
    ).format(version=0)


def test_a_newer_format_is_refused(package: Path, target: tuple[Database, Actor]) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["format_version"] = 2

    assert "2" in _refused(*target, _with_manifest(package, edit), PackageVersionRefused)


def test_a_package_from_a_newer_schema_is_refused(package: Path, target: tuple[Database, Actor]) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["schema_version"] = "0099_future"

    message = _refused(*target, _with_manifest(package, edit), PackageVersionRefused)

    assert message == gettext(
        "The package was made by a newer version of Bala Korgoo (schema {revision}); "
        "install the newer version to import it."
    ).format(revision="0099_future")


def test_a_depersonalised_package_is_refused(
    office_db: Database, office_admin: Actor, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    out = tmp_path / "dep"
    out.mkdir()
    made = export_package(office_db, office_admin, out, full=True, depersonalized=True, plaintext=True)

    message = _refused(*target, made.path, PackageDepersonalized)

    assert message == gettext(
        "This is a depersonalised package for statistics; it cannot be imported into a case database."
    )


def _encrypted(package: Path, tmp_path: Path) -> tuple[Path, crypto.KeyPair]:
    (tmp_path / "keys").mkdir()
    keys = crypto.generate_keys(tmp_path / "keys")
    sealed = package.with_name(package.name + ".age")
    sealed.write_bytes(crypto.encrypt(package.read_bytes(), [keys.recipient]))
    return sealed, keys


def test_an_encrypted_package_without_a_key_asks_for_the_key_file(
    package: Path, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    sealed, _keys = _encrypted(package, tmp_path)

    assert _refused(*target, sealed, PackageKeyRefused) == gettext(
        "This package is encrypted; choose the private key file."
    )


def test_an_encrypted_package_with_the_wrong_key_is_refused(
    package: Path, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    sealed, _keys = _encrypted(package, tmp_path)
    (tmp_path / "other").mkdir()
    other = crypto.generate_keys(tmp_path / "other")

    message = _refused(*target, sealed, crypto.KeyRefused, identity=other.identity_path)

    assert message == gettext(
        "The package is encrypted for another key; it cannot be opened with this private key."
    )


def test_an_encrypted_package_opens_with_its_key(
    package: Path, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    sealed, keys = _encrypted(package, tmp_path)

    result = import_package(*target, sealed, identity=keys.identity_path)

    assert result.counts["persons"]["inserted"] > 0


def test_a_member_listed_in_the_manifest_that_is_no_record_type_is_refused(
    package: Path, target: tuple[Database, Actor]
) -> None:
    extra = b"{}\n"

    def change(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        digest = hashlib.sha256(extra).hexdigest()
        manifest["members"]["data/extra.jsonl"] = {"sha256": digest, "size": len(extra), "lines": 1}
        return json.dumps(manifest).encode()

    edited = _rewrite(package, package.with_name("edited.zip"), change, {"data/extra.jsonl": extra})

    assert _refused(*target, edited, PackageDamaged) == gettext(
        "The package holds a file that does not belong to it ({member})."
    ).format(member="data/extra.jsonl")
