"""Atomic, change-only file writes for published feeds.

Owns putting bytes at a path so that a reader (the web server, a subscriber's client) sees the
old file or the new one, never half of one, and so that an unchanged feed keeps its mtime (and
the ETag the server derives from it). It must not render anything or decide file names.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

MODE = 0o644


def _same(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False  # cheap: a different size means different bytes, no read needed
        return path.read_bytes() == data
    except FileNotFoundError:
        return False


def write_atomic(path: str | os.PathLike[str], data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it already holds exactly those bytes.

    The bytes go to a temporary file in the same directory (so the rename stays on one file
    system), are fsync'ed, get mode 0644 and are ``os.replace``-d into place; the directory is
    fsync'ed too so the rename survives a crash. Returns whether the file was written.
    """
    target = Path(path)
    if _same(target, data):
        return False
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), MODE)  # mkstemp creates 0600; feeds are world-readable
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)
    return True


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not every platform can open a directory; the rename itself is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
