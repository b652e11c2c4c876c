"""Project selection MILP and stockpile LP: brute force, edge cases, a hand-solved case."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from minsec.errors import MinsecError
from minsec.portfolio import optimise as opt
from minsec.portfolio import stockpile as sp

MINERALS = ("graphite", "nickel", "gallium")
REGIONS = ("africa", "americas", "southeast_asia")
STAGES = ("mining", "processing", "recycling")


def instance(seed: int, n: int = 12, draws: int = 40) -> tuple[np.ndarray, np.ndarray,
                                                                   pd.DataFrame]:
    """A seeded random instance: unmet draws, value at risk, ``n`` candidates."""
    rng = np.random.default_rng(seed)
    unmet = rng.gamma(0.6, 800, (draws, len(MINERALS))) * (rng.random((draws, 3)) < 0.6)
    var = rng.uniform(1e3, 2e4, len(MINERALS))
    cands = pd.DataFrame({
        "id": [f"P{i}" for i in range(n)],
        "mineral": rng.choice(MINERALS, n), "capacity_t": rng.uniform(100, 1500, n),
        "capex_usd": rng.uniform(5e6, 5e7, n).round(), "p_production": rng.uniform(0.3, 1, n),
        "region": rng.choice(REGIONS, n), "stage": rng.choice(STAGES, n),
        "country": rng.choice(["TZA", "BRA", "IDN", "AUS"], n)})
    return unmet, var, cands


def brute_force(unmet: np.ndarray, var: np.ndarray, cands: pd.DataFrame, budget: float,
                horizon: float) -> float:
    """The best avoided loss over every subset that fits the budget."""
    dm, member = opt.delivered(cands, horizon), opt._membership(cands, MINERALS)
    capex, best = cands["capex_usd"].to_numpy(), 0.0
    for k in range(len(cands) + 1):
        for subset in itertools.combinations(range(len(cands)), k):
            x = np.zeros(len(cands))
            x[list(subset)] = 1
            if capex @ x <= budget:
                best = max(best, opt.avoided_loss(unmet, var, member @ (dm * x)))
    return best


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("form", ["segments", "extensive"])
def test_milp_equals_brute_force(seed: int, form: str) -> None:
    unmet, var, cands = instance(seed)
    budget = cands["capex_usd"].sum() * 0.35
    sel = opt.optimise(unmet, var, MINERALS, cands, budget, horizon_days=180, form=form)
    best = brute_force(unmet, var, cands, budget, 180)
    assert sel.loss_before - sel.loss_after == pytest.approx(best, rel=1e-6)
    assert sel.capex <= budget


@pytest.mark.parametrize("form", ["segments", "extensive"])
def test_mineral_never_short_is_fine(form: str) -> None:
    unmet, var, cands = instance(5)
    unmet[:, -1] = 0.0  # the last mineral has no segments at all
    sel = opt.optimise(unmet, var, MINERALS, cands, 1e8, form=form)
    assert sel.loss_before - sel.loss_after == pytest.approx(
        brute_force(unmet, var, cands, 1e8, 365), rel=1e-6)


def test_budget_zero_chooses_nothing() -> None:
    unmet, var, cands = instance(7)
    sel = opt.optimise(unmet, var, MINERALS, cands, 0.0)
    assert sel.chosen == ()
    assert sel.loss_after == pytest.approx(sel.loss_before)
    assert sel.risk_cut_per_usd == 0.0


def test_infeasible_quota_names_the_constraint() -> None:
    unmet, var, cands = instance(8)
    cands.loc[cands["region"] == "southeast_asia", "capex_usd"] = 9e9
    with pytest.raises(MinsecError, match=r"region quota southeast_asia ≥ 1: no candidate in "
                                          r"southeast_asia fits the budget"):
        opt.optimise(unmet, var, MINERALS, cands, 1e8, region_min={"southeast_asia": 1})


def test_quota_is_honoured() -> None:
    unmet, var, cands = instance(9)
    sel = opt.optimise(unmet, var, MINERALS, cands, 6e7, region_min={"southeast_asia": 2},
                       stage_min={"recycling": 1})
    chosen = sel.table[sel.table["chosen"]]
    assert (chosen["region"] == "southeast_asia").sum() >= 2
    assert (chosen["stage"] == "recycling").sum() >= 1


def test_country_cap_limits_share() -> None:
    unmet, var, cands = instance(10)
    sel = opt.optimise(unmet, var, MINERALS, cands, 2e8, max_country_share=0.7)
    chosen = sel.table[sel.table["chosen"]]
    for _, group in chosen.groupby("mineral"):
        shares = group.groupby("country")["delivered_t"].sum() / group["delivered_t"].sum()
        assert shares.max() <= 0.7 + 1e-9


def test_monotone_in_budget() -> None:
    unmet, var, cands = instance(11)
    cuts = [opt.optimise(unmet, var, MINERALS, cands, b).loss_after
            for b in np.linspace(0, cands["capex_usd"].sum(), 8)]
    assert all(a >= b - 1e-6 for a, b in itertools.pairwise(cuts))
    assert cuts[-1] < cuts[0]


def test_shadow_price_non_negative() -> None:
    unmet, var, cands = instance(12)
    sel = opt.optimise(unmet, var, MINERALS, cands, 3e7)
    assert sel.budget_shadow_price >= 0


def test_what_if_sign() -> None:
    unmet, var, cands = instance(13)
    project = cands["id"].iloc[0]
    out = opt.what_if(project, unmet, var, MINERALS, cands,
                      import_row={"imports_t": 10_000.0, "china_t": 9_000.0})
    assert out["delta_unmet_t"] <= 0
    assert out["delta_loss_usd"] <= 0
    assert out["delta_china_points"] < 0
    row = cands.iloc[0]
    added = row["capacity_t"] * row["p_production"]
    assert out["china_share_after"] == pytest.approx(9_000 / (10_000 + added))


def test_bad_candidate_row_is_named() -> None:
    unmet, var, cands = instance(14)
    cands.loc[3, "capacity_t"] = -5
    with pytest.raises(MinsecError, match=r"row 4 \(P3\): capacity_t"):
        opt.optimise(unmet, var, MINERALS, cands, 1e8)
    cands.loc[3, "capacity_t"] = 5
    cands.loc[2, "mineral"] = "unobtainium"
    with pytest.raises(MinsecError, match="row 3.*unobtainium"):
        opt.optimise(unmet, var, MINERALS, cands, 1e8)


def test_stockpile_hand_solved_two_minerals() -> None:
    # A: unmet (10, 0), VaR 100/t, 1 USD/t -> 50 USD avoided per USD for the first 10 t.
    # B: unmet (4, 4), VaR 60/t, 1 USD/t -> 60 USD per USD for the first 4 t: buy B first.
    # Budget 6: B = 4 t, A = 2 t. Loss: before (1000 + 480)/2 = 740, after 800/2 = 400.
    unmet = np.array([[10.0, 4.0], [0.0, 4.0]])
    plan = sp.plan(unmet, np.array([100.0, 60.0]), ("a", "b"), price=np.array([1.0, 1.0]),
                   demand=np.array([36.5, 73.0]), budget=6.0, holding_rate=0.0)
    assert plan.table["tonnes"].to_numpy() == pytest.approx([2.0, 4.0])
    assert plan.loss_none == pytest.approx(740.0)
    assert plan.loss_plan == pytest.approx(400.0)
    # Uniform 100 days: (10, 20) t cost 30 USD; scaled to 6 USD -> (2, 4) t, the same here.
    assert plan.table["tonnes_uniform"].to_numpy() == pytest.approx([2.0, 4.0])


def test_stockpile_holding_cost_and_uniform_worse() -> None:
    unmet = np.array([[10.0, 4.0], [0.0, 4.0]])
    plan = sp.plan(unmet, np.array([100.0, 60.0]), ("a", "b"), price=np.array([1.0, 1.0]),
                   demand=np.array([73.0, 36.5]), budget=6.3, holding_rate=0.05, years=1.0)
    assert plan.table["unit_cost_usd"].to_numpy() == pytest.approx([1.05, 1.05])
    assert plan.table["tonnes"].to_numpy() == pytest.approx([2.0, 4.0])
    assert plan.loss_uniform > plan.loss_plan  # uniform buys (4, 2) t: 600/2 + 240/2
    assert plan.loss_uniform == pytest.approx(420.0)


def test_loss_before_is_the_expected_loss_without_projects() -> None:
    unmet = np.array([[10.0, 0.0], [30.0, 4.0]])
    var = np.array([2.0, 5.0])
    cands = pd.DataFrame({"id": ["a"], "mineral": ["m0"], "capacity_t": [365.0],
                          "capex_usd": [1.0], "p_production": [0.05], "region": ["Africa"],
                          "stage": ["mining"], "country": ["TZA"]})
    choice = opt.optimise(unmet, var, ["m0", "m1"], cands, budget=10)
    assert choice.loss_before == pytest.approx((10 * 2 + 30 * 2 + 4 * 5) / 2)  # 50 USD
    # the project delivers 365 x 0.05 = 18.25 t: all 10 t of draw 0, 18.25 of 30 in draw 1
    assert choice.loss_after == pytest.approx(50 - (10 * 2 + 18.25 * 2) / 2)
