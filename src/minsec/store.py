"""The store: an embedded DuckDB file holding the canonical tables and the provenance of each load.

``build`` verifies and parses every changed source first and writes nothing until all of them
parsed; then it writes a new store file beside the old one and renames it into place
(:mod:`minsec.atomic`). A bad file, or a build killed at any moment, therefore leaves the
previous good store untouched, and a rebuild with nothing changed only hashes the files.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import platformdirs

from minsec import atomic, bounds, schema, verify
from minsec.errors import MinsecError, SourceError, Unavailable
from minsec.reference import DATA
from minsec.sources import Source, registry

Progress = Callable[[str], None]


def default_path() -> Path:
    """The store file: ``$MINSEC_STORE``, else ``minsec.duckdb`` in the user's data directory."""
    if env := os.environ.get("MINSEC_STORE"):
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("minsec")) / "minsec.duckdb"


def sources_dir(given: Path | None = None) -> Path:
    """The directory of official files: ``given``, else ``$MINSEC_SOURCES``."""
    path = given or (Path(p) if (p := os.environ.get("MINSEC_SOURCES")) else None)
    if path is None:
        raise MinsecError("no sources directory: set MINSEC_SOURCES or pass --sources DIR "
                          "(`minsec data sync` fills one)")
    if not path.is_dir():
        raise MinsecError(f"sources directory {path} does not exist")
    return path


def sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class LoadReport:
    """What ``build`` did with one source."""

    key: str
    status: str  # loaded | unchanged | missing
    rows: int = 0
    files: int = 0
    paths: tuple[str, ...] = ()  # the files read, relative to the sources directory


EXTENSIONS_OFF: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False, "autoload_known_extensions": False}


def connect(path: Path | None = None, read_only: bool = False,
            layout: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the store, creating the declared tables when writing.

    DuckDB never installs or loads an extension on its own here: a store that is, say, an
    SQLite file is refused instead of fetching a reader for it. A store read with ``layout``
    must hold this version's tables (:func:`_compatible`): one built by another minsec is
    refused with one line, not a query error deep inside a computation.
    """
    path = atomic.checked(path or default_path(), write=not read_only)
    if read_only and not path.exists():
        raise MinsecError(f"no store at {path}: run `minsec data build` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=EXTENSIONS_OFF)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise Unavailable(f"the store {path} is being written by another process; "
                              "try again shortly") from None
        raise MinsecError(f"cannot open the store {path}: {_first_line(exc)}") from None
    except duckdb.Error as exc:
        raise MinsecError(f"cannot open the store {path}: {_first_line(exc)}") from None
    if not read_only:  # a new file: a store of an older layout is never written in place
        for spec in schema.tables().values():
            con.execute(spec.ddl())
    elif layout and not _same_layout(path, con):
        con.close()
        raise MinsecError(f"the store {path} was built by another version of minsec (its "
                          "tables differ from this one's): run `minsec data build`")
    return con


def _same_layout(path: Path, con: duckdb.DuckDBPyConnection) -> bool:
    """:func:`_compatible`, asked once per version of the file (its inode, size and time)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key not in _LAYOUTS:
        _LAYOUTS[key] = _compatible(con)
    return _LAYOUTS[key]


_LAYOUTS: dict[tuple[str, int, int, int], bool] = {}


def _first_line(exc: Exception, limit: int = 160) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= limit else text[:limit] + "…"


@cache
def _readers() -> dict[str, str]:
    """The code and mappings that read the files count as inputs too: a new reader reloads.

    One fingerprint over the adapters, the country mapping and the curated reference data.
    """
    package = Path(__file__).parent
    parts = [*sorted((package / "sources").glob("*.py")), package / "countries.py",
             *sorted(DATA.glob("*.csv"))]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in parts)).hexdigest()
    return {"minsec:readers": digest}


def _compatible(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store holds every declared table with its columns, types and NULLs.

    A store of an older layout is not carried over: the build loads every source afresh.
    """
    (database,) = con.execute("SELECT current_database()").fetchone() or ("",)
    rows = con.execute("SELECT table_name, column_name, data_type, is_nullable "
                       "FROM duckdb_columns() WHERE database_name = ? "
                       "ORDER BY table_name, column_index", [database]).fetchall()
    found: dict[str, list[tuple[str, str, bool]]] = {}
    for name, column, kind, nullable in rows:
        found.setdefault(name, []).append((column, kind, bool(nullable)))
    return all(found.get(t.name) == [(c.name, c.type, c.nullable) for c in t.columns]
               for t in schema.tables().values())


def _previous(path: Path) -> dict[str, verify.Previous] | None:
    """The files of each source's last load in the store; None if there is nothing to keep.

    A store of an older schema counts as none: the build then loads every source afresh.
    """
    if not path.exists():
        return None
    if path.with_name(path.name + ".wal").exists():  # a write of an older minsec, cut short
        connect(path).close()  # opening it for writing replays the log into the file
    con = connect(path, read_only=True, layout=False)
    try:
        if not _compatible(con):
            return None
        rows = con.execute("SELECT source, file, sha256, verified FROM load").fetchall()
    finally:
        con.close()
    out: dict[str, verify.Previous] = {}
    for key, file, digest, verdict in rows:
        out.setdefault(key, {})[file] = (digest, verdict)
    return out


def _parse(source: Source, root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    try:
        frames = source.read(root, files)
    except (MinsecError, KeyboardInterrupt):
        raise
    except Exception as exc:  # an adapter bug or a damage it did not foresee: still one line
        raise SourceError(f"{root}/{{{','.join(files[:3])}{'...' if len(files) > 3 else ''}}}",
                          f"{source.key}: cannot read ({type(exc).__name__}: {exc})") from exc
    if source.check is not None:
        source.check(frames)
    out = {}
    for name, frame in frames.items():
        if "source" in schema.table(name).names:
            frame = frame.assign(source=source.key)
        out[name] = bounds.check(name, schema.conform(name, frame), files)
    return out


@dataclass
class Pending:
    """A parsed source waiting to be written: its frames and its files' hashes and verdicts."""

    source: Source
    frames: dict[str, pd.DataFrame]
    hashes: dict[str, str]
    verdicts: dict[str, str]
    paths: tuple[str, ...]  # the files read, relative to the sources directory


def _write(con: duckdb.DuckDBPyConnection, load: Pending) -> int:
    source, now = load.source, datetime.now(UTC).replace(tzinfo=None)
    rows = sum(len(f) for f in load.frames.values())
    for name, frame in load.frames.items():
        if "source" in frame.columns:
            con.execute(f'DELETE FROM "{name}" WHERE source = ?', [source.key])
        else:
            con.execute(f'DELETE FROM "{name}"')
        con.register("incoming", frame)
        con.execute(f'INSERT INTO "{name}" SELECT * FROM incoming')
        con.unregister("incoming")
    con.execute("DELETE FROM load WHERE source = ?", [source.key])
    con.executemany(
        "INSERT INTO load VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [[source.key, source.publisher, source.vintage, f, h, rows, now, load.verdicts[f]]
         for f, h in load.hashes.items()],
    )
    files = sum(not f.startswith("minsec:") for f in load.hashes)
    con.execute("INSERT INTO load_history VALUES (?, ?, ?, ?, ?)",
                [source.key, source.vintage, files, rows, now])
    return rows


def _carry(con: duckdb.DuckDBPyConnection, old: Path) -> None:
    """Copy every declared table of the old store into the new one."""
    con.execute(f"ATTACH '{str(old).replace(chr(39), chr(39) * 2)}' AS old (READ_ONLY)")
    try:
        for name in schema.tables():
            con.execute(f'INSERT INTO main."{name}" SELECT * FROM old."{name}"')
    finally:
        con.execute("DETACH old")


def _replace(path: Path, carry: bool, pending: list[Pending]) -> list[LoadReport]:
    """Write the new store beside the old one and rename it into place once all is written."""
    tmp = atomic.staging(path)
    reports = []
    try:
        con = connect(tmp)
        try:
            if carry:
                _carry(con, path)
            for load in pending:
                rows = _write(con, load)
                reports.append(LoadReport(load.source.key, "loaded", rows, len(load.hashes),
                                          load.paths))
            con.execute("CHECKPOINT")
        finally:
            con.close()
        atomic.publish(tmp, path)
    finally:
        atomic.discard(tmp)
    return reports


def _chosen(root: Path, only: Iterable[str] | None, include_restricted: bool) -> list[Source]:
    known = registry(root)
    wanted = list(only or [])
    if unknown := [k for k in wanted if k not in known]:
        raise MinsecError(f"unknown source(s) {unknown}; known: {', '.join(known)}")
    return [s for s in known.values()
            if (s.key in wanted if wanted else s.default or include_restricted)]


def _plan(source: Source, root: Path, previous: verify.Previous, accept_new: bool,
          progress: Progress | None) -> LoadReport | Pending:
    """What to do with one source: report it missing or unchanged, or parse it."""
    base = DATA if source.packaged else root
    files = source.match(base)
    verify.check_lost(source.key, files, previous, accept_new)
    if not files:
        return LoadReport(source.key, "missing")
    hashes = {f: sha256(base / f) for f in files} | _readers()
    paths = () if source.packaged else tuple(files)
    if {f: h for f, (h, _) in previous.items()} == hashes:
        return LoadReport(source.key, "unchanged", files=len(files), paths=paths)
    verdicts = verify.verdicts(hashes, previous, accept_new)
    if progress:
        progress(source.key)
    return Pending(source, _parse(source, base, files), hashes, verdicts, paths)


def build(store: Path | None = None, sources: Path | None = None,
          only: Iterable[str] | None = None, include_restricted: bool = False,
          progress: Progress | None = None, accept_new: bool = False) -> list[LoadReport]:
    """Load every changed source into a new store file; return what happened to each.

    Every changed source is verified and parsed first; only then is the new file written
    (the old store's tables carried over) and renamed over the old one. One build runs at a
    time per store: a second one refuses.

    Parameters
    ----------
    store, sources : the store file and the sources directory (defaults: see module).
    only : load keys to restrict the build to (unknown keys are an error).
    include_restricted : also load extracts with restrictive terms (Comtrade).
    progress : called with a short label as each source is parsed.
    accept_new : load catalogued files whose SHA-256 differs, and globs that lost files, as
        a new vintage (recorded as ``new vintage`` in the ``load`` table).
    """
    root = sources_dir(sources)
    chosen = _chosen(root, only, include_restricted)
    path = atomic.checked(store or default_path(), write=True)
    with atomic.exclusive(path):
        old = _previous(path)
        planned = [_plan(s, root, (old or {}).get(s.key, {}), accept_new, progress)
                   for s in chosen]
        reports = [p for p in planned if isinstance(p, LoadReport)]
        pending = [p for p in planned if isinstance(p, Pending)]
        if pending:
            reports += _replace(path, old is not None, pending)
    return reports


def status(store: Path | None = None, files: bool = False) -> pd.DataFrame:
    """What is loaded: one row per load, or with ``files`` one row per file and its SHA-256.

    The pseudo-file ``minsec:readers`` is the fingerprint of the code that read the files.
    """
    sql = ("SELECT source, vintage, file, sha256, loaded_at FROM load ORDER BY source, file"
           if files else
           "SELECT source, any_value(vintage) AS vintage, "
           "count(*) FILTER (WHERE file NOT LIKE 'minsec:%') AS files, any_value(rows) AS rows, "
           "strftime(max(loaded_at), '%Y-%m-%d %H:%M') AS loaded_utc "
           "FROM load GROUP BY source ORDER BY source")
    return query(sql, store=store)


def query(sql: str, params: list[object] | None = None, store: Path | None = None) -> pd.DataFrame:
    """Run a read-only query against the store and return a DataFrame."""
    con = connect(store, read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()
