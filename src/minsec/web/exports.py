"""Downloads: any page's (or job's) tables as CSV or XLSX, text cells escaped.

The scheme (also in the OpenAPI description): a page's URL with ``.csv`` or ``.xlsx`` instead
of nothing (``.json`` is its JSON twin), e.g. ``/minerals/gallium.csv?importer=KOR``;
``?table=NAME`` picks one table (the names are in the JSON twin's ``tables``), without it CSV
is every table in one long file with a leading ``table`` column and XLSX has one sheet per
table plus a ``sources`` sheet (the provenance of the store's files). Text cells starting with
``=``, ``+``, ``-`` or ``@`` get a leading ``'`` so spreadsheets do not run them.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Annotated

import pandas as pd
from fastapi import Query, Response

from minsec import store as stores
from minsec.render import escape_formula, to_csv, to_xlsx
from minsec.web.views import NotFound

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DESCRIPTION = ("Download the tables: the page's URL + `.csv` or `.xlsx` (`?table=NAME` for one "
               "table; names as in the JSON twin). Cells starting with = + - @ are escaped.")
Table = Annotated[str | None, Query(max_length=100, description="One table by name (see the "
                                    "JSON twin); default: all.")]


def escaped(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with every text cell made safe for a spreadsheet."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(escape_formula)
    return safe


def chosen(tables: dict[str, pd.DataFrame], table: str | None) -> dict[str, pd.DataFrame]:
    """All tables, or the one named (404 listing the names)."""
    if table is None:
        return tables
    if table not in tables:
        raise NotFound(f"no table {table!r} here; tables: {', '.join(tables) or 'none'}")
    return {table: tables[table]}


def _filename(name: str, suffix: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") + suffix


def csv_response(tables: dict[str, pd.DataFrame], name: str, table: str | None) -> Response:
    """CSV: one table as is, or several in long form with a ``table`` column."""
    picked = {k: escaped(v) for k, v in chosen(tables, table).items()}
    text = (next(iter(picked.values())).to_csv(index=False) if len(picked) == 1
            else to_csv(picked))
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{_filename(name, ".csv")}"'})


def xlsx_response(tables: dict[str, pd.DataFrame], name: str, table: str | None,
                  store: Path | None) -> Response:
    """XLSX: one sheet per table and a ``sources`` sheet (escaped by ``to_xlsx``)."""
    picked = chosen(tables, table)
    buffer = io.BytesIO()
    to_xlsx({**_sheet_names(picked), "sources": stores.status(store, files=True)}, buffer)
    return Response(buffer.getvalue(), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{_filename(name, ".xlsx")}"'})


def _sheet_names(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Names Excel accepts (no brackets, colons, stars, slashes; 31 characters; unique)."""
    out: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "table"
        key, n = base, 1
        while key in out or key == "sources":
            n += 1
            key = f"{base[:28]}~{n}"
        out[key] = frame
    return out
