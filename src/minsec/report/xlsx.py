"""The briefing as a workbook: one sheet per table, and a ``sources`` sheet."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from minsec.briefing import Section
from minsec.render import to_xlsx

MAX_SHEET = 31  # Excel's limit on sheet names
BAD = re.compile(r"[\[\]:*?/\\']")


def sheet_names(parts: Sequence[Section]) -> dict[tuple[str, str], str]:
    """A unique sheet name (<= 31 characters) per ``(section key, table name)``."""
    names: dict[tuple[str, str], str] = {}
    taken: set[str] = {"sources"}
    for part in parts:
        prefix = part.key.removeprefix("profile-")[:14]
        for table in part.tables:
            base = BAD.sub("_", f"{prefix}.{table}")[:MAX_SHEET]
            name, i = base, 2
            while name.casefold() in taken:
                suffix = f"~{i}"
                name, i = base[:MAX_SHEET - len(suffix)] + suffix, i + 1
            taken.add(name.casefold())
            names[(part.key, table)] = name
    return names


def sources_sheet(parts: Sequence[Section], names: dict[tuple[str, str], str],
                  provenance: pd.DataFrame) -> pd.DataFrame:
    """Per sheet its section and sources; then every store file with its SHA-256 and vintage."""
    rows = []
    for part in parts:
        for table, frame in part.tables.items():
            column = ("per row: the table's source column" if "source" in frame.columns
                      else "")
            rows.append({"kind": "table", "sheet": names[(part.key, table)],
                         "section": part.title, "table": table,
                         "source": " | ".join(filter(None, [column, *part.sources]))})
    files = provenance.rename(columns={"source": "store_source"}).assign(kind="store file")
    return pd.concat([pd.DataFrame(rows), files], ignore_index=True)


def write_xlsx(parts: Sequence[Section], provenance: pd.DataFrame, path: Path) -> Path:
    """Write the workbook (text cells escaped against formula injection)."""
    names = sheet_names(parts)
    sheets = {names[(p.key, t)]: frame for p in parts for t, frame in p.tables.items()}
    to_xlsx({"sources": sources_sheet(parts, names, provenance), **sheets}, path)
    return path
