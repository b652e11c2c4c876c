"""IEA, Critical Minerals Data Explorer (Global Critical Minerals Outlook 2024, May 2024).

A presentation workbook: blocks stacked down the sheets (and side by side on the supply sheet),
each under a title cell, with the years on one header row and the scenarios on merged cells
above it. :func:`blocks` finds the blocks by their titles, never by fixed cell addresses.

* Sheet ``2 Total supply …`` → ``supply`` (kt → t). Titles read ``"<Mineral> - <stage>"``; the
  stage words ``Chemicals`` (lithium) and ``Battery grade`` (graphite) are refining, and the
  title is kept in ``form``. 2023 is reported; 2030-2040 are projections (``estimated`` True,
  note ``projection (base case)``). ``Top 3 share`` rows are derived and skipped. The cobalt
  refining total is labelled ``Total clean technologies``; it is the total (WLD) all the same.
* Sheets ``1 Total demand …`` and ``3.1``/``3.2 Cleantech demand …`` → ``demand_outlook`` (kt).
  2023 is one actual, stored once with scenario ``baseline``. Sector labels are the IEA's,
  except the totals: ``Total demand`` → ``Total``, ``Total <mineral>`` → ``Total clean
  technologies``. A figure given on several sheets is kept once (sheet 1, then 3.1, then 3.2).
  Left out: the ``Share of clean technologies`` rows (ratios), the all-minerals ``Total`` of
  3.2 (a sum across minerals), ``Battery-grade graphite`` (a grade of graphite, which sheet 1
  gives for all grades; ``demand_outlook`` has no column for a grade) and the ``4.x`` sheets
  (their base cases repeat 3.1; their sensitivity cases have no column in the schema).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from minsec.countries import to_iso3
from minsec.errors import SourceError
from minsec.reference import check_minerals
from minsec.sources import Source
from minsec.sources._parse import open_workbook

FILE = "iea_critical_minerals_outlook_2024/CM_Data_Explorer_May2024.xlsx"
SUPPLY_SHEET = "2 Total supply for key minerals"
DEMAND_SHEETS = ("1 Total demand for key minerals", "3.1 Cleantech demand by tech",
                 "3.2 Cleantech demand by mineral")
SCENARIOS = {"Stated Policies scenario": "STEPS", "Announced Pledges scenario": "APS",
             "Net Zero Emissions by 2050 scenario": "NZE"}
STAGES = {"Mining": "mining", "Mining (natural)": "mining", "Refining": "refining",
          "Chemicals": "refining", "Battery grade": "refining"}
MINERALS = {  # IEA name -> catalogue id; None = left out on purpose (see the module docstring)
    "Copper": "copper", "Cobalt": "cobalt", "Lithium": "lithium", "Nickel": "nickel",
    "Graphite": "graphite", "Graphite (all grades: natural and synthetic)": "graphite",
    "Battery-grade graphite": None, "Magnet rare earth elements": "magnet_rare_earths",
    "Total rare earth elements": "rare_earths", "PGMs": "platinum_group_metals",
    "PGMs (other than iridum)": "platinum_group_metals", "Total": None,
    **{n.capitalize(): n for n in (
        "arsenic", "boron", "cadmium", "chromium", "dysprosium", "gallium", "germanium",
        "hafnium", "indium", "iridium", "lanthanum", "lead", "magnesium", "manganese",
        "molybdenum", "neodymium", "niobium", "praseodymium", "selenium", "silicon", "silver",
        "tantalum", "tellurium", "terbium", "tin", "titanium", "tungsten", "vanadium",
        "yttrium", "zinc", "zirconium")},
}
TONNES = {"kt": 1000.0}  # supply: published unit -> factor to t
_SKIP_ROWS = ("Top 3 share", "Share of clean technologies")
_TOTALS = {"Total": "WLD", "Total clean technologies": "WLD", "Rest of world": "ROW"}


def _unit(rows: list[tuple[Any, ...]], sheet: str, units: dict[str, float]) -> float:
    """Factor of the unit in the sheet title's trailing parentheses, e.g. ``… (kt)``."""
    for number, row in enumerate(rows, start=1):
        if row and isinstance(row[0], str) and (m := re.search(r"\(([^()]+)\)\s*$", row[0])):
            if m.group(1) not in units:
                raise SourceError(FILE, f"sheet {sheet!r}: unknown unit {m.group(1)!r}", number)
            return units[m.group(1)]
    raise SourceError(FILE, f"sheet {sheet!r}: no title with a unit such as '(kt)'")


def _header(rows: list[tuple[Any, ...]], sheet: str) -> tuple[int, dict[int, tuple[str, int]]]:
    """Row number of the year header and, per column, its ``(scenario, year)``."""
    for number, row in enumerate(rows, start=1):
        years = {c: v for c, v in enumerate(row) if isinstance(v, int) and 1990 < v < 2100}
        if len(years) >= 2:
            above = rows[number - 2] if number > 1 else ()
            if not any("scenario" in str(v).casefold() for v in above):
                above = ()  # the row above is a title or blank: every column is the baseline
            scenario, columns = "baseline", {}
            for c in range(len(row)):
                label = above[c] if c < len(above) else None
                if isinstance(label, str) and label.strip():
                    if label.strip() not in SCENARIOS:
                        raise SourceError(FILE, f"sheet {sheet!r}: unknown scenario {label!r}",
                                          number - 1)
                    scenario = SCENARIOS[label.strip()]
                if c in years:
                    columns[c] = (scenario, years[c])
            return number, columns
    raise SourceError(FILE, f"sheet {sheet!r}: no header row of years")


Block = tuple[str | None, list[tuple[int, str, list[tuple[Any, Any]]]]]


def blocks(rows: list[tuple[Any, ...]], header: int, columns: dict[int, Any]) -> Iterator[Block]:
    """Yield ``(title, [(row number, label, [(column key, value)])])`` for each block.

    A block is a run of non-empty rows below the header; its first row is its title when it
    has a label and no numbers. Blocks side by side share rows: each has its own label column
    (a column holding text, left of year columns) and owns the year columns up to the next.
    """
    def cell(row: tuple[Any, ...], c: int) -> Any:
        return row[c] if c < len(row) else None

    below = rows[header:]
    labels = sorted({c for row in below for c, v in enumerate(row)
                     if isinstance(v, str) and c not in columns and any(y > c for y in columns)})
    spans = {col: [c for c in sorted(columns) if c > col
                   and not any(col < other < c for other in labels)] for col in labels}
    run: list[tuple[int, tuple[Any, ...]]] = []
    for number, row in enumerate([*below, ()], start=header + 1):
        if any(v is not None and str(v).strip() for v in row):
            run.append((number, row))
            continue
        for col in labels:
            title: str | None = None
            items: list[tuple[int, str, list[tuple[Any, Any]]]] = []
            for n, cells in run:
                label, values = cell(cells, col), [(columns[c], cell(cells, c)) for c in spans[col]]
                if isinstance(label, str) and all(v is None for _, v in values) and not items:
                    title = label.strip()
                elif isinstance(label, str) and label.strip():
                    items.append((n, label.strip(), values))
            if items:
                yield title, items
        run = []


def _number(value: Any, sheet: str, row: int, label: str) -> float | None:
    if value is None or isinstance(value, int | float):
        return None if value is None else float(value)
    raise SourceError(FILE, f"sheet {sheet!r}, row {label!r}: {value!r} is not a number", row)


def _mineral(name: str, sheet: str, row: int) -> str | None:
    if name not in MINERALS:
        raise SourceError(FILE, f"sheet {sheet!r}: unknown mineral {name!r}; add it to "
                                "MINERALS in sources/iea.py", row)
    return MINERALS[name]


def _sheet(book: Any, name: str) -> list[tuple[Any, ...]]:
    """The rows of a sheet as tuples; a sheet damaged inside the zip names its last good row."""
    if name not in book.sheetnames:
        raise SourceError(FILE, f"no sheet {name!r}; sheets are {book.sheetnames}")
    rows: list[tuple[Any, ...]] = []
    try:
        rows.extend(book[name].iter_rows(values_only=True))
    except (SyntaxError, ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile,
            zlib.error) as exc:  # SyntaxError: the XML parsers' errors
        raise SourceError(FILE, f"sheet {name!r} is damaged after row {len(rows)} "
                                f"({type(exc).__name__})", len(rows) + 1) from None
    return rows


def rest_of_world(frame: pd.DataFrame) -> pd.DataFrame:
    """Make ``Rest of world`` = total − listed countries where the workbook's is not.

    In some blocks (nickel, graphite) the IEA's Rest of world is the total minus the top five
    while a sixth country is listed too, so the rows would count that country twice.
    """
    groups = [frame["form"], frame["year"]]
    listed = frame["kt"].where(~frame["country"].isin(["WLD", "ROW"]), 0.0).groupby(groups)
    total = frame["kt"].where(frame["country"].eq("WLD")).groupby(groups).transform("max")
    rest = (total - listed.transform("sum")).round(6)
    off = frame["country"].eq("ROW") & (frame["kt"] - rest).abs().gt(0.05)
    for i in frame.index[off]:
        row, fixed = frame.loc[i], float(rest[i])
        if fixed < 0:
            raise SourceError(FILE, f"sheet {SUPPLY_SHEET!r}: countries of {row['form']!r} add "
                                    f"up to more than the total in {row['year']}", int(row["line"]))
        same = frame[frame["form"].eq(row["form"]) & frame["year"].eq(row["year"])]
        twice = same.loc[(same["kt"] - (row["kt"] - fixed)).abs().lt(0.05), "name"].tolist()
        note = (f"Rest of world recomputed as total minus the listed countries; the workbook's "
                f"{row['kt']:g} kt also counts {', '.join(twice) or 'a listed country'}")
        frame.loc[i, "note"] = "; ".join(n for n in (row["note"], note) if isinstance(n, str))
        frame.loc[i, "kt"] = fixed
    return frame


def supply(book: Any) -> pd.DataFrame:
    """Mining and refining output by country, 2023 and base-case projections, in t."""
    rows = _sheet(book, SUPPLY_SHEET)
    factor = _unit(rows, SUPPLY_SHEET, TONNES)
    header, columns = _header(rows, SUPPLY_SHEET)
    records = []
    for title, items in blocks(rows, header, columns):
        name, _, stage = (title or "").partition(" - ")
        if stage not in STAGES:
            raise SourceError(FILE, f"sheet {SUPPLY_SHEET!r}: block title {title!r} is not "
                                    "'<mineral> - <stage>' with a known stage", items[0][0] - 1)
        mineral = _mineral(name, SUPPLY_SHEET, items[0][0] - 1)
        for number, label, values in items:
            if label.startswith(_SKIP_ROWS):
                continue
            note = f"labelled {label!r} in the workbook" if label.startswith("Total ") else None
            records += [(mineral, STAGES[stage], _TOTALS.get(label, label), year,
                         _number(value, SUPPLY_SHEET, number, label), title, note, number)
                        for (_, year), value in values]
    frame = pd.DataFrame(records, columns=["mineral", "stage", "name", "year", "kt", "form",
                                           "label_note", "line"])
    frame["country"] = to_iso3(frame["name"], FILE, frame["line"])
    frame["estimated"] = frame["year"] > frame["year"].min()
    frame["note"] = frame["label_note"].where(~frame["estimated"], "projection (base case)")
    frame = rest_of_world(frame)
    frame["value"] = (frame["kt"] * factor).round(3)
    return frame.assign(edition="iea2024", variable="production", unit="t", flag=None,
                        file=FILE)[["edition", "mineral", "stage", "variable", "country", "year",
                                    "value", "unit", "estimated", "flag", "form", "note",
                                    "file", "line"]]


def _sector(label: str, sheet: str) -> str:
    if label == "Total demand":
        return "Total"
    if label.startswith("Total ") and not sheet.startswith("1 "):
        return "Total clean technologies"
    return label


def demand(book: Any) -> pd.DataFrame:
    """Demand by mineral, scenario and technology or end use, in kt, as published."""
    records = []
    for priority, sheet in enumerate(DEMAND_SHEETS):
        rows = _sheet(book, sheet)
        _unit(rows, sheet, {"kt": 1.0})  # demand_outlook keeps the IEA's kt
        header, columns = _header(rows, sheet)
        for title, items in blocks(rows, header, columns):
            for number, label, values in items:
                if label.startswith(_SKIP_ROWS):
                    continue
                name, sector = ((title, _sector(label, sheet)) if title
                                else (label, "Total clean technologies"))
                mineral = _mineral(name, sheet, number)
                if mineral is None:
                    continue
                records += [(mineral, scenario, sector, year,
                             _number(value, sheet, number, label), priority)
                            for (scenario, year), value in values]
    frame = pd.DataFrame(records, columns=["mineral", "scenario", "sector", "year", "value",
                                           "priority"])
    frame = frame.sort_values("priority", kind="stable").drop_duplicates(
        ["mineral", "scenario", "sector", "year"])
    return frame.drop(columns="priority").assign(unit="kt").reset_index(drop=True)


def read(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """Read supply and demand outlook from the Data Explorer workbook."""
    if FILE not in files:
        raise SourceError(FILE, "file missing from the sources directory")
    book = open_workbook(root / FILE, FILE)
    try:
        tables = {"supply": supply(book), "demand_outlook": demand(book)}
    finally:
        book.close()
    for table in tables.values():
        check_minerals(table["mineral"], FILE)
    return tables


SOURCES = [
    Source(key="iea_cmdx_2024", publisher="International Energy Agency (IEA)",
           vintage="May 2024", files=(FILE,), read=read),
]
