"""age encryption of upload packages (X25519 recipients), through pyrage.

A package is encrypted to the public keys (``age1…``) configured in the exchange settings; the
Ministry decrypts it with its private key, with this program or with the standard tool:
``age -d -i key.txt package.zip.age > package.zip``. Key files are written in age-keygen's format.
pyrage is imported inside the functions: the GUI does not load it at start-up.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from models.exchange.format import PackageDamaged, PackageRefused
from models.i18n import _

IDENTITY_FILE = "bala-korgoo-identity.txt"
RECIPIENT_FILE = "bala-korgoo-recipient.txt"
_RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")
_AGE_HEADER = b"age-encryption.org/v1\n"


class KeyRefused(PackageRefused):
    """A key that is not a valid age key, or that does not open the package."""


@dataclass(frozen=True)
class KeyPair:
    """A generated key pair: the private key file, the public key file and the public key itself."""

    identity_path: Path
    recipient_path: Path
    recipient: str


def parse_recipient(text: str) -> str:
    """A public key as typed or pasted (``age1…``), checked; raises :class:`KeyRefused` otherwise."""
    from pyrage import RecipientError, x25519

    key = text.strip()
    if not _RECIPIENT.fullmatch(key):
        raise KeyRefused(
            _("{key} is not an age public key (it starts with age1 and has 62 characters).", key=key)
        )
    try:
        x25519.Recipient.from_str(key)
    except RecipientError as exc:
        raise KeyRefused(
            _("{key} is not a valid age public key: {reason}", key=key, reason=str(exc))
        ) from exc
    return key


def _write_new(path: Path, text: str, mode: int) -> None:
    """Write *text* to a new file with *mode*, never replacing an existing one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w", encoding="ascii", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def generate_keys(out_dir: Path) -> KeyPair:
    """Make a new key pair in *out_dir*: the private key (mode 0600) and the public key, as age-keygen does.

    Refused when either file already exists: a private key is never overwritten.
    """
    from pyrage import x25519

    out_dir = out_dir.expanduser().absolute()
    if not out_dir.is_dir():
        raise KeyRefused(
            _("The folder {folder} does not exist; create it or choose another.", folder=str(out_dir))
        )
    identity_path = out_dir / IDENTITY_FILE
    recipient_path = out_dir / RECIPIENT_FILE
    for path in (identity_path, recipient_path):
        if path.exists():
            raise KeyRefused(_("{path} already exists; a key file is never overwritten.", path=str(path)))
    identity = x25519.Identity.generate()
    recipient = str(identity.to_public())
    created = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    _write_new(
        identity_path,
        f"# created: {created}\n# public key: {recipient}\n{identity}\n",
        0o600,
    )
    try:
        _write_new(recipient_path, recipient + "\n", 0o644)
    except BaseException:
        identity_path.unlink()
        raise
    return KeyPair(identity_path, recipient_path, recipient)


def is_encrypted(data: bytes) -> bool:
    """Whether *data* is an age file (binary format)."""
    return data.startswith(_AGE_HEADER)


def encrypt(data: bytes, recipients: Sequence[str]) -> bytes:
    """*data* encrypted to every public key in *recipients* (binary age format)."""
    import pyrage
    from pyrage import x25519

    if not recipients:
        raise KeyRefused(_("No public key to encrypt to."))
    keys = [x25519.Recipient.from_str(parse_recipient(key)) for key in recipients]
    try:
        return bytes(pyrage.encrypt(data, keys))
    except pyrage.EncryptError as exc:
        raise KeyRefused(_("The package could not be encrypted: {reason}", reason=str(exc))) from exc


def _identities(identity_text: str) -> list[object]:
    from pyrage import IdentityError, x25519

    identities: list[object] = []
    for line in identity_text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(x25519.Identity.from_str(line))
        except IdentityError as exc:
            raise KeyRefused(
                _("The key file does not hold an age private key: {reason}", reason=str(exc))
            ) from exc
    if not identities:
        raise KeyRefused(_("The key file does not hold an age private key (AGE-SECRET-KEY-1…)."))
    return identities


def decrypt(data: bytes, identity_text: str) -> bytes:
    """*data* decrypted with the private key(s) in *identity_text* (the contents of a key file)."""
    import pyrage

    identities = _identities(identity_text)
    try:
        return bytes(pyrage.decrypt(data, identities))
    except pyrage.DecryptError as exc:
        if "No matching keys" in str(exc):
            raise KeyRefused(
                _("The package is encrypted for another key; it cannot be opened with this private key.")
            ) from exc
        raise PackageDamaged(
            _(
                "The package could not be decrypted; the file is damaged or incomplete ({reason}).",
                reason=str(exc),
            )
        ) from exc
