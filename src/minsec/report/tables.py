"""A briefing table as shown: its layout applied, cells formatted, its sources on one line.

:func:`shown_table` selects rows and columns (:mod:`minsec.report.layout`), formats each cell
(:data:`FORMATS`) and moves the cited columns (``source`` and the like) out of the rows into
one deduplicated list of sources under the table.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from minsec.report.layout import Col, Layout, humanise, layout, present

FORMATS: dict[str, Callable[[float], str]] = {
    "pct": lambda v: f"{100 * v:.1f}%",  # a share 0-1
    "pct_value": lambda v: f"{v:.1f}%",  # already in percent
    "score": lambda v: f"{v:.2f}",
    "int": lambda v: f"{v:,.0f}",
    "signed_int": lambda v: f"{v:+,.0f}",
    "year": lambda v: f"{int(v)}",
    "num1": lambda v: f"{v:,.1f}",
    "signed1": lambda v: f"{v:+.1f}",
    "sig3": lambda v: f"{v:.3g}",
    "musd": lambda v: f"{v / 1e6:,.1f}",  # USD -> USD million
    "signed_musd": lambda v: f"{v / 1e6:+,.1f}",
    "kusd_m": lambda v: f"{v / 1e3:,.1f}",  # thousand USD (BACI) -> USD million
}
PERCENT = {"share", "import_reliance", "p_shortfall"}
LINE = re.compile(r"(\.(?:csv|json|ya?ml|xlsx?|txt)):\d+\b")  # file:line -> file


def missing(value: Any) -> bool:
    """None, NA or NaN."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def guess(column: str, value: Any) -> str:
    """The format of a column without a layout, from its name and a value."""
    if isinstance(value, bool):
        return "bool"
    if not isinstance(value, int | float):
        return "text"
    if column in PERCENT or column.endswith("_share"):
        return "pct"
    if column.endswith("year"):
        return "year"
    if column.endswith("_pct"):
        return "pct_value"
    if column.endswith("score"):
        return "score"
    return "int" if isinstance(value, int) or "hhi" in column or abs(value) >= 100 else "sig3"


def cell(value: Any, fmt: str = "auto", column: str = "") -> dict[str, Any]:
    """A cell as shown: ``{"text": ..., "num": right-aligned?}``; blank for a missing value."""
    value = value.item() if hasattr(value, "item") else value
    if missing(value):
        return {"text": "", "num": False}
    fmt = guess(column, value) if fmt == "auto" else fmt
    if fmt == "bool":
        return {"text": "yes" if value else "no", "num": False}
    if fmt in FORMATS and isinstance(value, int | float) and not isinstance(value, bool):
        return {"text": FORMATS[fmt](float(value)), "num": True}
    return {"text": str(value), "num": False}


def split(text: str) -> list[str]:
    """``a; b (c; d)`` -> ``["a", "b (c; d)"]``: split on ``; `` outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0 and text.startswith("; ", i):
            parts.append(text[start:i])
            start = i + 2
    return [p.strip() for p in [*parts, text[start:]] if p.strip()]


def cited(rows: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """The distinct sources of ``rows``, in order.

    ``source`` is split into its parts and file line numbers are dropped (the workbook keeps
    them); the values of other cited columns are prefixed with the column's name.
    """
    found: dict[str, None] = {}
    for column in present(rows, columns):
        for value in rows[column].dropna().astype(str).unique():
            for part in split(value) if column == "source" else [value]:
                text = LINE.sub(r"\1", part)
                found[text if column == "source" else f"{humanise(column)}: {text}"] = None
    return list(found)


def _rows(frame: pd.DataFrame, lay: Layout) -> pd.DataFrame:
    """The rows the layout keeps (filter, order, limit), before any pivot or grouping."""
    rows = frame
    for column, value in lay.where:
        if column in rows.columns:
            rows = rows[rows[column].eq(value)]
    if by := present(rows, lay.sort):
        rows = rows.sort_values(by, ascending=not lay.descending, kind="stable")
    return rows


def _unit(columns: list[Col], rows: pd.DataFrame) -> list[Col]:
    """Fill ``{unit}`` in a label from the ``unit`` column, or show that column if it varies."""
    out: list[Col] = []
    for col in columns:
        if "{unit}" not in col.label:
            out.append(col)
            continue
        units = list(rows["unit"].dropna().unique()) if "unit" in rows.columns else []
        if len(units) == 1:
            out.append(Col(col.name, col.label.replace("{unit}", str(units[0])), col.fmt))
        else:
            out += [Col(col.name, col.label.replace(" ({unit})", ""), col.fmt),
                    Col("unit", "Unit", "text")]
    return out


def _listed(values: pd.Series) -> str:
    return ", ".join(dict.fromkeys(values.dropna().astype(str)))


def select(frame: pd.DataFrame, lay: Layout) -> tuple[pd.DataFrame, list[Col], pd.DataFrame]:
    """``(shown rows, shown columns, the rows behind them)`` of a table under its layout.

    Columns empty in every shown row are left out.
    """
    rows = _rows(frame, lay)
    if lay.pivot is not None:
        index, across, value = lay.pivot
        wide = rows.pivot_table(index=index, columns=across, values=value, aggfunc="first",
                                sort=False).reset_index()
        wide.columns = [str(c) for c in wide.columns]
        label, fmt = {c.name: c for c in lay.columns}[index].label, {
            c.name: c for c in lay.columns}[value].fmt
        return wide, [Col(index, label, "text"), *(Col(c, c, fmt) for c in wide.columns[1:])], rows
    columns = [c for c in lay.columns if c.name in rows.columns or c.name == lay.distinct]
    if lay.distinct is not None:
        keys = [c.name for c in columns if c.name != lay.distinct]
        shown = rows.groupby(keys, sort=False, dropna=False).size().reset_index(name=lay.distinct)
        return shown, columns, rows
    if lay.joined:
        keys = [c.name for c in columns if c.name not in lay.joined]
        shown = rows.groupby(keys, sort=False, dropna=False, as_index=False).agg(
            dict.fromkeys(present(rows, lay.joined), _listed))[[c.name for c in columns]]
        return shown, [c for c in columns if shown[c.name].notna().any()], rows
    if lay.rows is not None:
        per = present(rows, lay.per)
        rows = rows.groupby(per, sort=False).head(lay.rows) if per else rows.head(lay.rows)
    columns = [c for c in _unit(columns, rows) if rows[c.name].notna().any()]
    return rows, columns, rows


def shown_table(frame: pd.DataFrame, table: str, sheet: str,
                fallback: Sequence[str] = ()) -> dict[str, Any]:
    """A table ready for the template: title, headers, cells, sources, and what was left out.

    ``fallback``: the section's sources, cited when the table has no cited column.
    """
    lay = layout(table, frame)
    title = lay.title or humanise(table)
    workbook = f"In full, with sources: workbook sheet \u201c{sheet}\u201d."
    if lay.rows == 0:
        return {"title": title, "columns": [], "rows": [], "sources": [],
                "note": f"{lay.caption} {workbook}".strip()}
    shown, columns, behind = select(frame, lay)
    rows = [[cell(r[c.name], c.fmt, c.name) for c in columns]
            for r in shown.astype(object).to_dict("records")]
    numeric = [any(row[i]["num"] for row in rows) for i in range(len(columns))]
    part = "" if lay.pivot or lay.distinct or lay.joined or len(shown) == len(frame) else \
        f"{len(shown)} of {len(frame):,} rows shown. "
    return {"title": title, "rows": rows, "sources": cited(behind, lay.cite) or list(fallback),
            "columns": [{"label": c.label, "num": n} for c, n in zip(columns, numeric,
                                                                      strict=True)],
            "note": f"{lay.caption} {part}{workbook}".strip()}
