"""Reading helpers shared by the adapters: text files, workbooks and publishers' number codes.

Each helper turns a damaged file into a :class:`~minsec.errors.SourceError` naming the file
and, where it can, the line, so that an adapter never lets a traceback or a silent NaN through.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from minsec.errors import SourceError

# Codes publishers put in numeric cells instead of a number, and what they mean.
_CODES = {
    "W": "W",  # withheld to avoid disclosing company proprietary data (USGS)
    "NA": "NA",
    "N/A": "NA",
    "XX": "NA",  # not applicable (USGS)
    "..": "NA",  # missing (World Bank)
    "E": "E",  # net exporter (USGS net import reliance)
    "-": "NA",
    "--": "NA",
}
_DASHES = {"—", "–", "‒"}  # USGS: "— Zero."
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_RANGE = re.compile(r"^(\d[\d.]*)\s*[-–—]\s*(\d[\d.]*)$")


def parse_number(text: Any) -> tuple[float | None, str | None]:
    """Parse one published numeric cell into ``(value, flag)``.

    ``"1,234"`` → ``(1234.0, None)``; ``"W"`` → ``(None, "W")``; ``"—"`` → ``(0.0, None)``
    (USGS's zero); ``"<0.1%"`` → ``(0.1, "<")``; ``">25"`` → ``(25.0, ">")``;
    ``"10-20"`` → ``(15.0, "range")``; empty → ``(None, None)``. A trailing ``%`` is dropped
    (the caller knows the unit). Anything else raises ``ValueError``.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None, None
    if isinstance(text, int | float):
        return float(text), None
    s = str(text).strip().replace("\u00a0", "").replace(",", "").replace(" ", "")
    if s.endswith("%"):
        s = s[:-1]
    if not s:
        return None, None
    if s in _CODES or s in _DASHES:
        return (None, _CODES[s]) if s in _CODES else (0.0, None)
    if s[0] in "<>" and _NUMBER.match(s[1:]):
        return float(s[1:]), s[0]
    if _NUMBER.match(s):
        return float(s), None
    if m := _RANGE.match(s):
        low, high = float(m.group(1)), float(m.group(2))
        if low <= high:
            return (low + high) / 2, "range"
    raise ValueError(f"not a number: {text!r}")


def parse_numbers(
    cells: pd.Series, file: str | Path, lines: pd.Series | None = None, column: str = ""
) -> tuple[pd.Series, pd.Series]:
    """Vectorised :func:`parse_number` over a column; errors name the file and line."""
    parsed: dict[Any, tuple[float | None, str | None]] = {}
    for i, cell in enumerate(cells):
        key = cell if isinstance(cell, str) else repr(cell)
        if key in parsed:
            continue
        try:
            parsed[key] = parse_number(cell)
        except ValueError:
            line = int(lines.iloc[i]) if lines is not None else None
            label = f" in column {column!r}" if column else ""
            raise SourceError(file, f"{cell!r}{label} is not a number", line) from None
    keys = cells.map(lambda c: c if isinstance(c, str) else repr(c))
    values = keys.map(lambda k: parsed[k][0]).astype("float64")
    flags = keys.map(lambda k: parsed[k][1]).astype("string")
    return values, flags


def first_row(mask: pd.Series) -> int:
    """Position (for ``iloc``) of the first true value of a boolean mask."""
    return int(np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool))[0])


def numbers(cells: pd.Series, file: str, lines: pd.Series | None = None, column: str = "",
            blank: tuple[str, ...] = ("",)) -> pd.Series:
    """Parse a column of numbers strictly: ``blank`` cells -> NaN, any other text -> error.

    Unlike :func:`minsec.sources._parse.parse_numbers` this knows no publisher codes: a ``W``
    or a stray word in a trade or governance file is damage, reported with its line.
    """
    text = cells.astype("string").str.strip()
    text = text.mask(text.isin(blank))
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna() & text.notna()
    if bad.any():
        first = int(bad.to_numpy().argmax())
        line = int(lines.iloc[first]) if lines is not None else None
        raise SourceError(file, f"{cells.iloc[first]!r} in column {column!r} is not a number",
                          line)
    return values.astype("float64")


def ends_complete(text: str, rel: str) -> None:
    """Refuse text whose last line has no line break: cut mid-field, not published so."""
    if text and not text.endswith(("\n", "\r")):
        raise SourceError(rel, "file ends mid-line (truncated?)", text.count("\n") + 1)


ZIP_MEMBER = ".zip/"  # ``dir/Release.zip/member.csv``: a member of a zip archive


def zip_members(root: Path, rel: str) -> list[str]:
    """The members of the zip archive ``rel`` as ``rel/member`` (directories left out)."""
    try:
        with zipfile.ZipFile(root / rel) as archive:
            return [f"{rel}/{n}" for n in archive.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(rel, f"not a readable zip archive ({exc})") from None


def read_text(root: Path, rel: str, encoding: str = "utf-8-sig", name: str | None = None) -> str:
    """The text of a file under ``root``, or of a zip member written ``archive.zip/member``.

    A member is read from the archive as published (nothing is extracted); newlines are
    translated as in text mode. Undecodable bytes are an error naming the file (``name``, by
    default ``rel``) and line.
    """
    name = name or rel
    try:
        if ZIP_MEMBER in rel:
            archive, member = rel.split(ZIP_MEMBER, 1)
            with zipfile.ZipFile(root / f"{archive}.zip") as z:
                raw = z.read(member)
        else:
            raw = (root / rel).read_bytes()
    except (zipfile.BadZipFile, KeyError) as exc:
        raise SourceError(name, f"cannot read zip member ({exc})") from None
    except OSError as exc:
        raise SourceError(name, f"cannot read file: {exc.strerror}") from None
    try:  # newlines as Path.read_text gives them
        return raw.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        label = "UTF-8" if encoding.lower().startswith("utf-8") else encoding
        raise SourceError(name, f"not {label} text ({exc.reason}); wrong encoding?",
                          raw[: exc.start].count(b"\n") + 1) from None


def read_table(path: Path, required: Iterable[str], rel: str | None = None,
               encoding: str = "utf-8-sig") -> pd.DataFrame:
    """Read a small delimited text file strictly, as strings, with a ``line`` column.

    Checks the encoding, the header (a wrong delimiter shows up as missing columns) and that
    every row has as many fields as the header (a truncated file does not).
    """
    name = rel or str(path)
    return parse_table(read_text(path.parent, path.name, encoding, name), required, name)


def parse_table(text: str, required: Iterable[str], name: str) -> pd.DataFrame:
    """:func:`read_table` of text already read (e.g. a zip member named ``name``)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise SourceError(name, f"malformed CSV header ({exc}); wrong delimiter?", 1) from None
    if not header:
        raise SourceError(name, "file is empty", 1)
    missing = [c for c in required if c not in header]
    if missing:
        raise SourceError(name, f"header lacks column(s) {missing}; wrong file or delimiter? "
                                f"header reads {header[:6]}", 1)
    records, start = [], 2  # start: the physical line a row begins on (quoted cells may span)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(row) != len(header):
                    raise SourceError(name, f"row has {len(row)} fields, header has "
                                            f"{len(header)} (truncated or damaged file?)", start)
                records.append([*row, start])
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(name, f"malformed CSV ({exc})", start) from None
    frame = pd.DataFrame(records, columns=[*header, "line"], dtype=object)
    frame = frame.loc[:, frame.columns != ""]  # drop USGS's blank trailing columns
    return frame


def open_workbook(path: Path, rel: str | None = None) -> Any:
    """Open an ``.xlsx`` workbook read-only, turning a damaged file into a SourceError."""
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceError(rel or str(path), f"not a readable .xlsx workbook ({exc})") from None
