"""The deadlines tab: the office's deadlines for case work and the sign-in lockout."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.i18n import N_, gettext
from models.services.settings import (
    DEADLINE_SETTINGS,
    SECURITY_SETTINGS,
    UNIT_LABELS,
    NumberSetting,
    get_number_settings,
    update_number_settings,
)

from ui.admin.common import SettingsTab
from ui.context import AppContext


class DeadlinesTab(SettingsTab[dict[str, int]]):
    """Deadlines (days, working days, months) and lockout settings as spin boxes, saved together."""

    kinds: tuple[str, ...] = ("settings",)
    changed_kind = "settings"
    saved_message = N_("The settings are saved.")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.spins: dict[str, QSpinBox] = {}
        groups = QHBoxLayout()
        for title, specs in (
            (gettext("Deadlines"), DEADLINE_SETTINGS),
            (gettext("Sign-in security"), SECURITY_SETTINGS),
        ):
            groups.addWidget(self._group(title, specs), 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addLayout(groups)
        layout.addLayout(self.button_row())
        layout.addStretch(1)
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

    def current(self) -> dict[str, int]:
        return self.values()

    def focus_search(self) -> None:
        next(iter(self.spins.values())).setFocus()

    def fetch(self) -> dict[str, int]:
        return get_number_settings(self.ctx.db, self.ctx.actor)

    def show_stored(self, stored: dict[str, int]) -> dict[str, int]:
        for key, spin in self.spins.items():
            spin.setValue(stored[key])
        return self.values()

    def write(self) -> None:
        self.fields.clear()
        update_number_settings(self.ctx.db, self.ctx.actor, self.values())

    @Slot(int)
    def _on_spin_value_changed(self, _value: int) -> None:
        self._update_buttons()
