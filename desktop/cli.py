"""The command line: set-up, accounts, checks, backups and the demo office, without a window.

Without a command the desktop program starts (:mod:`desktop.gui`). Every command goes
through the same services as the desktop client. Exit codes: 0 done, 1 refused or failed
(a message on stderr, nothing changed), 2 wrong usage. Passwords come from
``BALAKORGOO_PASSWORD`` (the acting user) and ``BALAKORGOO_NEW_PASSWORD`` (a new or reset
password), or from a prompt in a terminal; they are never printed or logged.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError

from models.database import Database, open_database, remove_sqlite_files, resolve_target
from models.demo import generate
from models.errors import DatabaseRefused, DomainError, ValidationFailed
from models.files import write_atomically
from models.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, _, gettext, ngettext, set_language
from models.maintenance import (
    CheckStatus,
    RestoreRefused,
    backup_database,
    backup_source,
    check_database,
    opened_backup,
    restore_database,
    restore_target,
    verify_backup,
)
from models.papers import DOCUMENT_LANGUAGES, document_language
from models.paths import default_database_path, log_file
from models.permissions import ROLE_LABELS
from models.reference import districts
from models.services import documents
from models.services.base import Actor
from models.services.office import OfficeDetails, set_up_office
from models.services.users import (
    add_user,
    authenticate,
    disable_user,
    enable_user,
    list_users,
    set_password,
    set_role,
)
from models.settings import office_is_set_up

if TYPE_CHECKING:
    from reports.catalog import Option, Target

ENV_PASSWORD = "BALAKORGOO_PASSWORD"  # noqa: S105 - the name of a variable, not a password
ENV_NEW_PASSWORD = "BALAKORGOO_NEW_PASSWORD"  # noqa: S105 - the name of a variable, not a password
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 5

Handler = Callable[[argparse.Namespace], int]
log = logging.getLogger("bala_korgoo.cli")


class CommandRefused(DomainError):
    """The command cannot go on with what it was given (no password, passwords that differ)."""


# --- entry --------------------------------------------------------------------------------


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command line (without the program name); the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    set_language(_language_in(arguments))
    parser = build_parser(with_forms="print" in arguments)
    try:
        args = parser.parse_args(arguments)
        args.gui_lang = _explicit_language(arguments)
        handler: Handler = args.handler
        return handler(args)
    except SystemExit as exc:  # argparse: --help (0) or wrong usage (2)
        return exc.code if isinstance(exc.code, int) else 2
    except ValidationFailed as exc:
        for problem in exc.problems:
            _error(problem.render())
        return 1
    except DomainError as exc:
        _error(exc.message.render())
        return 1
    except KeyboardInterrupt:
        _error(gettext("Interrupted."))
        return 1
    except Exception:
        _report_crash(" ".join(arguments[:2]))
        return 1


def _language_in(arguments: list[str]) -> str:
    """The --lang given anywhere on the line, read before the parser is built so help is translated."""
    return _explicit_language(arguments) or DEFAULT_LANGUAGE


def _explicit_language(arguments: list[str]) -> str | None:
    """The --lang given on the line, or None (the desktop program then uses the saved preference)."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--lang")
    try:
        known, _rest = pre.parse_known_args(arguments)
    except SystemExit:
        return None
    return known.lang if known.lang in LANGUAGES else None


def _out(text: object = "") -> None:
    print(text)


def _error(text: object) -> None:
    print(text, file=sys.stderr)


def _report_crash(command: str) -> None:
    """Log the traceback of an unexpected error to the rotating log file and say where it is."""
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
    except OSError:
        _error(gettext("Unexpected error; the log file could not be written, so here are the details:"))
        traceback.print_exc()
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    try:
        log.exception("unexpected error in the command %r", command)
    finally:
        log.removeHandler(handler)
        handler.close()
    _error(str(_("Unexpected error; nothing more was done. Details are in the log: {path}", path=str(path))))


# --- the parser -----------------------------------------------------------------------------


class _Formatter(argparse.HelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, gettext("usage: ") if prefix is None else prefix)


P = TypeVar("P", bound=argparse.ArgumentParser)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose error line is translated."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, str(_("{prog}: error: {message}", prog=self.prog, message=message)) + "\n")


# ``command(group, name, help, handler)`` of :func:`build_parser`: one sub-command with the global options.
CommandMaker = Callable[["argparse._SubParsersAction[_Parser]", str, str, Handler], _Parser]


def _localized(parser: P) -> P:
    """Translate the parser's own words: its headings and the help option (made with add_help=False)."""
    parser._positionals.title = gettext("positional arguments")
    parser._optionals.title = gettext("options")
    parser.add_argument("-h", "--help", action="help", help=gettext("show this help and exit"))
    return parser


def _global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """--db and --lang: on the main parser with their defaults, on each command without (not to override)."""
    parser.add_argument(
        "--db",
        metavar=gettext("PATH_OR_URL"),
        default=None if defaults else argparse.SUPPRESS,
        help=str(
            _(
                "the database: a SQLite file or a PostgreSQL URL (default: {path})",
                path=str(default_database_path()),
            )
        ),
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=DEFAULT_LANGUAGE if defaults else argparse.SUPPRESS,
        help=gettext("language of messages (default: ru)"),
    )


def _new_password_help() -> str:
    return str(
        _(
            "user name of the account; its new password is read from {variable} or asked twice",
            variable=ENV_NEW_PASSWORD,
        )
    )


def _user_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user",
        required=True,
        metavar=gettext("NAME"),
        help=str(_("your user name; the password is read from {variable} or asked", variable=ENV_PASSWORD)),
    )


def build_parser(*, with_forms: bool = False) -> argparse.ArgumentParser:
    """The parser of every command; build it after set_language so that its help is translated.

    *with_forms* adds the sub-commands of ``print`` (one per form), which load the documents'
    code: only a ``print`` command line needs them, not the start of the desktop program.
    """
    parser = _Parser(
        prog="bala-korgoo",
        description=gettext(
            "Bala Korgoo: the case registry of a child-protection department. "
            "Without a command it starts the desktop program."
        ),
        add_help=False,
        formatter_class=_Formatter,
    )
    _localized(parser)
    _global_options(parser, defaults=True)
    parser.set_defaults(handler=_cmd_gui)
    commands = parser.add_subparsers(title=gettext("commands"), metavar=gettext("COMMAND"))

    def command(
        group: argparse._SubParsersAction[_Parser],
        name: str,
        help_text: str,
        handler: Handler,
    ) -> _Parser:
        sub = _localized(
            group.add_parser(
                name, help=help_text, description=help_text, add_help=False, formatter_class=_Formatter
            )
        )
        _global_options(sub, defaults=False)
        sub.set_defaults(handler=handler, parser=sub)
        return sub

    command(
        commands, "status", gettext("name the database and say whether the office is set up"), _cmd_status
    )

    init = command(commands, "init", gettext("set up the office and its first administrator"), _cmd_init)
    init.add_argument(
        "--list-districts", action="store_true", help=gettext("list the district codes and exit")
    )
    init.add_argument(
        "--district",
        metavar=gettext("CODE"),
        help=gettext("СОАТЕ code of the district (see --list-districts)"),
    )
    init.add_argument("--name-ky", metavar=gettext("TEXT"), help=gettext("name of the department in Kyrgyz"))
    init.add_argument("--name-ru", metavar=gettext("TEXT"), help=gettext("name of the department in Russian"))
    init.add_argument("--head", metavar=gettext("NAME"), default="", help=gettext("full name of the head"))
    init.add_argument("--address", metavar=gettext("TEXT"), default="", help=gettext("address of the office"))
    init.add_argument("--phone", metavar=gettext("TEXT"), default="", help=gettext("phone of the office"))
    init.add_argument(
        "--admin", metavar=gettext("USERNAME"), help=gettext("user name of the first administrator")
    )
    init.add_argument(
        "--admin-name", metavar=gettext("FULL_NAME"), help=gettext("full name of the administrator")
    )

    demo = command(commands, "demo", gettext("fill a new database with a made-up demo office"), _cmd_demo)
    demo.add_argument("--children", type=int, default=300, metavar="N", help=gettext("number of children"))
    demo.add_argument(
        "--seed", type=int, default=1, metavar="S", help=gettext("random seed (same seed, same data)")
    )

    command(commands, "check", gettext("check the database file, its schema and the audit log"), _cmd_check)

    backup = command(commands, "backup", gettext("write a verified copy of the database"), _cmd_backup)
    backup.add_argument(
        "--out", required=True, type=Path, metavar=gettext("FILE"), help=gettext("the new file")
    )
    _user_option(backup)

    restore = command(
        commands, "restore", gettext("replace the database with a backup (the old one is kept)"), _cmd_restore
    )
    restore.add_argument("file", type=Path, metavar=gettext("FILE"), help=gettext("the backup file"))
    _user_option(restore)

    user = command(commands, "user", gettext("manage user accounts"), _cmd_user_help)
    accounts = user.add_subparsers(title=gettext("commands"), metavar=gettext("COMMAND"))
    add = command(accounts, "add", gettext("add a user"), _cmd_user_add)
    add.add_argument("username", metavar=gettext("USERNAME"), help=_new_password_help())
    add.add_argument("--full-name", required=True, metavar=gettext("NAME"), help=gettext("full name"))
    add.add_argument(
        "--role",
        required=True,
        choices=tuple(ROLE_LABELS),
        metavar=gettext("ROLE"),
        help=str(_("one of: {roles}", roles=", ".join(ROLE_LABELS))),
    )
    add.add_argument("--position", metavar=gettext("TEXT"), help=gettext("position (job title)"))
    listing = command(accounts, "list", gettext("list the users"), _cmd_user_list)
    passwd = command(accounts, "passwd", gettext("set a new password"), _cmd_user_passwd)
    passwd.add_argument("username", metavar=gettext("USERNAME"), help=_new_password_help())
    disable = command(accounts, "disable", gettext("disable an account"), _cmd_user_disable)
    disable.add_argument("username", metavar=gettext("USERNAME"))
    enable = command(accounts, "enable", gettext("enable an account again"), _cmd_user_enable)
    enable.add_argument("username", metavar=gettext("USERNAME"))
    role = command(accounts, "role", gettext("change the role of a user"), _cmd_user_role)
    role.add_argument("username", metavar=gettext("USERNAME"))
    role.add_argument("role", choices=tuple(ROLE_LABELS), metavar=gettext("ROLE"))
    for sub in (add, listing, passwd, disable, enable, role):
        _user_option(sub)
    # The exchange commands' modules load their heavy libraries (zip, age, openpyxl) in their handlers.
    from desktop.commands import exchange, legacy, spreadsheets

    for module in (exchange, spreadsheets, legacy):
        module.add_commands(commands, command)
    _print_command(commands, with_forms)
    return parser


def _print_command(commands: argparse._SubParsersAction[_Parser], with_forms: bool) -> None:
    """``print FORM …``: one sub-command per printable form, its options from the form's spec.

    Its --lang is the document's language (ky, ru or both), not the messages' language.
    """
    help_text = gettext("print a document to a PDF file")
    printing = _localized(
        commands.add_parser(
            "print", help=help_text, description=help_text, add_help=False, formatter_class=_Formatter
        )
    )
    printing.add_argument("--list", action="store_true", help=gettext("list the forms and their options"))
    printing.set_defaults(handler=_cmd_print_list, parser=printing)
    if not with_forms:
        return
    from reports import catalog

    forms = printing.add_subparsers(title=gettext("forms"), metavar=gettext("FORM"))
    for spec in catalog.forms().values():
        title = gettext(spec.title)
        sub = _localized(
            forms.add_parser(
                spec.name, help=title, description=title, add_help=False, formatter_class=_Formatter
            )
        )
        for option in spec.options:
            _form_option(sub, option)
        sub.add_argument(
            "--lang",
            choices=DOCUMENT_LANGUAGES,
            default=None,
            help=gettext("language of the document: ky, ru or both (default: the office's setting)"),
        )
        sub.add_argument(
            "--out",
            required=True,
            type=Path,
            metavar=gettext("FILE"),
            help=gettext("the PDF file to write")
            if spec.spreadsheet is None
            else gettext("the file to write: .pdf, or .xlsx for the figures as a workbook"),
        )
        sub.add_argument(
            "--db",
            metavar=gettext("PATH_OR_URL"),
            default=argparse.SUPPRESS,
            help=gettext("the database: a SQLite file or a PostgreSQL URL"),
        )
        _user_option(sub)
        sub.set_defaults(handler=_cmd_print, parser=sub, form=spec.name)


# --- shared steps ---------------------------------------------------------------------------


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def read_password(variable: str, prompt: str, *, confirm: bool = False) -> str:
    """A password from the environment *variable*, or typed (twice with *confirm*) in a terminal."""
    value = os.environ.get(variable)
    if value:
        return value
    if not _interactive():
        raise CommandRefused(
            _("No password given: set {variable} or run the command in a terminal.", variable=variable)
        )
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass(gettext("Repeat the password: ")) != first:
        raise CommandRefused(_("The passwords do not match; nothing was changed."))
    return first


def _acting_password(args: argparse.Namespace) -> str:
    return read_password(ENV_PASSWORD, str(_("Password of {username}: ", username=args.user)))


def _new_password(username: str) -> str:
    return read_password(
        ENV_NEW_PASSWORD, str(_("New password of {username}: ", username=username)), confirm=True
    )


@contextmanager
def _database(args: argparse.Namespace, *, create: bool = False, migrate: bool = True) -> Iterator[Database]:
    db = open_database(args.db, create=create, migrate=migrate)
    try:
        yield db
    finally:
        db.dispose()


@contextmanager
def _new_database(args: argparse.Namespace) -> Iterator[Database]:
    """Open (creating) the database; a file created here is removed again if the command is refused."""
    url = resolve_target(args.db)
    path = Path(str(url.database)) if url.get_backend_name() == "sqlite" else None
    existed = path is None or path.exists()
    try:
        with _database(args, create=True) as db:
            yield db
    except DomainError:
        if path is not None and not existed:
            remove_sqlite_files(path)
        raise


@contextmanager
def _signed_in(args: argparse.Namespace, password: str) -> Iterator[tuple[Database, Actor]]:
    with _database(args) as db:
        yield db, authenticate(db, args.user, password)


def _local(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%d.%m.%Y %H:%M") if moment else "—"


# --- commands -------------------------------------------------------------------------------


def _cmd_gui(args: argparse.Namespace) -> int:
    """No command: the desktop program, in the --lang given on the command line or else the saved one."""
    from desktop.gui import run_gui  # Qt is loaded only for the desktop program

    return run_gui(args.db, args.gui_lang)


def _form_option(parser: argparse.ArgumentParser, option: Option) -> None:
    """One option of a form: a flag (--number 12/2026) or a positional value (children)."""
    extra: dict[str, Any] = {"choices": option.choices} if option.choices else {"metavar": option.example}
    if option.flag.startswith("-"):
        parser.add_argument(
            option.flag, dest=option.key, required=option.required, help=gettext(option.help), **extra
        )
    else:
        parser.add_argument(
            option.key, nargs=None if option.required else "?", help=gettext(option.help), **extra
        )


def _cmd_print_list(args: argparse.Namespace) -> int:
    """``print --list``: the forms, what each is, and its options with an example."""
    if not args.list:
        args.parser.print_help()
        return 2
    from reports import catalog

    for spec in catalog.forms().values():
        _out(f"{spec.name}  —  {gettext(spec.title)}")
        for option in spec.options:
            value = "|".join(option.choices) if option.choices else option.example
            usage = f"{option.flag} {value}" if option.flag.startswith("-") else value
            described = gettext(option.help)
            optional = "" if option.required or described.endswith(")") else " " + gettext("(optional)")
            _out(f"    {usage:<28} {described}{optional}")
    _out()
    _out(gettext("Every form takes --lang ky|ru|both, --out FILE.pdf and --user NAME."))
    return 0


def _cmd_print(args: argparse.Namespace) -> int:
    """Make one document, write it to --out (whole or not at all), and record the print."""
    from reports import catalog

    spec = catalog.forms()[args.form]
    options = {
        option.key: getattr(args, option.key) for option in spec.options if getattr(args, option.key, None)
    }
    password = _acting_password(args)
    target = catalog.Target(spec.name, options=options)
    with _signed_in(args, password) as (db, actor):
        if args.out.suffix.lower() == ".xlsx":
            return _print_spreadsheet(args, db, actor, target)
        document = catalog.make_document(db, actor, target, args.lang)
        _write_atomically(args.out, document.pdf)
        catalog.record_print(db, actor, document, destination="pdf")
    title = document.title + (f" № {document.number}" if document.number else "")
    pages = ngettext("{path}: {title}, {pages} page.", "{path}: {title}, {pages} pages.", document.pages)
    _out(pages.format(path=args.out, title=title, pages=document.pages))
    return 0


def _print_spreadsheet(args: argparse.Namespace, db: Database, actor: Actor, target: Target) -> int:
    """--out FILE.xlsx: the form's figures as a workbook (the statistics), recorded like a saved PDF."""
    from reports.catalog import make_spreadsheet

    workbook = make_spreadsheet(db, actor, target, args.lang)
    _write_atomically(args.out, workbook)
    with db.reading() as session:
        language = args.lang or document_language(session)
    documents.record_print(
        db, actor, form=target.form, records=(), number=None, language=language, pages=0, destination="xlsx"
    )
    _out(_("{path}: the figures as a workbook.", path=str(args.out)))
    return 0


def _write_atomically(path: Path, data: bytes) -> None:
    """Write *data* to *path* whole or not at all: a full disk leaves no half file."""
    try:
        write_atomically(path, data)
    except OSError as exc:
        raise CommandRefused(
            _("The file {path} could not be written: {error}", path=str(path), error=exc.strerror or str(exc))
        ) from None


def _cmd_status(args: argparse.Namespace) -> int:
    """Say which database the program opens and whether its office is set up."""
    with _database(args, create=True) as db, db.reading() as session:
        ready = office_is_set_up(session)
        _out(_("Database: {database}", database=db.describe()))
    if ready:
        _out(_("The office is set up."))
    else:
        _out(_("The office is not set up yet: run “bala-korgoo init” (see “bala-korgoo init --help”)."))
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    if args.list_districts:
        return _list_districts(args)
    required = {
        "--district": args.district,
        "--name-ky": args.name_ky,
        "--name-ru": args.name_ru,
        "--admin": args.admin,
        "--admin-name": args.admin_name,
    }
    missing = [option for option, value in required.items() if value is None]
    if missing:
        args.parser.error(str(_("these options are required: {options}", options=", ".join(missing))))
    password = read_password(
        ENV_PASSWORD, str(_("Password of the administrator {username}: ", username=args.admin)), confirm=True
    )
    details = OfficeDetails(args.district, args.name_ky, args.name_ru, args.head, args.address, args.phone)
    with _new_database(args) as db:
        set_up_office(db, details, args.admin, args.admin_name, password)
        _out(_("The office is set up in {database}.", database=db.describe()))
        _out(_("Administrator: {username}.", username=args.admin))
    return 0


def _list_districts(args: argparse.Namespace) -> int:
    """The values --district takes: from the database if it exists, else from a throw-away one."""
    with tempfile.TemporaryDirectory(prefix="bala-korgoo-") as folder:
        try:
            db = open_database(args.db, create=False)
        except DatabaseRefused:
            db = open_database(Path(folder) / "reference.sqlite")
        try:
            with db.reading() as session:
                kyrgyz_first = args.lang == "ky"
                rows = [
                    (
                        u.code or u.name_ru,
                        u.name_ky if kyrgyz_first else u.name_ru,
                        u.name_ru if kyrgyz_first else u.name_ky,
                    )
                    for u in districts(session)
                ]
        finally:
            db.dispose()
    width = max(len(code) for code, _first, _second in rows)
    for code, first, second in rows:
        _out(f"{code:<{width}}  {first} — {second}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    with _new_database(args) as db:
        result = generate(db, children=args.children, seed=args.seed)
        _out(
            _(
                "A demo office was made in {database} ({seconds:.1f} s).",
                database=db.describe(),
                seconds=result.seconds,
            )
        )
    for table, count in result.counts.items():
        _out(f"  {table}: {count}")
    _out(_("Demo users (made-up passwords, for trying the program only):"))
    width = max((len(username) for username, _password, _role in result.users), default=0)
    for username, password, role in result.users:
        _out(f"  {username:<{width}}  {password}  {gettext(ROLE_LABELS.get(role, role))}")
    return 0


_STATUS_WORDS = {
    CheckStatus.OK: N_("ok"),
    CheckStatus.FAILED: N_("FAILED"),
    CheckStatus.NOT_APPLICABLE: N_("n/a"),
}


def _cmd_check(args: argparse.Namespace) -> int:
    with _database(args, migrate=False) as db:
        report = check_database(db)
    _out(_("Database: {database}", database=report.database))
    for item in report.items:
        _out(f"[{gettext(_STATUS_WORDS[item.status])}] {item.title}")
        for line in item.details:
            _out(f"    {line}")
    if report.ok:
        _out(_("All checks passed."))
        return 0
    _error(_("Some checks failed; see above."))
    return 1


def _cmd_backup(args: argparse.Namespace) -> int:
    """A backup reads the database through SQLite's online backup API, so it needs no lock: it may
    run (e.g. as a scheduled task) while the program is open on the database."""
    with _database(args) as db:
        backup_source(db)
        password = _acting_password(args)
        actor = authenticate(db, args.user, password)
        info = backup_database(db, actor, args.out)
    _out(_("Backup written: {path} ({size} bytes).", path=str(info.path), size=info.size))
    _out(_("Checksum (SHA-256) in {path}: {sha256}", path=str(info.checksum_path), sha256=info.sha256))
    return 0


@contextmanager
def _database_locked(target: Path) -> Iterator[None]:
    """Hold the lock the desktop program holds on *target* (:mod:`desktop.dblock`) or refuse."""
    from desktop.dblock import LockHeld, take_lock  # QtCore only: no QApplication

    try:
        lock = take_lock(target)
    except LockHeld as held:
        raise RestoreRefused(
            _(
                "The program is open on this database ({path}: process {pid} on the computer {host}); "
                "close it first. Nothing was changed.",
                path=str(held.path),
                pid=held.pid,
                host=held.host,
            )
        ) from None
    try:
        yield
    finally:
        if lock is not None:
            lock.unlock()


def _cmd_restore(args: argparse.Namespace) -> int:
    """Under the database's lock, sign in against the current database (after checking the backup, so
    a bad one changes nothing), or against the backup's accounts when the current database cannot be
    opened; then restore."""
    target = restore_target(args.db)
    with _database_locked(target):
        try:
            current = open_database(target, create=False)
        except (DatabaseRefused, SQLAlchemyDatabaseError):  # missing, too new, damaged: what restores are for
            current = None
        if current is not None:
            try:
                verify_backup(args.file)
                actor = authenticate(current, args.user, _acting_password(args))
            finally:
                current.dispose()
        else:
            password = _acting_password(args)
            with opened_backup(args.file) as from_backup:
                actor = authenticate(from_backup, args.user, password)
        info = restore_database(target, args.file, actor)
    _out(_("Restored {backup} into {database}.", backup=str(info.backup), database=str(info.target)))
    if info.replaced is not None:
        _out(_("The database it replaced is kept as {path}.", path=str(info.replaced)))
    if info.upgraded:
        _out(
            _(
                "The restored database was upgraded from schema {old} to {new}.",
                old=info.backup_revision,
                new=info.revision,
            )
        )
    return 0


def _cmd_user_help(args: argparse.Namespace) -> NoReturn:
    parser: _Parser = args.parser
    parser.error(gettext("choose what to do with accounts: add, list, passwd, disable, enable, role"))


def _cmd_user_add(args: argparse.Namespace) -> int:
    password = _acting_password(args)
    new_password = _new_password(args.username)
    with _signed_in(args, password) as (db, actor):
        add_user(db, actor, args.username, args.full_name, args.role, new_password, args.position)
    _out(_("User {username} added.", username=args.username))
    return 0


def _cmd_user_list(args: argparse.Namespace) -> int:
    with _signed_in(args, _acting_password(args)) as (db, actor):
        users = list_users(db, actor)
    rows = [
        (gettext("User"), gettext("Full name"), gettext("Role"), gettext("State"), gettext("Last sign-in"))
    ]
    for user in users:
        if not user.active:
            state = gettext("disabled")
        elif user.locked_until is not None and user.locked_until > datetime.now().astimezone():
            state = str(_("locked until {time}", time=_local(user.locked_until)))
        else:
            state = gettext("active")
        rows.append(
            (
                user.username,
                user.full_name,
                gettext(ROLE_LABELS.get(user.role, user.role)),
                state,
                _local(user.last_login_at),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        _out("  ".join([*cells, row[-1]]))
    return 0


def _cmd_user_passwd(args: argparse.Namespace) -> int:
    password = _acting_password(args)
    new_password = _new_password(args.username)
    with _signed_in(args, password) as (db, actor):
        set_password(db, actor, args.username, new_password)
    _out(_("The password of {username} was changed.", username=args.username))
    return 0


def _cmd_user_disable(args: argparse.Namespace) -> int:
    with _signed_in(args, _acting_password(args)) as (db, actor):
        disable_user(db, actor, args.username)
    _out(_("The account {username} is disabled.", username=args.username))
    return 0


def _cmd_user_enable(args: argparse.Namespace) -> int:
    with _signed_in(args, _acting_password(args)) as (db, actor):
        enable_user(db, actor, args.username)
    _out(_("The account {username} is enabled.", username=args.username))
    return 0


def _cmd_user_role(args: argparse.Namespace) -> int:
    with _signed_in(args, _acting_password(args)) as (db, actor):
        set_role(db, actor, args.username, args.role)
    _out(_("The role of {username} is now: {role}.", username=args.username, role=_(ROLE_LABELS[args.role])))
    return 0
