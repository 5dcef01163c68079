"""The user's preferences kept in the saved UI state: the language, and Qt's own translations."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QSettings, QTranslator
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from models.i18n import DEFAULT_LANGUAGE, LANGUAGES, gettext

from ui.dialogs import Dialog
from ui.qt_texts import CatalogQtTranslator

LANGUAGE_KEY = "preferences/language"
# Each language by its own name, as language pickers show them: not translated.
LANGUAGE_NAMES = {"ru": "Русский", "ky": "Кыргызча", "en": "English"}
# Qt ships no Kyrgyz translation of its own dialogs; Kyrgyz readers get them in Russian.
_QT_FALLBACK = {"ky": "ru"}

# Languages whose common Qt texts come from our own catalog, on top of Qt's fallback.
_OWN_QT_TEXTS = ("ky",)

_qt_translators: list[QTranslator] = []


def saved_language(state: QSettings) -> str | None:
    """The language chosen in the preferences, or None if none (or an unknown one) was saved."""
    value = state.value(LANGUAGE_KEY)
    return value if isinstance(value, str) and value in LANGUAGES else None


def save_language(state: QSettings, lang: str) -> None:
    state.setValue(LANGUAGE_KEY, lang)
    state.sync()


def start_language(state: QSettings, chosen: str | None = None) -> str:
    """The language to start in: the one given on the command line, else the saved one, else Russian."""
    if chosen in LANGUAGES:
        assert chosen is not None
        return chosen
    return saved_language(state) or DEFAULT_LANGUAGE


def install_qt_translations(lang: str) -> str | None:
    """Translate Qt's own dialogs and buttons (``qtbase_<lang>``); the catalogue used, or None.

    Replaces the catalogue installed before, so the language can change at sign-in.
    """
    app = QCoreApplication.instance()
    if app is None:
        return None
    remove_qt_translations()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    used: str | None = None
    for candidate in dict.fromkeys((lang, _QT_FALLBACK.get(lang, lang))):
        translator = QTranslator(app)
        if translator.load(f"qtbase_{candidate}", folder):
            QCoreApplication.installTranslator(translator)
            _qt_translators.append(translator)
            used = candidate
            break
        translator.deleteLater()
    if lang in _OWN_QT_TEXTS:
        # Installed last, so Qt asks it first; it passes on what it does not know.
        own = CatalogQtTranslator(lang, app)
        QCoreApplication.installTranslator(own)
        _qt_translators.append(own)
    return used


def remove_qt_translations() -> None:
    while _qt_translators:
        QCoreApplication.removeTranslator(_qt_translators.pop())


class PreferencesDialog(Dialog):
    """The user's preferences on this computer: for now, the language of the program."""

    def __init__(self, state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(state, "preferences", parent)
        self.setWindowTitle(gettext("Preferences"))
        self.language = QComboBox()
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        current = saved_language(state) or DEFAULT_LANGUAGE
        self.language.setCurrentIndex(LANGUAGES.index(current))
        note = QLabel(gettext("The new language is used from the next start of the program."))
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(gettext("Language of the program:"), self.language)
        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok_cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addStretch(1)
        layout.addWidget(buttons)

    def accept(self) -> None:
        save_language(self._state, str(self.language.currentData()))
        super().accept()
