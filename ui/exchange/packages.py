"""The upload packages tab: make a package for the regional office, the packages made, the keys.

A package is encrypted to the public keys configured here. Without one, a package with
personal data is written only unencrypted and only after the user has confirmed it in a
dialog that says what that means. The dialogs are module functions so a test can answer them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError
from models.exchange.format import type_label
from models.exchange.settings import identity_file, recipients, set_exchange_settings
from models.exchange.writer import ExportCancelled, PackageMade, export_package, sent_packages
from models.i18n import N_, gettext, ngettext
from models.orm import ExchangePackage
from models.permissions import Permission

from ui.admin.common import Column, MessageBar, RowsModel, format_moment, make_table, report_failure
from ui.context import AppContext
from ui.tasks import Cancelled, Progress, run_with_progress

FOLDER_KEY = "exchange/packages/folder"
HEADER_KEY = "exchange/packages/header"
NO_KEY_TEXT = N_(
    "No public key of the receiving office is configured: the package cannot be encrypted. "
    "An administrator enters the key under “Encryption keys”. Until then a package with "
    "personal data is written only unencrypted, after you confirm it."
)


def file_size(size: int) -> str:
    """A file size for people: bytes, KB or MB."""
    if size < 1024:
        return ngettext("{count} byte", "{count} bytes", size).format(count=size)
    if size < 1024 * 1024:
        return gettext("{size:.1f} KB").format(size=size / 1024)
    return gettext("{size:.1f} MB").format(size=size / 1024 / 1024)


def parse_counts(counts: object) -> dict[str, dict[str, int]]:
    """A package's counts per record type, stored as JSON text (or already a mapping)."""
    loaded = json.loads(counts) if isinstance(counts, str) else counts
    if not isinstance(loaded, Mapping):
        return {}
    return {
        str(name): {str(k): int(v) for k, v in figures.items()}
        for name, figures in loaded.items()
        if isinstance(figures, Mapping)
    }


def total(counts: Mapping[str, Mapping[str, int]], key: str) -> int:
    return sum(figures.get(key, 0) for figures in counts.values())


def counts_line(counts: Mapping[str, Mapping[str, int]], key: str) -> str:
    """“People 12, Cases 4, …”: the types with a non-zero figure under *key*."""
    parts = [f"{type_label(name)} {figures[key]}" for name, figures in counts.items() if figures.get(key)]
    return ", ".join(parts) or "—"


def kind_text(kind: str, depersonalized: bool) -> str:
    text = gettext("full") if kind == "full" else gettext("incremental")
    return text + (", " + gettext("depersonalised") if depersonalized else "")


def records_text(counts: Mapping[str, Mapping[str, int]]) -> str:
    records, deleted = total(counts, "records"), total(counts, "deleted")
    text = ngettext("{count} record", "{count} records", records).format(count=records)
    if deleted:
        text += ", " + ngettext("{count} deletion", "{count} deletions", deleted).format(count=deleted)
    return text


def last_folder(state: QSettings) -> Path:
    """The folder the last package went to, else Documents (or the home folder)."""
    saved = state.value(FOLDER_KEY)
    if isinstance(saved, str) and saved and Path(saved).is_dir():
        return Path(saved)
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def ask_folder(parent: QWidget, folder: Path) -> Path | None:
    """The folder dialog for where packages go (a USB stick, say); None if the user cancelled."""
    chosen = QFileDialog.getExistingDirectory(parent, gettext("Folder for upload packages"), str(folder))
    return Path(chosen) if chosen else None


def ask_key_folder(parent: QWidget, folder: Path) -> Path | None:
    """The folder dialog for a new key pair; None if the user cancelled."""
    chosen = QFileDialog.getExistingDirectory(parent, gettext("Folder for the new key files"), str(folder))
    return Path(chosen) if chosen else None


def ask_identity_file(parent: QWidget, start: Path) -> Path | None:
    """The file dialog for a private key file (age identity); None if the user cancelled."""
    chosen, _filter = QFileDialog.getOpenFileName(
        parent,
        gettext("Private key file"),
        str(start),
        gettext("Key files (*.txt *.key);;All files (*)"),
    )
    return Path(chosen) if chosen else None


def ask_write_unencrypted(parent: QWidget) -> bool:
    """Whether to write a package with personal data unencrypted, after saying what that risks."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(gettext("Write the package unencrypted?"))
    box.setText(gettext("No public key is configured, so the package cannot be encrypted."))
    box.setInformativeText(
        gettext(
            "The package holds the names, ПИН, addresses and case records of children and families. "
            "Unencrypted, anyone who finds or copies the USB stick or the email can read all of it. "
            "Writing it unencrypted is recorded in the audit log.\n\n"
            "Better: ask the regional office for its public key (age1…) and enter it under "
            "“Encryption keys”."
        )
    )
    write = box.addButton(gettext("Write unencrypted"), QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(gettext("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is write


def _sent_kind(row: ExchangePackage) -> str:
    return kind_text(row.kind, row.stream == "depersonalized")


SENT_COLUMNS: list[Column[ExchangePackage]] = [
    Column(N_("Made"), lambda r: format_moment(r.created_at)),
    Column(N_("№"), lambda r: str(r.sequence)),
    Column(N_("Kind"), _sent_kind),
    Column(N_("Encryption"), lambda r: gettext("encrypted") if r.encrypted else gettext("NOT encrypted")),
    Column(N_("Records"), lambda r: records_text(parse_counts(r.counts))),
    Column(N_("By"), lambda r: r.username or ""),
    Column(N_("File"), lambda r: r.file_name),
]


class PackagesTab(QWidget):
    """Making an upload package (off the GUI thread), the packages made, and the encryption keys.

    Signals:
        package_made(object): a package was written (its :class:`PackageMade`).
    """

    package_made = Signal(object)
    kinds: tuple[str, ...] = ("settings",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.folder = last_folder(ctx.state)
        self.recipients: list[str] = []
        self.task_running = False

        self.incremental = QRadioButton(gettext("Changes since the last package"))
        self.full = QRadioButton(gettext("Every record (full package)"))
        self.incremental.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.incremental)
        kinds.addButton(self.full)
        self.depersonalized = QCheckBox(
            gettext(
                "Depersonalised, for statistics: no names, ПИН, addresses or contacts; ages, not birth dates"
            )
        )
        self.folder_label = QLabel()
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_button = QPushButton(gettext("Choose…"))
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.key_note = QLabel()
        self.key_note.setWordWrap(True)
        self.make_button = QPushButton(gettext("Make the package"))
        self.make_button.setDefault(True)
        self.make_button.clicked.connect(self._on_make_button_clicked)
        self.bar = MessageBar()

        self.model: RowsModel[ExchangePackage] = RowsModel(SENT_COLUMNS, parent=self)
        self.table = make_table(self.model, ctx.state, HEADER_KEY, (130, 50, 200, 130, 200, 120))

        self.keys: KeysBox | None = KeysBox(ctx, self) if ctx.can(Permission.SETTINGS_WRITE) else None
        if self.keys is not None:
            self.keys.saved.connect(self.refresh)
        self._lay_out()
        self.refresh()

    def _lay_out(self) -> None:
        make = QGroupBox(gettext("New package"))
        form = QFormLayout(make)
        kind_row = QVBoxLayout()
        kind_row.addWidget(self.incremental)
        kind_row.addWidget(self.full)
        kind_row.addWidget(self.depersonalized)
        form.addRow(gettext("What goes in"), kind_row)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(self.folder_button)
        form.addRow(gettext("Folder"), folder_row)
        form.addRow(gettext("Encryption"), self.key_note)
        button_row = QHBoxLayout()
        button_row.addWidget(self.make_button)
        button_row.addStretch(1)
        form.addRow("", button_row)

        history = QGroupBox(gettext("Packages made"))
        history_layout = QVBoxLayout(history)
        history_layout.addWidget(self.table)

        column = QVBoxLayout(self)
        column.addWidget(make)
        column.addWidget(self.bar)
        column.addWidget(history, 1)
        if self.keys is not None:
            column.addWidget(self.keys)

    def refresh(self) -> None:
        """Reload the configured keys and the packages made."""
        with self.ctx.db.reading() as session:
            self.recipients = recipients(session)
            rows = list(sent_packages(session))
        self.model.set_rows(rows)
        self.folder_label.setText(str(self.folder))
        if self.recipients:
            self.key_note.setStyleSheet("")
            self.key_note.setText(
                ngettext(
                    "Encrypted to {count} public key: only the holder of its private key can read "
                    "the package.",
                    "Encrypted to {count} public keys: only the holders of their private keys can read "
                    "the package.",
                    len(self.recipients),
                ).format(count=len(self.recipients))
            )
        else:
            self.key_note.setStyleSheet("color: #b3261e;")
            self.key_note.setText(gettext(NO_KEY_TEXT))
        if self.keys is not None:
            self.keys.refresh()

    def focus_search(self) -> None:
        self.make_button.setFocus()

    def save_state(self) -> None:
        self.ctx.state.setValue(HEADER_KEY, self.table.horizontalHeader().saveState())

    @Slot()
    def _on_folder_button_clicked(self) -> None:
        chosen = ask_folder(self, self.folder)
        if chosen is not None:
            self.folder = chosen
            self.ctx.state.setValue(FOLDER_KEY, str(chosen))
            self.folder_label.setText(str(chosen))

    @Slot()
    def _on_make_button_clicked(self) -> None:
        if self.task_running:
            return
        depersonalized = self.depersonalized.isChecked()
        plaintext = False
        if not self.recipients and not depersonalized:
            if not ask_write_unencrypted(self):
                return
            plaintext = True
        db, actor, folder, full = self.ctx.db, self.ctx.actor, self.folder, self.full.isChecked()
        text = gettext("Making the upload package…")

        def work(progress: Progress) -> PackageMade:
            try:
                return export_package(
                    db,
                    actor,
                    folder,
                    full=full,
                    depersonalized=depersonalized,
                    plaintext=plaintext,
                    progress=lambda done, steps: progress.report(done, steps, text),
                    cancelled=lambda: progress.cancelled,
                )
            except ExportCancelled:
                raise Cancelled from None

        self.bar.clear_message()
        self._set_running(True)
        task = run_with_progress(self, gettext("Upload package"), work, self._on_package_made)
        task.ended.connect(lambda: self._set_running(False))

    def _set_running(self, running: bool) -> None:
        self.task_running = running
        self.make_button.setEnabled(not running)

    def _on_package_made(self, made: PackageMade) -> None:
        lines = [
            gettext("Package № {sequence} ({kind}) written: {path} ({size}).").format(
                sequence=made.sequence,
                kind=kind_text(made.kind, made.depersonalized),
                path=made.path,
                size=file_size(made.size),
            ),
            records_text(made.counts) + ": " + counts_line(made.counts, "records") + ".",
        ]
        if made.kind == "full" and not self.full.isChecked():
            lines.append(
                gettext("There was no earlier package of this kind, so this one holds every record.")
            )
        if made.encrypted:
            lines.append(gettext("Encrypted: only the holder of the private key can read it."))
            self.bar.show_info("\n".join(lines))
        elif made.depersonalized:
            lines.append(gettext("Not encrypted; it holds no names, ПИН, addresses or contacts."))
            self.bar.show_info("\n".join(lines))
        else:
            lines.append(
                gettext(
                    "NOT encrypted: anyone who gets the file can read it. "
                    "Keep it safe and delete it when done."
                )
            )
            self.bar.show_error("\n".join(lines))
        self.refresh()
        self.package_made.emit(made)


class KeysBox(QGroupBox):
    """The public keys packages are encrypted to and the private key file that opens received ones.

    Shown to administrators only (:data:`Permission.SETTINGS_WRITE`); saved through the settings service.

    Signals:
        saved(): the keys were saved.
    """

    saved = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(gettext("Encryption keys"), parent)
        self.ctx = ctx
        self.recipients = QPlainTextEdit()
        self.recipients.setPlaceholderText("age1…")
        self.recipients.setTabChangesFocus(True)
        self.recipients.setFixedHeight(self.recipients.fontMetrics().lineSpacing() * 3 + 14)
        self.identity = QLineEdit()
        self.identity.setPlaceholderText(gettext("none: received packages cannot be decrypted here"))
        self.identity_button = QPushButton(gettext("Choose…"))
        self.identity_button.clicked.connect(self._on_identity_button_clicked)
        self.generate_button = QPushButton(gettext("New key pair…"))
        self.generate_button.setToolTip(
            gettext(
                "For the office that receives packages: a private key file and the public key to hand out."
            )
        )
        self.generate_button.clicked.connect(self._on_generate_button_clicked)
        self._loaded: tuple[str, str] | None = None
        self.save_button = QPushButton(gettext("Save the keys"))
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.bar = MessageBar()

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        keys_hint = QLabel(
            gettext(
                "Public keys of the office that receives the packages, one per line (age1…). "
                "A public key can only lock: it is safe to copy."
            )
        )
        keys_hint.setWordWrap(True)
        keys_hint.setEnabled(False)
        keys_column = QVBoxLayout()
        keys_column.addWidget(self.recipients)
        keys_column.addWidget(keys_hint)
        form.addRow(gettext("Public keys"), keys_column)
        identity_row = QHBoxLayout()
        identity_row.addWidget(self.identity, 1)
        identity_row.addWidget(self.identity_button)
        identity_row.addWidget(self.generate_button)
        form.addRow(gettext("Private key file"), identity_row)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.bar, 1)
        save_row.addStretch(0)
        form.addRow("", save_row)

    def typed(self) -> tuple[str, str]:
        return self.recipients.toPlainText(), self.identity.text()

    def refresh(self) -> None:
        """Show the stored keys, unless the user has typed others and not saved them yet."""
        if self._loaded is not None and self.typed() != self._loaded:
            return
        with self.ctx.db.reading() as session:
            keys, identity = recipients(session), identity_file(session)
        self.recipients.setPlainText("\n".join(keys))
        self.identity.setText(str(identity) if identity is not None else "")
        self._loaded = self.typed()

    def typed_recipients(self) -> list[str]:
        """The public keys as typed, one a line, each checked (a wrong one raises its refusal)."""
        from models.exchange.crypto import parse_recipient

        keys: list[str] = []
        for line in self.recipients.toPlainText().splitlines():
            if line.strip():
                keys.append(parse_recipient(line.strip()))
        return keys

    @Slot()
    def _on_identity_button_clicked(self) -> None:
        current = Path(self.identity.text().strip()) if self.identity.text().strip() else Path.home()
        chosen = ask_identity_file(self, current.parent if current.is_file() else current)
        if chosen is not None:
            self.identity.setText(str(chosen))

    @Slot()
    def _on_generate_button_clicked(self) -> None:
        from models.exchange.crypto import generate_keys

        folder = ask_key_folder(self, Path.home())
        if folder is None:
            return
        try:
            pair = generate_keys(folder)
        except DomainError as error:
            report_failure(error, self, self.bar)
            return
        self.identity.setText(str(pair.identity_path))
        self.bar.show_info(
            gettext(
                "New key pair made. Public key, for the offices that send you packages: {key}\n"
                "The private key file {path} opens the packages: keep it secret and keep a safe copy. "
                "Save the keys to use it here."
            ).format(key=pair.recipient, path=pair.identity_path)
        )

    @Slot()
    def _on_save_button_clicked(self) -> None:
        try:
            keys = self.typed_recipients()
            typed = self.identity.text().strip()
            set_exchange_settings(
                self.ctx.db, self.ctx.actor, recipients=keys, identity_file=Path(typed) if typed else None
            )
        except DomainError as error:
            report_failure(error, self, self.bar)
            return
        self._loaded = None
        self.refresh()
        self.bar.show_info(gettext("The keys are saved."))
        self.saved.emit()
        self.ctx.announce_change("settings")
