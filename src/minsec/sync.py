"""``minsec data sync``: fill a sources directory from the catalogue, verifying every checksum.

Each file comes from its catalogue URL, or from a mirror (a directory or a base URL under which
the files sit at their catalogue paths). A file is written only after its SHA-256 matches, by an
atomic rename, so a failed download never leaves a damaged file behind. The checksums of the
directory are recorded in ``SHA256SUMS``.
"""

from __future__ import annotations

import csv
import fnmatch
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

import httpx

from minsec.errors import MinsecError, SourceError
from minsec.store import sha256


@dataclass(frozen=True)
class Entry:
    """One catalogue row: a file, where to get it and what it must hash to."""

    path: str
    url: str
    sha256: str
    bytes: int
    restricted: bool


def catalogue() -> list[Entry]:
    """The catalogue of official files kept in the repository (``sources/catalogue.csv``)."""
    text = files("minsec").joinpath("sources", "catalogue.csv").read_text(encoding="utf-8")
    return [Entry(r["path"], r["url"], r["sha256"], int(r["bytes"]), r["restricted"] == "true")
            for r in csv.DictReader(text.splitlines())]


def select(entries: list[Entry], only: list[str] | None, restricted: bool) -> list[Entry]:
    """Entries matching a glob of ``only`` (all if None); restricted ones only on request."""
    chosen = [e for e in entries if restricted or not e.restricted]
    if only:
        chosen = [e for e in chosen if any(fnmatch.fnmatch(e.path, p) for p in only)]
        if not chosen:
            raise MinsecError(f"--only {' '.join(only)} matches no file in the catalogue")
    return chosen


def _fetch(entry: Entry, mirror: str | None, client: httpx.Client, sink: Path) -> None:
    if mirror and not mirror.startswith(("http://", "https://")):
        src = Path(mirror) / entry.path
        if not src.is_file():
            raise SourceError(src, "not in the mirror directory")
        shutil.copyfile(src, sink)
        return
    url = f"{mirror.rstrip('/')}/{quote(entry.path)}" if mirror else entry.url
    if not url:
        raise SourceError(entry.path, "the catalogue has no direct URL for this derived file; "
                                      "sync it from a mirror with --from DIR_OR_URL")
    try:
        with client.stream("GET", url) as response, sink.open("wb") as out:
            if response.status_code != 200:
                raise SourceError(entry.path, f"GET {url} answered HTTP {response.status_code}")
            for chunk in response.iter_bytes():
                out.write(chunk)
    except httpx.HTTPError as exc:
        raise SourceError(entry.path, f"GET {url} failed: {exc}") from None


def sync(target: Path, mirror: str | None = None, only: list[str] | None = None,
         restricted: bool = False,
         progress: Callable[[Entry], None] | None = None) -> dict[str, str]:
    """Make ``target`` hold the catalogue's files; return ``{path: status}``.

    Status is ``present`` (already there with the right checksum) or ``fetched``. A checksum
    mismatch raises a :class:`SourceError` and leaves the existing file untouched.
    """
    entries = select(catalogue(), only, restricted)
    target.mkdir(parents=True, exist_ok=True)
    done: dict[str, str] = {}
    with httpx.Client(follow_redirects=True, timeout=60) as client:
        for entry in entries:
            dest = target / entry.path
            if dest.is_file() and sha256(dest) == entry.sha256:
                done[entry.path] = "present"
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".sync-")
                os.close(fd)
                try:
                    _fetch(entry, mirror, client, Path(tmp))
                    got = sha256(Path(tmp))
                    if got != entry.sha256:
                        raise SourceError(entry.path, f"SHA-256 mismatch: expected "
                                                      f"{entry.sha256[:12]}…, got {got[:12]}…")
                    Path(tmp).replace(dest)
                finally:
                    Path(tmp).unlink(missing_ok=True)
                done[entry.path] = "fetched"
            if progress:
                progress(entry)
    _record(target, {e.path: e.sha256 for e in entries})
    return done


def _record(target: Path, verified: dict[str, str]) -> None:
    """Merge the checksums verified now into ``target/SHA256SUMS`` (sha256sum format)."""
    sums = target / "SHA256SUMS"
    known = {}
    if sums.is_file():
        for line in sums.read_text(encoding="utf-8").splitlines():
            digest, _, path = line.partition("  ")
            known[path] = digest
    known |= verified
    sums.write_text("".join(f"{h}  {p}\n" for p, h in sorted(known.items())), encoding="utf-8")
