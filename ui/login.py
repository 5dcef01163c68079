"""Signing in: user name, password and the language of the program.

The dialog is shown before the database is open (the desktop client opens it in the background
meanwhile, :mod:`desktop.gui`), so this module loads no database code: the accounts service is
loaded with the database it is given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError
from models.i18n import LANGUAGES, current_language, gettext, set_language

from ui.dialogs import Dialog
from ui.errors import error_text
from ui.preferences import LANGUAGE_NAMES, install_qt_translations, save_language
from ui.tasks import Progress, Task, run_task

if TYPE_CHECKING:
    from models.database import Database
    from models.services.base import Actor

USERNAME_KEY = "login/username"
# The office's name in each language as last read from the database: the title of the dialog
# while the database is still being opened.
OFFICE_KEY = "login/office_{lang}"


class LoginDialog(Dialog):
    """Asks for a user name and password and signs in through the accounts service.

    The password is checked off the GUI thread (hashing takes a noticeable moment); a refusal
    (wrong password, a locked or disabled account) is shown in the dialog as the service words
    it, and the user name is kept. Choosing another language re-labels the dialog at once and
    is remembered for the next start.

    Made without a database (*db* None), the dialog is shown while the program opens it: the
    user types meanwhile, and a "Sign in" pressed before :meth:`set_database` is carried out
    once the database is there.

    Signals:
        signed_in(object): the :class:`~models.services.base.Actor` who signed in; the dialog
            is accepted right after.
        language_changed(str): the user chose another language of the program.
    """

    signed_in = Signal(object)
    language_changed = Signal(str)

    def __init__(self, db: Database | None, state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(state, "login", parent)
        self._db = db
        self.actor: Actor | None = None
        self._task: Task[Actor] | None = None
        self._waiting: tuple[str, str] | None = None  # a sign-in asked for before the database was open

        self.office = QLabel()
        title_font = QFont(self.office.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.2)
        title_font.setBold(True)
        self.office.setFont(title_font)
        self.office.setWordWrap(True)
        self.office.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.language = QComboBox()
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(LANGUAGES.index(current_language()))
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        self._labels = [QLabel(), QLabel(), QLabel()]
        form = QFormLayout()
        for label, field in zip(self._labels, (self.username, self.password, self.language), strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        self.buttons = QDialogButtonBox()
        self.sign_in_button: QPushButton = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_in_button.setDefault(True)
        self.cancel_button: QPushButton = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.language.currentIndexChanged.connect(self._on_language_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(self.office)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

        remembered = state.value(USERNAME_KEY)
        if isinstance(remembered, str) and remembered:
            self.username.setText(remembered)
            self.password.setFocus()
        else:
            self.username.setFocus()
        self._retranslate()

    def _retranslate(self) -> None:
        """Set every text in the current language (at start and when the language changes)."""
        self.setWindowTitle(gettext("Bala Korgoo: sign in"))
        self.office.setText(self._office_name() or gettext("Bala Korgoo"))
        texts = (gettext("&User name:"), gettext("&Password:"), gettext("&Language:"))
        for label, text in zip(self._labels, texts, strict=True):
            label.setText(text)
        self.sign_in_button.setText(gettext("Sign in"))
        self.cancel_button.setText(gettext("Cancel"))

    def _office_name(self) -> str:
        """The office's name in the current language: from the database, or as last read from it."""
        lang = "ky" if current_language() == "ky" else "ru"
        remembered = self._state.value(OFFICE_KEY.format(lang=lang))
        if self._db is None:
            return remembered if isinstance(remembered, str) else ""
        from models.settings import get_setting

        with self._db.reading() as session:
            office = str(get_setting(session, f"office.department_name_{lang}", "") or "")
        if office != remembered:
            self._state.setValue(OFFICE_KEY.format(lang=lang), office)
        return office

    def set_database(self, db: Database) -> None:
        """The database is open: name the office, and sign in if the user already asked to."""
        self._db = db
        self._retranslate()
        if self._waiting is not None:
            username, password = self._waiting
            self._waiting = None
            self.show_message("")
            self._authenticate(username, password)

    def reject(self) -> None:
        if self._task is None and self._waiting is None:  # not while the password is being checked
            super().reject()

    def show_message(self, text: str, *, error: bool = True) -> None:
        """Show *text* under the fields: a refusal in red, or (*error* False) what the dialog waits for."""
        self.message.setStyleSheet("color: #b00020;" if error else "")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    @Slot(int)
    def _on_language_changed(self, index: int) -> None:
        lang = str(self.language.itemData(index))
        set_language(lang)
        install_qt_translations(lang)
        save_language(self._state, lang)
        self.show_message("")
        self._retranslate()
        self.language_changed.emit(lang)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        if self._task is not None or self._waiting is not None:
            return
        username = self.username.text().strip()
        password = self.password.text()
        if not username or not password:
            self.show_message(gettext("Enter your user name and password."))
            (self.password if username else self.username).setFocus()
            return
        self._set_busy(True)
        self.show_message("")
        if self._db is None:
            self._waiting = (username, password)
            self.show_message(gettext("Opening the database…"), error=False)
            return
        self._authenticate(username, password)

    def _authenticate(self, username: str, password: str) -> None:
        db = self._db
        assert db is not None

        def work(_progress: Progress) -> Actor:
            from models.services.users import authenticate

            return authenticate(db, username, password)

        self._task = run_task(work, self._on_task_finished, parent=self, on_error=self._on_task_failed)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.username, self.password, self.language, self.sign_in_button):
            widget.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.WaitCursor)
        else:
            self.unsetCursor()

    @Slot(object)
    def _on_task_finished(self, actor: Actor) -> None:
        self._task = None
        self._set_busy(False)
        self.actor = actor
        self._state.setValue(USERNAME_KEY, actor.username)
        self.password.clear()
        self.signed_in.emit(actor)
        self.accept()

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        self.password.clear()
        self.show_message(error.message.render() if isinstance(error, DomainError) else error_text(error))
        self.password.setFocus()
