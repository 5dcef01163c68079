"""Automatic backups: rotation, when one is due, the extra folder, and that a backup restores."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from models.backups import (
    RECENT_HOURS,
    RECENT_KEPT,
    BackupSettings,
    LastBackup,
    Occasion,
    auto_backup,
    backup_due,
    backup_name,
    backup_status,
    backups_folder,
    backups_of,
    backups_to_keep,
    get_backup_settings,
    is_due,
    list_backups,
    make_backup,
    rotate,
    update_backup_settings,
)
from models.database import Database, open_database
from models.errors import PermissionDenied, ValidationFailed
from models.i18n import gettext
from models.maintenance import BackupRefused, checksum_path, file_sha256, restore_database, verify_backup
from models.orm import AuditEntry, Person
from models.services.base import Actor
from models.services.users import authenticate

from tests.conftest import USER_PASSWORD, make_user
from tests.models.helpers import add_child


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute).astimezone()


def audit_actions(database: Database) -> list[str]:
    with database.reading() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# --- rotation -----------------------------------------------------------------------------


def test_sixty_days_of_backups_rotate_to_seven_daily_and_four_weekly() -> None:
    # Two backups a day (morning start, evening exit) from 1 October to 29 November 2026.
    start = local(2026, 10, 1)
    made = [start + timedelta(days=d, hours=h) for d in range(60) for h in (-3, 6)]
    newest = max(made)

    kept = sorted(backups_to_keep(made, keep_daily=7, keep_weekly=4), reverse=True)

    recent = [m for m in kept if newest - m < timedelta(hours=24)]
    assert recent == [newest, newest - timedelta(hours=9)]  # today's morning one stays too
    daily = [m for m in kept if m.hour == 18 and (newest.date() - m.date()).days < 7]
    assert [m.date() for m in daily] == [newest.date() - timedelta(days=d) for d in range(7)]
    weekly = [m for m in kept if (newest.date() - m.date()).days >= 7]
    assert len(weekly) == 4
    assert len(kept) == 2 + 6 + 4
    weeks = [m.isocalendar()[:2] for m in weekly]
    assert len(set(weeks)) == 4  # one per week
    assert not set(weeks) & {m.isocalendar()[:2] for m in daily}  # weeks of daily ones do not count
    for moment in weekly:  # the newest backup of its week
        assert moment == max(m for m in made if m.isocalendar()[:2] == moment.isocalendar()[:2])


def test_rotation_with_gaps_keeps_the_last_days_that_have_a_backup() -> None:
    # The office was closed for a fortnight: the daily ones reach back across the gap.
    made = [local(2026, 11, d) for d in (1, 2, 3, 4, 5, 20, 21, 22)]

    kept = backups_to_keep(made, keep_daily=7, keep_weekly=0)

    assert sorted(m.day for m in kept) == [2, 3, 4, 5, 20, 21, 22]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=60 * 24 * 4), min_size=1, max_size=80),
    st.integers(min_value=1, max_value=10),
    st.integers(min_value=0, max_value=6),
)
def test_rotation_keeps_the_newest_and_at_most_the_counts(
    quarter_hours: list[int], keep_daily: int, keep_weekly: int
) -> None:
    start = local(2026, 9, 1, 0)
    made = [start + timedelta(minutes=15 * q) for q in quarter_hours]

    kept = backups_to_keep(made, keep_daily, keep_weekly)

    newest = max(made)
    assert newest in kept
    older = [m for m in kept if newest - m >= timedelta(hours=RECENT_HOURS)]
    assert len(kept) - len(older) <= RECENT_KEPT
    assert len(older) <= keep_daily + keep_weekly
    assert len({m.date() for m in older}) == len(older)  # past the last day, never two of one day


def test_rotate_deletes_the_files_not_kept_with_their_checksums_and_leaves_others(tmp_path: Path) -> None:
    start = local(2026, 10, 1)
    for day in range(60):
        path = tmp_path / backup_name("office", start + timedelta(days=day))
        path.write_bytes(b"x")
        checksum_path(path).write_text("0  x\n", encoding="ascii")
    other = tmp_path / "Үсөнбаева notes.sqlite"  # not a backup of this database: never touched
    other.write_bytes(b"y")

    removed = rotate(tmp_path, "office", keep_daily=7, keep_weekly=4)

    assert len(removed) == 60 - 11
    remaining = list_backups(tmp_path, "office")
    assert len(remaining) == 11
    assert all(backup.has_checksum for backup in remaining)
    assert not any(checksum_path(path).exists() for path in removed)
    assert other.exists()


# --- when a backup is due -------------------------------------------------------------------


def last_at(moment: datetime, marker: tuple[int, int] = (5, 10)) -> LastBackup:
    return LastBackup(moment.astimezone(UTC), "office-x.sqlite", "/data/backups", marker)


@pytest.mark.parametrize(
    ("last", "marker", "occasion", "now", "due"),
    [
        (None, (0, 0), Occasion.EXIT, local(2026, 12, 7, 9), True),  # never backed up
        (None, (0, 0), Occasion.DAILY, local(2026, 12, 7, 9), True),
        (last_at(local(2026, 12, 7, 9)), (5, 10), Occasion.EXIT, local(2026, 12, 7, 17), False),  # unchanged
        (
            last_at(local(2026, 12, 7, 9)),
            (6, 10),
            Occasion.EXIT,
            local(2026, 12, 7, 17),
            True,
        ),  # a record changed
        (
            last_at(local(2026, 12, 7, 9)),
            (5, 11),
            Occasion.EXIT,
            local(2026, 12, 7, 17),
            True,
        ),  # a user changed
        (
            last_at(local(2026, 12, 7, 9)),
            (6, 11),
            Occasion.DAILY,
            local(2026, 12, 7, 17),
            False,
        ),  # made today
        (
            last_at(local(2026, 12, 6, 23, 50)),
            (6, 11),
            Occasion.DAILY,
            local(2026, 12, 7, 0, 10),
            True,
        ),  # new day
        (
            last_at(local(2026, 12, 1, 9)),
            (5, 10),
            Occasion.DAILY,
            local(2026, 12, 7, 9),
            False,
        ),  # nothing new
        (last_at(local(2026, 12, 7, 9)), (5, 10), Occasion.MANUAL, local(2026, 12, 7, 9, 1), True),
    ],
)
def test_a_backup_is_due_only_when_the_data_changed_and_not_more_than_needed(
    last: LastBackup | None, marker: tuple[int, int], occasion: Occasion, now: datetime, due: bool
) -> None:
    assert backup_due(last, marker, occasion, now) is due


def test_signing_in_and_viewing_make_no_exit_backup_due_but_a_new_child_does(
    sqlite_db: Database, sqlite_admin: Actor
) -> None:
    assert auto_backup(sqlite_db, sqlite_admin, Occasion.EXIT) is not None
    assert not is_due(sqlite_db, Occasion.EXIT)

    make_user(sqlite_db, sqlite_admin, "usenova", "specialist")  # a new account: due
    assert is_due(sqlite_db, Occasion.EXIT)
    specialist_backup = auto_backup(sqlite_db, sqlite_admin, Occasion.EXIT)
    assert specialist_backup is not None
    authenticate(sqlite_db, "usenova", USER_PASSWORD)  # a sign-in changes no data
    assert not is_due(sqlite_db, Occasion.EXIT)
    assert auto_backup(sqlite_db, sqlite_admin, Occasion.EXIT) is None

    add_child(sqlite_db, "Ёлкин", "Айбек")
    assert is_due(sqlite_db, Occasion.EXIT)


# --- making backups -------------------------------------------------------------------------


def test_an_automatic_backup_is_audited_with_the_signed_in_user_and_remembered(
    sqlite_db: Database, sqlite_admin: Actor
) -> None:
    worker = make_user(sqlite_db, sqlite_admin, "usenova", "social_worker")  # no "make backups" permission

    outcome = auto_backup(sqlite_db, worker, Occasion.EXIT)

    assert outcome is not None
    assert outcome.path.parent == backups_folder(sqlite_db.path or Path())
    assert outcome.path.name.startswith("office-")
    assert file_sha256(outcome.path) == outcome.sha256
    with sqlite_db.reading() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == "backup.auto" and entry.username == "usenova"
    status = backup_status(sqlite_db)
    assert status.last is not None and status.last.file == outcome.path.name
    assert not status.changed_since


def test_a_backup_is_verifiable_and_restores_the_data_it_holds(
    sqlite_db: Database, sqlite_admin: Actor, tmp_path: Path
) -> None:
    add_child(sqlite_db, "Үсөнбаева", "Ңурзат")
    outcome = make_backup(sqlite_db, sqlite_admin)
    add_child(sqlite_db, "Usenova", "Aida")  # after the backup: gone after restoring

    verified = verify_backup(outcome.path)
    assert verified.checksum_confirmed and verified.sha256 == outcome.sha256
    target = sqlite_db.path
    assert target is not None
    sqlite_db.dispose()
    restore_database(target, outcome.path, sqlite_admin)

    restored = open_database(target, create=False)
    try:
        with restored.reading() as session:
            names = sorted(session.scalars(select(Person.last_name)))
    finally:
        restored.dispose()
    assert names == ["Үсөнбаева"]


def test_a_missing_extra_folder_still_makes_the_main_backup_and_says_so(
    sqlite_db: Database, sqlite_admin: Actor, tmp_path: Path
) -> None:
    stick = tmp_path / "E-drive" / "Backups"  # the USB stick is not plugged in
    update_backup_settings(sqlite_db, sqlite_admin, BackupSettings(str(stick), 7, 4))

    outcome = auto_backup(sqlite_db, sqlite_admin, Occasion.EXIT)

    assert outcome is not None and outcome.path.is_file()
    assert outcome.extra_path is None
    assert outcome.problem is not None
    assert outcome.problem.render() == gettext(
        "The extra folder {folder} was not found (is the USB stick plugged in?); "
        "the backup was made in the data folder only."
    ).format(folder=stick)
    status = backup_status(sqlite_db)
    assert status.last is not None and status.last.extra_message() is not None


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions and a non-root user"
)
def test_an_unwritable_extra_folder_still_makes_the_main_backup_and_says_why(
    sqlite_db: Database, sqlite_admin: Actor, tmp_path: Path
) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    stick.chmod(0o500)
    update_backup_settings(sqlite_db, sqlite_admin, BackupSettings(str(stick), 7, 4))
    try:
        outcome = make_backup(sqlite_db, sqlite_admin)
    finally:
        stick.chmod(0o700)

    assert outcome.path.is_file() and outcome.extra_path is None
    assert outcome.problem is not None and str(stick) in outcome.problem.render()
    assert list(stick.iterdir()) == []  # no half-written copy left behind


def test_a_failing_copy_to_the_extra_folder_keeps_the_main_backup_and_leaves_nothing_there(
    sqlite_db: Database, sqlite_admin: Actor, tmp_path: Path
) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    update_backup_settings(sqlite_db, sqlite_admin, BackupSettings(str(stick), 7, 4))
    now = local(2026, 12, 7, 17, 30)
    blocker = stick / (backup_name("office", now) + ".writing")
    blocker.mkdir()  # the copy cannot be written (as on a full or write-protected stick)

    outcome = make_backup(sqlite_db, sqlite_admin, now=now.astimezone(UTC))

    assert outcome.path.is_file() and outcome.extra_path is None
    assert outcome.problem is not None
    assert outcome.problem.msgid == "The backup could not be copied to {folder}: {reason}"
    assert str(stick) in outcome.problem.render()
    assert [path.name for path in stick.iterdir()] == [blocker.name]


def test_a_present_extra_folder_gets_a_checked_copy_listed_as_extra(
    sqlite_db: Database, sqlite_admin: Actor, tmp_path: Path
) -> None:
    stick = tmp_path / "Ёлкин USB"
    stick.mkdir()
    update_backup_settings(sqlite_db, sqlite_admin, BackupSettings(str(stick), 7, 4))

    outcome = make_backup(sqlite_db, sqlite_admin)

    assert outcome.extra_path == stick / outcome.path.name
    assert outcome.problem is None
    assert file_sha256(outcome.extra_path) == outcome.sha256
    assert verify_backup(outcome.extra_path).checksum_confirmed
    places = [backup.extra for backup in backups_of(sqlite_db, sqlite_admin)]
    assert sorted(places) == [False, True]


def test_backing_up_rotates_the_old_automatic_backups(sqlite_db: Database, sqlite_admin: Actor) -> None:
    update_backup_settings(sqlite_db, sqlite_admin, BackupSettings("", 2, 1))
    for day in (1, 2, 3, 10):
        add_child(sqlite_db, "Ёлкин", f"Ребёнок {day}")
        auto_backup(sqlite_db, sqlite_admin, Occasion.DAILY, now=local(2026, 11, day).astimezone(UTC))

    days = [backup.made_at.day for backup in backups_of(sqlite_db, sqlite_admin)]

    assert days == [10, 3, 1]  # the last two days, and the newest of the week before them


@pytest.mark.postgres
def test_postgresql_databases_are_not_backed_up_automatically(pg_db: Database, pg_admin: Actor) -> None:
    assert auto_backup(pg_db, pg_admin, Occasion.EXIT) is None
    assert not backup_status(pg_db).applies
    with pytest.raises(BackupRefused):
        make_backup(pg_db, pg_admin)


# --- settings -------------------------------------------------------------------------------


def test_backup_settings_are_saved_and_audited(
    sqlite_db: Database, sqlite_admin: Actor, tmp_path: Path
) -> None:
    changed = update_backup_settings(sqlite_db, sqlite_admin, BackupSettings(str(tmp_path / "usb"), 10, 6))

    assert get_backup_settings(sqlite_db, sqlite_admin) == BackupSettings(str(tmp_path / "usb"), 10, 6)
    assert sorted(changed) == ["backups.folder", "backups.keep_daily", "backups.keep_weekly"]
    assert audit_actions(sqlite_db)[-1] == "settings.update"


def test_backup_settings_out_of_range_are_refused_and_nothing_changes(
    sqlite_db: Database, sqlite_admin: Actor
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        update_backup_settings(sqlite_db, sqlite_admin, BackupSettings("relative/folder", 0, 4))

    fields = sorted(problem.field for problem in refused.value.problems)
    assert fields == ["backups.folder", "backups.keep_daily"]
    assert gettext("Daily backups kept") in refused.value.problems[0].render()
    assert get_backup_settings(sqlite_db, sqlite_admin) == BackupSettings()


def test_the_backups_folder_itself_is_refused_as_the_extra_folder(
    sqlite_db: Database, sqlite_admin: Actor
) -> None:
    assert sqlite_db.path is not None
    same = backups_folder(sqlite_db.path)

    with pytest.raises(ValidationFailed) as refused:
        update_backup_settings(sqlite_db, sqlite_admin, BackupSettings(str(same), 7, 4))

    assert [problem.field for problem in refused.value.problems] == ["backups.folder"]


def test_only_roles_that_change_settings_change_backup_settings(
    sqlite_db: Database, sqlite_admin: Actor
) -> None:
    head = make_user(sqlite_db, sqlite_admin, "usenova", "head")

    with pytest.raises(PermissionDenied):
        update_backup_settings(sqlite_db, head, BackupSettings("", 3, 2))
