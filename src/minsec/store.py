"""The store: an embedded DuckDB file holding the canonical tables and the provenance of each load.

``build`` parses every changed source first and writes nothing until all of them parsed; then
it writes each source in one transaction. A bad file therefore leaves the previous good store
untouched, and a rebuild with nothing changed only hashes the files.
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

from minsec import schema
from minsec.errors import MinsecError, SourceError
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


def connect(path: Path | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store, creating the declared tables when writing."""
    path = path or default_path()
    if read_only and not path.exists():
        raise MinsecError(f"no store at {path}: run `minsec data build` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise MinsecError(f"cannot open the store {path}: {exc}") from None
    if not read_only:
        if _migrate(con):
            con.execute("DELETE FROM load")  # every source reloads into the new layout
        for spec in schema.tables().values():
            con.execute(spec.ddl())
    return con


def _migrate(con: duckdb.DuckDBPyConnection) -> bool:
    """Drop the tables whose columns differ from ``schema.csv``; True if any was dropped."""
    found = con.execute("SELECT table_name, column_name, data_type, is_nullable "
                        "FROM information_schema.columns WHERE table_schema = 'main' "
                        "ORDER BY table_name, ordinal_position").fetchall()
    have: dict[str, list[tuple[str, str, bool]]] = {}
    for table, column, kind, nullable in found:
        have.setdefault(table, []).append((column, kind, nullable == "YES"))
    dropped = False
    for name, spec in schema.tables().items():
        want = [(c.name, c.type, c.nullable) for c in spec.columns]
        if name in have and have[name] != want:
            con.execute(f'DROP TABLE "{name}"')
            dropped = True
    return dropped and "load" in have


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


def _loaded(con: duckdb.DuckDBPyConnection, key: str) -> set[tuple[str, str]]:
    rows = con.execute("SELECT file, sha256 FROM load WHERE source = ?", [key]).fetchall()
    return {(f, h) for f, h in rows}


def _parse(source: Source, root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    try:
        frames = source.read(root, files)
    except (MinsecError, KeyboardInterrupt):
        raise
    except Exception as exc:  # an adapter bug or a damage it did not foresee: still one line
        raise SourceError(f"{root}/{{{','.join(files[:3])}{'...' if len(files) > 3 else ''}}}",
                          f"{source.key}: cannot read ({type(exc).__name__}: {exc})") from exc
    out = {}
    for name, frame in frames.items():
        if "source" in schema.table(name).names:
            frame = frame.assign(source=source.key)
        out[name] = schema.conform(name, frame)
    return out


def _write(con: duckdb.DuckDBPyConnection, source: Source, frames: dict[str, pd.DataFrame],
           hashes: dict[str, str]) -> int:
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = sum(len(f) for f in frames.values())
    con.execute("BEGIN TRANSACTION")
    try:
        for name, frame in frames.items():
            if "source" in frame.columns:
                con.execute(f'DELETE FROM "{name}" WHERE source = ?', [source.key])
            else:
                con.execute(f'DELETE FROM "{name}"')
            con.register("incoming", frame)
            con.execute(f'INSERT INTO "{name}" SELECT * FROM incoming')
            con.unregister("incoming")
        con.execute("DELETE FROM load WHERE source = ?", [source.key])
        con.executemany(
            "INSERT INTO load VALUES (?, ?, ?, ?, ?, ?, ?)",
            [[source.key, source.publisher, source.vintage, f, h, rows, now]
             for f, h in hashes.items()],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return rows


def build(store: Path | None = None, sources: Path | None = None,
          only: Iterable[str] | None = None, include_restricted: bool = False,
          progress: Progress | None = None) -> list[LoadReport]:
    """Load every changed source into the store; return what happened to each.

    Parameters
    ----------
    store, sources : the store file and the sources directory (defaults: see module).
    only : load keys to restrict the build to (unknown keys are an error).
    include_restricted : also load extracts with restrictive terms (Comtrade).
    progress : called with a short label as each source is parsed.
    """
    root = sources_dir(sources)
    known = registry(root)
    wanted = list(only or [])
    if unknown := [k for k in wanted if k not in known]:
        raise MinsecError(f"unknown source(s) {unknown}; known: {', '.join(known)}")
    chosen = [s for s in known.values()
              if (s.key in wanted if wanted else s.default or include_restricted)]
    con = connect(store)
    try:
        reports, pending = [], []
        for source in chosen:
            base = DATA if source.packaged else root
            files = source.match(base)
            if not files:
                reports.append(LoadReport(source.key, "missing"))
                continue
            hashes = {f: sha256(base / f) for f in files} | _readers()
            paths = () if source.packaged else tuple(files)
            if _loaded(con, source.key) == set(hashes.items()):
                reports.append(LoadReport(source.key, "unchanged", files=len(files),
                                          paths=paths))
                continue
            if progress:
                progress(source.key)
            pending.append((source, _parse(source, base, files), hashes, paths))
        for source, frames, hashes, paths in pending:
            rows = _write(con, source, frames, hashes)
            reports.append(LoadReport(source.key, "loaded", rows, len(hashes), paths))
    finally:
        con.close()
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
