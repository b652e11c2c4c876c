"""Section data builders: views over the library's own numbers, with their sources."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from minsec import assessment, briefing
from minsec.briefing.scenarios import aimed_elsewhere
from minsec.errors import MinsecError
from minsec.reference import listed
from minsec.scenarios import library, runner
from minsec.scenarios.baseline import load_inputs
from minsec.scenarios.results import stock_fan


@pytest.fixture(scope="module")
def kor(built: Path) -> briefing.Context:
    return briefing.context("Korea", store=built)


def test_context_resolves_names_caches_and_rejects_bad_input(kor: briefing.Context,
                                                            built: Path) -> None:
    assert (kor.importer, kor.year) == ("KOR", assessment.default_year(kor.inputs))
    assert briefing.context("KOR", store=built) is kor
    with pytest.raises(MinsecError, match="1995-"):
        briefing.context("KOR", 1990, built)
    with pytest.raises(MinsecError, match="unknown country"):
        briefing.context("Atlantis", store=built)


def test_strategic_minerals_follow_the_curated_list_else_the_risk_ranking(
        kor: briefing.Context, built: Path) -> None:
    # the list's rare earths (Nd, Dy, Tb, Ce, La) are traded, and shown, as their group
    strategic = listed("kr_strategic_2023")
    assert set(briefing.strategic_minerals(kor)) <= {*strategic, "rare_earths"}
    assert {"graphite", "rare_earths"} <= set(briefing.strategic_minerals(kor))
    assert not {"neodymium", "dysprosium"} & set(briefing.strategic_minerals(kor))
    jpn = briefing.context("JPN", store=built)
    ranked = jpn.assessment.dropna(subset=["risk_score"])["mineral"].tolist()
    assert briefing.strategic_minerals(jpn) == ranked[:10]


def test_headline_carries_the_assessment_figures(kor: briefing.Context) -> None:
    section = briefing.headline(kor)
    top = kor.assessment.dropna(subset=["risk_score"]).iloc[0]
    assert section.tables["top_risks"]["mineral"].iloc[0] == top["mineral"]
    assert f"{top['name']} ({top['risk_score']:.2f})" in section.notes[0]
    assert section.tables["top_risks"]["source"].str.contains("imports:").all()
    json.dumps(section.charts, allow_nan=False)


def test_graphite_profile_matches_the_published_anchor(kor: briefing.Context) -> None:
    """KOMIR: 97% of Korea's graphite imports came from China in 2023."""
    section = briefing.mineral_profile(kor, "graphite")
    trend = section.tables["trend"].set_index("year")
    from minsec.briefing.minerals import published as official

    assert len(section.tables["published"]) <= 4  # the latest, newest first
    published = official(kor, "graphite")
    komir = published[published["data_owner"].eq("KOMIR statistics")
                      & published["year"].eq(2023)]
    assert komir["share"].iloc[0] == pytest.approx(0.97)
    assert trend.loc[2023, "china_share"] == pytest.approx(0.97, abs=0.01)
    assert f"{100 * trend.loc[2023, 'china_share']:.1f}% in 2023" in " ".join(section.notes)
    assert section.charts["map"]["data"][0]["locationmode"] == "ISO-3"
    assert section.sources


def test_every_table_of_the_briefing_cites_a_source(built: Path) -> None:
    ctx = briefing.context("JPN", store=built)
    parts = briefing.briefing(ctx, draws=200)
    assert parts[0].key == "headline" and parts[-1].key == "methods"
    assert "targets" not in [p.key for p in parts]  # no curated targets for Japan
    assert "Omitted: targets" in " ".join(parts[-1].notes)
    for part in parts:
        for name, table in part.tables.items():
            assert "source" in table.columns or part.sources, (part.key, name)
        json.dumps(part.charts, allow_nan=False)


def test_scenario_run_is_the_runner_with_a_fan_and_progress(kor: briefing.Context) -> None:
    calls: list[tuple[int, int]] = []
    section = briefing.scenario_run(kor, "CN-2023-graphite", 1500, 54, 8, seed=7,
                                    progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]
    spec = library.get("CN-2023-graphite").replace(draws=1500, seed=7).with_policy(days=54,
                                                                                  lag=8)
    expected = runner.run(spec, load_inputs(kor.store), kor.year).summary()
    got = section.tables["summary"]
    assert np.allclose(got["loss_mean_usd"], expected["loss_mean_usd"])
    fan = section.tables["stock_fan"].pivot_table(index="day", columns="quantile",
                                                  values="stock_t")
    assert (fan[0.05] <= fan[0.5]).all() and (fan[0.5] <= fan[0.95]).all()
    assert section.tables["spec"]["seed"].iloc[0] == 7
    with pytest.raises(MinsecError):
        briefing.scenario_run(kor, "CN-2023-graphite", 0, 54, 8)


def test_stock_fan_is_the_quantile_per_day_and_mineral() -> None:
    stock = np.arange(2 * 2 * 3, dtype=float).reshape(2, 2, 3)  # (N, M, T)
    fan = stock_fan(stock, ("a", "b"), (0.0, 1.0))
    low = fan[fan["quantile"].eq(0.0) & fan["mineral"].eq("b")]["stock_t"].tolist()
    high = fan[fan["quantile"].eq(1.0) & fan["mineral"].eq("a")]["stock_t"].tolist()
    assert low == stock[0, 1].tolist() and high == stock[1, 0].tolist()
    assert isinstance(fan, pd.DataFrame) and len(fan) == 2 * 2 * 3


def test_scenario_run_defaults_to_the_specs_own_seed(kor: briefing.Context) -> None:
    spec = library.get("CN-2023-graphite")
    section = briefing.scenario_run(kor, spec.id, 300, 54, 8)
    assert section.tables["spec"]["seed"].iloc[0] == spec.seed
    expected = runner.run(spec.replace(draws=300).with_policy(days=54, lag=8),
                          load_inputs(kor.store), kor.year).summary()
    assert np.allclose(section.tables["summary"]["loss_mean_usd"], expected["loss_mean_usd"])
    other = briefing.scenario_run(kor, spec.id, 300, 54, 8, seed=spec.seed + 1)
    assert not np.allclose(other.tables["summary"]["unmet_mean_t"],
                           section.tables["summary"]["unmet_mean_t"])


def test_parts_without_data_say_why_instead_of_failing(built: Path) -> None:
    """An importer without targets, an aggregate without scenarios: the annex names them."""
    jpn = briefing.context("JPN", store=built)
    with pytest.raises(MinsecError, match="no curated national targets for JPN"):
        briefing.targets(jpn)
    # The EU27 imports as one bloc (its members' imports from outside the EU): its scenarios
    # run, and a mineral without the data for a baseline says why instead of a zero
    eu = briefing.context("EU27", store=built)
    section = briefing.scenarios(eu, draws=50)
    policies = section.tables["policies"]
    assert not policies.empty and set(policies["mineral"]) >= {"cobalt", "rare_earths"}
    missing = policies[policies["not_computed"].ne("")]
    assert missing["loss_mean_usd"].isna().all()
    for mineral in set(missing["mineral"]):
        assert any(f"{mineral} not computed for EU27" in note for note in section.notes)


def test_a_scenario_aimed_at_another_importer_is_said_not_run(built: Path) -> None:
    """CN-2024-US names the USA only: for Korea it cuts nothing, and the briefing says so
    instead of showing a loss of USD 0.0 million; for the USA it runs."""
    spec = library.get("CN-2024-US")
    assert aimed_elsewhere(spec, "KOR") == ("USA",)
    assert aimed_elsewhere(spec, "USA") == ()
    assert aimed_elsewhere(library.get("CN-2023-graphite"), "KOR") == ()
    section = briefing.scenarios(briefing.context("KOR", store=built), draws=20)
    assert "CN-2024-US" not in set(section.tables["policies"]["scenario"])
    assert any(n.startswith(f"{spec.name} (CN-2024-US) targets USA only") for n in section.notes)
