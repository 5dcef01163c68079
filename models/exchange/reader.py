"""Opening a received upload package: decryption, the zip and manifest checks, and the lines.

Everything that can be checked before the database is touched is checked here: the age
encryption and its key, the zip's integrity, the member list and the SHA-256 of every member,
the manifest's shape, the format and schema versions, and that the package is not the
depersonalised variant. The data lines are then streamed member by member, never loaded whole.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from models.database import alembic_config
from models.exchange import format as fmt
from models.exchange.format import (
    MANIFEST_MEMBER,
    PackageDamaged,
    PackageDepersonalized,
    PackageRefused,
    PackageVersionRefused,
)
from models.i18n import _

AGE_HEADER = b"age-encryption.org/v1"
MANIFEST = MANIFEST_MEMBER
_CHUNK = 1 << 20


class PackageKeyRefused(PackageRefused):
    """The package is encrypted and no private key file was given, or it cannot be read."""


def _changed(member: str) -> PackageDamaged:
    return PackageDamaged(_("The package was changed after it was made (member {member}).", member=member))


@dataclass
class Package:
    """An opened, verified package; :meth:`lines` streams the records of one type."""

    file_name: str
    encrypted: bool
    manifest: Mapping[str, Any]
    manifest_sha256: str
    archive: zipfile.ZipFile
    source: IO[bytes]

    @property
    def district_code(self) -> str:
        return str(self.manifest["office"]["district_code"])

    @property
    def sequence(self) -> int:
        return int(self.manifest["sequence"])

    @property
    def previous_sequence(self) -> int | None:
        value = self.manifest["previous_sequence"]
        return None if value is None else int(value)

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        return {name: dict(value) for name, value in self.manifest["counts"].items()}

    def total_lines(self) -> int:
        return sum(int(member["lines"]) for member in self.manifest["members"].values())

    def lines(self, record_type: str) -> Iterator[dict[str, Any]]:
        """The JSON objects of one record type, in file order, read a chunk at a time."""
        member = fmt.member_name(record_type)
        try:
            with self.archive.open(member) as stream:
                pending = b""
                while chunk := stream.read(_CHUNK):
                    complete, newline, pending = (pending + chunk).rpartition(b"\n")
                    if not newline:
                        continue
                    for text in complete.decode("utf-8").split("\n"):
                        yield json.loads(text)
                if pending:
                    yield json.loads(pending.decode("utf-8"))
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
            raise _changed(member) from exc

    def close(self) -> None:
        self.archive.close()
        self.source.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(AGE_HEADER)) == AGE_HEADER


def _zip_source(path: Path, identity: Path | None) -> tuple[IO[bytes], bool]:
    """The zip bytes of *path*: the file itself, or its age payload decrypted with *identity*."""
    if not is_encrypted(path):
        return path.open("rb"), False
    if identity is None:
        raise PackageKeyRefused(_("This package is encrypted; choose the private key file."))
    try:
        identity_text = identity.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackageKeyRefused(_("The private key file {path} cannot be read.", path=str(identity))) from exc
    from models.exchange import crypto

    return io.BytesIO(crypto.decrypt(path.read_bytes(), identity_text)), True


def _open_zip(source: IO[bytes], name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        source.close()
        raise PackageDamaged(
            _("{name} is not a whole Bala Korgoo package: it is damaged or cut short.", name=name)
        ) from exc


def _check_shape(manifest: Any) -> None:
    """Plain checks of the manifest's keys and types (jsonschema is a development tool only)."""
    problem = _("The package's manifest is not valid; the package was changed or damaged.")
    if not isinstance(manifest, dict):
        raise PackageDamaged(problem)
    expected: dict[str, type | tuple[type, ...]] = {
        "schema_version": str,
        "office": dict,
        "kind": str,
        "depersonalized": bool,
        "sequence": int,
        "previous_sequence": (int, type(None)),
        "created_at": str,
        "counts": dict,
        "members": dict,
    }
    for key, kinds in expected.items():
        if not isinstance(manifest.get(key), kinds):
            raise PackageDamaged(problem)
    if not isinstance(manifest["office"].get("district_code"), str) or manifest["kind"] not in (
        "full",
        "incremental",
    ):
        raise PackageDamaged(problem)
    try:
        fmt.parse_datetime(manifest["created_at"])
    except ValueError as exc:
        raise PackageDamaged(problem) from exc
    for member in manifest["members"].values():
        if not (
            isinstance(member, dict)
            and isinstance(member.get("sha256"), str)
            and isinstance(member.get("lines"), int)
            and isinstance(member.get("size"), int)
        ):
            raise PackageDamaged(problem)
    for record_type in fmt.RECORD_TYPES:
        count = manifest["counts"].get(record_type)
        if not (
            isinstance(count, dict)
            and isinstance(count.get("records"), int)
            and isinstance(count.get("deleted"), int)
        ):
            raise PackageDamaged(problem)


def _check_versions(manifest: dict[str, Any]) -> None:
    version = manifest.get("format_version")
    if manifest.get("format") != fmt.FORMAT_NAME or not isinstance(version, int):
        raise PackageDamaged(_("The file is not a Bala Korgoo upload package."))
    if version < fmt.FORMAT_VERSION:
        raise PackageVersionRefused(
            _(
                "The package is in an older format ({version}) that this version of Bala Korgoo "
                "no longer reads.",
                version=version,
            )
        )
    if version > fmt.FORMAT_VERSION:
        raise PackageVersionRefused(
            _(
                "The package is in a newer format ({version}); install the newer version of Bala Korgoo "
                "to import it.",
                version=version,
            )
        )


def _check_schema(revision: str) -> None:
    try:
        known = ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise PackageVersionRefused(
            _(
                "The package was made by a newer version of Bala Korgoo (schema {revision}); "
                "install the newer version to import it.",
                revision=revision,
            )
        )


def _check_member(archive: zipfile.ZipFile, member: str, expected: Mapping[str, Any]) -> None:
    digest = hashlib.sha256()
    size = 0
    lines = 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                lines += chunk.count(b"\n")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _changed(member) from exc
    if digest.hexdigest() != expected["sha256"] or size != expected["size"] or lines != expected["lines"]:
        raise _changed(member)


def _check_members(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    names = archive.namelist()
    listed = set(manifest["members"])
    required = {fmt.member_name(t) for t in fmt.RECORD_TYPES}
    for name in sorted(listed - required) + names:
        if name != MANIFEST and (name not in listed or name not in required):
            raise PackageDamaged(
                _("The package holds a file that does not belong to it ({member}).", member=name)
            )
    if len(names) != len(set(names)):
        raise PackageDamaged(_("The package holds a file twice; it was changed after it was made."))
    for name in sorted(listed | required):
        if name not in names or name not in listed:
            raise PackageDamaged(_("The package is missing a file ({member}).", member=name))
    for record_type in fmt.RECORD_TYPES:
        member = fmt.member_name(record_type)
        count = manifest["counts"][record_type]
        if count["records"] + count["deleted"] != manifest["members"][member]["lines"]:
            raise PackageDamaged(
                _("The package's manifest does not match its data (member {member}).", member=member)
            )
    for name in names:
        if name != MANIFEST:
            _check_member(archive, name, manifest["members"][name])


def open_package(path: Path, identity: Path | None = None) -> Package:
    """Open and verify the package at *path*; raises :class:`PackageRefused` with the reason.

    Nothing is written anywhere; the caller closes the returned package.
    """
    try:
        source, encrypted = _zip_source(path, identity)
    except OSError as exc:
        raise PackageDamaged(_("The package {name} cannot be read.", name=path.name)) from exc
    archive = _open_zip(source, path.name)
    try:
        if MANIFEST not in archive.namelist():
            raise PackageDamaged(_("The package is missing a file ({member}).", member=MANIFEST))
        try:
            raw = archive.read(MANIFEST)
            manifest = json.loads(raw)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
            raise _changed(MANIFEST) from exc
        if not isinstance(manifest, dict):
            raise PackageDamaged(_("The file is not a Bala Korgoo upload package."))
        _check_versions(manifest)
        _check_shape(manifest)
        if manifest["depersonalized"]:
            raise PackageDepersonalized(
                _(
                    "This is a depersonalised package for statistics; it cannot be imported into "
                    "a case database."
                )
            )
        _check_schema(manifest["schema_version"])
        _check_members(archive, manifest)
    except BaseException:
        archive.close()
        source.close()
        raise
    return Package(path.name, encrypted, manifest, hashlib.sha256(raw).hexdigest(), archive, source)
