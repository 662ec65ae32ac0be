"""write_atomic: replaces by rename, writes only on change, leaves no temp files, mode 0644."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from aggregator.publish import write_atomic
from aggregator.publish import writer as writer_module


def test_writes_new_file_with_mode_0644(tmp_path: Path) -> None:
    path = tmp_path / "borgen.ics"
    assert write_atomic(path, b"BEGIN:VCALENDAR\r\n") is True
    assert path.read_bytes() == b"BEGIN:VCALENDAR\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["borgen.ics"]


def test_unchanged_bytes_are_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "borgen.rss"
    write_atomic(path, b"<rss/>")
    os.utime(path, (1_000_000, 1_000_000))
    inode = path.stat().st_ino
    assert write_atomic(path, b"<rss/>") is False
    assert path.stat().st_mtime == 1_000_000 and path.stat().st_ino == inode
    # Same size, different bytes: still written, through a new file (rename, not in place).
    assert write_atomic(path, b"<atm/>") is True
    assert path.read_bytes() == b"<atm/>" and path.stat().st_ino != inode


def test_failure_keeps_old_file_and_removes_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "borgen.json"
    write_atomic(path, b"{}")

    def broken_replace(src: str, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(writer_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, b'{"items": []}')
    assert path.read_bytes() == b"{}"
    assert [p.name for p in tmp_path.iterdir()] == ["borgen.json"]


def test_accepts_str_paths(tmp_path: Path) -> None:
    assert write_atomic(str(tmp_path / "x.atom"), b"a") is True
    assert (tmp_path / "x.atom").read_bytes() == b"a"
