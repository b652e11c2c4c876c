"""Editions side by side: USGS's revisions of earlier years, from the mirror's files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from minsec.cli import app
from minsec.revisions import compare_editions, side_by_side


def rows(edition: str, country: str, year: int, value: float, variable: str = "production",
         estimated: bool = False) -> dict[str, object]:
    return {"edition": edition, "mineral": "x", "stage": "mining", "variable": variable,
            "country": country, "year": year, "value": value, "unit": "t",
            "estimated": estimated, "form": "Mine production, x", "file": f"{edition}.csv",
            "line": 2}


def test_side_by_side_by_hand() -> None:
    frame = pd.DataFrame([rows("mcs2023", "A", 2022, 170.0, estimated=True),
                          rows("mcs2024", "A", 2022, 166.0), rows("mcs2024", "A", 2023, 96.0),
                          rows("mcs2023", "A", 2022, 25.0, "reserves"),
                          rows("mcs2024", "A", 2023, 30.0, "reserves")])
    out = side_by_side(frame)
    a22 = out[out["variable"].eq("production") & out["year"].eq(2022)].iloc[0]
    assert (a22["mcs2023"], a22["mcs2024"], a22["change"]) == (170.0, 166.0, -4.0)
    assert a22["change_pct"] == pytest.approx(-4 / 170 * 100)
    assert (a22["from_edition"], a22["to_edition"], a22["estimated_in"]) == (
        "mcs2023", "mcs2024", "mcs2023")
    assert "mcs2023.csv:2" in a22["source"] and "mcs2024.csv:2" in a22["source"]
    a23 = out[out["year"].eq(2023)].iloc[0]
    assert a23["editions"] == 1 and pd.isna(a23["change"])  # one edition: no change
    reserves = out[out["variable"].eq("reserves")].iloc[0]  # each edition's own estimate
    assert pd.isna(reserves["year"]) and reserves["change"] == 5.0


@pytest.mark.shared
def test_mozambique_graphite_revised(built: Path) -> None:
    """USGS MCS 2023 (mcs2023-graph_world.csv line 13): Mozambique 2021 72,000 t, 2022e
    170,000 t; MCS 2024 (mcs2024-graph_world.csv line 13) revised 2022 to 166,000 t.

    MCS 2022 gave 2021 as 30,000 t (estimated), raised to 72,000 t by MCS 2023; that figure
    cannot be reproduced here: the mirror holds no MCS 2022 world data (SOURCES.md, "Looked
    for, not found": only 12 salient files of MCS 2022 exist in public repositories), so the
    comparison starts at MCS 2023. Dropping the MCS 2022 release into the sources directory
    adds its column (editions are found from the files).
    """
    table = compare_editions("graphite", built)
    moz = table[table["country"].eq("MOZ") & table["variable"].eq("production")
                & table["stage"].eq("mining")].set_index("year")
    assert moz.loc[2021, "mcs2023"] == 72_000 and moz.loc[2021, "editions"] == 1
    r22 = moz.loc[2022]
    assert (r22["mcs2023"], r22["mcs2024"], r22["change"]) == (170_000, 166_000, -4_000)
    assert r22["estimated_in"] == "mcs2023"
    assert "mcs2023-graph_world.csv:13" in r22["source"]
    assert "mcs2024-graph_world.csv:13" in r22["source"]
    assert "mcs2022" not in table.columns
    assert [c for c in table.columns if c.startswith("mcs")] == ["mcs2023", "mcs2024", "mcs2025"]


@pytest.mark.shared
def test_profile_compare_editions_from_the_command_line(built: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["profile", "graphite", "--compare-editions", "--format",
                                 "json", "--store", str(built)])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)["editions"]
    moz = [r for r in records if r["country"] == "MOZ" and r["year"] == 2022
           and r["variable"] == "production"]
    assert moz and moz[0]["change"] == -4000
    table = runner.invoke(app, ["profile", "graphite", "--compare-editions", "--store",
                                str(built)])
    assert table.exit_code == 0 and "170,000 e" in table.output and "166,000" in table.output
    bad = runner.invoke(app, ["profile", "unobtainium", "--compare-editions", "--store",
                              str(built)])
    assert bad.exit_code == 1 and len(bad.output.strip().splitlines()) == 1
