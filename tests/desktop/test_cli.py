"""The command line, run in-process: exit codes, messages, and refusals that change nothing."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from models.database import open_database
from models.errors import AuthenticationFailed
from models.orm import AuditEntry, User
from models.services.users import authenticate

from desktop import cli
from desktop.main import main

from tests.conftest import ADMIN_PASSWORD, TEST_DISTRICT

NEW_PASSWORD = "new-Пароль-42"
INIT = [
    "init",
    "--district",
    TEST_DISTRICT,
    "--name-ky",
    "Сокулук райондук балдарды коргоо бөлүмү",
    "--name-ru",
    "Отдел защиты детей Сокулукского района",
    "--head",
    "Асанова Гүлнара",
    "--admin",
    "admin",
    "--admin-name",
    "Администратор Офиса",
]


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


class Cli:
    """Runs ``bala-korgoo --db <db> …`` with the passwords in the environment, capturing the output."""

    def __init__(self, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        self.db = db
        self._monkeypatch = monkeypatch
        self._capsys = capsys

    def __call__(
        self, *args: str, password: str | None = ADMIN_PASSWORD, new_password: str | None = NEW_PASSWORD
    ) -> Outcome:
        for variable, value in ((cli.ENV_PASSWORD, password), (cli.ENV_NEW_PASSWORD, new_password)):
            if value is None:
                self._monkeypatch.delenv(variable, raising=False)
            else:
                self._monkeypatch.setenv(variable, value)
        self._capsys.readouterr()
        code = main(["--db", str(self.db), *args])
        captured = self._capsys.readouterr()
        for secret in (password, new_password):
            assert not secret or secret not in captured.out + captured.err, "a password was printed"
        return Outcome(code, captured.out, captured.err)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def edit_sqlite(path: Path, sql: str) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute(sql)
        connection.commit()
    finally:
        connection.close()


def audit_actions(path: Path) -> list[str]:
    database = open_database(path, create=False)
    try:
        with database.reading() as session:
            return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    finally:
        database.dispose()


def usernames(path: Path) -> set[str]:
    database = open_database(path, create=False)
    try:
        with database.reading() as session:
            return set(session.scalars(select(User.username)))
    finally:
        database.dispose()


@pytest.fixture(autouse=True)
def _logs_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Crash logs go to the test's folder, never to the user's data directory."""
    monkeypatch.setattr(cli, "log_file", lambda: tmp_path / "data" / "logs" / "bala-korgoo.log")


@pytest.fixture(scope="module")
def office_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An office set up once with ``init``; tests work on copies of it."""
    path = tmp_path_factory.mktemp("template") / "office.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(cli.ENV_PASSWORD, ADMIN_PASSWORD)
        assert main(["--db", str(path), *INIT]) == 0
    return path


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """The command line on a database file that does not exist yet."""
    return Cli(tmp_path / "office.sqlite", monkeypatch, capsys)


@pytest.fixture
def office(run: Cli, office_template: Path) -> Iterator[Cli]:
    """The command line on a copy of a set-up office (user admin)."""
    shutil.copyfile(office_template, run.db)
    yield run


# --- usage -----------------------------------------------------------------------------------


def test_help_lists_the_commands(run: Cli) -> None:
    outcome = run("--help")

    assert outcome.code == 0
    for name in ("status", "init", "demo", "check", "backup", "restore", "user"):
        assert name in outcome.out


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["user"],
        ["user", "list"],
        ["user", "add", "bob", "--full-name", "Боб", "--role", "king", "--user", "admin"],
        ["--lang", "fr", "check"],
        ["demo", "--children", "many"],
        ["init", "--district", TEST_DISTRICT],
        ["restore", "--user", "admin"],
    ],
)
def test_wrong_usage_exits_2_and_creates_nothing(run: Cli, args: list[str]) -> None:
    outcome = run(*args)

    assert outcome.code == 2
    assert outcome.err
    assert not run.db.exists()


def test_status_names_the_database(run: Cli) -> None:
    outcome = run("status", "--lang", "en")

    assert outcome.code == 0
    assert str(run.db) in outcome.out
    assert "not set up" in outcome.out


# --- init and accounts -------------------------------------------------------------------------


def test_init_sets_up_the_office(run: Cli) -> None:
    outcome = run(*INIT)

    assert outcome.code == 0
    database = open_database(run.db, create=False)
    try:
        assert authenticate(database, "admin", ADMIN_PASSWORD).role == "administrator"
    finally:
        database.dispose()


def test_init_twice_is_refused(office: Cli) -> None:
    before = sha256(office.db)

    outcome = office(*INIT[:-4], "--admin", "admin2", "--admin-name", "Второй Админ", "--lang", "en")

    assert outcome.code == 1
    assert "already belongs to an office" in outcome.err
    assert sha256(office.db) == before


def test_init_with_an_unknown_district_leaves_no_file(run: Cli) -> None:
    args = [*INIT]
    args[args.index(TEST_DISTRICT)] = "00000000"

    outcome = run(*args, "--lang", "en")

    assert outcome.code == 1
    assert "00000000" in outcome.err
    assert not run.db.exists()


def test_init_lists_districts_without_creating_the_database(run: Cli) -> None:
    outcome = run("init", "--list-districts")

    assert outcome.code == 0
    assert TEST_DISTRICT in outcome.out
    assert "Сокулукский" in outcome.out
    assert not run.db.exists()


def test_accounts_add_list_passwd_disable_enable_role(office: Cli) -> None:
    assert (
        office(
            "user", "add", "bob", "--full-name", "Боб Тестов", "--role", "specialist", "--user", "admin"
        ).code
        == 0
    )

    listed = office("user", "list", "--user", "admin", "--lang", "en")
    assert listed.code == 0
    assert "Боб Тестов" in listed.out
    assert "Child-protection specialist" in listed.out

    assert office("user", "passwd", "bob", "--user", "admin", new_password="bob-Пароль-2").code == 0
    database = open_database(office.db, create=False)
    try:
        assert authenticate(database, "bob", "bob-Пароль-2").username == "bob"
    finally:
        database.dispose()

    assert office("user", "disable", "bob", "--user", "admin").code == 0
    listed = office("user", "list", "--user", "admin", "--lang", "en")
    bob_line = next(line for line in listed.out.splitlines() if line.startswith("bob"))
    assert "disabled" in bob_line
    database = open_database(office.db, create=False)
    try:
        with pytest.raises(AuthenticationFailed):
            authenticate(database, "bob", "bob-Пароль-2")
    finally:
        database.dispose()

    assert office("user", "enable", "bob", "--user", "admin").code == 0
    assert office("user", "role", "bob", "head", "--user", "admin").code == 0
    listed = office("user", "list", "--user", "admin", "--lang", "en")
    assert "Department head" in next(line for line in listed.out.splitlines() if line.startswith("bob"))


def test_a_new_password_that_breaks_the_rules_lists_the_problem(office: Cli) -> None:
    outcome = office(
        "user",
        "add",
        "bob",
        "--full-name",
        "",
        "--role",
        "specialist",
        "--user",
        "admin",
        "--lang",
        "en",
        new_password="short",
    )

    assert outcome.code == 1
    assert "Full name" in outcome.err
    assert "Password" in outcome.err
    assert len(outcome.err.strip().splitlines()) == 2


def test_a_wrong_password_is_refused_and_audited(office: Cli) -> None:
    outcome = office("user", "list", "--user", "admin", password="not-the-password")

    assert outcome.code == 1
    assert outcome.err.strip()
    assert audit_actions(office.db)[-1] == "login.failed"


def test_without_a_password_or_a_terminal_it_fails_at_once(run: Cli) -> None:
    outcome = run(*INIT, "--lang", "en", password=None)

    assert outcome.code == 1
    assert cli.ENV_PASSWORD in outcome.err
    assert not run.db.exists()


def test_typed_passwords_must_match(run: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    typed = iter(["first-Пароль-1", "other-Пароль-1"])
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(typed))

    outcome = run(*INIT, "--lang", "en", password=None)

    assert outcome.code == 1
    assert "do not match" in outcome.err
    assert not run.db.exists()


def test_a_typed_password_is_used(run: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    prompts: list[str] = []

    def typed(prompt: str = "") -> str:
        prompts.append(prompt)
        return "typed-Пароль-1"

    monkeypatch.setattr(cli, "_interactive", lambda: True)
    monkeypatch.setattr(cli.getpass, "getpass", typed)

    assert run(*INIT, password=None).code == 0

    assert len(prompts) == 2
    database = open_database(run.db, create=False)
    try:
        assert authenticate(database, "admin", "typed-Пароль-1").username == "admin"
    finally:
        database.dispose()


# --- databases that must not be touched ----------------------------------------------------------

COMMANDS_ON_AN_EXISTING_DATABASE = [
    ["check"],
    ["user", "list", "--user", "admin"],
    ["backup", "--out", "{tmp}/copy.sqlite", "--user", "admin"],
]


def _args(args: list[str], tmp_path: Path) -> list[str]:
    return [arg.replace("{tmp}", str(tmp_path)) for arg in args]


@pytest.mark.parametrize("args", COMMANDS_ON_AN_EXISTING_DATABASE)
def test_a_missing_database_is_not_created(run: Cli, tmp_path: Path, args: list[str]) -> None:
    outcome = run(*_args(args, tmp_path))

    assert outcome.code == 1
    assert str(run.db) in outcome.err
    assert not run.db.exists()
    assert not (tmp_path / "copy.sqlite").exists()


@pytest.mark.parametrize("args", [*COMMANDS_ON_AN_EXISTING_DATABASE, INIT, ["status"]])
def test_a_file_that_is_not_a_database_is_left_alone(run: Cli, tmp_path: Path, args: list[str]) -> None:
    run.db.write_bytes(b"Budget 2026;Q1;Q2\n" * 100)
    before = folder_state(tmp_path)

    outcome = run(*_args(args, tmp_path))

    assert outcome.code == 1
    assert str(run.db) in outcome.err
    assert folder_state(tmp_path) == before


@pytest.mark.parametrize("args", [*COMMANDS_ON_AN_EXISTING_DATABASE, ["status"]])
def test_a_database_of_a_newer_version_is_left_alone(office: Cli, tmp_path: Path, args: list[str]) -> None:
    edit_sqlite(office.db, "UPDATE alembic_version SET version_num = '9999'")
    before = folder_state(tmp_path)

    outcome = office(*_args(args, tmp_path))

    assert outcome.code == 1
    assert "9999" in outcome.err
    assert folder_state(tmp_path) == before


# --- check, backup, restore --------------------------------------------------------------------


def test_check_passes_on_a_new_office(office: Cli) -> None:
    outcome = office("check", "--lang", "en")

    assert outcome.code == 0
    assert outcome.out.count("[ok]") == 4


def test_check_finds_an_edited_audit_entry(office: Cli) -> None:
    edit_sqlite(office.db, 'UPDATE audit_log SET details = \'{"role": "read_only"}\' WHERE id = 1')

    outcome = office("check", "--lang", "en")

    assert outcome.code == 1
    assert "[FAILED] Audit log" in outcome.out
    assert "entry 1 was edited" in outcome.out


def test_backup_and_restore_round_trip(office: Cli, tmp_path: Path) -> None:
    backup = tmp_path / "backups" / "office-2026-11-23.sqlite"
    backup.parent.mkdir()
    made = office("backup", "--out", str(backup), "--user", "admin")
    assert made.code == 0
    assert backup.exists()
    assert Path(f"{backup}.sha256").exists()
    assert (
        office("user", "add", "carol", "--full-name", "Кэрол", "--role", "specialist", "--user", "admin").code
        == 0
    )

    restored = office("restore", str(backup), "--user", "admin")

    assert restored.code == 0, restored.err
    assert "carol" not in usernames(office.db)
    replaced = list(tmp_path.glob("office.replaced-*.sqlite"))
    assert len(replaced) == 1
    assert str(replaced[0]) in restored.out
    assert "carol" in usernames(replaced[0])
    assert audit_actions(office.db)[-1] == "restore"
    assert office("check").code == 0


def test_restore_onto_a_missing_database_signs_in_against_the_backup(office: Cli, tmp_path: Path) -> None:
    backup = tmp_path / "copy.sqlite"
    assert office("backup", "--out", str(backup), "--user", "admin").code == 0
    new_pc = tmp_path / "new-pc" / "office.sqlite"

    outcome = office("--db", str(new_pc), "restore", str(backup), "--user", "admin")

    assert outcome.code == 0, outcome.err
    assert usernames(new_pc) == {"admin"}


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(b"SQLite format 3\x00" + bytes(range(256)) * 32, id="damaged-database"),
        pytest.param(b"Budget 2026;Q1;Q2\n" * 100, id="not-a-database"),
    ],
)
def test_restore_replaces_a_damaged_database_and_keeps_it(office: Cli, tmp_path: Path, damage: bytes) -> None:
    backup = tmp_path / "copy.sqlite"
    assert office("backup", "--out", str(backup), "--user", "admin").code == 0
    office.db.write_bytes(damage)

    outcome = office("restore", str(backup), "--user", "admin")

    assert outcome.code == 0, outcome.err
    assert usernames(office.db) == {"admin"}
    [kept] = tmp_path.glob("office.replaced-*.sqlite")
    assert kept.read_bytes() == damage


@pytest.mark.parametrize("keep_checksum", [True, False])
def test_restore_of_a_tampered_backup_is_refused(office: Cli, tmp_path: Path, keep_checksum: bool) -> None:
    backup = tmp_path / "copy.sqlite"
    assert office("backup", "--out", str(backup), "--user", "admin").code == 0
    edit_sqlite(backup, "UPDATE audit_log SET details = '{}' WHERE id = 1")
    if not keep_checksum:
        Path(f"{backup}.sha256").unlink()
    before = folder_state(tmp_path)

    outcome = office("restore", str(backup), "--user", "admin", "--lang", "en")

    assert outcome.code == 1
    assert ("checksum" if keep_checksum else "audit log") in outcome.err
    assert folder_state(tmp_path) == before


def test_restore_to_postgresql_is_refused_with_advice(run: Cli, tmp_path: Path) -> None:
    url = "postgresql://office:secret@localhost/bala"

    outcome = run("--db", url, "restore", str(tmp_path / "copy.sqlite"), "--user", "admin", "--lang", "en")

    assert outcome.code == 1
    assert "pg_restore" in outcome.err
    assert "secret" not in outcome.err


# --- failures ------------------------------------------------------------------------------------


def test_an_unexpected_error_is_logged_and_named(
    office: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(cli, "check_database", broken)

    outcome = office("check")

    assert outcome.code == 1
    log = tmp_path / "data" / "logs" / "bala-korgoo.log"
    assert str(log) in outcome.err
    assert "disk on fire" not in outcome.err
    text = log.read_text(encoding="utf-8")
    assert "RuntimeError: disk on fire" in text
    assert ADMIN_PASSWORD not in text


# --- demo --------------------------------------------------------------------------------------


def test_demo_makes_an_office_and_prints_its_users(run: Cli) -> None:
    outcome = run("demo", "--children", "5", "--seed", "7", "--lang", "en")

    assert outcome.code == 0, outcome.err
    assert "administrator" in outcome.out.lower()
    database = open_database(run.db, create=False)
    try:
        with database.reading() as session:
            demo_users = set(session.scalars(select(User.username)))
    finally:
        database.dispose()
    assert all(name in outcome.out for name in demo_users)


def test_demo_never_goes_into_a_real_office(office: Cli) -> None:
    before = sha256(office.db)

    outcome = office("demo", "--children", "5", "--seed", "7")

    assert outcome.code == 1
    assert outcome.err.strip()
    assert sha256(office.db) == before
