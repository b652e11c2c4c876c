"""Output formats: JSON nulls, CSV, XLSX with formula escaping."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd

from minsec.render import escape_formula, to_csv, to_json, to_xlsx


def test_missing_is_null_in_json() -> None:
    doc = json.loads(to_json({"t": pd.DataFrame({"a": [1.0, float("nan")]})}))
    assert doc == {"t": [{"a": 1.0}, {"a": None}]}


def test_csv_names_its_tables() -> None:
    text = to_csv({"x": pd.DataFrame({"a": [1]}), "y": pd.DataFrame({"a": [2]})})
    assert text.splitlines() == ["table,a", "x,1", "y,2"]


def test_formulas_are_escaped_in_xlsx(tmp_path: Path) -> None:
    assert [escape_formula(v) for v in ("=SUM(A1)", "+1", "-x", "@y", "ok", 3)] == [
        "'=SUM(A1)", "'+1", "'-x", "'@y", "ok", 3]
    path = tmp_path / "t.xlsx"
    to_xlsx({"a sheet name longer than thirty-one chars": pd.DataFrame({"c": ["=1+1"]})}, path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet.title == "a sheet name longer than thirty"
    assert sheet["A2"].value == "'=1+1"


def test_formulas_are_escaped_in_csv_numbers_are_not() -> None:
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "@cmd", "ok"], "value": [-1.5, 2.0, 3.0]})
    one = to_csv({"t": frame}).splitlines()
    assert one == ["name,value", "\"'=HYPERLINK(\"\"x\"\")\",-1.5", "'@cmd,2.0", "ok,3.0"]
    several = to_csv({"t": frame, "u": frame.head(1)}).splitlines()
    assert several[1].startswith("t,\"'=HYPERLINK") and several[-1].startswith("u,\"'=")
