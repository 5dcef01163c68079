"""``bala-korgoo export-register NAME``: a register, whole or filtered, as an XLSX or CSV file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from models.i18n import _, gettext, ngettext
from models.registers import REGISTERS
from models.validation import parse_optional_date

from desktop.cli import CommandMaker, _acting_password, _out, _Parser, _signed_in, _user_option

if TYPE_CHECKING:
    from models.exchange.spreadsheets import Format


def add_commands(commands: argparse._SubParsersAction[_Parser], command: CommandMaker) -> None:
    """Add ``export-register``."""
    export = command(
        commands,
        "export-register",
        gettext("write a register (all its rows, or those the filters find) to an XLSX or CSV file"),
        _cmd_export_register,
    )
    export.add_argument("name", choices=REGISTERS, metavar=gettext("REGISTER"), help=", ".join(REGISTERS))
    export.add_argument(
        "--format",
        choices=("xlsx", "csv"),
        default=None,
        help=gettext("xlsx or csv (default: from the file name's extension, else xlsx)"),
    )
    export.add_argument(
        "--out", required=True, type=Path, metavar=gettext("FILE"), help=gettext("the file to write")
    )
    export.add_argument(
        "--search", default="", metavar=gettext("TEXT"), help=gettext("a name, a PIN or a number (12/2026)")
    )
    export.add_argument(
        "--status",
        default="",
        metavar=gettext("CODES"),
        help=gettext("status codes, comma-separated; open: open ones only, overdue: overdue referrals"),
    )
    export.add_argument(
        "--category",
        default="",
        metavar=gettext("CODES"),
        help=gettext("ТЖС category codes, comma-separated"),
    )
    export.add_argument(
        "--from", dest="date_from", metavar=gettext("DD.MM.YYYY"), help=gettext("from this date")
    )
    export.add_argument(
        "--to", dest="date_to", metavar=gettext("DD.MM.YYYY"), help=gettext("up to this date")
    )
    _user_option(export)


def _cmd_export_register(args: argparse.Namespace) -> int:
    """Export the register as the options filter it; print the file and the number of rows."""
    from models.exchange.spreadsheets import export_register, register_query

    out: Path = args.out
    fmt: Format = args.format or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
    date_from = parse_optional_date(args.date_from, "date_from", _("Period start"))
    date_to = parse_optional_date(args.date_to, "date_to", _("Period end"))
    password = _acting_password(args)
    with _signed_in(args, password) as (db, actor):
        query = register_query(
            db,
            args.name,
            search=args.search,
            statuses=_codes(args.status),
            categories=_codes(args.category),
            date_from=date_from,
            date_to=date_to,
        )
        result = export_register(db, actor, args.name, out, fmt, query)
    written = ngettext("{path}: {rows} row, {size} bytes.", "{path}: {rows} rows, {size} bytes.", result.rows)
    _out(written.format(path=result.path, rows=result.rows, size=result.size))
    return 0


def _codes(value: str) -> list[str]:
    return [code.strip() for code in value.split(",") if code.strip()]
