"""The deadlines tab: the office's deadlines for case work and the sign-in lockout."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.i18n import gettext
from models.services.settings import (
    DEADLINE_SETTINGS,
    SECURITY_SETTINGS,
    UNIT_LABELS,
    NumberSetting,
    get_number_settings,
    update_number_settings,
)

from ui.admin.common import FieldRows, MessageBar, report_failure
from ui.context import AppContext


class DeadlinesTab(QWidget):
    """Deadlines (days, working days, months) and lockout settings as spin boxes, saved together."""

    kinds: tuple[str, ...] = ("settings",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.bar = MessageBar()
        self.spins: dict[str, QSpinBox] = {}
        self.fields = FieldRows()
        groups = QHBoxLayout()
        for title, specs in (
            (gettext("Deadlines"), DEADLINE_SETTINGS),
            (gettext("Sign-in security"), SECURITY_SETTINGS),
        ):
            groups.addWidget(self._group(title, specs), 1)
        self.save_button = QPushButton(gettext("Save"))
        self.undo_button = QPushButton(gettext("Undo changes"))
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addLayout(groups)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self._loaded: dict[str, int] = {}
        self.refresh()

    def _group(self, title: str, specs: tuple[NumberSetting, ...]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        for spec in specs:
            spin = QSpinBox()
            spin.setRange(spec.minimum, spec.maximum)
            spin.setSuffix(" " + gettext(UNIT_LABELS[spec.unit]))
            spin.setMinimumWidth(150)
            spin.setMaximumWidth(220)
            spin.valueChanged.connect(self._on_spin_value_changed)
            hint = gettext("From {minimum} to {maximum}.").format(minimum=spec.minimum, maximum=spec.maximum)
            self.fields.add(spec.key, gettext(spec.label), spin, hint, form)
            self.spins[spec.key] = spin
        return box

    def values(self) -> dict[str, int]:
        return {key: spin.value() for key, spin in self.spins.items()}

    def modified(self) -> bool:
        return bool(self._loaded) and self.values() != self._loaded

    def refresh(self) -> None:
        """Load the stored settings, unless the user has changed some and not saved them yet."""
        if not self.modified():
            self._load()

    def focus_search(self) -> None:
        next(iter(self.spins.values())).setFocus()

    def save_state(self) -> None:
        """Nothing to keep: the tab has no columns or splitters."""

    def _load(self) -> None:
        try:
            stored = get_number_settings(self.ctx.db, self.ctx.actor)
        except Exception as error:
            report_failure(error, self, self.bar)
            return
        self._loaded = {}
        for key, spin in self.spins.items():
            spin.setValue(stored[key])
        self._loaded = self.values()
        self.fields.clear()
        self._update_buttons()

    def _update_buttons(self) -> None:
        modified = self.modified()
        self.save_button.setEnabled(modified)
        self.undo_button.setEnabled(modified)

    @Slot(int)
    def _on_spin_value_changed(self, _value: int) -> None:
        self._update_buttons()

    @Slot()
    def _on_undo_button_clicked(self) -> None:
        self.bar.clear_message()
        self._load()

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.fields.clear()
        try:
            update_number_settings(self.ctx.db, self.ctx.actor, self.values())
        except Exception as error:
            report_failure(error, self, self.bar, self.fields)
            return
        self._load()
        self.bar.show_info(gettext("The settings are saved."))
        self.ctx.announce_change("settings")
