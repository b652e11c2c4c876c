"""The single world file of an MCS data release (``MCSYYYY_World_Data.csv``, MCS 2025 on).

One file covers every commodity; USGS publishes it inside ``World_Data.zip`` and it is read
from the archive as published. Header (MCS 2025): ``SOURCE, COMMODITY, COUNTRY, TYPE,
UNIT_MEAS, PROD_2023, PROD_EST_ 2024, PROD_NOTES, CAP_2023, CAP_EST_ 2024, CAP_NOTES,
RESERVES_2024, RESERVE_NOTES`` (UTF-8 with BOM, spaces inside two names).

Rules, beyond those of the per-commodity world tables (:mod:`minsec.sources.usgs`), which
apply to each commodity's rows unchanged (stage from the Type, countries, cells, splits):

* the edition is the ``SOURCE`` column (one value, ``MCSYYYY``, agreeing with the file name);
* ``COMMODITY`` (case and spaces ignored, USGS's spellings such as ``Gemanium``) names the
  per-commodity file's abbreviation through ``WORLD_NAMES``; an unknown name is an error
  naming the file and line;
* ``PROD_``/``CAP_``/``RESERVES_`` columns carry their year; ``EST_`` marks an estimate; the
  notes of each come from ``PROD_NOTES``, ``CAP_NOTES``, ``RESERVE_NOTES``;
* the unit is per row (``UNIT_MEAS`` through ``WORLD_UNITS``, its faults in
  ``WORLD_UNIT_FIXES``); an empty one takes the unit of the commodity's other rows of the same
  Type when they agree (rutile, Sierra Leone, 2025). Reserves whose commodity's notes name
  another unit (``(Reserve data is thousand metric tons).``, ``Crude Ore, million metric tons``)
  are in that unit (molybdenum, vanadium, iron ore 2025).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from minsec.errors import SourceError
from minsec.sources._parse import first_row
from minsec.sources.usgs import read_csv, supply_rows
from minsec.sources.usgs_quirks import WORLD_NAMES, WORLD_UNIT_FIXES, WORLD_UNITS

REQUIRED = ["SOURCE", "COMMODITY", "COUNTRY", "TYPE", "UNIT_MEAS"]
NAME = re.compile(r"(?i)^MCS(?P<year>\d{4})_World_Data\.csv$")
_MEASURE = re.compile(r"^(?P<var>PROD|CAP|RESERVES)_(?P<est>EST_)?(?P<year>\d{4})$")
_RESERVE_UNIT = re.compile(r"(?i)reserve data is (?P<u>[a-z ]+?)\)?\.?$"
                           r"|^(?:crude ore|iron content), (?P<v>[a-z ]+?)\.?$")
_VARIABLES = {"PROD": ("production", "PROD_NOTES"), "CAP": ("capacity", "CAP_NOTES"),
              "RESERVES": ("reserves", "RESERVE_NOTES")}


def _key(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def edition_of(frame: pd.DataFrame, names: list[str | None], rel: str) -> str:
    """``mcsYYYY`` from the SOURCE column: one value, the file name's year where it has one."""
    source = frame[names.index("SOURCE")].str.strip()
    found = sorted(set(source))
    if len(found) != 1 or not re.fullmatch(r"MCS\d{4}", found[0]):
        raise SourceError(rel, f"SOURCE should be one MCSYYYY value; found {found[:3]}",
                          int(frame["line"].iloc[0]))
    m = NAME.match(Path(rel).name)
    if m and m["year"] != found[0][3:]:
        raise SourceError(rel, f"SOURCE {found[0]} disagrees with the file name", 2)
    return found[0].lower()


def abbreviations(commodity: pd.Series, rel: str, lines: pd.Series) -> pd.Series:
    """The per-commodity file abbreviation of each row's COMMODITY (``WORLD_NAMES``)."""
    abbr = commodity.map(lambda c: WORLD_NAMES.get(_key(c)))
    if abbr.isna().any():
        bad = first_row(abbr.isna())
        raise SourceError(rel, f"no mineral mapped for MCS commodity {commodity.iloc[bad]!r}; "
                               "add it to minsec.sources.usgs_quirks.WORLD_NAMES",
                          int(lines.iloc[bad]))
    return abbr


def units(frame: pd.DataFrame, names: list[str | None], edition: str,
          rel: str) -> pd.Series:
    """UNIT_MEAS per row (fixed); an empty one from the same commodity and Type's other rows."""
    text = frame[names.index("UNIT_MEAS")].map(_key)
    fixed = (edition + "-" + frame["abbr"]).map(WORLD_UNIT_FIXES)
    given = fixed.fillna(text.mask(text == ""))
    group = [frame[names.index("COMMODITY")].map(_key), frame[names.index("TYPE")].map(_key)]
    alone = given.groupby(group).transform(lambda u: u.dropna().iloc[0]
                                           if u.dropna().nunique() == 1 else None)
    filled = given.fillna(alone)
    bad = filled.isna() | ~filled.isin(list(WORLD_UNITS))
    if bad.any():
        i = first_row(bad)
        raise SourceError(rel, f"unit {frame[names.index('UNIT_MEAS')].iloc[i]!r} unknown "
                               f"(known: {', '.join(WORLD_UNITS)})", int(frame["line"].iloc[i]))
    return filled


def reserve_units(frame: pd.DataFrame, names: list[str | None], unit: pd.Series) -> pd.Series:
    """The unit of the reserves cells: one named in the commodity's reserve notes, else ``unit``."""
    notes = frame[names.index("RESERVE_NOTES")] if "RESERVE_NOTES" in names else None
    if notes is None:
        return unit
    parts = notes.str.strip().str.extract(_RESERVE_UNIT.pattern)
    said = parts["u"].fillna(parts["v"]).map(lambda u: _key(u) if isinstance(u, str) else None)
    said = said.where(said.isin(list(WORLD_UNITS)))
    per_commodity = said.groupby(frame["abbr"]).transform(
        lambda u: u.dropna().iloc[0] if u.dropna().nunique() == 1 else None)
    return said.fillna(per_commodity).fillna(unit)


def stacked(frame: pd.DataFrame, names: list[str | None], unit: pd.Series,
            reserve_unit: pd.Series, rel: str) -> pd.DataFrame:
    """The measure columns stacked, one row per non-empty cell, as ``usgs._long`` gives."""
    notes = {note for _, note in _VARIABLES.values()}
    parts = []
    for i, name in enumerate(names):
        if name is None or name in REQUIRED or name in notes:
            continue
        m = _MEASURE.match(name.replace(" ", ""))
        if m is None:
            raise SourceError(rel, f"unexpected column {name!r}", 1)
        variable, note = _VARIABLES[m["var"]]
        cell_unit = reserve_unit if variable == "reserves" else unit
        parts.append(pd.DataFrame({
            "country_raw": frame[names.index("COUNTRY")], "type": frame[names.index("TYPE")],
            "cell": frame[i].str.strip(), "line": frame["line"],
            "pub_note": frame[names.index(note)] if note in names else None, "column": name,
            "variable": variable, "qual": None, "year": int(m["year"]),
            "unit": cell_unit.map(lambda u: WORLD_UNITS[u][0]),
            "factor": cell_unit.map(lambda u: WORLD_UNITS[u][1]), "est": bool(m["est"]),
            "abbr": frame["abbr"]}))
    if not parts:
        raise SourceError(rel, "no PROD_/CAP_/RESERVES_ columns; wrong file or delimiter?", 1)
    long = pd.concat(parts, ignore_index=True)
    return long[long["cell"] != ""].reset_index(drop=True)


def read_world_data(root: Path, rel: str) -> pd.DataFrame:
    """``supply`` rows of one ``MCSYYYY_World_Data.csv`` (a file or a zip member)."""
    frame, names = read_csv(root, rel, REQUIRED)
    edition = edition_of(frame, names, rel)
    frame["abbr"] = abbreviations(frame[names.index("COMMODITY")], rel, frame["line"])
    unit = units(frame, names, edition, rel)
    long = stacked(frame, names, unit, reserve_units(frame, names, unit), rel)
    parts = [supply_rows(rows.drop(columns="abbr").reset_index(drop=True), rel, edition,
                         str(abbr)) for abbr, rows in long.groupby("abbr", sort=False)]
    return pd.concat(parts, ignore_index=True)
