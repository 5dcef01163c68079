"""Files written whole or not at all: a new file beside the target, synced, then renamed over it.

A full disk, a removed USB stick or a crash in the middle leaves the old file (or none) and no
half-written one. Callers turn the ``OSError`` into a message of their own.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import BinaryIO


def sync_folder(folder: Path) -> None:
    """Make a rename in *folder* durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class StagedFile:
    """A hidden file beside *path*, written through :attr:`file` and renamed to *path* by :meth:`publish`.

    Used as a context manager: a file not published when the block ends is removed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        folder = path.parent if str(path.parent) else Path()
        descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        self.temporary = Path(name)
        self.file: BinaryIO = os.fdopen(descriptor, "wb")
        self.published = False

    def __enter__(self) -> StagedFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if not self.published:
            self.discard()

    def publish(self, *, overwrite: bool = True) -> None:
        """Put the complete file on disk and in place; *overwrite* False refuses an existing *path*."""
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        if not overwrite and self.path.exists():
            raise FileExistsError(self.path)
        self.temporary.replace(self.path)
        self.published = True
        with contextlib.suppress(OSError):  # the file is in place; only the rename's durability is at stake
            sync_folder(self.path.parent if str(self.path.parent) else Path())

    def discard(self) -> None:
        self.file.close()
        self.temporary.unlink(missing_ok=True)


def write_atomically(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write *data* to *path* whole or not at all (raises ``OSError``; nothing is left behind then)."""
    with StagedFile(path) as staged:
        staged.file.write(data)
        staged.publish(overwrite=overwrite)
