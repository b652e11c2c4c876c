"""Scenarios end to end on the real store: spec -> baseline -> draws -> summary."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from minsec.cli import app
from minsec.scenarios import baseline, library, runner


@pytest.fixture(scope="module")
def inputs(built: Path) -> baseline.BaselineInputs:
    return baseline.load_inputs(built)


def test_result_carries_spec_and_seed(inputs: baseline.BaselineInputs) -> None:
    spec = library.get("CN-2023-graphite").replace(draws=2000, seed=7)
    result = runner.run(spec, inputs, 2023)
    assert "id: CN-2023-graphite" in result.spec and "seed: 7" in result.spec
    assert result.seed == 7 and result.draws == 2000
    again = runner.run(spec, inputs, 2023)
    assert np.array_equal(result.outcome.unmet, again.outcome.unmet)
    summary = result.summary().set_index("mineral")
    # natural graphite from BACI, in contained t (= gross: forms.csv content factor 1)
    assert summary.loc["graphite", "basis"] == "BACI HS92: HS 250410, 250490 2023, contained t"
    assert summary.loc["graphite", "p_shortfall"] > 0


def test_more_stock_and_a_shorter_lag_never_hurt(inputs: baseline.BaselineInputs) -> None:
    spec = library.get("CN-2023-graphite").replace(draws=1000)
    table = runner.compare(spec, inputs, 2023, days=[0, 54, 100], lags=[8, 30, 60])
    unmet = table.pivot(index="days_of_cover", columns="release_lag", values="unmet_mean_t")
    assert (np.diff(unmet.to_numpy(), axis=0) <= 1e-9).all()  # more days: less unmet
    assert (np.diff(unmet.loc[[54, 100]].to_numpy(), axis=1) >= -1e-9).all()  # longer lag
    # 54 days already cover what front-running and licences leave after the 8-day lag
    assert unmet.loc[100, 8] <= unmet.loc[54, 8] < unmet.loc[0, 8]


def test_zero_probability_is_the_baseline(inputs: baseline.BaselineInputs) -> None:
    spec = library.get("CN-2023-graphite")
    events = [e.model_dump(mode="json") | {"probability": 0.0} for e in spec.events]
    quiet = runner.run(spec.replace(events=events, draws=1000), inputs, 2023)
    assert quiet.outcome.unmet.sum() == 0 and quiet.outcome.loss.sum() == 0


def test_minerals_without_trade_data_are_kept_with_their_basis(
    inputs: baseline.BaselineInputs,
) -> None:
    summary = runner.run(library.get("CN-2023-GaGe").replace(draws=1000), inputs,
                         2023).summary().set_index("mineral")
    assert summary.loc["gallium", "basis"].startswith("curated: ")
    assert summary.loc["germanium", "basis"].startswith("missing: ")


def run(store: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--store", str(store)])
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def test_cli_run_json_and_compare(built: Path) -> None:
    code, output = run(built, "scenario", "run", "CN-2023-graphite", "--draws", "1000",
                       "--seed", "3", "--stockpile-days", "100", "--format", "json")
    assert code == 0, output
    doc = json.loads(output)
    assert doc["spec"]["seed"] == 3 and "days_of_cover: 100.0" in doc["spec"]["yaml"]
    assert doc["summary"][0]["mineral"] == "graphite"
    code, output = run(built, "scenario", "compare", "CN-2023-graphite", "--draws", "1000",
                       "--days", "54,100", "--lags", "8", "--format", "csv")
    assert code == 0, output
    assert len(output.strip().splitlines()) == 3


def test_cli_rank_json_and_table(built: Path) -> None:
    code, output = run(built, "scenario", "rank", "--importer", "USA", "--draws", "200",
                       "--format", "json")
    assert code == 0, output
    doc = json.loads(output)
    ranked = [r for r in doc["rank"] if r["rank"] is not None]
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    assert all(r["value_at_risk_source"] and r["price_source"] for r in ranked)
    missing = [r for r in doc["rank"] if r["rank"] is None]
    assert missing and all(r["not_computed"] and r["loss_mean_usd"] is None for r in missing)
    assert {r["scenario"] for r in doc["by_scenario"]} >= {"CN-2023-GaGe", "CN-2024-Sb"}
    code, output = run(built, "scenario", "rank", "--importer", "USA", "--draws", "200")
    assert code == 0 and "USD million" in output
    # a mineral not computed says so in its row and gives its reason under the table
    assert output.count("not computed") >= 2 * len(missing), output


@pytest.mark.parametrize(
    ("args", "message"),
    [(["scenario", "run", "CN-2023-Ga"], "did you mean"),
     (["scenario", "rank", "--importer", "Atlantis"], "Atlantis"),
     (["scenario", "rank", "--year", "1800"], "trade data cover"),
     (["scenario", "run", "CN-2023-graphite", "--stockpile-days", "-5"], "days_of_cover"),
     (["scenario", "run", "CN-2023-graphite", "--importer", "Atlantis"], "Atlantis"),
     (["scenario", "compare", "CN-2023-graphite", "--days", "a,b"], "--days 'a,b'")],
)
def test_cli_scenario_mistakes(built: Path, args: list[str], message: str) -> None:
    code, output = run(built, *args)
    assert code == 1 and message in output
    assert len(output.strip().splitlines()) == 1


def test_cli_rejects_code_in_yaml(built: Path, tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text('id: x\nname: !!python/object/apply:os.system ["echo hi"]\n')
    code, output = run(built, "scenario", "run", str(path))
    assert code == 1 and "not allowed" in output
