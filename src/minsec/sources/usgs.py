"""USGS Mineral Commodity Summaries (any edition): world tables, salient statistics, trends.

The editions are found from the files (:mod:`.usgs_editions`). ``usgs_mcsYYYY_world`` reads
``mcsYYYY-<abbr>_world.csv`` into ``supply`` (this module) or the single world file of the
2025 release layout (:mod:`.usgs_world`); ``usgs_mcsYYYY_salient`` and
``usgs_mcsYYYY_trends`` read the US salient statistics and the front-matter tables into
``us_statistics``/``us_import_source`` (:mod:`.usgs_trends`).

Stage rule of ``supply``, on the ``Type`` text (case-insensitive, first match wins):

1. ``mine production`` (also USGS's typos ``mine poduction``, ``mne production``) -> mining;
2. refinery, smelter, plant production/capacity, primary production, sponge, metal, pig iron,
   raw steel, cement, clinker, refined, compounds, ``, synthetic`` -> refining;
3. otherwise the commodity's default stage in ``COMMODITIES``: boron ``ulexite`` or an empty
   Type (iron oxide pigments 2024) -> mining; sulfur ``Production, all forms`` -> refining.

Gallium "Primary production" (low-purity metal recovered from alumina and zinc process
liquors) is therefore refining. A Type naming capacity makes a ``Prod_`` column ``capacity``
(cement: ``Clinker capacity``).

World-table quirks: footnotes glued to names (``New Caledonia11``, ``Japane``); qualifiers glued
to countries (``Argentina, crude ore``, ``India (ocher)``) are appended to ``form`` in brackets;
``World total ...`` -> WLD and ``Other countries ...`` -> ROW, their qualifier (``excluding
United States``) into ``note``; ``United States and Canada`` (abrasives capacity) -> USA with a
note; the Type column headed ``Mine production, fluorspar`` (fluorspar 2024); header typos in
``HEADER_FIXES``. Cells: bounds keep their number with the flag (``>130,000,000``), ranges their
midpoint (``parse_number``), ``e5,000`` is estimated, ``Less than ½ unit.`` is 0.5 with ``<``,
text (``Included in World total.``, ``Large``) is NULL with a flag and the text in ``note``;
empty cells give no row. Reserves are in the ground (stage mining) and get the file's latest
production year (the estimate year); the reserves cells of refinery rows, which only repeat NA
in files that also have mine rows (copper, bauxite/alumina), are not loaded.
Several Types in one file are several minerals where the catalogue has them (platinum and
palladium; bauxite and alumina; clays, bentonite and kaolin); the reserves on the platinum rows
"include all platinum-group metals" and are platinum_group_metals.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from minsec.countries import to_iso3
from minsec.errors import SourceError
from minsec.reference import check_minerals
from minsec.sources import Source
from minsec.sources._parse import (
    ends_complete,
    first_row,
    parse_number,
    parse_table,
    read_text,
)
from minsec.sources.usgs_quirks import CELL_FIXES, COMMODITIES, HEADER_FIXES, SPLITS

DIR = "usgs_mcs"

# MCS file abbreviation -> (mineral id, default stage).
_FILE = re.compile(r"(?i)^mcs(?P<year>\d{4})-?(?P<abbr>[a-z-]+?)_(?P<kind>world|salient)\.csv$")
_MEASURE = re.compile(r"^(?P<var>Prod|Cap|Reserves)(?:_(?P<qual>\w+?))??_(?P<unit>[A-Za-z]+)"
                      r"(?:_(?P<est>[Ee]st))?(?:_(?P<year>\d{4}))?$")
_NOTE = re.compile(r"^(Prod|Cap|Reserves)_notes?$")
_VARIABLES = {"Prod": "production", "Cap": "capacity", "Reserves": "reserves"}
UNITS = {"t": ("t", 1.0), "kt": ("t", 1e3), "kg": ("t", 1e-3), "Mt": ("t", 1e6),
         "mmt": ("t", 1e6), "mct": ("million carats", 1.0), "kct": ("thousand carats", 1.0),
         "mcm": ("million m3", 1.0)}
_MINING = re.compile(r"(?i)\bmi?ne\s+pr?oduction")
_REFINING = re.compile(r"(?i)refiner|smelter|plant\s+(?:production|capacity)|primary production"
                       r"|sponge|metal|pig iron|raw steel|cement|clinker|refined|compounds"
                       r"|,\s*synthetic$")
# Text USGS writes in numeric cells (lower-cased, quotes and final stop dropped) -> flag.
_TEXT_FLAGS = {
    "included in world total": "included-elsewhere",
    "included with other countries": "included-elsewhere",
    "included with ilmenite": "included-elsewhere",
    "large": "NA", "categorized as large": "NA", "small": "NA", "very small": "NA",
    "variable, depending on type of product": "NA",
}
_LESS_THAN = re.compile(r"^less than (½|1/2|a half|one-half) unit$"
                        r"|^less than [\d,]+ (tons|carats)$")
_ESTIMATE = re.compile(r"^e(?=[\d.,]+$)")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_AGGREGATE = re.compile(r"(?i)^(?P<code>world total|other(?: countries)?)(?P<rest>\W.*|\d*|e)$")
_FOOTNOTE = re.compile(r"^(.*?\D)\d+$")
_PAREN = re.compile(r"^(?P<name>.*?)\s*\((?P<qual>[a-z][^()]*)\)$")
_COMMA = re.compile(r"^(?P<name>[^,]+),\s*(?P<qual>[a-z].*)$")


def file_commodity(rel: str) -> tuple[str, str, str, str]:
    """``(edition, abbreviation, mineral, default stage)`` of a per-commodity file.

    An unknown abbreviation is an error.
    """
    m = _FILE.match(Path(rel).name)
    if m is None:
        raise SourceError(rel, "not an MCS per-commodity file name (mcsYYYY-<abbr>_<kind>.csv)")
    abbr = m["abbr"].lower()
    if abbr not in COMMODITIES:
        raise SourceError(rel, f"no mineral mapped for MCS commodity {abbr!r}; add it to "
                               "minsec.sources.usgs.COMMODITIES")
    return (f"mcs{m['year']}", abbr, *COMMODITIES[abbr])


def header_fixes(rel: str) -> dict[str, tuple[str | None, ...]] | list[str | None]:
    """The ``HEADER_FIXES`` of a file: its stem's, over those of every edition's file."""
    stem = Path(rel).stem.lower()
    own = HEADER_FIXES.get(stem, {})
    every = HEADER_FIXES.get(stem.split("-", 1)[-1], {})
    if isinstance(own, list) or isinstance(every, list):
        return own or every
    return {**every, **own}


def read_csv(root: Path, rel: str, required: list[str]) -> tuple[pd.DataFrame, list[str | None]]:
    """A USGS table, one column per position, with its headers fixed (:func:`header_fixes`).

    ``rel`` is a file or a zip member (``Release.zip/member.csv``). ``parse_table`` checks it
    (encoding, delimiter, truncation); the columns are then taken by position, because it merges
    repeated headers and drops unnamed columns, and USGS files have both, some with data under
    an unnamed header (a shifted row): that is an error here.
    """
    text = read_text(root, rel)
    parse_table(text, required, rel)
    ends_complete(text, rel)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    rows, body, start = [next(reader)], [], 2  # start: physical line a row begins on
    for row in reader:
        if any(c.strip() for c in row):
            body.append((start, row))
        start = reader.line_num + 1
    frame = pd.DataFrame([r for _, r in body], columns=range(len(rows[0])), dtype=object)
    frame["line"] = [n for n, _ in body]
    fixes = header_fixes(rel)
    names: list[str | None] = [h.strip() or None for h in rows[0]]
    if isinstance(fixes, list):
        names = [*fixes, *names[len(fixes):]]
    else:
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            if name in fixes:
                n = seen[name] = seen.get(name, -1) + 1
                names[i] = fixes[name][n]
    _fix_cells(frame, names, rel)
    for i, name in enumerate(rows[0]):  # positions a list of fixes names are deliberate
        filled = frame[i].str.strip() != ""
        if not name.strip() and i >= len(fixes if isinstance(fixes, list) else ()) \
                and filled.any():
            raise SourceError(rel, f"value {frame[i][filled].iloc[0]!r} under an unnamed column "
                                   f"({i + 1}); header and rows do not line up",
                              int(frame["line"].iloc[first_row(filled)]))
    return frame, names


def _fix_cells(frame: pd.DataFrame, names: list[str | None], rel: str) -> None:
    """Apply ``CELL_FIXES`` in place; a fix whose cell no longer reads as published is an error."""
    for (line, column), (published, figure) in CELL_FIXES.get(Path(rel).stem.lower(), {}).items():
        at = frame.index[frame["line"] == line]
        if column not in names or len(at) != 1 or frame.at[at[0], names.index(column)] != published:
            raise SourceError(rel, f"cell fix of {column!r} expects {published!r} here; the file "
                                   "changed: review minsec.sources.usgs_quirks.CELL_FIXES", line)
        frame.at[at[0], names.index(column)] = figure


def split_minerals(words: pd.Series, abbr: str, default: str) -> pd.Series:
    """Mineral per row: a catalogue mineral named in ``words`` (``SPLITS``), else the file's."""
    found = pd.Series(default, index=words.index, dtype="string")
    for word, mineral in SPLITS.get(abbr, {}).items():
        hit = words.fillna("").str.contains(rf"(?i)(?:^|[\W_]){word}(?:$|[\W_])", regex=True)
        found = found.mask(hit & (found == default), mineral)
    return found


def cell(text: str) -> tuple[float | None, str | None, bool, str | None]:
    """One published cell -> ``(value, flag, estimated, note)``; raises ValueError if unknown."""
    s = " ".join(str(text).replace("\u2212", "-").split())
    estimated = bool(_ESTIMATE.match(s))
    key = re.sub(r"[\"“”']", "", s).lower().rstrip(".").strip()
    if key in _TEXT_FLAGS:
        return None, _TEXT_FLAGS[key], False, s
    if m := _LESS_THAN.match(key):
        return (0.5 if m.group(1) else None), "<", False, s
    value, flag = parse_number(s[1:] if estimated else s)
    return value, flag, estimated, None


def parse_cells(cells: pd.Series, rel: str, lines: pd.Series, columns: pd.Series) -> pd.DataFrame:
    """Vectorised :func:`cell` (unique texts parsed once); errors name file, line and column."""
    parsed = {}
    for text in cells.dropna().unique():
        try:
            parsed[text] = cell(text)
        except ValueError:
            first = cells.index[cells == text][0]
            raise SourceError(rel, f"{text!r} in column {columns.loc[first]!r} is not a number",
                              int(lines.loc[first])) from None
    out = pd.DataFrame([parsed[t] for t in cells], index=cells.index,
                       columns=["value", "flag", "estimated", "text"])
    return out.astype({"value": "float64", "flag": "string", "estimated": bool, "text": "string"})


def country_codes(names: pd.Series, rel: str, lines: pd.Series) -> pd.Series:
    """ISO3 through :func:`minsec.countries.to_iso3`, checked to be a code (or WLD/ROW)."""
    codes = to_iso3(names, rel, lines)
    bad = ~codes.str.match(_ISO3.pattern).fillna(False)
    if bad.any():
        first = first_row(bad)
        raise SourceError(rel, f"unknown country {names.iloc[first]!r}", int(lines.iloc[first]))
    return codes


def _country_name(raw: str) -> tuple[str, str | None, str | None]:
    """``(name to map, qualifier for form, qualifier for note)`` of a world-table country."""
    s = " ".join(raw.split())
    if m := _AGGREGATE.match(s):
        code = "WLD" if m["code"].lower() == "world total" else "ROW"
        rest = re.sub(r"(?i)\brounded\b|[()]|\d+$|^e$", "", m["rest"]).strip(" ,.")
        return code, None, rest or None
    if s == "United States and Canada":
        return "United States", s, "United States and Canada combined"
    s = m[1] if (m := _FOOTNOTE.match(s)) else s
    if m := _PAREN.match(s) or _COMMA.match(s):
        return m["name"], m["qual"], None
    return s, None, None


def _measures(names: list[str | None], rel: str) -> dict[int, re.Match[str]]:
    """Position -> parsed measure header; unknown headers and units raise on line 1."""
    out = {}
    for i, name in enumerate(names):
        if name is None or i == 2 or name in {"Source", "Country"} or _NOTE.match(name):
            continue
        m = _MEASURE.match(name)
        if m is None:
            raise SourceError(rel, f"unexpected column {name!r}", 1)
        if m["unit"] not in UNITS:
            raise SourceError(rel, f"unknown unit {m['unit']!r} in column {name!r}", 1)
        out[i] = m
    return out


def _long(frame: pd.DataFrame, names: list[str | None], rel: str) -> pd.DataFrame:
    """The measure columns of a world table stacked into one row per cell."""
    if names[1] != "Country":  # the third column is the Type (fluorspar 2024 heads it by one)
        raise SourceError(rel, f"expected Source, Country, Type first; header reads {names[:3]}", 1)
    measures = _measures(names, rel)
    if not measures:
        raise SourceError(rel, "no Prod_/Cap_/Reserves_ columns; wrong file or delimiter?", 1)
    years = [int(m["year"]) for m in measures.values() if m["year"]]
    latest = max(years) if years else None
    parts = []
    for i, m in measures.items():
        note_col = f"{m['var']}_notes" if f"{m['var']}_notes" in names else f"{m['var']}_note"
        year = int(m["year"]) if m["year"] else latest
        if year is None:
            raise SourceError(rel, f"no year for column {names[i]!r}", 1)
        unit, factor = UNITS[m["unit"]]
        parts.append(pd.DataFrame({
            "country_raw": frame[names.index("Country")], "type": frame[2],
            "cell": frame[i].str.strip(), "line": frame["line"],
            "pub_note": frame[names.index(note_col)] if note_col in names else None,
            "column": names[i], "variable": _VARIABLES[m["var"]], "qual": m["qual"],
            "year": year, "unit": unit, "factor": factor, "est": bool(m["est"]),
        }))
    long = pd.concat(parts, ignore_index=True)
    return long[long["cell"] != ""].reset_index(drop=True)


def _join(*parts: pd.Series) -> pd.Series:
    """Non-empty strings joined with ``; `` (NULL when all are empty)."""
    out = pd.Series(pd.NA, index=parts[0].index, dtype="string")
    for part in parts:
        text = part.astype("string").str.strip()
        text = text.mask(text == "")
        out = out.where(text.isna(), (out + "; " + text).fillna(text))
    return out


def classify(types: pd.Series, variable: pd.Series, abbr: str, mineral: str,
             default_stage: str) -> pd.DataFrame:
    """``mineral``, ``stage`` and ``variable`` of world-table cells from their Type text.

    The stage rule is in the module docstring. Reserves are in the ground: always mining.
    """
    text = types.fillna("")
    refining = text.str.contains(_REFINING.pattern, regex=True)
    mining = text.str.contains(_MINING.pattern, regex=True)
    stage = pd.Series(default_stage, index=types.index).mask(refining, "refining")
    stage = stage.mask(mining | (variable == "reserves"), "mining")
    capacity = text.str.contains("(?i)capacity") & ~text.str.contains("(?i)production")
    variable = variable.mask((variable == "production") & capacity, "capacity")
    minerals = split_minerals(types, abbr, mineral)
    if abbr == "plati":  # reserves "include all platinum-group metals" (MCS table note)
        minerals = minerals.mask((variable == "reserves")
                                 & minerals.isin(["platinum", "palladium"]),
                                 "platinum_group_metals")
    return pd.DataFrame({"mineral": minerals, "stage": stage, "variable": variable,
                         "refinery_row": refining & ~mining})


def _form(types: pd.Series, column: pd.Series, country: pd.Series) -> pd.Series:
    """The Type text with qualifiers in brackets.

    First the header's (Sponge, Pigment), then the country's (``crude ore``, ``ocher``) unless
    the Type already says it.
    """
    form = types.astype("string")
    said = pd.Series([str(q).lower() in str(t).lower() for q, t in zip(country, form,
                                                                       strict=True)],
                     index=form.index)
    for extra in (column, country.where(~said)):
        form = form.where(extra.isna(), (form.fillna("") + " [" + extra + "]").str.strip())
    return form


def supply_rows(long: pd.DataFrame, rel: str, edition: str, abbr: str) -> pd.DataFrame:
    """``supply`` rows of one commodity's cells, stacked as :func:`_long` stacks them."""
    mineral, default_stage = COMMODITIES[abbr]
    cells = parse_cells(long["cell"], rel, long["line"], long["column"])
    names = pd.DataFrame([_country_name(n) for n in long["country_raw"]], index=long.index,
                         columns=["name", "form_qual", "note_qual"])
    types = long["type"].str.strip()
    types = types.mask(types.isin(["", "XX", "NA"]))
    kind = classify(types, long["variable"], abbr, mineral, default_stage)
    out = pd.DataFrame({
        "edition": edition, "mineral": kind["mineral"], "stage": kind["stage"],
        "variable": kind["variable"], "country": country_codes(names["name"], rel, long["line"]),
        "year": long["year"], "value": cells["value"] * long["factor"], "unit": long["unit"],
        "estimated": long["est"] | cells["estimated"], "flag": cells["flag"],
        "form": _form(types, long["qual"], names["form_qual"]),
        "note": _join(names["note_qual"], cells["text"], long["pub_note"]),
        "file": rel, "line": long["line"],
    })
    # The reserves column of refinery rows only repeats NA when the file has mine rows too.
    placeholder = (kind["refinery_row"] & (out["variable"] == "reserves") & out["value"].isna()
                   & (out["flag"] == "NA") & bool((~kind["refinery_row"]).any()))
    out = _aggregate_forms(out[~placeholder & ~_said_elsewhere(out)], names["note_qual"])
    check_minerals(out["mineral"], rel, out["line"])
    return out.reset_index(drop=True)


def _said_elsewhere(out: pd.DataFrame) -> pd.Series:
    """Reserves with no value beside another Type's figure for the mineral and country.

    E.g. PGM reserves "Included with platinum" on the palladium rows, rutile "included with
    ilmenite": the figure is in the other row.
    """
    keys = ["mineral", "variable", "country", "year"]
    reserves = out["variable"].eq("reserves")
    figured = out[reserves & out["value"].notna()][keys].drop_duplicates()
    has = out[keys].merge(figured, how="left", indicator=True)["_merge"].eq("both")
    return reserves & out["value"].isna() & has.to_numpy()


def _aggregate_forms(out: pd.DataFrame, qualifier: pd.Series) -> pd.DataFrame:
    """World totals sharing one Type keep their qualifier in ``form`` too.

    MCS 2025 titanium: ``World total (ilmenite, rounded)`` and ``World total (ilmenite and
    rutile, rounded)`` both on the ilmenite Type.
    """
    keys = ["mineral", "stage", "variable", "country", "year", "form"]
    twice = out.duplicated(keys, keep=False) & out["country"].isin(["WLD", "ROW"])
    qual = qualifier.reindex(out.index)
    out = out.copy()
    out.loc[twice, "form"] = out["form"][twice] + " [" + qual[twice].fillna("total") + "]"
    return out


def read_world_file(root: Path, rel: str) -> pd.DataFrame:
    """One ``mcsYYYY-<abbr>_world.csv`` as ``supply`` rows."""
    edition, abbr, _, _ = file_commodity(rel)
    frame, headers = read_csv(root, rel, ["Country"])
    return supply_rows(_long(frame, headers, rel), rel, edition, abbr)


NO_WORLD_TOTAL = {"mcs2024-pumic_world.csv"}  # published without a world total row


def check_world_totals(frames: dict[str, pd.DataFrame]) -> None:
    """The build's check: each world table has its world total row (the last row).

    A table cut at a line boundary parses cleanly but lacks it.
    """
    supply = frames["supply"]
    files = set(supply["file"])
    with_total = set(supply.loc[supply["country"] == "WLD", "file"])
    if lacking := sorted(f for f in files - with_total if Path(f).name not in NO_WORLD_TOTAL):
        raise SourceError(lacking[0], "no world total row (truncated?)")


SOURCES: list[Source] = []  # the loads depend on the editions present: see discover


def discover(root: Path) -> list[Source]:
    """The loads of the MCS editions under ``root`` (:mod:`minsec.sources.usgs_editions`)."""
    from minsec.sources.usgs_editions import sources

    return sources(root)
