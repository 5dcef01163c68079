"""Showing errors: domain errors as the message they carry, anything else with the log's path."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from models.errors import DomainError, ValidationFailed
from models.i18n import gettext
from models.paths import log_file

log = logging.getLogger("bala_korgoo.ui")


def error_text(error: BaseException) -> str:
    """What to tell the user about *error*, in the UI's language.

    Unexpected errors are logged with their traceback; the text then names the log file.
    """
    if isinstance(error, ValidationFailed):
        return "\n".join(problem.render() for problem in error.problems)
    if isinstance(error, DomainError):
        return error.message.render()
    log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    return gettext(
        "Something went wrong and the operation was not completed. "
        "The details were written to the log file:\n{path}"
    ).format(path=log_file())


def show_error(parent: QWidget | None, error: BaseException, title: str | None = None) -> None:
    """A modal message box about *error* (see :func:`error_text`)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if isinstance(error, DomainError) else QMessageBox.Icon.Critical)
    box.setWindowTitle(title or gettext("Bala Korgoo"))
    box.setText(error_text(error))
    box.exec()
