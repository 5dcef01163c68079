"""Domain errors: each carries a translatable, user-facing message."""

from __future__ import annotations

from dataclasses import dataclass

from models.i18n import Message


class DomainError(Exception):
    """An error the user can act on; ``message`` renders in the reader's language."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.msgid)
        self.message = message

    def __str__(self) -> str:
        return self.message.render()


class DatabaseRefused(DomainError):
    """The database cannot be opened: missing, not a database, newer schema, unreachable."""


class PermissionDenied(DomainError):
    """The acting user's role does not allow the operation."""


class AuthenticationFailed(DomainError):
    """Wrong user name or password, a disabled or a locked account."""


class NotFound(DomainError):
    """The record asked for does not exist (or was deleted)."""


class RecordInUse(DomainError):
    """The record is still referred to by live records and cannot be deleted."""


class StaleRecord(DomainError):
    """Someone else saved the record after it was read."""


@dataclass(frozen=True)
class FieldProblem:
    """A problem with one field: ``field`` is the attribute name, ``message`` names the field for people."""

    field: str
    message: Message

    def render(self, lang: str | None = None) -> str:
        return self.message.render(lang)


class ValidationFailed(DomainError):
    """One or more fields are invalid; nothing was written."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems

    def __str__(self) -> str:
        return "; ".join(p.render() for p in self.problems)

    def for_field(self, field: str) -> list[FieldProblem]:
        return [p for p in self.problems if p.field == field]
