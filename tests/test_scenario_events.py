"""The back-test against the observed 2023-2024 controls, and the ranking by expected loss.

Observed figures (reference/data/event_observed.csv, each row with its source):
- Ga/Ge, 1 Aug 2023: no exports in Aug 2023 (TODAY/Reuters), first licences 21 Sep 2023;
  Rotterdam gallium 250-265 -> 500-600 USD/kg, 30 Jun -> 15 Dec 2023 (Fastmarkets); Rotterdam
  germanium ~1,000 -> ~5,000 USD/kg, early 2023 -> Sep 2025 (Project Blue).
- Graphite, 1 Dec 2023: 3,973 t in Dec against ~17,000 t a month Jan-Oct (Fastmarkets).
- Antimony, 15 Sep 2024: 190 t in Oct against 4,075 t in Aug; Rotterdam +250% over 2024
  (Reuters; energynews/oedigital).
The bounds are issue 14's: the first-month fall within 15 points, the ex-China price multiple
within a factor of 1.5. The falls are in-sample (the scenarios' magnitudes were set from them);
the multiples test the market (elasticities calibrated on the same events: in-sample too, which
market_response.csv says).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from minsec.scenarios import baseline, events, rank
from minsec.scenarios.model import NEVER, Shocks


def shocks(**given: np.ndarray) -> Shocks:
    shape = given["cut"].shape
    zeros = np.zeros(shape)
    return Shocks(**{"start": zeros, "duration": zeros + 365, "to_importer": zeros + 1,
                     "to_others": zeros + 1, **given})


def test_observed_figures_from_the_table() -> None:
    table = events.observations()
    ga = events.observed(table, "CN-2023-GaGe", "gallium")
    assert ga["first_month_fall"][0] == 1.0
    assert ga["price_multiple"][0] == pytest.approx(550 / 257.5)
    assert ga["months_to_recovery"][0] == pytest.approx(51 / 30.44)
    sb = events.observed(table, "CN-2024-Sb", "antimony")
    assert sb["first_month_fall"][0] == pytest.approx(1 - 190 / 4075)
    assert sb["price_multiple"][0] == 3.5  # reported as +250%, no before/after pair
    graphite = events.observed(table, "CN-2023-graphite", "graphite")
    assert graphite["first_month_fall"][0] == pytest.approx(1 - 3973 / 17000)
    assert "price_multiple" not in graphite  # no price in the sources held
    assert table["source_url"].str.startswith("http").all()


def test_first_month_fall_by_hand() -> None:
    # Supplier 0 cuts 0.8 with 25% leakage (0.6 bites), eases on day 15 to half: over 30 days
    # 0.6 x (15/30 + 15/30 x 0.5) = 0.45. Supplier 1 never cuts; exports 3 : 1.
    cut = np.array([[[0.8, 0.0]]])
    s = shocks(cut=cut, leakage=np.full(cut.shape, 0.25), ease=np.full(cut.shape, 15.0),
               residual=np.full(cut.shape, 0.5))
    assert events.first_month_fall(s, np.array([3.0, 1.0]), 0) == pytest.approx(0.45)
    # No easing within the month: the full level
    never = shocks(cut=cut, leakage=np.zeros(cut.shape), ease=np.full(cut.shape, NEVER),
                   residual=np.ones(cut.shape))
    assert events.first_month_fall(never, np.array([3.0, 1.0]), 0) == pytest.approx(0.8)
    assert np.isnan(events.months_to_recovery(never, 0))
    assert np.isnan(events.first_month_fall(shocks(cut=np.zeros((1, 1, 2))),
                                            np.array([3.0, 1.0]), 0))


def test_error_bounds() -> None:
    assert events.error("price_multiple", 2.0, 3.0) == (1.5, True)
    assert events.error("price_multiple", 10.0, 5.0) == (2.0, False)
    assert events.error("first_month_fall", 0.8, 1.0) == (pytest.approx(-0.2), False)
    err, within = events.error("first_month_fall", 0.9, np.nan)
    assert np.isnan(err) and within is None


@pytest.fixture(scope="module")
def inputs(built: Path) -> baseline.BaselineInputs:
    return baseline.load_inputs(built)


CASES = [("CN-2023-GaGe", "KOR", 2022, "gallium"), ("CN-2023-GaGe", "USA", 2022, "germanium"),
         ("CN-2023-graphite", "KOR", 2022, "graphite"), ("CN-2024-Sb", "KOR", 2023, "antimony")]


@pytest.mark.parametrize(("scenario", "importer", "year", "mineral"), CASES)
def test_backtest_within_the_bounds(inputs: baseline.BaselineInputs, scenario: str,
                                    importer: str, year: int, mineral: str) -> None:
    table = events.backtest_event(scenario, importer, year, inputs)
    rows = table[table["mineral"].eq(mineral)].set_index("measure")
    fall = rows.loc["first_month_fall"]
    assert abs(fall["simulated"] - fall["observed"]) <= 0.15
    price = rows.loc["price_multiple"]
    if mineral == "graphite":  # no observed ex-China price: said so, not compared
        assert price["observed_basis"] == "not in the sources held"
        assert pd.isna(price["within"])
    else:
        assert price["within"], price.to_dict()
        assert 1 / 1.5 <= price["simulated"] / price["observed"] <= 1.5


def test_korea_germanium_is_not_computed_with_its_reason(inputs: baseline.BaselineInputs
                                                         ) -> None:
    table = events.backtest_event("CN-2023-GaGe", "KOR", 2022, inputs)
    ge = table[table["mineral"].eq("germanium")]
    assert ge["simulated"].isna().all()  # never a zero


def test_rank_usa(inputs: baseline.BaselineInputs) -> None:
    ids = ["CN-2023-GaGe", "CN-2024-Sb", "CN-2025-WTeBiMoIn"]
    losses = rank.scenario_losses(inputs, "USA", 2023, ids=ids, draws=500)
    table = rank.rank(losses)
    done = table[table["rank"].notna()]
    assert done["loss_mean_usd"].is_monotonic_decreasing
    assert done["rank"].tolist() == list(range(1, len(done) + 1))
    assert {"gallium", "germanium", "antimony"} <= set(done["mineral"])
    # the largest over the scenarios, never a sum of them
    for row in done.itertuples():
        mine = losses[losses["mineral"].eq(row.mineral)]
        assert row.loss_mean_usd == pytest.approx(mine["loss_mean_usd"].max())
    # the US's own values, from its own sources (USGS OFR 2024-1057 for gallium)
    ga = done.set_index("mineral").loc["gallium"]
    assert "OFR 2024-1057" in ga["value_at_risk_source"]
    assert "USA" in ga["value_at_risk_source"] or "US " in ga["value_at_risk_source"]
    # what could not be computed keeps its row and its reason, without a rank or a zero
    missing = table[table["rank"].isna()]
    assert set(missing["mineral"]) >= {"tellurium", "indium"}
    assert missing["not_computed"].str.len().gt(0).all()
    assert missing["loss_mean_usd"].isna().all()


def test_every_library_scenario_runs_for_five_importers(inputs: baseline.BaselineInputs
                                                        ) -> None:
    """Issue 14: KOR, USA, JPN, DEU and EU27; a group once; not computed = NaN + reason."""
    from minsec.scenarios import library, runner

    for scenario_id in library.ids():
        for importer in ("KOR", "USA", "JPN", "DEU", "EU27"):
            spec = library.get(scenario_id).replace(importer=importer, draws=100)
            summary = runner.run(spec, inputs, 2023).summary()
            assert summary["mineral"].is_unique, (scenario_id, importer)
            missing = summary["not_computed"].ne("")
            assert summary.loc[missing, "loss_mean_usd"].isna().all()
            assert (summary.loc[~missing, "loss_mean_usd"] >= 0).all(), (scenario_id, importer)
            assert summary.loc[~missing, "basis"].str.contains("contained t|curated|user").all()
            if "terbium" in spec.minerals:  # seven rare earths, one commodity
                assert summary["mineral"].tolist() == ["rare_earths"]
