"""Whole-file replacement of the store: one build at a time, a new file renamed into place.

A build writes ``.<name>.build-<pid>`` beside the store and renames it over the store only
once every source has loaded and the file is on disk (:func:`publish`). A build killed at any
moment leaves the old store (and a staging file the next build removes) or the new one, never
a mix. Readers keep the file they opened: a rename does not disturb them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from minsec.errors import MinsecError


def checked(path: Path, write: bool = False) -> Path:
    """``path`` with ``~`` expanded, or one line saying why it cannot be a store.

    Refuses an unknown ``~user``, a parent that is a file and, for writing, a directory this
    process cannot write in (a build creates its new file beside the store).
    """
    try:
        path = path.expanduser()
    except RuntimeError:  # Python 3.11 for an unknown ~user
        path = Path(path)
    if path.parts and path.parts[0].startswith("~"):
        raise MinsecError(f"store path {path}: no such user {path.parts[0][1:]!r}")
    parent = next((p for p in path.parents if p.exists()), Path())
    if not parent.is_dir():
        raise MinsecError(f"store path {path}: {parent} is a file, not a directory")
    if path.is_dir():
        raise MinsecError(f"store path {path} is a directory; give a file such as "
                          f"{path / 'minsec.duckdb'}")
    if write and (problem := _unwritable(parent)):
        raise MinsecError(f"store path {path}: cannot write in {parent} ({problem}); a build "
                          "writes its new file beside the store: choose another --store")
    return path


def _unwritable(directory: Path) -> str | None:
    """Why no file can be created in ``directory``, probed (root ignores permission bits)."""
    try:
        with tempfile.TemporaryFile(dir=directory):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(f".{path.name}.{suffix}")


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold the build lock of the store ``path``; a second build refuses with one line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(_sidecar(path, "lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MinsecError(f"another build is writing {path}; run this one when it has "
                              "finished") from None
        yield
    finally:
        os.close(fd)


def staging(path: Path) -> Path:
    """A fresh staging file for the new store; stale ones of killed builds are removed.

    Call only while holding :func:`exclusive`: no other build can own a staging file then.
    """
    for stale in path.parent.glob(f".{path.name}.build-*"):
        stale.unlink(missing_ok=True)
    return _sidecar(path, f"build-{os.getpid()}")


def discard(tmp: Path) -> None:
    """Remove a staging file and its write-ahead log."""
    tmp.unlink(missing_ok=True)
    tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


def publish(tmp: Path, path: Path) -> None:
    """Flush ``tmp`` to disk and rename it over ``path`` (atomic on one file system)."""
    if tmp.with_name(tmp.name + ".wal").exists():
        raise MinsecError(f"{tmp}: the new store was not closed cleanly; nothing replaced")
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    tmp.replace(path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
