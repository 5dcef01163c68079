"""Choosing a registered person (a child for a report or a case) by searching names or a ПИН."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from models.i18n import gettext
from models.services.cases import PersonRef
from models.services.people import PersonHit

from ui.context import AppContext
from ui.dialogs import Dialog
from ui.forms.widgets import PersonSearch


class PersonPicker(Dialog):
    """Search the registered people (children only, by default) and choose one.

    Signals:
        chosen(object): the person chosen (a PersonHit).
    """

    chosen = Signal(object)

    def __init__(
        self, ctx: AppContext, title: str, *, children: bool | None = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx.state, "person-picker", parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        hint = QLabel(gettext("Type the beginning of the last and first name, or the whole ПИН."))
        hint.setWordWrap(True)
        self.search = PersonSearch(ctx.db, ctx.actor, children=children)
        self.choose_button = QPushButton(gettext("Choose"))
        self.cancel_button = QPushButton(gettext("Cancel"))
        for button in (self.choose_button, self.cancel_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.search, 1)
        layout.addLayout(buttons)
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.cancel_button.clicked.connect(self.reject)
        self.search.person_activated.connect(self._on_search_person_activated)
        self.search.current_changed.connect(self._on_search_current_changed)
        self._on_search_current_changed()
        self.search.box.setFocus()
        self.resize(640, 440)

    @Slot()
    def _on_search_current_changed(self) -> None:
        self.choose_button.setEnabled(self.search.current() is not None)

    @Slot(object)
    def _on_search_person_activated(self, hit: PersonHit) -> None:
        self.accept()
        self.chosen.emit(hit)

    @Slot()
    def _on_choose_button_clicked(self) -> None:
        hit = self.search.current()
        if hit is not None:
            self._on_search_person_activated(hit)


def open_child_picker(ctx: AppContext, chosen: Callable[[PersonHit], None], parent: QWidget) -> PersonPicker:
    """Open (non-modal) a :class:`PersonPicker` of the registered children; *chosen* gets the child chosen."""
    picker = PersonPicker(ctx, gettext("Choose a child"), children=True, parent=parent)
    picker.chosen.connect(chosen)
    picker.open()
    return picker


def person_ref(hit: PersonHit) -> PersonRef:
    """The person found, as the case and report services take a person."""
    return PersonRef(hit.id, hit.full_name, hit.birth_date)
