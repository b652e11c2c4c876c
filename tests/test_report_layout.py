"""The briefing's table layout: formats, selected rows and columns, one source line per table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from minsec.report.layout import LAYOUTS, default_layout, humanise
from minsec.report.tables import cell, cited, select, shown_table, split


@pytest.mark.parametrize(("value", "fmt", "text"), [
    (0.93254, "pct", "93.3%"), (36.02, "pct_value", "36.0%"), (0.5886, "score", "0.59"),
    (1685817.0, "int", "1,685,817"), (-2759.7, "signed_int", "-2,760"), (2024.0, "year", "2024"),
    (6.70146e8, "musd", "670.1"), (-3.3117e7, "signed_musd", "-33.1"),
    (227976.8, "kusd_m", "228.0"), (-54.75, "signed1", "-54.8"), (True, "bool", "yes"),
    ("CHN", "text", "CHN")])
def test_cells_are_formatted_by_the_layout(value: object, fmt: str, text: str) -> None:
    assert cell(value, fmt)["text"] == text


def test_missing_values_are_blank_and_unknown_columns_are_guessed() -> None:
    assert cell(np.nan, "pct") == {"text": "", "num": False}
    assert cell(pd.NA, "int")["text"] == "" and cell(None)["text"] == ""
    assert cell(0.25, column="china_share")["text"] == "25.0%"
    assert cell(2019, column="start_year")["text"] == "2019"
    assert cell(np.float64(12345.6), column="value") == {"text": "12,346", "num": True}


def test_headers_are_humanised() -> None:
    assert humanise("top_supplier_share") == "Top supplier share"
    assert humanise("unmet_mean_t") == "Unmet mean (t)"
    assert humanise("mining_hhi") == "Mining HHI"


def test_default_layout_drops_the_source_and_ids_beside_a_name() -> None:
    frame = pd.DataFrame({"mineral": ["ga"], "name": ["Gallium"], "top_supplier_share": [0.98],
                          "empty": [np.nan], "source": ["x"]})
    labels = [c.label for c in default_layout(frame).columns]
    assert labels == ["Name", "Top supplier share"]


def test_sources_split_outside_parentheses_without_file_lines_and_deduplicated() -> None:
    assert split("a; b (c; d); e") == ["a", "b (c; d)", "e"]
    rows = pd.DataFrame({"source": ["WMD 2026, wmd.csv:8435", "WMD 2026, wmd.csv:8422",
                                    "imports: BACI 2024; risk_score: minsec"],
                         "basis": ["BACI HS92 2024", None, "BACI HS92 2024"]})
    assert cited(rows, ["source", "basis"]) == [
        "WMD 2026, wmd.csv", "imports: BACI 2024", "risk_score: minsec", "Basis: BACI HS92 2024"]


def test_trend_shows_the_last_ten_years_newest_first_with_one_source_line() -> None:
    years = np.arange(1995, 2025)
    frame = pd.DataFrame({"year": years, "imports": 1000.0 * (years - 1990),
                          "china_share": np.linspace(0.5, 0.9, len(years)),
                          "refining_hhi": np.nan, "mineral": "graphite",
                          "source": "minsec assessment: BACI"})
    shown = shown_table(frame, "trend", "graphite.trend")
    assert [r[0]["text"] for r in shown["rows"]] == [str(y) for y in range(2024, 2014, -1)]
    assert [c["label"] for c in shown["columns"]] == ["Year", "Imports (USD\u00a0m)",
                                                      "China's share"]
    assert shown["rows"][0][1]["text"] == "34.0" and shown["rows"][0][2]["text"] == "90.0%"
    assert shown["sources"] == ["minsec assessment: BACI"]
    assert "10 of 30 rows shown" in shown["note"] and "graphite.trend" in shown["note"]


def test_policies_keep_one_policy_and_losses_spread_by_policy() -> None:
    frame = pd.DataFrame({"scenario": ["A", "A", "B", "B"], "name": ["Cut A"] * 2 + ["Cut B"] * 2,
                          "mineral": ["ga"] * 4, "days_of_cover": [0, 54, 0, 54],
                          "release_lag": [8] * 4, "loss_mean_usd": [2e6, 1e6, 5e6, 4e6],
                          "policy": ["0 days, lag 8", "54 days, lag 8"] * 2,
                          "basis": "BACI", "source": ["lib A", "lib A", "lib B", "lib B"]})
    rows, columns, _ = select(frame, LAYOUTS["policies"])
    assert rows["scenario"].tolist() == ["B", "A"]  # 54 days, lag 8; largest loss first
    wide, columns, behind = select(frame, LAYOUTS["loss_by_policy"])
    assert [c.label for c in columns] == ["Scenario", "0 days, lag 8", "54 days, lag 8"]
    assert wide.to_numpy().tolist() == [["Cut A", 2e6, 1e6], ["Cut B", 5e6, 4e6]]
    assert cited(behind, LAYOUTS["loss_by_policy"].cite) == ["lib A", "lib B"]
