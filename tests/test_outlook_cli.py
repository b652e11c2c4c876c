"""The outlook commands on the real store: outlook, recycling, targets, levers, strategies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minsec.cli import app


def run(store: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--store", str(store)])
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def test_outlook_world_and_importer(built: Path) -> None:
    # IEA (2024) CMDX, sheet 1: lithium total demand, APS 2030 = 531.513 kt.
    code, output = run(built, "outlook", "lithium", "--format", "json")
    assert code == 0, output
    rows = json.loads(output)["totals"]
    total = next(r for r in rows if r["sector"] == "Total" and r["year"] == 2030)
    assert total["value_kt"] == pytest.approx(531.513, abs=1e-3)
    code, output = run(built, "outlook", "cobalt", "--importer", "KOR", "--format", "csv")
    assert code == 0, output
    assert "importer,share,basis" in output.splitlines()[0]


def test_recycling_and_targets(built: Path, tmp_path: Path) -> None:
    code, output = run(built, "recycling", "--format", "csv")
    assert code == 0 and "recycled_share" in output
    code, output = run(built, "targets", "--format", "json")
    assert code == 0, output
    targets = {r["target"]: r for r in json.loads(output)["targets"]}
    assert targets["dependence"]["target_value"] == 50  # kr_targets.csv: 80% -> 50% by 2030
    assert targets["stockpile_days"]["gap"] == 46  # 54 days today, 100 by 2031
    code, output = run(built, "targets", "--importer", "EU27", "--format", "xlsx", "--out",
                       str(tmp_path / "t.xlsx"))
    assert code == 0 and (tmp_path / "t.xlsx").is_file()


def test_levers_and_strategies(built: Path) -> None:
    code, output = run(built, "targets", "--stock-days", "70", "levers", "--format", "csv")
    assert code == 0, output
    assert "+30 days,30.0" in output
    code, output = run(built, "targets", "levers", "--importer", "EU27", "--format", "csv")
    assert code == 0, output
    assert "crma_single_country" in output and "one more MSP project" in output
    code, output = run(built, "strategies", "--compare", "KOR,USA", "--format", "csv")
    assert code == 0, output
    assert output.splitlines()[0].startswith("kind,item,KOR,USA")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["outlook", "lithium", "--scenario", "XYZ"], "scenario"),
     (["targets", "--importer", "USA"], "no targets for 'USA'"),
     (["targets", "--stock-days", "-3"], "--stock-days: must be >= 0"),
     (["strategies", "--compare", "KOR,ATL"], "unknown ATL")],
)
def test_outlook_mistakes(built: Path, args: list[str], message: str) -> None:
    code, output = run(built, *args)
    assert code == 1 and message in output
    assert len(output.strip().splitlines()) == 1
