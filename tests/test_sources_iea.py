"""IEA Critical Minerals Data Explorer 2024 adapter: the block parser, figures, damaged files."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from minsec.errors import SourceError
from minsec.sources import iea

FILE = iea.FILE


@pytest.fixture(scope="module")
def tables(shared: Path) -> dict[str, pd.DataFrame]:
    return iea.read(shared, [FILE])


def _value(frame: pd.DataFrame, **where: object) -> float:
    rows = frame.loc[(frame[list(where)] == pd.Series(where)).all(axis=1), "value"]
    assert len(rows) == 1, rows
    return float(rows.iloc[0])


# --- real file --------------------------------------------------------------------------------

def test_row_counts(tables: dict[str, pd.DataFrame]) -> None:
    assert len(tables["supply"]) == 340  # 12 blocks, 85 country/aggregate rows, 4 years
    assert len(tables["demand_outlook"]) == 1504


def test_copper_supply_2023(tables: dict[str, pd.DataFrame]) -> None:
    # Sheet "2 Total supply for key minerals", block "Copper - Mining | Copper - Refining" (kt).
    s = tables["supply"]
    assert _value(s, form="Copper - Mining", country="CHL", year=2023) == 5_311_300
    assert _value(s, form="Copper - Refining", country="CHN", year=2023) == 11_547_000
    assert _value(s, form="Copper - Mining", country="WLD", year=2023) == 22_508_100
    assert set(s["unit"]) == {"t"} and set(s["edition"]) == {"iea2024"}


def test_supply_years_stages_and_projections(tables: dict[str, pd.DataFrame]) -> None:
    s = tables["supply"]
    assert sorted(s["year"].unique()) == [2023, 2030, 2035, 2040]
    assert (s["estimated"] == (s["year"] > 2023)).all()
    assert s.loc[s["estimated"], "note"].str.startswith("projection (base case)").all()
    assert set(s["stage"]) == {"mining", "refining"}
    assert s.loc[s["form"] == "Lithium - Chemicals", "stage"].eq("refining").all()
    assert not s["form"].isna().any() and not s["country"].isin(["Top 3 share"]).any()
    assert s["country"].str.fullmatch(r"[A-Z]{3}").all()


def test_country_rows_add_up_to_total(tables: dict[str, pd.DataFrame]) -> None:
    s = tables["supply"]
    parts = s[s["country"] != "WLD"].groupby(["form", "year"])["value"].sum()
    total = s[s["country"] == "WLD"].set_index(["form", "year"])["value"]
    assert (parts - total).abs().max() < 1.0  # t
    # ... because Rest of world is repaired where the workbook's also counted a listed country
    repaired = s[s["note"].str.contains("Rest of world recomputed", na=False)]
    assert set(repaired["form"]) == {"Nickel - Mining", "Nickel - Refining",
                                     "Graphite - Mining (natural)", "Graphite - Battery grade"}
    nickel = repaired[(repaired["form"] == "Nickel - Mining") & (repaired["year"] == 2023)]
    assert nickel["value"].tolist() == [563_900] and "Australia" in nickel["note"].iloc[0]


def test_demand_figures(tables: dict[str, pd.DataFrame]) -> None:
    d = tables["demand_outlook"]
    # Sheet "1 Total demand for key minerals", 2023 (kt); the fact pack's secondary summary of
    # GCMO 2024 gives nickel 3,104, cobalt 215, graphite 4,632 and magnet REE 93 kt.
    for mineral, kt in [("nickel", 3104.5), ("cobalt", 214.8), ("graphite", 4632.4),
                        ("magnet_rare_earths", 92.6), ("copper", 25915)]:
        assert _value(d, mineral=mineral, scenario="baseline", sector="Total", year=2023
                      ) == pytest.approx(kt, abs=0.05)
    assert _value(d, mineral="lithium", scenario="NZE", sector="Electric vehicles", year=2050
                  ) == pytest.approx(1446.8, abs=0.05)
    # Sheet 3.2 only: gallium demand for clean technologies
    assert _value(d, mineral="gallium", scenario="APS", sector="Total clean technologies",
                  year=2050) == pytest.approx(6.6, abs=0.05)


def test_demand_shape(tables: dict[str, pd.DataFrame]) -> None:
    d = tables["demand_outlook"]
    assert not d.duplicated(["mineral", "scenario", "sector", "year"]).any()
    assert set(d["scenario"]) == {"baseline", "STEPS", "APS", "NZE"}
    assert set(d.loc[d["scenario"] == "baseline", "year"]) == {2023}
    assert set(d.loc[d["scenario"] != "baseline", "year"]) == {2030, 2035, 2040, 2045, 2050}
    assert set(d["unit"]) == {"kt"} and d["value"].ge(0).all()
    assert not d["sector"].str.startswith("Share").any()
    # sector rows of sheet 1 add up to its total clean technologies
    copper = d[(d["mineral"] == "copper") & (d["scenario"] == "STEPS") & (d["year"] == 2030)]
    techs = copper[~copper["sector"].isin(["Total", "Total clean technologies", "Other uses"])]
    assert techs["value"].sum() == pytest.approx(
        _value(copper, sector="Total clean technologies"), abs=0.5)


def test_sheets_agree_where_they_overlap(shared: Path) -> None:
    book = openpyxl.load_workbook(shared / FILE, read_only=True, data_only=True)
    seen: dict[tuple[object, ...], float] = {}
    for sheet in iea.DEMAND_SHEETS:
        rows = iea._sheet(book, sheet)
        header, columns = iea._header(rows, sheet)
        for title, items in iea.blocks(rows, header, columns):
            for _, label, values in items:
                name = title or label
                sector = iea._sector(label, sheet) if title else "Total clean technologies"
                for (scenario, year), value in values:
                    key = (iea.MINERALS.get(name), scenario, sector, year)
                    if key in seen and key[0] is not None and value is not None:
                        assert seen[key] == pytest.approx(value, abs=1e-6), key
                    seen.setdefault(key, value)
    book.close()


# --- the block parser, on a tiny inline sheet -------------------------------------------------

def test_blocks_side_by_side_and_stacked() -> None:
    rows = [
        ("Title (kt)",),
        (None, 2023, 2030, None, None, 2023, 2030),
        (),
        ("A - Mining", None, None, None, "A - Refining"),
        ("X", 1, 2, None, "Y", 3, 4),
        ("Z", 5, 6),
        ("Total", 6, 8, None, "Total", 3, 4),
        (),
        ("B - Mining",),
        ("X", 7, 8),
    ]
    header, columns = iea._header(rows, "s")
    assert header == 2 and columns == {1: ("baseline", 2023), 2: ("baseline", 2030),
                                       5: ("baseline", 2023), 6: ("baseline", 2030)}
    found = [(t, [(n, label, [v for _, v in vals]) for n, label, vals in items])
             for t, items in iea.blocks(rows, header, columns)]
    assert found == [
        ("A - Mining", [(5, "X", [1, 2]), (6, "Z", [5, 6]), (7, "Total", [6, 8])]),
        ("A - Refining", [(5, "Y", [3, 4]), (7, "Total", [3, 4])]),
        ("B - Mining", [(10, "X", [7, 8])]),
    ]


def test_header_unknown_scenario() -> None:
    rows = [(None, None, "Current Trends scenario"), (None, 2023, 2030)]
    assert iea._header([("Title (kt)",), (None, 2023, 2030)], "s")[1][2] == ("baseline", 2030)
    with pytest.raises(SourceError, match="xlsx:1: sheet 's': unknown scenario"):
        iea._header(rows, "s")


# --- damaged workbooks ------------------------------------------------------------------------

def _workbook(shared: Path, tmp_path: Path) -> Path:
    (tmp_path / FILE).parent.mkdir(parents=True)
    shutil.copy(shared / FILE, tmp_path / FILE)
    return tmp_path


def _edit(root: Path, sheet: str, edit: Callable[[Any], object]) -> None:
    book = openpyxl.load_workbook(root / FILE)
    edit(book[sheet])
    book.save(root / FILE)


def test_truncated_workbook(shared: Path, tmp_path: Path) -> None:
    root = _workbook(shared, tmp_path)
    data = (root / FILE).read_bytes()
    (root / FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match=r"CM_Data_Explorer_May2024\.xlsx: not a readable"):
        iea.read(root, [FILE])


def test_truncated_sheet_inside_the_zip(shared: Path, tmp_path: Path) -> None:
    root = _workbook(shared, tmp_path)
    source = zipfile.ZipFile(shared / FILE)
    with zipfile.ZipFile(root / FILE, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            out.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet3.xml")
                         else data)
    with pytest.raises(SourceError, match=r"xlsx:\d+: sheet '2 Total supply for key minerals' "
                                          "is damaged after row"):
        iea.read(root, [FILE])


def test_text_in_numeric_cell(shared: Path, tmp_path: Path) -> None:
    root = _workbook(shared, tmp_path)
    _edit(root, iea.SUPPLY_SHEET, lambda ws: setattr(ws["C9"], "value", "n/a"))
    with pytest.raises(SourceError, match=r"xlsx:9: sheet '2 Total supply for key minerals', "
                                          "row 'Peru': 'n/a' is not a number"):
        iea.read(root, [FILE])


def test_unknown_stage(shared: Path, tmp_path: Path) -> None:
    root = _workbook(shared, tmp_path)
    _edit(root, iea.SUPPLY_SHEET, lambda ws: setattr(ws["A17"], "value", "Cobalt - Smelting"))
    with pytest.raises(SourceError, match=r"xlsx:17: .*'Cobalt - Smelting' is not"):
        iea.read(root, [FILE])


def test_unknown_unit(shared: Path, tmp_path: Path) -> None:
    root = _workbook(shared, tmp_path)
    _edit(root, iea.DEMAND_SHEETS[0], lambda ws: setattr(
        ws["A2"], "value", "Demand for key energy transition minerals (Mt)"))
    with pytest.raises(SourceError, match=r"xlsx:2: sheet '1 Total demand .*unknown unit 'Mt'"):
        iea.read(root, [FILE])


def test_blocks_found_wherever_they_sit(shared: Path, tmp_path: Path,
                                        tables: dict[str, pd.DataFrame]) -> None:
    root = _workbook(shared, tmp_path)
    _edit(root, iea.SUPPLY_SHEET, lambda ws: ws.insert_rows(3, amount=2))
    moved = iea.read(root, [FILE])["supply"]
    assert moved["value"].tolist() == tables["supply"]["value"].tolist()
    assert (moved["line"] - tables["supply"]["line"]).eq(2).all()
