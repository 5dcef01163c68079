"""The filter bar above a register: search as you type and the filters the register supports."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QSignalBlocker, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QMouseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from models.i18n import gettext
from models.lookups import Choice, district_choices, reference_choices, worker_choices
from models.registers import columns, filters

from ui.context import AppContext
from ui.registers.columns import DATE_COLUMNS, ONLY_OPEN_LABELS, STATUS_LABELS, STATUS_TITLES
from ui.tasks import Progress, Task, run_task

SEARCH_DELAY_MS = 300


@dataclass(frozen=True)
class _Choices:
    categories: list[Choice]
    workers: list[Choice]
    districts: list[Choice]


class _StayOpenMenu(QMenu):
    """A menu of check boxes that stays open while the user ticks several of them."""

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        action: QAction | None = self.activeAction()  # None between entries
        if action is not None and action.isEnabled() and action.isCheckable():
            action.trigger()
            return
        super().mouseReleaseEvent(event)


class ChoiceButton(QPushButton):
    """A button with a menu of check boxes: choose any number of values (none: no filter).

    Signals:
        selection_changed(): the user ticked or unticked a value.
    """

    selection_changed = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._menu = _StayOpenMenu(self)
        self.setMenu(self._menu)
        self._update_text()

    def set_choices(self, choices: Sequence[Choice[str]]) -> None:
        """Offer *choices*, keeping those still offered ticked."""
        chosen = set(self.selected())
        self._menu.clear()
        for choice in choices:
            action = QAction(choice.label, self._menu)
            action.setCheckable(True)
            action.setChecked(choice.value in chosen)
            action.setData(choice.value)
            action.toggled.connect(self._on_action_toggled)
            self._menu.addAction(action)
        self._update_text()

    def actions_of_choices(self) -> list[QAction]:
        return [action for action in self._menu.actions() if action.isCheckable()]

    def selected(self) -> tuple[str, ...]:
        return tuple(str(action.data()) for action in self.actions_of_choices() if action.isChecked())

    def set_selected(self, values: Sequence[str]) -> None:
        for action in self.actions_of_choices():
            with QSignalBlocker(action):
                action.setChecked(action.data() in values)
        self._update_text()

    def _update_text(self) -> None:
        chosen = [action.text() for action in self.actions_of_choices() if action.isChecked()]
        self.setText(f"{self._title} ({len(chosen)})" if chosen else self._title)
        self.setToolTip("\n".join(chosen))

    @Slot(bool)
    def _on_action_toggled(self, _checked: bool) -> None:
        self._update_text()
        self.selection_changed.emit()


class _OptionalDate(QWidget):
    """A check box and a date (ДД.ММ.ГГГГ): the date counts only while the box is ticked.

    Signals:
        changed(): the box was ticked or unticked, or the date changed while ticked.
    """

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(label)
        self.edit = QDateEdit()
        self.edit.setDisplayFormat("dd.MM.yyyy")
        self.edit.setCalendarPopup(True)
        self.edit.setDate(QDate.currentDate())
        self.edit.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)
        self.check.toggled.connect(self._on_check_toggled)
        self.edit.dateChanged.connect(self._on_edit_date_changed)

    def value(self) -> date | None:
        if not self.check.isChecked():
            return None
        day = self.edit.date()
        return date(day.year(), day.month(), day.day())

    def clear(self) -> None:
        with QSignalBlocker(self.check):
            self.check.setChecked(False)
        self.edit.setEnabled(False)

    @Slot(bool)
    def _on_check_toggled(self, checked: bool) -> None:
        self.edit.setEnabled(checked)
        self.changed.emit()

    @Slot(QDate)
    def _on_edit_date_changed(self, _day: QDate) -> None:
        if self.check.isChecked():
            self.changed.emit()


class FilterBar(QWidget):
    """The search box and the filters of one register, with a "clear filters" button.

    :meth:`values` gives the filters as :class:`models.registers.RegisterQuery` fields. The
    search and the dates apply :data:`SEARCH_DELAY_MS` after the last keystroke (Enter in the
    search box applies at once); the other filters apply when changed.

    The categories, workers and districts offered are read in the background.

    Signals:
        changed(): the filters changed; read :meth:`values`.
        choices_loaded(): the categories, workers and districts offered were (re)read.
    """

    changed = Signal()
    choices_loaded = Signal()

    def __init__(self, ctx: AppContext, register: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._register = register
        self._choices_task: Task[_Choices] | None = None
        supported = filters(register)
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(SEARCH_DELAY_MS)
        self._delay.timeout.connect(self._on_delay_timeout)

        self.search = QLineEdit()
        self.search.setPlaceholderText(gettext("Search: name, PIN or number (12/2026)"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(280)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_return_pressed)

        self.categories: ChoiceButton | None = None
        self.statuses: ChoiceButton | None = None
        self.worker: QComboBox | None = None
        self.district: QComboBox | None = None
        self.date_from: _OptionalDate | None = None
        self.date_to: _OptionalDate | None = None
        self.only_open: QCheckBox | None = None
        self.overdue: QCheckBox | None = None
        self.urgent_only: QCheckBox | None = None

        first = QHBoxLayout()
        first.setContentsMargins(0, 0, 0, 0)
        first.addWidget(self.search, 1)
        second = QHBoxLayout()
        second.setContentsMargins(0, 0, 0, 0)
        if "categories" in supported:
            self.categories = ChoiceButton(gettext("Categories"))
            self.categories.selection_changed.connect(self._on_filter_changed)
            first.addWidget(self.categories)
        if "statuses" in supported:
            self.statuses = ChoiceButton(gettext(STATUS_TITLES.get(register, "Status")))
            labels = STATUS_LABELS[register]
            self.statuses.set_choices([Choice(code, gettext(label)) for code, label in labels.items()])
            self.statuses.selection_changed.connect(self._on_filter_changed)
            first.addWidget(self.statuses)
        if "worker_id" in supported:
            self.worker = self._combo(gettext("All workers"))
            first.addWidget(self.worker)
        if "district_id" in supported:
            self.district = self._combo(gettext("All districts"))
            first.addWidget(self.district)
        if "date_range" in supported:
            self.date_from = _OptionalDate(gettext("Date range: from"))
            self.date_to = _OptionalDate(gettext("Date range: to"))
            date_column = next(spec for spec in columns(register) if spec.key == DATE_COLUMNS[register])
            tip = gettext("Filters by the date: {column}").format(column=date_column.title())
            for edit in (self.date_from, self.date_to):
                edit.setToolTip(tip)
                edit.changed.connect(self._on_date_changed)
                second.addWidget(edit)
            second.addSpacing(12)
        if "only_open" in supported:
            self.only_open = self._toggle(gettext(ONLY_OPEN_LABELS[register]))
            second.addWidget(self.only_open)
        if "overdue" in supported:
            self.overdue = self._toggle(gettext("Overdue"))
            second.addWidget(self.overdue)
        if "urgent_only" in supported:
            self.urgent_only = self._toggle(gettext("Urgent only"))
            second.addWidget(self.urgent_only)
        self.clear_button = QPushButton(gettext("Clear filters"))
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        second.addWidget(self.clear_button)
        second.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        second.addWidget(self.count_label)
        self._second_row = second

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(first)
        layout.addLayout(second)
        self.load_choices()

    def add_tool(self, widget: QWidget) -> None:
        """Put one of the page's tools (the export button) at the end of the second row, after the count."""
        self._second_row.addWidget(widget)

    def _combo(self, everything: str) -> QComboBox:
        combo = QComboBox()
        combo.addItem(everything)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(16)
        combo.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        combo.currentIndexChanged.connect(self._on_filter_changed)
        return combo

    def _toggle(self, text: str) -> QCheckBox:
        box = QCheckBox(text)
        box.toggled.connect(self._on_filter_changed)
        return box

    def load_choices(self) -> None:
        """(Re)read the categories, workers and districts offered, in the background; keeps what is chosen."""
        wanted = (self.categories is not None, self.worker is not None, self.district is not None)
        db = self._ctx.db

        def read(_progress: Progress) -> _Choices:
            with db.reading() as session:
                return _Choices(
                    reference_choices(session, "tjs_category") if wanted[0] else [],
                    worker_choices(session) if wanted[1] else [],
                    district_choices(session) if wanted[2] else [],
                )

        if self._choices_task is not None:
            self._choices_task.cancel()
        self._choices_task = run_task(read, self._on_choices_loaded, parent=self)

    def _on_choices_loaded(self, loaded: _Choices) -> None:
        self._choices_task = None
        before = self.values()
        if self.categories is not None:
            self.categories.set_choices(loaded.categories)
        if self.worker is not None:
            _fill(self.worker, loaded.workers)
        if self.district is not None:
            _fill(self.district, loaded.districts)
        self.choices_loaded.emit()
        if self.values() != before:
            self.changed.emit()

    def values(self) -> dict[str, Any]:
        """The filters as keyword arguments of :class:`models.registers.RegisterQuery`."""
        values: dict[str, Any] = {"search": self.search.text().strip()}
        if self.categories is not None:
            values["categories"] = self.categories.selected()
        if self.statuses is not None:
            values["statuses"] = self.statuses.selected()
        if self.worker is not None:
            values["worker_id"] = _chosen_id(self.worker)
        if self.district is not None:
            values["district_id"] = _chosen_id(self.district)
        if self.date_from is not None and self.date_to is not None:
            values["date_from"] = self.date_from.value()
            values["date_to"] = self.date_to.value()
        for name in ("only_open", "overdue", "urgent_only"):
            box = getattr(self, name)
            if box is not None:
                values[name] = box.isChecked()
        return values

    def clear(self) -> None:
        """Clear every filter and the search; one :attr:`changed` follows."""
        self._delay.stop()
        with QSignalBlocker(self.search):
            self.search.clear()
        for button in (self.categories, self.statuses):
            if button is not None:
                button.set_selected(())
        for combo in (self.worker, self.district):
            if combo is not None:
                with QSignalBlocker(combo):
                    combo.setCurrentIndex(0)
        for edit in (self.date_from, self.date_to):
            if edit is not None:
                edit.clear()
        for box in (self.only_open, self.overdue, self.urgent_only):
            if box is not None:
                with QSignalBlocker(box):
                    box.setChecked(False)
        self.changed.emit()

    def apply_now(self) -> None:
        """Apply a pending search at once (as Enter does)."""
        if self._delay.isActive():
            self._delay.stop()
            self.changed.emit()

    @Slot(str)
    def _on_search_text_changed(self, _text: str) -> None:
        self._delay.start()

    @Slot()
    def _on_search_return_pressed(self) -> None:
        self._delay.stop()
        self.changed.emit()

    @Slot()
    def _on_date_changed(self) -> None:
        self._delay.start()

    @Slot()
    def _on_delay_timeout(self) -> None:
        self.changed.emit()

    @Slot()
    def _on_filter_changed(self) -> None:
        self._delay.stop()
        self.changed.emit()

    @Slot()
    def _on_clear_button_clicked(self) -> None:
        self.clear()


def _fill(combo: QComboBox, choices: Sequence[Choice[uuid.UUID]]) -> None:
    """Replace the entries after the first ("all …"), keeping the chosen one if still offered.

    Ids are kept as text: a QVariant compares Python objects by identity.
    """
    chosen = _chosen_id(combo)
    with QSignalBlocker(combo):
        while combo.count() > 1:
            combo.removeItem(1)
        for choice in choices:
            combo.addItem(choice.label, str(choice.value))
        combo.setCurrentIndex(max(combo.findData(str(chosen)), 0) if chosen is not None else 0)


def _chosen_id(combo: QComboBox) -> uuid.UUID | None:
    """The id chosen in a combo of :func:`_fill`, None for its first entry ("all …").

    The first entry's data is never read: PySide6 6.12 loses a reference to None whenever a
    QVariant without value comes back to Python, and enough of those crash the interpreter.
    """
    return uuid.UUID(combo.currentData()) if combo.currentIndex() > 0 else None
