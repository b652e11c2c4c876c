"""One table as a worksheet an Excel user keeps: human headers with units, number formats.

Every row and column of the table is written (the workbook is the full record; the HTML and
PDF show a selection). The values stay as computed (a share 0-1, USD, kUSD): Excel's number
formats show them as a person reads them (``62.4%``, ``670.1`` under "USD m"), so a sum or a
chart in Excel uses the real figures. Headers are bold, frozen and filtered; text that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) is stored as text, shown as
written (no apostrophe), never evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from minsec.report.layout import humanise
from minsec.report.tables import PERCENT

FORMULA = ("=", "+", "-", "@")
PCT, INT, DEC, YEAR = "0.0%", "#,##0", "#,##0.00", "0"
USD_M, KUSD_M = "#,##0.0,,", "#,##0.0,"  # USD and thousand USD shown in USD million
HEADER = Font(bold=True)
FILL = PatternFill("solid", fgColor="DDE5F0")
WIDTH = (8, 60)  # column widths, characters


def signed(fmt: str) -> str:
    """The format with a ``+`` before positive numbers (``+10``, ``-3``, ``0``)."""
    return f"+{fmt};-{fmt};{fmt.replace('+', '')}"


def _unit_free(label: str) -> str:
    return label.replace(" (USD) per (t)", "").replace(" (USD)", "")


def _is_share(column: str) -> bool:
    return column in PERCENT or column.endswith(("_share", "_share_before", "_share_after"))


# (the column's name matches, the unit said in the header, the number format), first match
RULES: tuple[tuple[Callable[[str], bool], str, str], ...] = (
    (lambda c: c.endswith("year"), "", YEAR),
    (lambda c: c.endswith("_usd"), "USD m", USD_M),
    (lambda c: c == "imports", "USD m", KUSD_M),
    (lambda c: c.endswith("_usd_per_t"), "USD/t", INT),
    (_is_share, "%", PCT),
    (lambda c: c.startswith("price_jump"), "%", signed(PCT)),
    (lambda c: c.endswith("_pct"), "", '0.0"%"'),
    (lambda c: c.endswith("_points"), "", "0.0"),
    (lambda c: c.endswith(("_t", "_kt")) or "hhi" in c, "", INT),
    (lambda c: c.endswith(("score", "_risk", "importance")), "", "0.00"),
)


def _by_value(numbers: pd.Series) -> str:
    if (numbers % 1 == 0).all():
        return INT
    small = numbers[numbers != 0].abs()
    if not small.empty and small.max() < 0.01:
        return "0.00E+00"  # never 9.090398e-07 in General
    return INT if numbers.abs().max() >= 100 else DEC


def column_format(column: str, values: pd.Series) -> tuple[str, str | None]:
    """The header (with its unit) and the Excel number format of a column, from its name.

    Names follow the library's conventions: ``*_share``, ``import_reliance`` and
    ``p_shortfall`` are 0-1 shares; ``*_usd`` US dollars; ``imports`` thousand US dollars
    (BACI); ``*_t``/``*_kt`` tonnes; ``*_pct`` already in percent; ``*year`` years;
    ``delta_*``, ``change`` and ``effect`` signed. A column of text has no number format.
    """
    label = humanise(column).replace(" points", " (points)")
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if numbers.empty or values.map(lambda v: isinstance(v, bool)).any():
        return label, None
    sign = column.startswith("delta_") or column in {"change", "effect"}
    unit, fmt = next(((u, f) for match, u, f in RULES if match(column)),
                     ("", _by_value(numbers)))
    header = f"{_unit_free(label)} ({unit})" if unit else label
    return header, signed(fmt) if sign and not fmt.startswith("+") and fmt != YEAR else fmt


def plain(value: Any) -> Any:
    """A cell value openpyxl writes: Python numbers, text, dates; missing as empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    value = value.item() if hasattr(value, "item") and not isinstance(value, str) else value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool | date | datetime):
        return value
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return str(value)


def _width(header: str, cells: Iterable[Any]) -> float:
    longest = max([len(header), *(len(f"{v:,.2f}" if isinstance(v, float) else str(v))
                                  for v in cells if v is not None)])
    return float(min(max(longest + 2, WIDTH[0]), WIDTH[1]))


def header_row(sheet: Worksheet, headers: list[str]) -> None:
    """Bold, shaded, frozen header cells in row 1, with a filter over the table."""
    for i, text in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=i, value=text)
        cell.font, cell.fill = HEADER, FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def write_table(sheet: Worksheet, frame: pd.DataFrame) -> None:
    """``frame`` as the sheet: headers with units, formats, widths, frozen header, filter."""
    formats = [column_format(str(c), frame[c]) for c in frame.columns]
    header_row(sheet, [label for label, _ in formats])
    for r, row in enumerate(frame.itertuples(index=False, name=None), start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=plain(value))
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA):
                cell.data_type, cell.quotePrefix = "s", True  # text, never a formula
            elif formats[c - 1][1] is not None and not isinstance(cell.value, str):
                cell.number_format = formats[c - 1][1]
    for c, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(c)
        sample = (plain(v) for v in frame[column].head(200))
        sheet.column_dimensions[letter].width = _width(formats[c - 1][0], sample)
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(1, frame.shape[1]))}{len(frame) + 1}"
