"""The choice lists of the forms (districts, reference lists, workers), read once per session and language.

Reading the districts alone takes tens of milliseconds on a large office; a form opens without
reading them again. The lists are read afresh after reference data, users or office settings change.
A form names the lists it needs (:data:`DISTRICTS`, :data:`WORKERS`, :func:`reference_list`); those
not read yet are read in the background with its record (:func:`missing`, :func:`read`, :func:`store`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

from PySide6.QtCore import QObject, Qt, Slot

from models.database import Database
from models.i18n import current_language
from models.lookups import Choice, district_choices, reference_choices, worker_choices

from ui.context import AppContext

DISTRICTS = "districts"
WORKERS = "workers"
_REFERENCE = "reference:"

# Kinds announced by ctx.data_changed after which the lists may be different.
_STALE_AFTER = ("reference", "user", "office", "settings")


def reference_list(kind: str) -> str:
    """The name of the reference list *kind* (see :data:`models.reference.KINDS`)."""
    return _REFERENCE + kind


def _loader(name: str, language: str) -> Callable[[Session], list[Choice[Any]]]:
    if name == DISTRICTS:
        return lambda session: list(district_choices(session, language))
    if name == WORKERS:
        return lambda session: list(worker_choices(session))
    if name.startswith(_REFERENCE):
        kind = name.removeprefix(_REFERENCE)
        return lambda session: list(reference_choices(session, kind, language))
    raise ValueError(f"no choice list named {name!r}")


class _ChoiceCache(QObject):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setObjectName("form_choices")
        self.lists: dict[tuple[str, str], list[Any]] = {}
        self.generation = 0  # counts the times the lists were dropped as stale
        ctx.data_changed.connect(self._on_ctx_data_changed)

    def get(self, ctx: AppContext, name: str) -> list[Choice[Any]]:
        language = current_language()
        key = (name, language)
        if key not in self.lists:
            self.lists[key] = read(ctx.db, [name], language)[name]
        return list(self.lists[key])

    @Slot(str)
    def _on_ctx_data_changed(self, kind: str) -> None:
        if kind in _STALE_AFTER:
            self.lists.clear()
            self.generation += 1


def _cache(ctx: AppContext) -> _ChoiceCache:
    cache = ctx.findChild(_ChoiceCache, "form_choices", Qt.FindChildOption.FindDirectChildrenOnly)
    return cache if isinstance(cache, _ChoiceCache) else _ChoiceCache(ctx)


def missing(ctx: AppContext, names: Iterable[str]) -> tuple[list[str], int]:
    """Those of the lists *names* not read yet in the UI's current language, and the cache's generation."""
    cache = _cache(ctx)
    language = current_language()
    return [name for name in names if (name, language) not in cache.lists], cache.generation


def read(db: Database, names: Iterable[str], language: str) -> dict[str, list[Choice[Any]]]:
    """Read the lists *names* in *language* (safe in a worker thread: it touches no Qt object)."""
    names = list(names)
    if not names:
        return {}
    with db.reading() as session:
        return {name: _loader(name, language)(session) for name in names}


def store(ctx: AppContext, language: str, lists: dict[str, list[Choice[Any]]], generation: int) -> None:
    """Keep lists read by :func:`read` for this session, unless the data changed since *generation*."""
    cache = _cache(ctx)
    if generation == cache.generation:
        cache.lists.update(((name, language), choices) for name, choices in lists.items())


def districts(ctx: AppContext) -> list[Choice[Any]]:
    return _cache(ctx).get(ctx, DISTRICTS)


def workers(ctx: AppContext) -> list[Choice[Any]]:
    return _cache(ctx).get(ctx, WORKERS)


def reference(ctx: AppContext, kind: str) -> list[Choice[str]]:
    return _cache(ctx).get(ctx, reference_list(kind))
