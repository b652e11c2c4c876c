"""The canonical tables, declared once as data in ``schema.csv``.

The DuckDB DDL, the validation of every loaded frame and the table docs all derive from it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import pandas as pd

from minsec.errors import MinsecError

_PANDAS_KIND = {
    "VARCHAR": "string",
    "INTEGER": "integer",
    "BIGINT": "integer",
    "DOUBLE": "number",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "date",
}


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    type: str
    unit: str
    nullable: bool
    description: str


@dataclass(frozen=True)
class Table:
    """A canonical table: its name and ordered columns."""

    name: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        """Column names in declared order."""
        return [c.name for c in self.columns]

    def ddl(self) -> str:
        """``CREATE TABLE`` statement for DuckDB."""
        cols = ", ".join(
            f'"{c.name}" {c.type}{"" if c.nullable else " NOT NULL"}' for c in self.columns
        )
        return f'CREATE TABLE IF NOT EXISTS "{self.name}" ({cols})'


@cache
def tables() -> dict[str, Table]:
    """All canonical tables, keyed by name, in the order of ``schema.csv``."""
    text = files("minsec").joinpath("schema.csv").read_text(encoding="utf-8")
    grouped: dict[str, list[Column]] = {}
    for row in csv.DictReader(text.splitlines()):
        grouped.setdefault(row["table"], []).append(
            Column(row["column"], row["type"], row["unit"], row["nullable"] == "yes",
                   row["description"])
        )
    return {name: Table(name, tuple(cols)) for name, cols in grouped.items()}


def table(name: str) -> Table:
    """The declared table ``name``."""
    try:
        return tables()[name]
    except KeyError:
        raise MinsecError(f"unknown table {name!r}; known: {', '.join(tables())}") from None


def conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Check ``frame`` against the declared table and return it in declared column order.

    Raises a :class:`MinsecError` naming the table, the column and the first offending row
    for a missing column, an unexpected column, or a NULL in a non-nullable column.
    """
    spec = table(name)
    missing = [c for c in spec.names if c not in frame.columns]
    extra = [c for c in frame.columns if c not in spec.names]
    if missing or extra:
        raise MinsecError(f"table {name}: missing columns {missing}, unexpected columns {extra}")
    out = frame[spec.names].copy()
    for col in spec.columns:
        kind = _PANDAS_KIND[col.type]
        if kind == "number":
            out[col.name] = pd.to_numeric(out[col.name]).astype("float64")
        elif kind == "integer" and not col.nullable:
            out[col.name] = out[col.name].astype("int64")
        elif kind == "integer":
            out[col.name] = out[col.name].astype("Int64")
        elif kind == "boolean" and not col.nullable:
            out[col.name] = out[col.name].astype(bool)
        elif kind == "string":
            out[col.name] = out[col.name].astype("string")
        if not col.nullable and out[col.name].isna().any():
            row = out.index[out[col.name].isna()][0]
            detail = frame.loc[row].to_dict()
            raise MinsecError(f"table {name}: NULL in required column {col.name!r} at {detail}")
    return out


def markdown() -> str:
    """The schema as Markdown, one section per table (for the docs)."""
    parts = []
    for spec in tables().values():
        parts.append(f"### `{spec.name}`\n\n| column | type | unit | null | description |\n"
                     "|---|---|---|---|---|")
        parts += [f"| {c.name} | {c.type} | {c.unit} | {'yes' if c.nullable else 'no'} | "
                  f"{c.description} |" for c in spec.columns]
        parts.append("")
    return "\n".join(parts)
