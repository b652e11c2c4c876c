"""The briefing as a workbook: a contents sheet with links, then one sheet per table.

Sheet names are the tables' titles (``Highest risks``, ``Graphite - Trend``), at most 31
characters and unique; the contents sheet links each, with its section, rows and sources;
the store's files with their SHA-256 are the ``Data provenance`` sheet (the annex's table,
else ``provenance``). Each sheet is written by :func:`minsec.report.sheets.write_table`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.hyperlink import Hyperlink

from minsec.briefing import Section
from minsec.report.layout import layout
from minsec.report.sheets import write_table

MAX_SHEET = 31  # Excel's limit on sheet names
BAD = re.compile(r"[\[\]:*?/\\']")
CONTENTS = "Contents"
PROFILE = {"production": "Production", "stages": "Stages", "import_sources": "Imports",
           "trend": "Trend", "published": "Published"}  # a mineral's sheets: "Graphite - Trend"
LINK = Font(color="0563C1", underline="single")


def _cut(text: str, size: int = MAX_SHEET) -> str:
    """``text`` in at most ``size`` characters, cut at a word."""
    return text if len(text) <= size else text[:size + 1].rsplit(" ", 1)[0][:size]


def _title(part: Section, table: str, frame: pd.DataFrame) -> str:
    """The table's human title; a mineral profile's tables carry the mineral's name."""
    title = layout(table, frame).title or table.replace("_", " ").capitalize()
    if part.key.startswith("profile-"):
        short = PROFILE.get(table, title)
        mineral = part.title.split(":")[0]
        longest = max(len(PROFILE.get(t, t)) for t in part.tables)  # one name per mineral
        if len(mineral) + longest + 3 > MAX_SHEET:  # Rare earth elements: Rare earths
            mineral = part.key.removeprefix("profile-").replace("_", " ").capitalize()
        return _cut(f"{mineral} - {short}")
    return _cut(title.replace(": ", " - "))


def sheet_names(parts: Sequence[Section]) -> dict[tuple[str, str], str]:
    """A unique human sheet name (<= 31 characters) per ``(section key, table name)``."""
    names: dict[tuple[str, str], str] = {}
    taken: set[str] = {CONTENTS.casefold()}
    for part in parts:
        for table, frame in part.tables.items():
            base = BAD.sub("-", _title(part, table, frame))[:MAX_SHEET].strip()
            name, i = base, 2
            while name.casefold() in taken:
                suffix = f" ({i})"
                name, i = base[:MAX_SHEET - len(suffix)].rstrip() + suffix, i + 1
            taken.add(name.casefold())
            names[(part.key, table)] = name
    return names


def contents(parts: Sequence[Section], names: dict[tuple[str, str], str]) -> pd.DataFrame:
    """One row per sheet: ``sheet, section, table, rows, source``."""
    rows = []
    for part in parts:
        for table, frame in part.tables.items():
            column = ("per row: the table's source column" if "source" in frame.columns
                      else "")
            rows.append({"sheet": names[(part.key, table)], "section": part.title,
                         "table": table, "rows": len(frame),
                         "source": " | ".join(filter(None, [column, *part.sources]))})
    return pd.DataFrame(rows, columns=["sheet", "section", "table", "rows", "source"])


def write_xlsx(parts: Sequence[Section], provenance: pd.DataFrame, path: Path) -> Path:
    """Write the workbook: contents with links, a sheet per table, the store's files."""
    names = sheet_names(parts)
    sheets = {names[(p.key, t)]: frame for p in parts for t, frame in p.tables.items()}
    if not any(table == "provenance" for p in parts for table in p.tables):
        sheets["Data provenance"] = provenance
    book = Workbook()
    index = book.active
    assert index is not None
    index.title = CONTENTS
    table = contents(parts, names)
    extra = pd.DataFrame({"sheet": [n for n in sheets if n not in set(table["sheet"])],
                          "section": "", "table": "provenance", "rows": len(provenance),
                          "source": "minsec store: every file loaded, with its SHA-256"})
    table = pd.concat([table, extra], ignore_index=True) if len(extra) else table
    write_table(index, table)
    for row, name in enumerate(table["sheet"], start=2):
        cell = index.cell(row=row, column=1)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{name}'!A1",
                                   display=name)
        cell.font = LINK
    for name, frame in sheets.items():
        write_table(book.create_sheet(name), frame)
    book.save(path)
    return path
