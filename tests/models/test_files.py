"""Files written whole or not at all: the old file stays, no half file or temporary is left."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.files import StagedFile, write_atomically


def test_a_file_is_written_whole_and_replaces_the_old_one(tmp_path: Path) -> None:
    target = tmp_path / "реестр.csv"
    target.write_bytes(b"old")
    write_atomically(target, "Үсөнбаева Ңурзат".encode())
    assert target.read_text(encoding="utf-8") == "Үсөнбаева Ңурзат"
    assert [p.name for p in tmp_path.iterdir()] == ["реестр.csv"]


def test_a_write_that_fails_midway_leaves_the_old_file_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "пакет.zip"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), StagedFile(target) as staged:
        staged.file.write(b"half of the new")
        raise RuntimeError("the disk is full")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["пакет.zip"]


def test_an_existing_file_is_not_overwritten_when_asked_so(tmp_path: Path) -> None:
    target = tmp_path / "пакет.zip"
    target.write_bytes(b"old")
    with pytest.raises(FileExistsError):
        write_atomically(target, b"new", overwrite=False)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["пакет.zip"]


def test_a_missing_folder_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_atomically(tmp_path / "нет" / "файл.pdf", b"%PDF")
    assert list(tmp_path.iterdir()) == []
