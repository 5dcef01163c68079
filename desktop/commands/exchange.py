"""Upload packages from the command line: ``export``, ``import-package`` and ``keys``.

The package path is the only line ``export`` prints on stdout, so that a script can capture it;
what the package holds goes to stderr. The age and zip code loads inside the handlers, since
the desktop program builds this parser at start-up.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

from models.i18n import N_, _, gettext, ngettext

from desktop.cli import (
    CommandMaker,
    CommandRefused,
    _acting_password,
    _error,
    _local,
    _out,
    _Parser,
    _signed_in,
    _user_option,
)


def add_commands(commands: argparse._SubParsersAction[_Parser], command: CommandMaker) -> None:
    """``export``, ``import-package`` and ``keys generate|use``."""
    export = command(
        commands,
        "export",
        gettext("write an upload package of the office's records (encrypted to the configured keys)"),
        _cmd_export,
    )
    export.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar=gettext("FOLDER"),
        help=gettext("the folder to write the package in; its path is printed"),
    )
    export.add_argument(
        "--full",
        action="store_true",
        help=gettext("every record, not only the changes since the last package"),
    )
    export.add_argument(
        "--depersonalized",
        action="store_true",
        help=gettext("for statistics: no names, ПИН, addresses or contacts; ages instead of birth dates"),
    )
    export.add_argument(
        "--plaintext",
        action="store_true",
        help=gettext(
            "write the package unencrypted even though it holds personal data (recorded in the audit log)"
        ),
    )
    _user_option(export)

    receive = command(
        commands,
        "import-package",
        gettext("apply an upload package from an office to this database"),
        _cmd_import_package,
    )
    receive.add_argument(
        "file", type=Path, metavar=gettext("FILE"), help=gettext("the package (.zip or .zip.age)")
    )
    receive.add_argument(
        "--key",
        type=Path,
        metavar=gettext("IDENTITY_FILE"),
        help=gettext("the private key file that decrypts the package (default: the one configured)"),
    )
    _user_option(receive)

    keys = command(commands, "keys", gettext("keys that encrypt upload packages"), _cmd_keys_help)
    key_commands = keys.add_subparsers(title=gettext("commands"), metavar=gettext("COMMAND"))
    generate = command(
        key_commands,
        "generate",
        gettext("make a new key pair: a private key file and its public key"),
        _cmd_keys_generate,
    )
    generate.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar=gettext("FOLDER"),
        help=gettext("the folder to write the two key files in"),
    )
    use = command(
        key_commands,
        "use",
        gettext("set the public keys packages are encrypted to, and the private key file for imports"),
        _cmd_keys_use,
    )
    use.add_argument(
        "--recipient",
        action="append",
        metavar=gettext("KEY_OR_FILE"),
        help=gettext(
            "a public key age1… or a file holding one; repeat for several; replaces the configured ones"
        ),
    )
    use.add_argument(
        "--identity",
        type=Path,
        metavar=gettext("IDENTITY_FILE"),
        help=gettext("the private key file used to decrypt received packages"),
    )
    use.add_argument(
        "--clear", action="store_true", help=gettext("forget the configured public keys and private key file")
    )
    _user_option(use)


def _cmd_export(args: argparse.Namespace) -> int:
    """Write a package into --out; its path alone on stdout, what it holds on stderr."""
    from models.exchange.writer import export_package

    password = _acting_password(args)
    with _signed_in(args, password) as (db, actor):
        made = export_package(
            db,
            actor,
            args.out,
            full=args.full,
            depersonalized=args.depersonalized,
            plaintext=args.plaintext,
        )
    _out(made.path)
    kind = gettext("full") if made.kind == "full" else gettext("incremental")
    _error(
        _(
            "Package № {sequence} ({kind}{depersonalized}), {size}: {records}.",
            sequence=made.sequence,
            kind=kind,
            depersonalized=gettext(", depersonalised") if made.depersonalized else "",
            size=_file_size(made.size),
            records=_records_text(made.counts),
        )
    )
    if made.kind == "full" and not args.full:
        _error(gettext("There was no earlier package of this kind, so this one holds every record."))
    if made.encrypted:
        _error(gettext("Encrypted: only the holder of the private key can read it."))
    elif made.depersonalized:
        _error(gettext("Not encrypted; it holds no names, ПИН, addresses or contacts."))
    else:
        _error(
            gettext(
                "NOT encrypted: anyone who gets the file can read it. Keep it safe and delete it when done."
            )
        )
    _type_lines(made.counts, ("records", "deleted"))
    return 0


_IMPORT_KEYS = ("inserted", "updated", "unchanged", "deleted")


def _cmd_import_package(args: argparse.Namespace) -> int:
    """Apply a package in one transaction; what changed, per record type, and the conflicts left to decide."""
    from models.exchange.importer import import_package
    from models.exchange.settings import identity_file

    password = _acting_password(args)
    with _signed_in(args, password) as (db, actor):
        if args.key is None and _encrypted(args.file):
            with db.reading() as session:
                configured = identity_file(session)
            if configured is None:
                raise CommandRefused(
                    _(
                        "The package is encrypted: give its private key file with --key FILE, or configure "
                        "it once with “bala-korgoo keys use --identity FILE”."
                    )
                )
        imported = import_package(db, actor, args.file, identity=args.key)
    if imported.already_imported:
        _out(
            _(
                "Package № {sequence} of district {district} was already imported on {date}; "
                "nothing changed.",
                sequence=imported.sequence,
                district=imported.district_code,
                date=_local(imported.imported_on),
            )
        )
        return 0
    totals = {key: sum(c.get(key, 0) for c in imported.counts.values()) for key in _IMPORT_KEYS}
    _out(
        _(
            "Package № {sequence} of district {district} imported: {inserted} new, {updated} updated, "
            "{unchanged} unchanged, {deleted} deleted.",
            sequence=imported.sequence,
            district=imported.district_code,
            **totals,
        )
    )
    _type_lines(imported.counts, _IMPORT_KEYS, to_stderr=False)
    if imported.conflicts:
        _out(
            ngettext(
                "{count} record was changed here and in the package: the local version is kept until "
                "someone decides (Data exchange → Received packages).",
                "{count} records were changed here and in the package: the local versions are kept until "
                "someone decides (Data exchange → Received packages).",
                imported.conflicts,
            ).format(count=imported.conflicts)
        )
    return 0


def _encrypted(path: Path) -> bool:
    """Whether *path* is an age-encrypted package (a file that cannot be read is left to the import)."""
    from models.exchange.reader import is_encrypted

    try:
        return is_encrypted(path)
    except OSError:
        return False


def _cmd_keys_help(args: argparse.Namespace) -> NoReturn:
    parser: _Parser = args.parser
    parser.error(gettext("choose what to do with keys: generate, use"))


def _cmd_keys_generate(args: argparse.Namespace) -> int:
    """Write a new identity (private key) and its recipient (public key) file; say which to give away."""
    from models.exchange.crypto import generate_keys

    pair = generate_keys(args.out)
    _out(_("Public key: {key}", key=pair.recipient))
    _out(
        _(
            "Public key file (give it to the offices that send you packages): {path}",
            path=str(pair.recipient_path),
        )
    )
    _out(_("Private key file (decrypts the packages): {path}", path=str(pair.identity_path)))
    _error(
        gettext(
            "Keep the private key file secret: whoever has it can read every package made for this key. "
            "Keep it on the PC that imports the packages and on a safe copy, never on the offices' PCs, "
            "never with the packages, never in an email."
        )
    )
    return 0


def _cmd_keys_use(args: argparse.Namespace) -> int:
    """Replace the configured recipients (when given) and the identity file (when given), or clear both."""
    from models.exchange.crypto import parse_recipient
    from models.exchange.settings import identity_file, recipients, set_exchange_settings

    if not args.clear and args.recipient is None and args.identity is None:
        parser: _Parser = args.parser
        parser.error(gettext("give --recipient, --identity or --clear"))
    new_recipients = (
        None if args.recipient is None else [parse_recipient(_key_text(v)) for v in args.recipient]
    )
    password = _acting_password(args)
    with _signed_in(args, password) as (db, actor):
        with db.reading() as session:
            current_recipients, current_identity = recipients(session), identity_file(session)
        if args.clear:
            current_recipients, current_identity = [], None
        chosen = current_recipients if new_recipients is None else new_recipients
        identity = current_identity if args.identity is None else args.identity.resolve()
        set_exchange_settings(db, actor, recipients=chosen, identity_file=identity)
    if chosen:
        _out(
            ngettext(
                "Packages are encrypted to {count} key:",
                "Packages are encrypted to {count} keys:",
                len(chosen),
            ).format(count=len(chosen))
        )
        for key in chosen:
            _out(f"  {key}")
    else:
        _out(
            gettext(
                "No public key is configured: packages with personal data are refused unless --plaintext."
            )
        )
    if identity is not None:
        _out(_("Private key file for imports: {path}", path=str(identity)))
    return 0


def _key_text(value: str) -> str:
    """A public key given as itself, or the contents of the file naming it (comment lines skipped)."""
    if value.strip().startswith("age1"):
        return value.strip()
    try:
        lines = [line.strip() for line in Path(value).read_text(encoding="utf-8").splitlines()]
    except (OSError, UnicodeDecodeError):  # not a readable text file: the key check names the value
        return value
    keys = [line for line in lines if line and not line.startswith("#")]
    return keys[0] if len(keys) == 1 else value


def _records_text(counts: Mapping[str, Mapping[str, int]]) -> str:
    records = sum(c.get("records", 0) for c in counts.values())
    deleted = sum(c.get("deleted", 0) for c in counts.values())
    text = ngettext("{count} record", "{count} records", records).format(count=records)
    if deleted:
        text += ", " + ngettext("{count} deletion", "{count} deletions", deleted).format(count=deleted)
    return text


# The figures of a package's counts, per record type, as the commands name them.
_FIGURES = {
    "records": N_("records"),
    "deleted": N_("deleted"),
    "inserted": N_("new"),
    "updated": N_("updated"),
    "unchanged": N_("unchanged"),
}


def _type_lines(
    counts: Mapping[str, Mapping[str, int]], keys: tuple[str, ...], *, to_stderr: bool = True
) -> None:
    """One line per record type that has something: its name, the figures under *keys*."""
    from models.exchange.format import type_label  # loaded with the command, not at start-up

    write = _error if to_stderr else _out
    width = max((len(type_label(name)) for name in counts), default=0)
    for name, figures in counts.items():
        if any(figures.get(key, 0) for key in keys):
            cells = (f"{gettext(_FIGURES[key])} {figures.get(key, 0)}" for key in keys)
            write(f"  {type_label(name):<{width}}  " + "  ".join(cells))


def _file_size(size: int) -> str:
    """A file size for people: bytes, KB or MB."""
    if size < 1024:
        return ngettext("{count} byte", "{count} bytes", size).format(count=size)
    if size < 1024 * 1024:
        return _("{size:.1f} KB", size=size / 1024).render()
    return _("{size:.1f} MB", size=size / 1024 / 1024).render()
