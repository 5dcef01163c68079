"""age keys and encryption: files the standard tool accepts, round trips, wrong and damaged input."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from models.database import Database
from models.errors import PermissionDenied
from models.exchange import format as fmt
from models.exchange.crypto import (
    IDENTITY_FILE,
    RECIPIENT_FILE,
    KeyRefused,
    decrypt,
    encrypt,
    generate_keys,
    is_encrypted,
    parse_recipient,
)
from models.exchange.settings import (
    IDENTITY_FILE_KEY,
    RECIPIENTS_KEY,
    identity_file,
    recipients,
    set_exchange_settings,
)
from models.i18n import gettext
from models.services.base import Actor

from tests.models.exchange.conftest import require_age_tool, sign_in

PAYLOAD = "Үсөнбаева Ңурзат, ПИН 10102201512345".encode()


def test_generated_private_key_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    pair = generate_keys(tmp_path)
    assert pair.identity_path == tmp_path / IDENTITY_FILE
    assert pair.identity_path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / RECIPIENT_FILE).read_text().strip() == pair.recipient


def test_age_tool_accepts_the_generated_key_files(tmp_path: Path) -> None:
    age = require_age_tool()
    pair = generate_keys(tmp_path)
    plain, sealed = tmp_path / "plain.txt", tmp_path / "plain.txt.age"
    plain.write_bytes(PAYLOAD)
    subprocess.run([age, "-R", str(pair.recipient_path), "-o", str(sealed), str(plain)], check=True)
    opened = subprocess.run(
        [age, "-d", "-i", str(pair.identity_path), str(sealed)], check=True, capture_output=True
    )
    assert opened.stdout == PAYLOAD


def test_what_the_age_tool_encrypts_opens_here(tmp_path: Path) -> None:
    age = require_age_tool()
    pair = generate_keys(tmp_path)
    sealed = subprocess.run(
        [age, "-r", pair.recipient], input=PAYLOAD, check=True, capture_output=True
    ).stdout
    assert decrypt(sealed, pair.identity_path.read_text()) == PAYLOAD


def test_key_files_are_never_overwritten(tmp_path: Path) -> None:
    first = generate_keys(tmp_path)
    identity = first.identity_path.read_text()
    with pytest.raises(KeyRefused):
        generate_keys(tmp_path)
    assert first.identity_path.read_text() == identity


def test_encrypted_data_opens_with_the_private_key(tmp_path: Path) -> None:
    pair = generate_keys(tmp_path)
    sealed = encrypt(PAYLOAD, [pair.recipient])
    assert is_encrypted(sealed) and PAYLOAD not in sealed
    assert decrypt(sealed, pair.identity_path.read_text()) == PAYLOAD


def test_another_private_key_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    sealed = encrypt(PAYLOAD, [generate_keys(ours).recipient])
    with pytest.raises(KeyRefused) as refused:
        decrypt(sealed, generate_keys(theirs).identity_path.read_text())
    assert str(refused.value) == gettext(
        "The package is encrypted for another key; it cannot be opened with this private key."
    )


def test_truncated_encrypted_data_is_reported_as_damaged(tmp_path: Path) -> None:
    pair = generate_keys(tmp_path)
    sealed = encrypt(PAYLOAD * 100, [pair.recipient])
    with pytest.raises(fmt.PackageDamaged):
        decrypt(sealed[: len(sealed) - 20], pair.identity_path.read_text())


def test_file_without_a_private_key_is_refused() -> None:
    with pytest.raises(KeyRefused):
        decrypt(b"age-encryption.org/v1\n", "# only a comment\n")


@pytest.mark.parametrize("text", ["", "age1", "AGE-SECRET-KEY-1ABC", "age1" + "b" * 58])
def test_text_that_is_not_a_public_key_is_refused(text: str) -> None:
    with pytest.raises(KeyRefused):
        parse_recipient(text)


def test_public_key_is_accepted_with_surrounding_spaces(tmp_path: Path) -> None:
    recipient = generate_keys(tmp_path).recipient
    assert parse_recipient(f"  {recipient}\n") == recipient


# --- exchange settings ------------------------------------------------------------------------


def test_configured_keys_and_identity_file_are_read_back(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    pair = generate_keys(tmp_path)
    changed = set_exchange_settings(
        office_db, office_admin, recipients=[f" {pair.recipient} "], identity_file=pair.identity_path
    )
    assert changed == [RECIPIENTS_KEY, IDENTITY_FILE_KEY]
    with office_db.reading() as session:
        assert recipients(session) == [pair.recipient]
        assert identity_file(session) == pair.identity_path


def test_a_bad_public_key_is_refused_and_nothing_is_saved(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    pair = generate_keys(tmp_path)
    with pytest.raises(KeyRefused):
        set_exchange_settings(
            office_db, office_admin, recipients=[pair.recipient, "age1oops"], identity_file=None
        )
    with office_db.reading() as session:
        assert recipients(session) == []


def test_only_a_role_that_changes_settings_may_configure_keys(office_db: Database, tmp_path: Path) -> None:
    head = sign_in(office_db, ("head", "demo-head-1"))
    with pytest.raises(PermissionDenied):
        set_exchange_settings(
            office_db, head, recipients=[generate_keys(tmp_path).recipient], identity_file=None
        )
