"""The briefing's workbook, on hand-made sections: names, contents, headers, formats, text."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from minsec.briefing import Section
from minsec.report.sheets import column_format
from minsec.report.xlsx import sheet_names, write_xlsx

PROVENANCE = pd.DataFrame({"source": ["baci_hs92"], "file": ["baci.csv"], "sha256": ["ab" * 32]})


def sections() -> list[Section]:
    scenarios = pd.DataFrame({"mineral": ["graphite", "cobalt"], "p_shortfall": [1.0, 0.25],
                              "loss_mean_usd": [670_145_972.0, float("nan")],
                              "unmet_mean_t": [203.8, 4230.7], "tiny": [9.090398e-07, 2e-6],
                              "note": ["=1+1", "-"], "source": ["library", "library"]})
    levers = pd.DataFrame({"lever": ["collection rate"], "change": ["+10 points"],
                           "delta_loss_usd": [-2_177_238.4], "year": [2030]})
    trend = pd.DataFrame({"year": [2023, 2024], "imports": [10_614.2, 12_000.0],
                          "china_share": [0.97, 0.98]})
    return [Section("scenarios", "Export-control scenarios", {"policies": scenarios}),
            Section("targets", "Targets", {"levers": levers, "targets": levers}),
            Section("profile-rare_earths", "Rare earth elements: supply profile",
                    {"trend": trend, "production": trend, "published": trend}),
            Section("profile-graphite", "Graphite: supply profile", {"trend": trend})]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("xlsx") / "b.xlsx"
    write_xlsx(sections(), PROVENANCE, path)
    return openpyxl.load_workbook(path)


def test_sheet_names_are_human_short_and_unique() -> None:
    names = sheet_names(sections())
    assert names[("scenarios", "policies")] == "Scenario results by mineral"
    assert names[("targets", "levers")] == "Levers"
    assert names[("targets", "targets")] == "Targets"
    # a name too long for 31 characters: the mineral's short name, the same on every sheet
    assert {names[("profile-rare_earths", t)] for t in ("trend", "production", "published")
            } == {"Rare earths - Trend", "Rare earths - Production", "Rare earths - Published"}
    assert names[("profile-graphite", "trend")] == "Graphite - Trend"
    twice = [Section("a", "A", {"levers": pd.DataFrame()}),
             Section("b", "B", {"levers": pd.DataFrame()})]
    assert list(sheet_names(twice).values()) == ["Levers", "Levers (2)"]


def test_contents_links_every_sheet(book: openpyxl.Workbook) -> None:
    assert book.sheetnames[0] == "Contents"
    contents = book["Contents"]
    assert [c.value for c in contents[1]] == ["Sheet", "Section", "Table", "Rows", "Source"]
    linked = [(c.value, c.hyperlink.location) for c in contents["A"][1:]]
    assert linked == [(n, f"'{n}'!A1") for n in book.sheetnames[1:]]
    assert book.sheetnames[-1] == "Data provenance"  # no annex here: the store's files


def test_headers_are_bold_frozen_filtered_with_units(book: openpyxl.Workbook) -> None:
    sheet = book["Scenario results by mineral"]
    assert [c.value for c in sheet[1]] == ["Mineral", "P shortfall (%)", "Loss mean (USD m)",
                                           "Unmet mean (t)", "Tiny", "Note", "Source"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:G3"
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["B"].width - 10
    formats = [c.number_format for c in sheet[2]]
    assert formats[1:5] == ["0.0%", "#,##0.0,,", "#,##0", "0.00E+00"]
    assert sheet["C2"].value == pytest.approx(670_145_972.0)  # the figure, shown as 670.1
    assert sheet["C3"].value is None  # not computed: empty, never 0


def test_text_is_written_as_text(book: openpyxl.Workbook) -> None:
    levers = book["Levers"]
    assert levers["B2"].value == "+10 points" and levers["B2"].data_type == "s"
    assert levers["C2"].number_format == "+#,##0.0,,;-#,##0.0,,;#,##0.0,,"
    assert levers["D2"].number_format == "0"  # a year, not 2,030
    note = book["Scenario results by mineral"]["F2"]
    assert note.value == "=1+1" and note.data_type == "s"  # never run as a formula


@pytest.mark.parametrize(("column", "values", "expected"), [
    ("top_supplier_share", [0.5], ("Top supplier share (%)", "0.0%")),
    ("imports", [10_614.2], ("Imports (USD m)", "#,##0.0,")),
    ("value_at_risk_usd_per_t", [1500.0], ("Value at risk (USD/t)", "#,##0")),
    ("import_year", [2024.0], ("Import year", "0")),
    ("delta_china_points", [-57.1], ("Delta china (points)", "+0.0;-0.0;0.0")),
    ("mbi", [20.5], ("MBI", "#,##0.00")),
    ("name", ["Niobium"], ("Name", None)),
    ("on_track", [True], ("On track", None)),
])
def test_column_formats(column: str, values: list[object],
                        expected: tuple[str, str | None]) -> None:
    assert column_format(column, pd.Series(values)) == expected
