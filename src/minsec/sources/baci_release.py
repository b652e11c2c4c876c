"""CEPII BACI, a full release as CEPII publishes it: one zip per HS revision, any revision.

``BACI_HS22_V202501.zip`` holds one CSV per year, ``BACI_HS22_Y2022_V202501.csv``, ...
(columns ``t, i, j, k, v, q`` as in :mod:`minsec.sources.baci`; ``q`` may be ``NA`` or
blank, cells may be padded with spaces), ``country_codes_V202501.csv`` (``country_code,
country_name, country_iso2, country_iso3``; releases before V202301 name the last
``iso_3digit_alpha``) and ``product_codes_HS22_V202501.csv`` (not read: the concordance
names the codes). https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37

A release holds every product (about 11 million flows a year), so each member is streamed in
chunks of rows and only the form concordance's codes for the revision are kept: HS92 ->
``hs92``, HS22 -> ``hs2022``, HS96 to HS17 -> ``hs2017`` (the closest). ``hs_version`` is the
revision's own label (HS92, HS96, HS2002, ..., HS2022). Of two vintages of one revision in the
folder, the latest is read.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from minsec.errors import SourceError
from minsec.reference import hs_codes
from minsec.sources import Source
from minsec.sources._parse import first_row, numbers, parse_table
from minsec.sources.baci import COLUMNS, REQUIRED, country_table, iso3_of

FILES = "cepii_baci/BACI_HS*_V*.zip"
REVISIONS = {"92": "HS92", "96": "HS96", "02": "HS2002", "07": "HS2007", "12": "HS2012",
             "17": "HS2017", "22": "HS2022"}
EDITION = {"HS92": "hs92", "HS2022": "hs2022"}  # the others read the hs2017 column
CHUNK = 200_000  # rows per chunk: about 50 MB of text cells
_ZIP = re.compile(r"BACI_HS(\d{2})_V(\w+)\.zip$")
_YEAR = re.compile(r"BACI_HS\d{2}_Y(\d{4})_V\w+\.csv$")
_COUNTRIES = re.compile(r"country_codes_V\w+\.csv$")
_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def release(rel: str) -> tuple[str, str]:
    """``(revision label, vintage)`` from the zip's name.

    ``BACI_HS22_V202501.zip`` -> ``("HS2022", "202501")``.
    """
    m = _ZIP.search(rel)
    if not m or m.group(1) not in REVISIONS:
        raise SourceError(rel, f"not a BACI release name (BACI_HS{{{','.join(REVISIONS)}}}_V"
                               "<vintage>.zip)")
    return REVISIONS[m.group(1)], m.group(2)


def latest(files: list[str]) -> list[str]:
    """One zip per revision: the latest vintage (``V202501`` over ``V202401b``)."""
    chosen: dict[str, tuple[str, str]] = {}
    for rel in files:
        revision, vintage = release(rel)
        if revision not in chosen or vintage > chosen[revision][0]:
            chosen[revision] = (vintage, rel)
    return sorted(rel for _, rel in chosen.values())


def _keep(chunk: pd.DataFrame, codes: set[str], name: str) -> pd.DataFrame:
    """The chunk's rows of the wanted codes, typed, with their line; damage raises."""
    if tuple(str(c).strip().removeprefix("\ufeff") for c in chunk.columns) != COLUMNS:
        raise SourceError(name, f"header should be {','.join(COLUMNS)}, reads "
                                f"{','.join(map(str, chunk.columns))[:40]!r}", 1)
    chunk.columns = pd.Index(COLUMNS)
    empty = chunk[list(REQUIRED)].isin([""]).any(axis=1)
    if empty.any():
        line = int(chunk.index[first_row(empty)]) + 2
        raise SourceError(name, "row has an empty field (truncated row?)", line)
    rows = chunk[chunk["k"].isin(codes)]
    lines = pd.Series(rows.index + 2, index=rows.index)
    typed = {c: numbers(rows[c], name, lines, c, blank=("", "NA") if c == "q" else ())
             for c in COLUMNS}
    for column in ("t", "i", "j", "k"):
        fraction = typed[column].mod(1).ne(0)
        if fraction.any():
            first = first_row(fraction)
            raise SourceError(name, f"{rows[column].iloc[first]!r} in column {column!r} is "
                                    "not a whole number", int(lines.iloc[first]))
    return pd.DataFrame(typed).assign(line=lines)


def read_member(archive: zipfile.ZipFile, member: str, name: str,
                codes: set[str]) -> pd.DataFrame:
    """One year's CSV, streamed chunk by chunk, keeping the rows of ``codes``."""
    kept = []
    try:
        with archive.open(member) as handle:
            for chunk in pd.read_csv(handle, dtype=str, keep_default_na=False, chunksize=CHUNK,
                                     skip_blank_lines=False, skipinitialspace=True):
                kept.append(_keep(chunk, codes, name))
    except pd.errors.ParserError as exc:
        if m := _FIELDS.search(str(exc)):
            raise SourceError(name, f"row has {m.group(3)} fields, header has {m.group(1)}",
                              int(m.group(2))) from None
        raise SourceError(name, f"malformed CSV ({exc})") from None
    except pd.errors.EmptyDataError:
        raise SourceError(name, "member is empty", 1) from None
    except (zipfile.BadZipFile, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise SourceError(name, f"damaged in the zip ({exc})") from None
    if not kept:  # a header and no rows
        return pd.DataFrame(columns=[*COLUMNS, "line"], dtype="float64")
    return pd.concat(kept, ignore_index=True)


def read_countries(archive: zipfile.ZipFile, member: str, name: str) -> pd.DataFrame:
    """The release's country dictionary, indexed by BACI's numeric code."""
    text = archive.read(member).decode("utf-8-sig", errors="replace")
    table = parse_table(text, ["country_code"], name)
    table = table.rename(columns={"iso_3digit_alpha": "country_iso3"})
    if "country_iso3" not in table:
        raise SourceError(name, "header lacks column 'country_iso3'", 1)
    return country_table(table, name)


def _members(archive: zipfile.ZipFile, rel: str) -> tuple[str, list[str]]:
    names = {PurePosixPath(m).name: m for m in archive.namelist()}
    years = [m for n, m in sorted(names.items()) if _YEAR.fullmatch(n)]
    countries = [m for n, m in names.items() if _COUNTRIES.fullmatch(n)]
    if not years or not countries:
        raise SourceError(rel, "holds no BACI_HS.._Y<year>_V...csv or no country_codes_V...csv "
                               "member: not a BACI release zip?")
    return countries[0], years


def _trade(flows: pd.DataFrame, iso: pd.Series, revision: str) -> pd.DataFrame:
    hs6 = {k: f"{int(k):06d}" for k in flows["k"].unique()}
    return pd.DataFrame({
        "year": flows["t"].astype("int64"),
        "exporter": flows["i"].astype("int64").map(iso),
        "importer": flows["j"].astype("int64").map(iso),
        "hs6": flows["k"].map(hs6),
        "hs_version": revision,
        "value": flows["v"],
        "quantity": flows["q"],
        "flow": pd.Series([None] * len(flows), dtype="string"),  # reconciled, not declared
    })


def read_zip(path: Path, rel: str) -> pd.DataFrame:
    """One release zip into ``trade`` rows of the concordance's codes for its revision."""
    revision, _ = release(rel)
    wanted = hs_codes(EDITION.get(revision, "hs2017"))
    codes = {*wanted, *(c.lstrip("0") for c in wanted)}  # k with or without its leading zero
    try:
        with zipfile.ZipFile(path) as archive:
            country_member, years = _members(archive, rel)
            countries = read_countries(archive, country_member, f"{rel}/{country_member}")
            parts = []
            for member in years:
                name = f"{rel}/{member}"
                flows = read_member(archive, member, name, codes)
                _check_countries(flows, countries, name)
                parts.append(flows)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(rel, f"not a readable zip ({exc})") from None
    flows = pd.concat(parts, ignore_index=True)
    used = np.union1d(flows["i"].unique(), flows["j"].unique()).astype("int64")
    iso = iso3_of(countries, used, f"{rel}/{country_member}")
    return _trade(flows, iso, revision)


def _check_countries(flows: pd.DataFrame, countries: pd.DataFrame, name: str) -> None:
    unknown = ~(flows["i"].isin(countries.index) & flows["j"].isin(countries.index))
    if unknown.any():
        row = flows.iloc[first_row(unknown)]
        code = row["i"] if row["i"] not in countries.index else row["j"]
        raise SourceError(name, f"BACI country code {int(code)} is not in the release's "
                                "country_codes file", int(row["line"]))


def read(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """Every revision's latest release zip into ``trade`` (value kUSD, quantity t)."""
    frames = [read_zip(root / rel, rel) for rel in latest(files)]
    trade = pd.concat(frames, ignore_index=True)
    for column in ("exporter", "importer", "hs6", "hs_version"):
        trade[column] = trade[column].astype("category")
    return {"trade": trade}


SOURCES = [
    Source(
        key="baci_release",
        publisher="CEPII (BACI)",
        vintage="BACI full release zips as CEPII publishes them (any HS revision), "
                "the form concordance's codes",
        files=(FILES,),
        read=read,
    )
]
