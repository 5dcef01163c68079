"""The choice lists of the forms (districts, reference lists, workers), read once per session and language.

Reading the districts alone takes tens of milliseconds on a large office; a form opens without
reading them again. The lists are read afresh after reference data, users or office settings change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from PySide6.QtCore import QObject, Qt, Slot

from models.i18n import current_language
from models.lookups import Choice, district_choices, reference_choices, worker_choices

from ui.context import AppContext

V = TypeVar("V")

# Kinds announced by ctx.data_changed after which the lists may be different.
_STALE_AFTER = ("reference", "user", "office", "settings")


class _ChoiceCache(QObject):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setObjectName("form_choices")
        self._lists: dict[tuple[str, str], list[Any]] = {}
        ctx.data_changed.connect(self._on_ctx_data_changed)

    def get(self, ctx: AppContext, name: str, load: Callable[[Session], list[Choice[V]]]) -> list[Choice[V]]:
        key = (name, current_language())
        if key not in self._lists:
            with ctx.db.reading() as session:
                self._lists[key] = load(session)
        return list(self._lists[key])

    @Slot(str)
    def _on_ctx_data_changed(self, kind: str) -> None:
        if kind in _STALE_AFTER:
            self._lists.clear()


def _cache(ctx: AppContext) -> _ChoiceCache:
    cache = ctx.findChild(_ChoiceCache, "form_choices", Qt.FindChildOption.FindDirectChildrenOnly)
    return cache if isinstance(cache, _ChoiceCache) else _ChoiceCache(ctx)


def districts(ctx: AppContext) -> list[Choice[Any]]:
    return _cache(ctx).get(ctx, "districts", district_choices)


def workers(ctx: AppContext) -> list[Choice[Any]]:
    return _cache(ctx).get(ctx, "workers", worker_choices)


def reference(ctx: AppContext, kind: str) -> list[Choice[str]]:
    return _cache(ctx).get(ctx, f"reference:{kind}", lambda session: reference_choices(session, kind))
