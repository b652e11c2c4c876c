"""World Bank, Commodity Price Data (The Pink Sheet), monthly prices in nominal US dollars.

Sheet ``Monthly Prices`` of ``CMO-Historical-Data-Monthly.xlsx``: a few title rows, a row of
commodity names, a row of units such as ``($/mt)``, then one row per month labelled
``1960M01``. Missing prices are ``…`` (or ``...``/``..``). The header rows are found by the
first month label, not by fixed addresses. Only the metals and minerals that map to catalogue
minerals are kept (fertilisers such as DAP, TSP and urea, and energy, are left out); a
commodity name is matched without the ``**`` footnote marks and stray spaces.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pandas as pd

from minsec.errors import SourceError
from minsec.reference import check_minerals
from minsec.sources import Source
from minsec.sources._parse import open_workbook, parse_number

FILE = "world_bank_pink_sheet/CMO-Historical-Data-Monthly_2026M05.xlsx"
SHEET = "Monthly Prices"
MINERALS = {  # Pink Sheet commodity -> catalogue id
    "Phosphate rock": "phosphate_rock", "Potassium chloride": "potash",
    "Aluminum": "aluminium", "Iron ore, cfr spot": "iron_ore", "Copper": "copper",
    "Lead": "lead", "Tin": "tin", "Nickel": "nickel", "Zinc": "zinc", "Gold": "gold",
    "Platinum": "platinum", "Silver": "silver",
}
UNITS = {"($/mt)": "USD/t", "($/troy oz)": "USD/troy oz", "($/dmtu)": "USD/dmtu"}
MISSING = {"…", "...", ".."}
_PERIOD = re.compile(r"^\d{4}M(0[1-9]|1[0-2])$")


def _where(row: int, column: str = "") -> str:
    return f"sheet {SHEET!r}, row {row}" + (f", column {column!r}" if column else "")


def _layout(rows: list[tuple[Any, ...]]) -> tuple[int, dict[int, tuple[str, str, str]]]:
    """Index of the first month row and, per kept column, ``(commodity, mineral, unit)``."""
    first = next((i for i, row in enumerate(rows)
                  if row and isinstance(row[0], str) and _PERIOD.match(row[0].strip())), None)
    if first is None or first < 2:
        raise SourceError(FILE, f"sheet {SHEET!r}: no month rows labelled like '1960M01' under "
                                "a row of names and a row of units")
    names, units = rows[first - 2], rows[first - 1]
    columns = {}
    for c, name in enumerate(names):
        commodity = " ".join(str(name).replace("*", " ").split()) if name else ""
        if commodity in MINERALS:
            unit = str(units[c]).strip() if c < len(units) and units[c] is not None else ""
            if unit not in UNITS:
                raise SourceError(FILE, f"{_where(first, commodity)}: unknown unit {unit!r}",
                                  first)
            columns[c] = (commodity, MINERALS[commodity], UNITS[unit])
    missing = sorted(set(MINERALS) - {c for c, _, _ in columns.values()})
    if missing:
        raise SourceError(FILE, f"{_where(first - 1)}: no column for {missing}", first - 1)
    return first, columns


def _price(cell: Any, row: int, commodity: str) -> float | None:
    if cell is None or isinstance(cell, int | float):
        return None if cell is None else float(cell)
    text = str(cell).strip()
    if text in MISSING:
        return None
    try:
        value, flag = parse_number(text)
    except ValueError:
        value, flag = None, "bad"
    if flag is not None:
        raise SourceError(FILE, f"{_where(row, commodity)}: {cell!r} is not a price", row)
    return value


def prices(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """Monthly prices of the kept commodities, long: one row per commodity and month."""
    first, columns = _layout(rows)
    body = [(number, row) for number, row in enumerate(rows[first:], start=first + 1)
            if row and row[0] is not None and str(row[0]).strip()]
    for number, row in body:
        if not _PERIOD.match(str(row[0]).strip()):
            raise SourceError(FILE, f"{_where(number)}: {row[0]!r} is not a month like '1960M01'",
                              number)
    periods = pd.to_datetime([str(row[0]).strip() for _, row in body], format="%YM%m")
    parts = []
    for c, (commodity, mineral, unit) in columns.items():
        cells = [(row[c] if c < len(row) else None, number) for number, row in body]
        values = [_price(cell, number, commodity) for cell, number in cells]
        parts.append(pd.DataFrame({"commodity": commodity, "mineral": mineral,
                                   "period": periods, "value": values, "unit": unit}))
    return pd.concat(parts, ignore_index=True).astype({"value": "float64"})


def read(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """Read the monthly metal and mineral prices of the Pink Sheet."""
    if FILE not in files:
        raise SourceError(FILE, "file missing from the sources directory")
    book = open_workbook(root / FILE, FILE)
    rows: list[tuple[Any, ...]] = []
    try:
        if SHEET not in book.sheetnames:
            raise SourceError(FILE, f"no sheet {SHEET!r}; sheets are {book.sheetnames}")
        rows.extend(book[SHEET].iter_rows(values_only=True))
    except (SyntaxError, ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile,
            zlib.error) as exc:  # SyntaxError: the XML parsers' errors
        raise SourceError(FILE, f"sheet {SHEET!r} is damaged after row {len(rows)} "
                                f"({type(exc).__name__})", len(rows) + 1) from None
    finally:
        book.close()
    frame = prices(rows)
    check_minerals(frame["mineral"], FILE)
    return {"price": frame}


SOURCES = [
    Source(key="wb_pinksheet", publisher="World Bank (Commodity Price Data, Pink Sheet)",
           vintage="2026M05", files=(FILE,), read=read),
]
