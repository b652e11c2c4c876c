"""Rendering tidy tables for the terminal, JSON or CSV. No analytics here."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

FORMATS = ("table", "json", "csv")


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready records: NaN as null, dates as ISO strings."""
    out: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return out


def to_json(document: dict[str, Any]) -> str:
    """A document whose DataFrame values become record lists."""
    def convert(value: Any) -> Any:
        if isinstance(value, pd.DataFrame):
            return records(value)
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value
    return json.dumps(convert(document), indent=2, ensure_ascii=False)


def to_csv(tables: dict[str, pd.DataFrame]) -> str:
    """Several tables as one long CSV with a leading ``table`` column."""
    frames = [t.assign(table=name)[["table", *t.columns]] for name, t in tables.items()]
    buffer = io.StringIO()
    pd.concat(frames, ignore_index=True).to_csv(buffer, index=False) if frames else None
    return buffer.getvalue()


def _cell(value: Any, column: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if column == "source":  # the terminal shows the file's name; JSON and CSV keep the path
        return re.sub(r"[^ ,]*/", "", str(value))
    if column == "share" or column.endswith("_share"):
        return f"{100 * float(value):.1f}%"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    return str(value)


def print_table(console: Console, frame: pd.DataFrame, title: str) -> None:
    """A rich table of ``frame`` with human number formats (shares in percent)."""
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(column, justify="right" if numeric else "left",
                         overflow="fold", max_width=60 if column == "source" else None)
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v, c) for v, c in zip(row, frame.columns, strict=True)))
    console.print(table)
