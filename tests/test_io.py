"""Atomic writes: complete file or old content, never a partial file; normal permissions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tsgan.data.io import atomic_path, write_frame, write_text
from tsgan.errors import TsganError


def test_failed_write_keeps_old_content_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk on fire")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_written_file_gets_umask_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_text(target, "new")
    umask = os.umask(0)
    os.umask(umask)
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_write_frame_rejects_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(TsganError, match="must end in .csv or .parquet"):
        write_frame(None, tmp_path / "x.xlsx")
