"""Qt's own button and menu texts in Kyrgyz, from our catalog (Qt ships no Kyrgyz translation).

Installed after Qt's Russian catalog, so Kyrgyz readers get the common buttons of message
boxes, dialogs, the setup wizard and the edit menus in Kyrgyz and the rest in Russian.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTranslator

from models.i18n import N_, translator

# (Qt's translation context, Qt's source text) -> our msgid (the same English text).
QT_TEXTS: dict[tuple[str, str], str] = {
    ("QPlatformTheme", "OK"): N_("OK"),
    ("QPlatformTheme", "Save"): N_("Save"),
    ("QPlatformTheme", "Open"): N_("Open"),
    ("QPlatformTheme", "Cancel"): N_("Cancel"),
    ("QPlatformTheme", "Close"): N_("Close"),
    ("QPlatformTheme", "Discard"): N_("Discard"),
    ("QPlatformTheme", "Don't Save"): N_("Don't Save"),
    ("QPlatformTheme", "Apply"): N_("Apply"),
    ("QPlatformTheme", "Reset"): N_("Reset"),
    ("QPlatformTheme", "Restore Defaults"): N_("Restore Defaults"),
    ("QPlatformTheme", "Help"): N_("Help"),
    ("QPlatformTheme", "&Yes"): N_("&Yes"),
    ("QPlatformTheme", "&No"): N_("&No"),
    ("QPlatformTheme", "Abort"): N_("Abort"),
    ("QPlatformTheme", "Retry"): N_("Retry"),
    ("QPlatformTheme", "Ignore"): N_("Ignore"),
    ("QWizard", "< &Back"): N_("< &Back"),
    ("QWizard", "&Next >"): N_("&Next >"),
    ("QWizard", "&Finish"): N_("&Finish"),
    ("QWizard", "Cancel"): N_("Cancel"),
    ("QWizard", "Help"): N_("Help"),
    ("QLineEdit", "&Undo"): N_("&Undo"),
    ("QLineEdit", "&Redo"): N_("&Redo"),
    ("QLineEdit", "Cu&t"): N_("Cu&t"),
    ("QLineEdit", "&Copy"): N_("&Copy"),
    ("QLineEdit", "&Paste"): N_("&Paste"),
    ("QLineEdit", "Delete"): N_("Delete"),
    ("QLineEdit", "Select All"): N_("Select All"),
    ("QWidgetTextControl", "&Undo"): N_("&Undo"),
    ("QWidgetTextControl", "&Redo"): N_("&Redo"),
    ("QWidgetTextControl", "Cu&t"): N_("Cu&t"),
    ("QWidgetTextControl", "&Copy"): N_("&Copy"),
    ("QWidgetTextControl", "&Paste"): N_("&Paste"),
    ("QWidgetTextControl", "Delete"): N_("Delete"),
    ("QWidgetTextControl", "Select All"): N_("Select All"),
}


class CatalogQtTranslator(QTranslator):
    """Answers Qt's texts of :data:`QT_TEXTS` in one language of our catalogs; others pass through."""

    def __init__(self, lang: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._gettext = translator(lang)

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False

    def translate(
        self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        msgid = QT_TEXTS.get((context, source_text))
        if msgid is None:
            return ""  # not ours: Qt asks the next translator
        return self._gettext(msgid)
