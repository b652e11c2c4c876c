"""World Bank Pink Sheet adapter: the official workbook against the derived CSV, damaged files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from minsec.errors import SourceError
from minsec.sources import pinksheet

FILE = pinksheet.FILE
DERIVED = "world_bank_pink_sheet/pink_sheet_metals_monthly_1960_2026M05.csv"


@pytest.fixture(scope="module")
def price(shared: Path) -> pd.DataFrame:
    return pinksheet.read(shared, [FILE])["price"]


def test_months_and_commodities(price: pd.DataFrame) -> None:
    assert price["period"].nunique() == 797  # 1960M01 .. 2026M05
    assert price["period"].min() == pd.Timestamp("1960-01-01")
    assert price["period"].max() == pd.Timestamp("2026-05-01")
    assert (price["period"].dt.day == 1).all()
    assert len(price) == 797 * len(pinksheet.MINERALS)
    assert set(price["mineral"]) == set(pinksheet.MINERALS.values())
    units = price.groupby("commodity")["unit"].first()
    assert units["Copper"] == "USD/t" and units["Gold"] == "USD/troy oz"
    assert units["Iron ore, cfr spot"] == "USD/dmtu" and units["Potassium chloride"] == "USD/t"


def test_matches_derived_csv(shared: Path, price: pd.DataFrame) -> None:
    # The derived CSV (SOURCES.md section 7) is a mechanical export of the same sheet.
    derived = pd.read_csv(shared / DERIVED)
    assert derived.loc[derived["period"] == "1960M01", "Copper ($/mt)"].item() == 715.4
    long = derived.melt(id_vars="period", var_name="header", value_name="expected")
    long["commodity"] = long["header"].str.replace(r"\s*\(.*\)$", "", regex=True)
    long["period"] = pd.to_datetime(long["period"], format="%YM%m")
    merged = long.merge(price, on=["commodity", "period"], how="left", validate="1:1")
    assert len(merged) == 797 * 10 and merged["value"].notna().all()
    assert (merged["value"] - merged["expected"]).abs().max() < 1e-9


def test_missing_is_null(price: pd.DataFrame) -> None:
    phosphate = price[price["commodity"] == "Phosphate rock"]
    assert phosphate["value"].isna().sum() == 1  # one month published as "…"


# --- tiny inline workbooks --------------------------------------------------------------------

def _sheet(tmp_path: Path, units: dict[str, str] | None = None,
           cells: dict[tuple[int, str], Any] | None = None) -> Path:
    """A Monthly Prices sheet in the published layout with all kept commodities."""
    names = list(pinksheet.MINERALS)
    unit = {"Gold": "($/troy oz)", "Platinum": "($/troy oz)", "Silver": "($/troy oz)",
            "Iron ore, cfr spot": "($/dmtu)"} | (units or {})
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = pinksheet.SHEET
    ws.append(["World Bank Commodity Price Data (The Pink Sheet)"])
    ws.append(["Updated on June 02, 2026"])
    ws.append([None, "Crude oil, Brent", "Urea ", *[f"{n} **" if n == "Potassium chloride" else n
                                                   for n in names]])
    ws.append([None, "($/bbl)", "($/mt)", *[unit.get(n, "($/mt)") for n in names]])
    for month in ("1960M01", "1960M02"):
        ws.append([month, 1.63, "…", *range(1, len(names) + 1)])
    for (row, name), value in (cells or {}).items():
        ws.cell(row=row, column=4 + names.index(name), value=value)
    path = tmp_path / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return tmp_path


def test_inline_layout(tmp_path: Path) -> None:
    root = _sheet(tmp_path, cells={(6, "Copper"): "…", (5, "Tin"): 7})
    price = pinksheet.read(root, [FILE])["price"]
    assert len(price) == 2 * 12 and set(price["commodity"]) == set(pinksheet.MINERALS)
    copper = price[price["commodity"] == "Copper"].set_index("period")["value"]
    assert copper.iloc[0] == 5 and pd.isna(copper.iloc[1])


def test_text_in_a_price_cell(tmp_path: Path) -> None:
    root = _sheet(tmp_path, cells={(6, "Zinc"): "n.a."})
    with pytest.raises(SourceError, match=r"xlsx:6: sheet 'Monthly Prices', row 6, column 'Zinc': "
                                          "'n.a.' is not a price"):
        pinksheet.read(root, [FILE])


def test_unknown_unit(tmp_path: Path) -> None:
    root = _sheet(tmp_path, units={"Copper": "(cents/lb)"})
    with pytest.raises(SourceError, match=r"column 'Copper': unknown unit '\(cents/lb\)'"):
        pinksheet.read(root, [FILE])


def test_bad_month_label(tmp_path: Path) -> None:
    root = _sheet(tmp_path)
    book = openpyxl.load_workbook(root / FILE)
    book[pinksheet.SHEET].append(["1960M13", 1.0])
    book.save(root / FILE)
    with pytest.raises(SourceError, match=r"xlsx:7: sheet 'Monthly Prices', row 7: '1960M13'"):
        pinksheet.read(root, [FILE])


def test_missing_sheet(tmp_path: Path) -> None:
    root = _sheet(tmp_path)
    book = openpyxl.load_workbook(root / FILE)
    book[pinksheet.SHEET].title = "Prices"
    book.save(root / FILE)
    with pytest.raises(SourceError, match="no sheet 'Monthly Prices'"):
        pinksheet.read(root, [FILE])


# --- damaged real workbook --------------------------------------------------------------------

def test_truncated_workbook(shared: Path, tmp_path: Path) -> None:
    (tmp_path / FILE).parent.mkdir(parents=True)
    data = (shared / FILE).read_bytes()
    (tmp_path / FILE).write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(SourceError, match=r"Monthly_2026M05\.xlsx: not a readable \.xlsx"):
        pinksheet.read(tmp_path, [FILE])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="file missing"):
        pinksheet.read(tmp_path, [])

