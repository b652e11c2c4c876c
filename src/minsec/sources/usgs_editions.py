"""The MCS editions a sources directory holds, found from its files: no list of years.

Under ``usgs_mcs/`` an edition ``mcsYYYY`` is recognised from any of

* per-commodity tables ``mcsYYYY-<abbr>_world.csv`` and ``mcsYYYY-<abbr>_salient.csv`` in a
  folder named ``world`` or ``salient`` (the mirror's ``salient_suspect`` is neither);
* the single world file ``MCSYYYY_World_Data.csv`` (whose SOURCE column must agree);
* the front-matter tables ``MCSYYYY_Fig2_Net_Import_Reliance.csv`` and
  ``MCSYYYY_T5_Critical_Minerals_Salient.csv``;
* the same files as members of the release's zip archives (``World_Data.zip``,
  ``Salient_Commodity.zip``, ``Industry_Trends.zip``: any ``.zip``), read from the archive.

Each edition and kind is one load, ``usgs_mcsYYYY_world`` (``supply``), ``_salient`` and
``_trends`` (``us_statistics``, ``us_import_source``). Where an edition's kind comes both in
an archive and as loose files, the archive is read: it is the file as published (the loose
MCS 2025 front-matter tables are re-written copies).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import pandas as pd

from minsec.errors import SourceError
from minsec.sources import Source
from minsec.sources._parse import zip_members
from minsec.sources.usgs import DIR, check_world_totals, read_world_file

KINDS = ("world", "salient", "trends")
_PER_COMMODITY = re.compile(r"(?i)^mcs(?P<year>\d{4})-?[a-z-]+?_(?P<kind>world|salient)\.csv$")
_SINGLE = {
    "world": re.compile(r"(?i)^MCS(?P<year>\d{4})_World_Data\.csv$"),
    "trends": re.compile(r"(?i)^MCS(?P<year>\d{4})_(?:Fig2_Net_Import_Reliance"
                         r"|T5_Critical_Minerals_Salient)\.csv$"),
}


def kind_of(rel: str, in_archive: bool = False) -> tuple[str, str] | None:
    """``(edition, kind)`` of a file (or zip member) of an MCS release; None if not one."""
    path = PurePosixPath(rel)
    if (m := _PER_COMMODITY.match(path.name)) and (in_archive
                                                   or path.parent.name == m["kind"].lower()):
        return f"mcs{m['year']}", m["kind"].lower()
    for kind, pattern in _SINGLE.items():
        if m := pattern.match(path.name):
            return f"mcs{m['year']}", kind
    return None


def _members(root: Path, archive: str) -> list[tuple[str, str, str]]:
    return [(member, *found) for member in zip_members(root, archive)
            if (found := kind_of(member.split(".zip/", 1)[1], in_archive=True))]


def found(root: Path) -> dict[tuple[str, str], list[str]]:
    """``(edition, kind) -> files`` (paths relative to ``root``; archives as the .zip)."""
    loose: dict[tuple[str, str], list[str]] = {}
    archived: dict[tuple[str, str], list[str]] = {}
    base = root / DIR
    for path in sorted(base.rglob("*")) if base.is_dir() else []:
        rel = path.relative_to(root).as_posix()
        if path.suffix.lower() == ".zip":
            for edition, kind in {(e, k) for _, e, k in _members(root, rel)}:
                archived.setdefault((edition, kind), []).append(rel)
        elif path.is_file() and (hit := kind_of(rel)):
            loose.setdefault(hit, []).append(rel)
    return {key: archived.get(key) or loose[key]
            for key in sorted(loose.keys() | archived.keys())}


def expand(root: Path, files: Iterable[str], kind: str) -> list[str]:
    """The tables of ``kind`` in ``files``: a file itself, an archive its members of the kind."""
    out = []
    for rel in files:
        if rel.lower().endswith(".zip"):
            out += [m for m, _, k in _members(root, rel) if k == kind]
        else:
            out.append(rel)
    return out


def read_world(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """``supply`` rows of the world tables: per-commodity files or the single world file."""
    from minsec.sources.usgs_world import NAME, read_world_data

    tables = expand(root, files, "world")
    frames = [read_world_data(root, rel) if NAME.match(PurePosixPath(rel).name)
              else read_world_file(root, rel) for rel in tables]
    if not frames:
        raise SourceError(root / DIR, "no world tables found")
    return {"supply": pd.concat(frames, ignore_index=True)}


def read_salient(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """``us_statistics`` rows of the salient tables (:mod:`minsec.sources.usgs_trends`)."""
    from minsec.sources.usgs_trends import read_salient_files

    return read_salient_files(root, expand(root, files, "salient"))


def read_trends(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """``us_statistics`` and ``us_import_source`` rows of the front-matter tables."""
    from minsec.sources.usgs_trends import read_trend_files

    return read_trend_files(root, expand(root, files, "trends"))


READERS = {"world": read_world, "salient": read_salient, "trends": read_trends}


def sources(root: Path) -> list[Source]:
    """One load per edition and kind found under ``root``, oldest edition first."""
    return [Source(f"usgs_{edition}_{kind}", "USGS", f"MCS {edition[3:]}",
                   tuple(_glob_escape(f) for f in files), READERS[kind],
                   check=check_world_totals if kind == "world" else None)
            for (edition, kind), files in sorted(found(root).items(),
                                                 key=lambda kv: (kv[0][0],
                                                                 KINDS.index(kv[0][1])))]


def _glob_escape(rel: str) -> str:
    """A path as a glob pattern matching only itself (``Source.match`` globs its files)."""
    return re.sub(r"([*?\[])", r"[\1]", rel)
