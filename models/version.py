"""The program's version, as installed (the package metadata)."""

from __future__ import annotations

import functools


@functools.cache
def program_version() -> str:
    import importlib.metadata  # a noticeable moment to load: not before the first window shows

    try:
        return importlib.metadata.version("bala-korgoo")
    except importlib.metadata.PackageNotFoundError:
        return "—"
