"""The exchange commands, run in-process: keys, export, import-package, and their refusals."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.database import open_database
from models.orm import ExchangePackage, Person

from desktop import cli

from tests.conftest import ADMIN_PASSWORD
from tests.desktop.test_cli import INIT, Cli

DEMO_ADMIN_PASSWORD = "demo-admin-1"
REGION_DISTRICT = "41702205"  # Ак-Суйский район: the consolidating office


def persons(path: Path) -> set[str]:
    """The full names of the people in the database at *path*."""
    database = open_database(path, create=False)
    try:
        with database.reading() as session:
            return {f"{p.last_name} {p.first_name}" for p in session.scalars(select(Person))}
    finally:
        database.dispose()


def packages_recorded(path: Path) -> int:
    database = open_database(path, create=False)
    try:
        with database.reading() as session:
            return session.scalar(select(func.count()).select_from(ExchangePackage)) or 0
    finally:
        database.dispose()


@pytest.fixture(autouse=True)
def _logs_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Crash logs go to the test's folder, never to the user's data directory."""
    monkeypatch.setattr(cli, "log_file", lambda: tmp_path / "data" / "logs" / "bala-korgoo.log")


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo office made once with ``demo``; tests work on copies of it."""
    path = tmp_path_factory.mktemp("template") / "office.sqlite"
    assert cli.run(["--db", str(path), "demo", "--children", "6", "--seed", "3"]) == 0
    return path


@pytest.fixture(scope="module")
def region_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty consolidating office of another district, set up once with ``init``."""
    path = tmp_path_factory.mktemp("region") / "region.sqlite"
    init = [REGION_DISTRICT if arg == INIT[2] else arg for arg in INIT]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(cli.ENV_PASSWORD, ADMIN_PASSWORD)
        assert cli.run(["--db", str(path), *init]) == 0
    return path


@pytest.fixture
def office(
    tmp_path: Path, demo_template: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:
    """The command line on a copy of the demo office (user admin)."""
    shutil.copyfile(demo_template, tmp_path / "office.sqlite")
    return Cli(tmp_path / "office.sqlite", monkeypatch, capsys)


@pytest.fixture
def region(
    tmp_path: Path, region_template: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:
    """The command line on a copy of the empty consolidating office (user admin)."""
    shutil.copyfile(region_template, tmp_path / "region.sqlite")
    return Cli(tmp_path / "region.sqlite", monkeypatch, capsys)


def keys(run: Cli, folder: Path) -> tuple[Path, Path]:
    """A new key pair in *folder* made by ``keys generate``: (identity file, recipient file)."""
    folder.mkdir()
    outcome = run("keys", "generate", "--out", str(folder))
    assert outcome.code == 0, outcome.err
    return folder / "bala-korgoo-identity.txt", folder / "bala-korgoo-recipient.txt"


def export(office: Cli, out: Path, *extra: str) -> Path:
    out.mkdir(exist_ok=True)
    outcome = office("export", "--out", str(out), "--user", "admin", *extra, password=DEMO_ADMIN_PASSWORD)
    assert outcome.code == 0, outcome.err
    lines = outcome.out.splitlines()
    assert len(lines) == 1, "export prints the package path alone on stdout"
    return Path(lines[0])


def test_keys_generate_prints_the_public_key_and_warns_about_the_private_one(
    office: Cli, tmp_path: Path
) -> None:
    (tmp_path / "keys").mkdir()

    outcome = office("keys", "generate", "--out", str(tmp_path / "keys"), "--lang", "en")

    assert outcome.code == 0
    identity = tmp_path / "keys" / "bala-korgoo-identity.txt"
    public = (tmp_path / "keys" / "bala-korgoo-recipient.txt").read_text(encoding="utf-8").strip()
    assert public.startswith("age1")
    assert public in outcome.out
    assert str(identity) in outcome.out
    assert stat.S_IMODE(identity.stat().st_mode) == 0o600
    assert "secret" in outcome.err


def test_encrypted_package_round_trips_into_the_consolidating_database(
    office: Cli, region: Cli, tmp_path: Path
) -> None:
    identity, recipient = keys(office, tmp_path / "keys")
    assert (
        office(
            "keys", "use", "--recipient", str(recipient), "--user", "admin", password=DEMO_ADMIN_PASSWORD
        ).code
        == 0
    )
    package = export(office, tmp_path / "usb")
    assert package.name.endswith(".zip.age")
    assert package.read_bytes().startswith(b"age-encryption.org/v1")

    outcome = region("import-package", str(package), "--key", str(identity), "--user", "admin")

    assert outcome.code == 0, outcome.err
    assert persons(office.db) <= persons(region.db)
    assert "№ 1" in outcome.out
    assert "Люди" in outcome.out  # each record type named for people, not by its table


def test_importing_the_same_package_again_changes_nothing(office: Cli, region: Cli, tmp_path: Path) -> None:
    package = export(office, tmp_path / "usb", "--plaintext")
    assert region("import-package", str(package), "--user", "admin").code == 0
    recorded = packages_recorded(region.db)

    again = region("import-package", str(package), "--user", "admin", "--lang", "en")

    assert again.code == 0
    assert "already imported" in again.out
    assert packages_recorded(region.db) == recorded


def test_export_without_a_key_is_refused_and_writes_nothing(office: Cli, tmp_path: Path) -> None:
    out = tmp_path / "usb"
    out.mkdir()

    outcome = office(
        "export", "--out", str(out), "--user", "admin", "--lang", "en", password=DEMO_ADMIN_PASSWORD
    )

    assert outcome.code == 1
    assert "--plaintext" in outcome.err or "key" in outcome.err
    assert outcome.out == ""
    assert list(out.iterdir()) == []
    assert packages_recorded(office.db) == 0


def test_plaintext_export_says_it_is_not_encrypted(office: Cli, tmp_path: Path) -> None:
    (tmp_path / "usb").mkdir()

    outcome = office(
        "export",
        "--out",
        str(tmp_path / "usb"),
        "--plaintext",
        "--user",
        "admin",
        "--lang",
        "en",
        password=DEMO_ADMIN_PASSWORD,
    )

    assert outcome.code == 0, outcome.err
    assert Path(outcome.out.strip()).suffix == ".zip"
    assert "NOT encrypted" in outcome.err


def test_a_changed_byte_is_refused_and_changes_nothing(office: Cli, region: Cli, tmp_path: Path) -> None:
    package = export(office, tmp_path / "usb", "--plaintext")
    data = bytearray(package.read_bytes())
    data[len(data) // 2] ^= 0x01
    package.write_bytes(bytes(data))
    before = persons(region.db)

    outcome = region("import-package", str(package), "--user", "admin")

    assert outcome.code == 1
    assert outcome.err.strip()
    assert "Traceback" not in outcome.err
    assert persons(region.db) == before
    assert packages_recorded(region.db) == 0


def test_a_package_for_another_key_is_refused(office: Cli, region: Cli, tmp_path: Path) -> None:
    _identity, recipient = keys(office, tmp_path / "theirs")
    other_identity, _other = keys(office, tmp_path / "ours")
    assert (
        office(
            "keys", "use", "--recipient", str(recipient), "--user", "admin", password=DEMO_ADMIN_PASSWORD
        ).code
        == 0
    )
    package = export(office, tmp_path / "usb")

    outcome = region("import-package", str(package), "--key", str(other_identity), "--user", "admin")

    assert outcome.code == 1
    assert outcome.err.strip()
    assert packages_recorded(region.db) == 0


def test_an_encrypted_package_without_a_key_file_says_how_to_give_one(
    office: Cli, region: Cli, tmp_path: Path
) -> None:
    _identity, recipient = keys(office, tmp_path / "keys")
    assert (
        office(
            "keys", "use", "--recipient", str(recipient), "--user", "admin", password=DEMO_ADMIN_PASSWORD
        ).code
        == 0
    )
    package = export(office, tmp_path / "usb")

    outcome = region("import-package", str(package), "--user", "admin", "--lang", "en")

    assert outcome.code == 1
    assert "--key" in outcome.err
    assert packages_recorded(region.db) == 0


def test_a_wrong_public_key_is_refused_and_nothing_is_configured(office: Cli, tmp_path: Path) -> None:
    outcome = office(
        "keys", "use", "--recipient", "age1Ёлкин", "--user", "admin", password=DEMO_ADMIN_PASSWORD
    )

    assert outcome.code == 1
    assert "age1Ёлкин" in outcome.err
    assert office("export", "--out", str(tmp_path), "--user", "admin", password=DEMO_ADMIN_PASSWORD).code == 1


def test_a_depersonalised_package_needs_no_key_and_is_not_imported(
    office: Cli, region: Cli, tmp_path: Path
) -> None:
    package = export(office, tmp_path / "usb", "--depersonalized")

    outcome = region("import-package", str(package), "--user", "admin")

    assert package.name.endswith("-depersonalized.zip")
    assert outcome.code == 1
    assert packages_recorded(region.db) == 0


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--user", "admin"],
        ["export", "--out", "x", "--full", "--user"],
        ["import-package", "--user", "admin"],
        ["keys"],
        ["keys", "generate"],
        ["keys", "use", "--user", "admin"],
    ],
)
def test_wrong_usage_exits_2(office: Cli, args: list[str]) -> None:
    outcome = office(*args, password=DEMO_ADMIN_PASSWORD)

    assert outcome.code == 2
    assert outcome.err
