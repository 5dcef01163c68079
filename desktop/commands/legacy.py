"""``import-register``: children, households or reports from an office's Excel or CSV register.

The command prints how the file was read, the column mapping, each row's problems and a summary;
then imports all rows or none (or, with --skip-invalid, the valid rows and a report of the others).
The reading code loads inside the handler, since the desktop program builds this parser at start-up.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from models.errors import DomainError
from models.exchange.legacy_columns import REGISTERS
from models.i18n import _, gettext

from desktop.cli import CommandMaker, _acting_password, _error, _out, _Parser, _signed_in, _user_option


def add_commands(commands: argparse._SubParsersAction[_Parser], command: CommandMaker) -> None:
    """``import-register FILE --register children|households|reports``."""
    parser = command(
        commands,
        "import-register",
        gettext("import children, households or reports from an Excel (.xlsx) or CSV register"),
        _cmd_import_register,
    )
    parser.add_argument("file", type=Path, metavar=gettext("FILE"), help=gettext("the .xlsx or .csv file"))
    parser.add_argument("--register", required=True, choices=REGISTERS, help=gettext("what the file lists"))
    parser.add_argument(
        "--mapping",
        type=Path,
        metavar=gettext("FILE"),
        help=gettext("a column mapping file (JSON) to use instead of the one proposed from the headers"),
    )
    parser.add_argument(
        "--save-mapping",
        type=Path,
        metavar=gettext("FILE"),
        help=gettext("write the mapping used to this file, to edit it and give it with --mapping"),
    )
    parser.add_argument(
        "--sheet", metavar=gettext("NAME"), help=gettext("the sheet of a workbook (default: the first)")
    )
    parser.add_argument(
        "--dry-run", action="store_true", help=gettext("only show the rows and their problems; write nothing")
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help=gettext("import the valid rows and list the others in a report (default: all rows or none)"),
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar=gettext("FILE"),
        help=gettext("where to list the skipped rows, .csv or .xlsx (default: beside the file)"),
    )
    _user_option(parser)


def _cmd_import_register(args: argparse.Namespace) -> int:
    from models.exchange.legacy import (
        ColumnMapping,
        ImportRefused,
        field_label,
        import_register,
        preview,
        problem_text,
        propose_mapping,
        read_table,
    )

    table = read_table(args.file, sheet=args.sheet, register=args.register)
    if args.mapping is not None:
        mapping = ColumnMapping.load(args.mapping)
        if mapping.register != args.register:
            raise DomainError(
                _(
                    "The mapping file is for the register {mapping}, not {register}.",
                    mapping=mapping.register,
                    register=args.register,
                )
            )
    else:
        mapping = propose_mapping(table, args.register)
    _out(
        _(
            "{path}: {how}; header in row {row}.",
            path=str(args.file),
            how=table.describe(),
            row=table.header_row,
        )
    )
    _out(gettext("Columns:"))
    for index, header in enumerate(table.headers):
        name = mapping.columns.get(index)
        target = field_label(mapping.register, name) if name else gettext("not imported")
        _out(f"  {index + 1}. «{header}» → {target}")
    if args.save_mapping is not None:
        mapping.save(args.save_mapping)
        _out(_("Mapping written: {path}", path=str(args.save_mapping)))
    if not mapping.columns:
        raise DomainError(
            _(
                "No column header was recognised; write a mapping file with --save-mapping, "
                "edit it and give it with --mapping."
            )
        )

    password = _acting_password(args)
    with _signed_in(args, password) as (db, actor):
        checked = preview(db, actor, table, mapping)
        for row in checked.rows:
            if row.problems or row.warnings:
                _out(_("Row {row}: {problems}", row=row.number, problems=problem_text(row)))
        _out(
            _(
                "Rows: {rows}; valid: {valid}; with problems: {invalid}; probable duplicates: {duplicates}.",
                rows=len(checked.rows),
                valid=checked.valid,
                invalid=checked.invalid,
                duplicates=checked.duplicates,
            )
        )
        if args.dry_run:
            _out(gettext("Dry run: nothing was written."))
            return 0
        try:
            result = import_register(
                db, actor, table, mapping, skip_invalid=args.skip_invalid, report_path=args.report
            )
        except ImportRefused as refused:
            _error(refused.message.render())
            _error(gettext("Correct the file, or give --skip-invalid to import the valid rows only."))
            return 1
    _out(_("Imported: {count}.", count=len(result.ids)))
    if result.report_path is not None:
        _out(
            _(
                "Skipped: {count}; the rows and their problems are in {path}.",
                count=len(result.skipped),
                path=str(result.report_path),
            )
        )
    return 0
