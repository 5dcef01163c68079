"""The received packages tab: import a package, the packages imported, and the conflicts to decide.

A conflict is a record changed both here and in the office that sent the package; the import
kept the local version. The tab shows both side by side, field by field, and a person decides
which one stays ("Keep ours" / "Take theirs").
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.exchange.format import parse_date, parse_datetime, type_label
from models.exchange.importer import (
    ConflictView,
    ImportCancelled,
    PackageImported,
    import_package,
    open_conflicts,
    received_packages,
    resolve_conflict,
)
from models.exchange.legacy_columns import FIELDS
from models.exchange.reader import is_encrypted
from models.exchange.settings import identity_file
from models.i18n import N_, gettext, ngettext
from models.orm import ExchangePackage
from models.registers import SEX_LABELS
from models.validation import FIELD_LABELS as PERSON_FIELD_LABELS
from models.validation import format_date

from ui.admin.common import (
    Column,
    MessageBar,
    RowsModel,
    format_moment,
    make_table,
    report_failure,
    selected_row,
)
from ui.context import RECORD_KINDS, AppContext
from ui.exchange.packages import ask_identity_file, counts_line, kind_text, parse_counts, total
from ui.tasks import Cancelled, Progress, run_with_progress

FOLDER_KEY = "exchange/received/folder"
HISTORY_HEADER_KEY = "exchange/received/header"
CONFLICTS_HEADER_KEY = "exchange/conflicts/header"
COMPARISON_HEADER_KEY = "exchange/comparison/header"
SPLITTER_KEY = "exchange/received/splitter"
ModelIndex = QModelIndex | QPersistentModelIndex
DIFFERS = QColor("#fff3cd")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


def ask_package_file(parent: QWidget, folder: Path) -> Path | None:
    """The file dialog for a received package; None if the user cancelled."""
    chosen, _filter = QFileDialog.getOpenFileName(
        parent,
        gettext("Import an upload package"),
        str(folder),
        gettext("Upload packages (*.zip *.age);;All files (*)"),
    )
    return Path(chosen) if chosen else None


def _encrypted(path: Path) -> bool:
    """Whether *path* is an age-encrypted package (an unreadable file is left to the import to report)."""
    try:
        return is_encrypted(path)
    except OSError:
        return False


def start_folder(state: QSettings) -> Path:
    saved = state.value(FOLDER_KEY)
    return Path(saved) if isinstance(saved, str) and saved and Path(saved).is_dir() else Path.home()


def changes_text(counts: Mapping[str, Mapping[str, int]]) -> str:
    """“12 new, 3 updated, 40 unchanged, 1 deleted” over all record types."""
    return gettext("{inserted} new, {updated} updated, {unchanged} unchanged, {deleted} deleted").format(
        inserted=total(counts, "inserted"),
        updated=total(counts, "updated"),
        unchanged=total(counts, "unchanged"),
        deleted=total(counts, "deleted"),
    )


def imported_text(result: PackageImported) -> str:
    """What an import did, for the message bar."""
    if result.already_imported:
        return gettext(
            "Package № {sequence} of district {district} was already imported on {date}; nothing changed."
        ).format(
            sequence=result.sequence, district=result.district_code, date=format_moment(result.imported_on)
        )
    lines = [
        gettext("Package № {sequence} ({kind}) of district {district} imported: {changes}.").format(
            sequence=result.sequence,
            kind=kind_text(result.kind, False),
            district=result.district_code,
            changes=changes_text(result.counts),
        )
    ]
    if total(result.counts, "inserted") or total(result.counts, "updated"):
        lines.append(
            gettext("New and updated: {types}.").format(
                types=counts_line(
                    {
                        name: {"changed": f.get("inserted", 0) + f.get("updated", 0)}
                        for name, f in result.counts.items()
                    },
                    "changed",
                )
            )
        )
    if result.conflicts:
        lines.append(
            ngettext(
                "{count} record was changed here and in the package: the local version is kept; "
                "decide below which one stays.",
                "{count} records were changed here and in the package: the local versions are kept; "
                "decide below which ones stay.",
                result.conflicts,
            ).format(count=result.conflicts)
        )
    return "\n".join(lines)


def _received_changes(row: ExchangePackage) -> str:
    return changes_text(parse_counts(row.counts))


RECEIVED_COLUMNS: list[Column[ExchangePackage]] = [
    Column(N_("Imported"), lambda r: format_moment(r.recorded_at)),
    Column(N_("District"), lambda r: r.district_code),
    Column(N_("№"), lambda r: str(r.sequence)),
    Column(N_("Kind"), lambda r: kind_text(r.kind, False)),
    Column(N_("Made"), lambda r: format_moment(r.created_at)),
    Column(N_("Changes"), _received_changes),
    Column(N_("By"), lambda r: r.username or ""),
    Column(N_("File"), lambda r: r.file_name),
]


def record_data(line: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a package line: its data, or for a tombstone when it was deleted."""
    if isinstance(line.get("data"), Mapping):
        return dict(line["data"])
    return {key: value for key, value in line.items() if key != "id"}


def value_text(value: Any) -> str:
    """A value of a package line as people read it: ДД.ММ.ГГГГ dates, local times, yes/no."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if ISO_DATE.fullmatch(text):
        return format_date(parse_date(text))
    if ISO_MOMENT.fullmatch(text):
        return format_moment(parse_datetime(text))
    return text


# The record's bookkeeping, named for people; shown only where the two versions differ in it.
_METADATA_LABELS = {
    "created_at": N_("Entered"),
    "updated_at": N_("Last changed"),
    "version": N_("Version"),
    "deleted_at": N_("Deleted"),
    "status": N_("Status"),
    "district_code": N_("District"),
    "settlement_code": N_("Settlement"),
}
FIELD_LABELS: dict[str, str] = {
    **{field: label for labels in FIELDS.values() for field, label in labels.items()},
    **PERSON_FIELD_LABELS,
    **_METADATA_LABELS,
}
_BOOKKEEPING = frozenset({"created_at", "updated_at", "version", "deleted_at"})


def field_label(field: str) -> str:
    """A field of a record as the forms name it; a field without a name keeps its key."""
    label = FIELD_LABELS.get(field)
    return gettext(label) if label else field


def field_value(field: str, data: Mapping[str, Any]) -> str:
    """The value of *field* in a record's data as the forms show it (a coded sex as a word)."""
    value = data.get(field)
    if field == "sex" and value in SEX_LABELS:
        return gettext(SEX_LABELS[value])
    return value_text(value)


def shown_unchanged(field: str) -> bool:
    """Whether a field that is the same on both sides helps to recognise the record (not bookkeeping)."""
    return field in FIELD_LABELS and field not in _BOOKKEEPING


CONFLICT_COLUMNS: list[Column[ConflictView]] = [
    Column(N_("Found"), lambda c: format_moment(c.detected_at)),
    Column(N_("Record type"), lambda c: type_label(c.table_name)),
    Column(N_("Record"), lambda c: c.description),
    Column(N_("Package"), lambda c: f"{c.district_code} № {c.sequence}"),
]


@dataclass(frozen=True)
class ComparedField:
    """One field of a conflict: its label, the value here and in the package, whether they differ."""

    label: str
    here: str
    incoming: str
    differs: bool


class ComparisonModel(RowsModel[ComparedField]):
    """One conflict field by field: the field, the value here, the value in the package.

    The fields that differ come first, shaded; then the rest, without ids and bookkeeping.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            [
                Column(N_("Field"), lambda row: row.label),
                Column(N_("Here"), lambda row: row.here),
                Column(N_("In the package"), lambda row: row.incoming),
            ],
            parent=parent,
        )

    def show_conflict(self, conflict: ConflictView | None) -> None:
        if conflict is None:
            self.set_rows([])
            return
        local, incoming = record_data(conflict.local), record_data(conflict.incoming)
        differing = set(conflict.changed_fields)
        unchanged = [f for f in sorted((set(local) | set(incoming)) - differing) if shown_unchanged(f)]

        def compared(field: str, differs: bool) -> ComparedField:
            return ComparedField(
                field_label(field), field_value(field, local), field_value(field, incoming), differs
            )

        self.set_rows(
            [compared(field, True) for field in sorted(differing)]
            + [compared(field, False) for field in unchanged]
        )

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole and index.isValid() and self.row_at(index.row()).differs:
            return QBrush(DIFFERS)
        return super().data(index, role)


class ReceivedTab(QWidget):
    """Importing packages (off the GUI thread), the packages imported, and the open conflicts.

    Signals:
        package_imported(object): a package was imported (its :class:`PackageImported`).
    """

    package_imported = Signal(object)

    kinds: tuple[str, ...] = ("settings",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.task_running = False
        self.identity: Path | None = None
        self.import_button = QPushButton(gettext("Import a package…"))
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.key_note = QLabel()
        self.key_note.setWordWrap(True)
        self.bar = MessageBar()

        self.history: RowsModel[ExchangePackage] = RowsModel(RECEIVED_COLUMNS, parent=self)
        self.history_table = make_table(
            self.history, ctx.state, HISTORY_HEADER_KEY, (130, 80, 50, 120, 130, 400, 120)
        )
        self.conflicts: RowsModel[ConflictView] = RowsModel(CONFLICT_COLUMNS, parent=self)
        self.conflicts_table = make_table(self.conflicts, ctx.state, CONFLICTS_HEADER_KEY, (130, 190, 260))
        self.conflicts_table.selectionModel().selectionChanged.connect(self._on_conflicts_selection_changed)
        self.comparison = ComparisonModel(self)
        self.comparison_table = make_table(self.comparison, ctx.state, COMPARISON_HEADER_KEY, (170, 280))
        self.comparison_table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.keep_button = QPushButton(gettext("Keep ours"))
        self.take_button = QPushButton(gettext("Take theirs"))
        self.keep_button.setToolTip(gettext("Keep the version of this database; the package's is dropped."))
        self.take_button.setToolTip(gettext("Replace this database's version with the one from the package."))
        self.keep_button.clicked.connect(self._on_keep_button_clicked)
        self.take_button.clicked.connect(self._on_take_button_clicked)
        self.conflicts_box = QGroupBox()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self._lay_out()
        self.refresh()

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.import_button)
        top.addWidget(self.key_note, 1)

        history = QGroupBox(gettext("Packages imported"))
        history_layout = QVBoxLayout(history)
        history_layout.addWidget(self.history_table)

        conflicts_layout = QVBoxLayout(self.conflicts_box)
        conflicts_layout.addWidget(self.conflicts_table, 1)
        conflicts_layout.addWidget(self.comparison_table, 3)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.take_button)
        buttons.addStretch(1)
        conflicts_layout.addLayout(buttons)

        self.splitter.addWidget(history)
        self.splitter.addWidget(self.conflicts_box)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        saved = self.ctx.state.value(SPLITTER_KEY)
        if saved is not None:
            self.splitter.restoreState(saved)

        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(self.bar)
        column.addWidget(self.splitter, 1)

    def refresh(self) -> None:
        """Reload the packages imported, the open conflicts and whether a private key is configured."""
        chosen = selected_row(self.conflicts_table)
        with self.ctx.db.reading() as session:
            self.identity = identity_file(session)
            self.history.set_rows(list(received_packages(session)))
            conflicts = list(open_conflicts(session))
        self.conflicts.set_rows(conflicts)
        self.conflicts_box.setTitle(gettext("Conflicts to decide: {count}").format(count=len(conflicts)))
        if self.identity is None:
            self.key_note.setText(
                gettext(
                    "No private key file is configured: for an encrypted package "
                    "you will be asked for the key file."
                )
            )
        else:
            self.key_note.setText(
                gettext("Encrypted packages are opened with {path}.").format(path=self.identity)
            )
        rows = self.conflicts.rows()
        again = next((i for i, c in enumerate(rows) if chosen is not None and c.id == chosen.id), None)
        if again is None and rows:
            again = 0
        if again is not None:
            self.conflicts_table.selectRow(again)
        self._show_selected()

    def focus_search(self) -> None:
        self.import_button.setFocus()

    def save_state(self) -> None:
        self.ctx.state.setValue(HISTORY_HEADER_KEY, self.history_table.horizontalHeader().saveState())
        self.ctx.state.setValue(CONFLICTS_HEADER_KEY, self.conflicts_table.horizontalHeader().saveState())
        self.ctx.state.setValue(COMPARISON_HEADER_KEY, self.comparison_table.horizontalHeader().saveState())
        self.ctx.state.setValue(SPLITTER_KEY, self.splitter.saveState())

    def _show_selected(self) -> None:
        conflict = selected_row(self.conflicts_table)
        self.comparison.show_conflict(conflict)
        for button in (self.keep_button, self.take_button):
            button.setEnabled(conflict is not None)

    @Slot()
    def _on_conflicts_selection_changed(self) -> None:
        self._show_selected()

    @Slot()
    def _on_import_button_clicked(self) -> None:
        if self.task_running:
            return
        path = ask_package_file(self, start_folder(self.ctx.state))
        if path is None:
            return
        self.ctx.state.setValue(FOLDER_KEY, str(path.parent))
        identity = self.identity
        if identity is None and _encrypted(path):
            identity = ask_identity_file(self, path.parent)
            if identity is None:
                return
        db, actor = self.ctx.db, self.ctx.actor
        text = gettext("Importing the package…")

        def work(progress: Progress) -> PackageImported:
            try:
                return import_package(
                    db,
                    actor,
                    path,
                    identity=identity,
                    progress=lambda done, steps: progress.report(done, steps, text),
                    cancelled=lambda: progress.cancelled,
                )
            except ImportCancelled:
                raise Cancelled from None

        self.bar.clear_message()
        self._set_running(True)
        task = run_with_progress(self, gettext("Import an upload package"), work, self._on_package_imported)
        task.ended.connect(lambda: self._set_running(False))

    def _set_running(self, running: bool) -> None:
        self.task_running = running
        self.import_button.setEnabled(not running)

    def _on_package_imported(self, result: PackageImported) -> None:
        self.refresh()
        self.bar.show_info(imported_text(result))
        self._announce()
        self.package_imported.emit(result)

    def _announce(self) -> None:
        """Tell every page that the records an import or a decision writes may have changed."""
        for kind in (*RECORD_KINDS, "user", "reference", "organisation"):
            self.ctx.announce_change(kind)

    def _resolve(self, keep: Literal["local", "incoming"]) -> None:
        conflict = selected_row(self.conflicts_table)
        if conflict is None:
            return
        try:
            resolve_conflict(self.ctx.db, self.ctx.actor, conflict.id, keep)
        except Exception as error:
            report_failure(error, self, self.bar)
            return
        record = f"{type_label(conflict.table_name)}: {conflict.description}"
        message = (
            gettext("Kept this database's version of {record}.")
            if keep == "local"
            else gettext("Took the package's version of {record}.")
        )
        self.refresh()
        self.bar.show_info(message.format(record=record))
        self._announce()

    @Slot()
    def _on_keep_button_clicked(self) -> None:
        self._resolve("local")

    @Slot()
    def _on_take_button_clicked(self) -> None:
        self._resolve("incoming")
