"""The scenario engine on tiny hand-made baselines: analytic cases, conservation, properties."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsec.scenarios import engine as E
from minsec.scenarios.model import Baseline, Outcome, Policy, Shocks

YEAR = 365


def baseline(imports: list[list[float]], exports: list[list[float]],
             spare: list[list[float]] | None = None, demand: list[float] | None = None
             ) -> Baseline:
    """M minerals x S suppliers; world supply 10x the exports, elasticity -0.5, VaR 1000 $/t."""
    imp, exp = np.array(imports, float), np.array(exports, float)
    m, s = imp.shape
    return Baseline(
        importer="KOR", year=2023, minerals=tuple(f"m{i}" for i in range(m)),
        suppliers=tuple(f"s{j}" for j in range(s)), imports=imp, exports=exp,
        partner_exports=np.zeros((m, s)),
        spare_capacity=np.zeros((m, s)) if spare is None else np.array(spare, float),
        demand=imp.sum(axis=1) if demand is None else np.array(demand, float),
        world_supply=10 * exp.sum(axis=1), price=np.full(m, 500.0),
        elasticity=np.full(m, -0.5), value_at_risk=np.full(m, 1000.0), basis=("hand",) * m)


def policy(days: float, lag: float = 0.0, rate: float = 1.0, m: int = 1) -> Policy:
    return Policy(days_of_cover=np.full(m, days), release_lag=lag, release_rate=rate)


def one_cut(s: int, supplier: int = 0, cut: float = 1.0, start: float = 10.0,
            duration: float = 30.0, to_importer: float = 1.0, to_others: float = 1.0,
            **dynamics: float) -> Shocks:
    """One draw, one mineral: ``supplier`` cuts, the others do not (``dynamics``: ease, ...)."""
    given_ = {"cut": cut, "start": start, "duration": duration, "to_importer": to_importer,
              "to_others": to_others, **dynamics}
    a = {name: np.zeros((1, 1, s)) for name in given_}
    for name, value in given_.items():
        a[name][0, 0, supplier] = value
    if "ease" in a:
        a["ease"][0, 0, [j for j in range(s) if j != supplier]] = E.NEVER
    return Shocks(**a)


def events(b: Baseline, probability: float = 0.5) -> E.EventArrays:
    """Every mineral: supplier 0 cuts to all, supplier 1 (if any) to the importer only."""
    m, s = b.imports.shape
    rows = [(i, j) for i in range(m) for j in range(min(s, 2))]
    k = len(rows)
    mask = np.zeros((k, s), bool)
    mask[np.arange(k), [j for _, j in rows]] = True
    return E.EventArrays(
        n_minerals=m, mineral=np.array([i for i, _ in rows]), suppliers=mask,
        probability=np.full(k, probability), magnitude_low=np.full(k, 0.2),
        magnitude_high=np.ones(k), duration_low=np.full(k, 5.0), duration_high=np.full(k, 200.0),
        start_low=np.zeros(k), start_high=np.full(k, 300.0),
        to_importer=np.ones(k), to_others=np.array([1.0 - j for _, j in rows]))


TWO = baseline([[100.0, 50.0], [10.0, 30.0]], [[1000.0, 500.0], [40.0, 300.0]],
               spare=[[0.0, 200.0], [30.0, 10.0]], demand=[180.0, 45.0])


def assert_same(a: Outcome, b: Outcome) -> None:
    for f in fields(Outcome):
        np.testing.assert_array_equal(getattr(a, f.name), getattr(b, f.name), err_msg=f.name)


# --- analytic cases --------------------------------------------------------------------------

@pytest.mark.parametrize("days", [1, 30, 100, 355])
def test_full_cut_without_stock_leaves_imports_times_days_unmet(days: int) -> None:
    b = baseline([[100.0]], [[400.0]])  # the only supplier stops: we lose our 100 of 400
    out = E.simulate(b, one_cut(1, start=10, duration=days), policy(0.0))
    assert out.unmet[0, 0] == pytest.approx(100.0 * days / YEAR, rel=1e-12)
    assert out.days_short[0, 0] == days
    assert out.lost_value_added[0, 0] == pytest.approx(1000.0 * 100.0 * days / YEAR, rel=1e-12)
    # price: the market loses days/365 of a year's supply; (1 - g)^(-1/0.5), eta = 0.5
    multiple = (1 - days / YEAR) ** -2.0
    assert out.price_jump[0, 0] == pytest.approx(multiple - 1, rel=1e-12)
    bought = 100.0 - 100.0 * days / YEAR
    assert out.extra_cost[0, 0] == pytest.approx((multiple - 1) * 500.0 * bought, rel=1e-12)
    assert out.loss[0, 0] == pytest.approx(out.extra_cost[0, 0] + out.lost_value_added[0, 0])


def test_cut_beyond_the_horizon_counts_only_the_days_inside() -> None:
    b = baseline([[100.0]], [[100.0]])
    out = E.simulate(b, one_cut(1, start=300, duration=200), policy(0.0))
    assert out.unmet[0, 0] == pytest.approx(100.0 * 65 / YEAR, rel=1e-12)


def test_fractional_days_are_felt_on_the_whole_days_they_cover() -> None:
    b = baseline([[100.0, 20.0]], [[1000.0, 300.0]], spare=[[0.0, 450.0]])
    shocks = one_cut(2, start=10.4, duration=20.3)  # active on days 11..30
    out, trace = E.simulate(b, shocks, policy(5.0, lag=2.5), trace=True)
    assert out.unmet[0, 0] == pytest.approx(trace.unmet.sum(), rel=1e-12)
    assert out.days_short[0, 0] == (trace.unmet > 0).sum()
    assert np.flatnonzero(trace.supply[0, 0] < b.demand[0] / YEAR).tolist() == list(range(11, 31))


def test_enough_stock_and_no_lag_leave_nothing_unmet() -> None:
    b = baseline([[100.0]], [[100.0]])
    out = E.simulate(b, one_cut(1, duration=60), policy(60.0, lag=0))
    assert out.unmet[0, 0] == 0.0
    assert out.days_short[0, 0] == 0
    assert out.released[0, 0] == pytest.approx(100.0 * 60 / YEAR, rel=1e-12)
    assert out.min_stock[0, 0] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("lag", [1, 8, 30, 7.2])
def test_release_lag_leaves_the_first_lag_days_unmet(lag: float) -> None:
    b = baseline([[100.0]], [[100.0]])
    out = E.simulate(b, one_cut(1, duration=60), policy(100.0, lag=lag))
    days = np.ceil(lag)  # whole days: a lag of 7.2 days reaches firms on the 8th day
    assert out.unmet[0, 0] == pytest.approx(100.0 * days / YEAR, rel=1e-12)
    assert out.days_short[0, 0] == days


def test_stock_runs_out_after_its_days_of_cover() -> None:
    b = baseline([[100.0]], [[100.0]])
    out = E.simulate(b, one_cut(1, duration=90), policy(54.0, lag=8))
    assert out.released[0, 0] == pytest.approx(100.0 * 54 / YEAR, rel=1e-12)
    assert out.unmet[0, 0] == pytest.approx(100.0 * (90 - 54) / YEAR, rel=1e-12)
    assert out.days_short[0, 0] == 90 - 54
    assert out.min_stock[0, 0] == pytest.approx(0.0, abs=1e-12)


def test_release_rate_caps_the_daily_release() -> None:
    b = baseline([[100.0]], [[100.0]])
    out = E.simulate(b, one_cut(1, duration=40), policy(365.0, lag=0, rate=0.25))
    assert out.unmet[0, 0] == pytest.approx(0.75 * 100.0 * 40 / YEAR, rel=1e-12)
    assert out.days_short[0, 0] == 40


def test_a_market_cut_is_shared_by_every_buyer_in_proportion_to_its_purchases() -> None:
    # s0 (1000 t/yr) stops all exports; s1 can add 450 t/yr. The market of 1300 t/yr is 550
    # short; we buy 120 of the 1300, so we are 550 x 120/1300 t/yr short for 73 days.
    b = baseline([[100.0, 20.0]], [[1000.0, 300.0]], spare=[[0.0, 450.0]])
    out = E.simulate(b, one_cut(2, duration=73), policy(0.0))
    assert out.unmet[0, 0] == pytest.approx(550.0 * 120 / 1300 * 73 / YEAR, rel=1e-12)
    g = 550.0 * 73 / YEAR / 1300.0
    assert out.price_jump[0, 0] == pytest.approx((1 - g) ** -2.0 - 1, rel=1e-12)


def test_cut_aimed_only_at_the_importer_is_replaced_by_spare_and_diverted_sales() -> None:
    b = baseline([[100.0, 20.0]], [[1000.0, 20.0]], spare=[[0.0, 60.0]])
    out = E.simulate(b, one_cut(2, duration=73, to_others=0.0), policy(0.0))
    assert out.unmet[0, 0] == pytest.approx(40.0 * 73 / YEAR, rel=1e-12)
    more = baseline([[100.0, 20.0]], [[1000.0, 50.0]], spare=[[0.0, 60.0]])  # 30 to divert
    out = E.simulate(more, one_cut(2, duration=73, to_others=0.0), policy(0.0))
    assert out.unmet[0, 0] == pytest.approx(10.0 * 73 / YEAR, rel=1e-12)


def test_idle_capacity_arrives_in_steps_over_the_ramp() -> None:
    # s1's 450 t/yr arrive a quarter at a time over 100 days: 0, 112.5, 225, 337.5, then 450
    b = replace(baseline([[100.0, 20.0]], [[1000.0, 300.0]], spare=[[0.0, 450.0]]),
                ramp_days=np.array([100.0]))
    out, trace = E.simulate(b, one_cut(2, start=0, duration=200), policy(0.0), trace=True)
    share = 120 / 1300
    gaps = [1000.0 - 450.0 * k / 4 for k in range(5)]
    expected = share * (sum(25 * g for g in gaps[:4]) + 100 * gaps[4]) / YEAR
    assert out.unmet[0, 0] == pytest.approx(expected, rel=1e-12)
    assert out.unmet[0, 0] == pytest.approx(trace.unmet.sum(), rel=1e-9)


def test_licences_ease_the_cut_to_its_residual() -> None:
    b = baseline([[100.0]], [[400.0]])
    out = E.simulate(b, one_cut(1, start=0, duration=100, ease=51, residual=0.25), policy(0.0))
    assert out.unmet[0, 0] == pytest.approx(100.0 * (51 + 0.25 * 49) / YEAR, rel=1e-12)


def test_leakage_lets_part_of_the_withheld_flows_through() -> None:
    b = baseline([[100.0]], [[400.0]])
    out = E.simulate(b, one_cut(1, start=0, duration=100, leakage=0.3), policy(0.0))
    assert out.unmet[0, 0] == pytest.approx(0.7 * 100.0 * 100 / YEAR, rel=1e-12)


def test_what_firms_bought_ahead_is_drawn_like_stock() -> None:
    b = baseline([[100.0]], [[400.0]])
    out = E.simulate(b, one_cut(1, start=0, duration=100, front_run=30), policy(0.0))
    assert out.released[0, 0] == pytest.approx(100.0 * 30 / YEAR, rel=1e-12)
    assert out.unmet[0, 0] == pytest.approx(100.0 * 70 / YEAR, rel=1e-12)


def test_the_price_multiple_is_bounded_by_its_cap() -> None:
    b = replace(baseline([[100.0]], [[400.0]]), price_cap=np.array([3.0]))
    out = E.simulate(b, one_cut(1, start=0, duration=365), policy(0.0))
    assert out.price_jump[0, 0] == pytest.approx(2.0)


def test_market_shortfalls_of_all_buyers_add_up_to_the_gap() -> None:
    # three importers share one market of 1300 t/yr; whatever each buys, the gap is shared
    buys = [[100.0, 20.0], [500.0, 80.0], [400.0, 200.0]]
    total = np.array(buys).sum(axis=0)
    short = 0.0
    for b_ in buys:
        b = baseline([b_], [list(total)], spare=[[0.0, 150.0]])
        short += E.simulate(b, one_cut(2, start=0, duration=365), policy(0.0)).unmet[0, 0]
    assert short == pytest.approx(1000.0 - 150.0, rel=1e-12)


# --- conservation and the two integrations ---------------------------------------------------

def sampled(b: Baseline, n: int = 64, seed: int = 3, probability: float = 0.6) -> Shocks:
    return E.sample(np.random.default_rng(seed), n, events(b, probability))


def test_mass_is_conserved_every_day_of_every_draw() -> None:
    _, trace = E.simulate(TWO, sampled(TWO), policy(20.0, lag=8, rate=0.7, m=2), trace=True)
    daily = (TWO.demand / YEAR)[None, :, None]
    np.testing.assert_allclose(trace.supply + trace.release + trace.unmet,
                               np.broadcast_to(daily, trace.unmet.shape), rtol=1e-12)
    assert (trace.unmet >= -1e-12).all()
    assert (trace.release >= 0).all()
    assert (trace.stock >= -1e-12).all()


@pytest.mark.parametrize(("days", "lag", "rate"), [(0, 0, 1), (20, 8, 0.7), (5, 0, 2), (90, 30, 1)])
def test_event_integration_equals_the_daily_loop(days: float, lag: float, rate: float) -> None:
    out, trace = E.simulate(TWO, sampled(TWO, n=200), policy(days, lag, rate, m=2), trace=True)
    np.testing.assert_allclose(out.unmet, trace.unmet.sum(axis=-1), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(out.released, trace.release.sum(axis=-1), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(out.min_stock, trace.stock.min(axis=-1), rtol=1e-9, atol=1e-9)
    tol = E.ZERO_TOL * (TWO.demand / YEAR)[None, :, None]
    np.testing.assert_array_equal(out.days_short, (trace.unmet > tol).sum(axis=-1))


def test_zero_probability_reproduces_the_baseline() -> None:
    out = E.run_local(TWO, events(TWO, probability=0.0), policy(10.0, m=2), 1500, seed=1)
    for name in ("unmet", "days_short", "released", "price_jump", "loss", "extra_cost",
                 "shortfall"):
        assert (getattr(out, name) == 0).all(), name
    np.testing.assert_array_equal(out.min_stock, np.broadcast_to(10 * TWO.demand / YEAR,
                                                                 (1500, 2)))


# --- sampling --------------------------------------------------------------------------------

def test_sample_draws_within_the_ranges_and_with_the_probability() -> None:
    ev = events(TWO, probability=0.3)
    shocks = E.sample(np.random.default_rng(0), 20_000, ev)
    hit = shocks.cut[:, 0, 0] > 0
    assert hit.mean() == pytest.approx(0.3, abs=0.02)
    assert shocks.cut[hit, 0, 0].min() >= 0.2
    assert shocks.cut.max() <= 1.0
    assert set(np.unique(shocks.duration[hit, 0, 0])) <= set(range(5, 201))
    assert (shocks.start[hit, 0, 0] % 1 == 0).all()
    assert (shocks.to_others[:, 0, 1] == 0).all()  # supplier 1: the importer only


def test_overlapping_events_keep_the_larger_cut_with_its_days() -> None:
    one = np.ones(2)
    ev = E.EventArrays(
        n_minerals=1, mineral=np.zeros(2, np.intp), suppliers=np.ones((2, 1), bool),
        probability=one, magnitude_low=np.array([0.4, 0.9]), magnitude_high=np.array([0.4, 0.9]),
        duration_low=np.array([10.0, 20.0]), duration_high=np.array([10.0, 20.0]),
        start_low=np.array([5.0, 50.0]), start_high=np.array([5.0, 50.0]), to_importer=one,
        to_others=np.array([1.0, 0.0]))
    shocks = E.sample(np.random.default_rng(0), 3, ev)
    np.testing.assert_array_equal(shocks.cut, 0.9)
    np.testing.assert_array_equal(shocks.start, 50.0)
    np.testing.assert_array_equal(shocks.duration, 20.0)
    np.testing.assert_array_equal(shocks.to_others, 0.0)


# --- seeds, chunks and backends --------------------------------------------------------------

def test_same_seed_same_result_whatever_the_chunking() -> None:
    ev, pol = events(TWO), policy(20.0, lag=8, m=2)
    runs = [E.run_local(TWO, ev, pol, 4_500, seed=42, chunk=c) for c in (1_000, 2_000, 10_000)]
    assert_same(runs[0], runs[1])
    assert_same(runs[0], runs[2])
    first = E.run_local(TWO, ev, pol, 2_000, seed=42)  # a prefix of the blocks is the same
    np.testing.assert_array_equal(first.unmet, runs[0].unmet[:2_000])
    other = E.run_local(TWO, ev, pol, 4_500, seed=43)
    assert not np.array_equal(other.unmet, runs[0].unmet)


def test_block_streams_are_the_spawned_seed_sequences() -> None:
    spawned = np.random.SeedSequence(42).spawn(5)[3]
    direct = np.random.SeedSequence(42, spawn_key=(3,))
    assert (spawned.generate_state(4) == direct.generate_state(4)).all()


def test_chunk_must_be_whole_blocks() -> None:
    with pytest.raises(ValueError, match="multiple of BLOCK"):
        E.run_local(TWO, events(TWO), policy(0, m=2), 3_000, seed=1, chunk=1_500)


def test_dask_local_cluster_is_bit_identical_to_the_local_run() -> None:
    pytest.importorskip("distributed")
    from minsec.scenarios.backends import run_dask

    ev, pol = events(TWO), policy(20.0, lag=8, m=2)
    local = E.run_local(TWO, ev, pol, 3_500, seed=7, chunk=2_000)
    assert_same(run_dask(TWO, ev, pol, 3_500, seed=7, address="local"), local)


# --- monotonicity (properties) ---------------------------------------------------------------

positive = st.floats(0.0, 1000.0, allow_nan=False)
setting = st.fixed_dictionaries({
    "imports": st.lists(positive, min_size=3, max_size=3),
    "others": st.lists(positive, min_size=3, max_size=3),
    "spare": st.lists(positive, min_size=3, max_size=3),
    "days": st.floats(0.0, 120.0), "lag": st.integers(0, 60), "rate": st.floats(0.0, 2.0),
    "seed": st.integers(0, 2**32 - 1)})


def case(x: dict) -> tuple[Baseline, Shocks]:
    imp = np.array(x["imports"])
    b = baseline([list(imp)], [list(imp + np.array(x["others"]))], spare=[x["spare"]],
                 demand=[imp.sum() + 1.0])
    return b, E.sample(np.random.default_rng(x["seed"]), 16, events(b, probability=0.8))


def unmet(b: Baseline, shocks: Shocks, days: float, lag: float, rate: float) -> np.ndarray:
    return E.simulate(b, shocks, policy(days, lag, rate)).unmet


@settings(max_examples=60, deadline=None)
@given(setting, st.floats(0.0, 200.0))
def test_more_stock_never_increases_unmet(x: dict, more: float) -> None:
    b, shocks = case(x)
    less = unmet(b, shocks, x["days"], x["lag"], x["rate"])
    assert (unmet(b, shocks, x["days"] + more, x["lag"], x["rate"]) <= less + 1e-9).all()


@settings(max_examples=60, deadline=None)
@given(setting, st.integers(0, 60))
def test_shorter_lag_never_increases_unmet(x: dict, shorter: int) -> None:
    b, shocks = case(x)
    late = unmet(b, shocks, x["days"], x["lag"], x["rate"])
    early = unmet(b, shocks, x["days"], max(x["lag"] - shorter, 0), x["rate"])
    assert (early <= late + 1e-9).all()


@settings(max_examples=60, deadline=None)
@given(setting, st.lists(positive, min_size=3, max_size=3))
def test_more_spare_capacity_never_increases_unmet(x: dict, extra: list[float]) -> None:
    b, shocks = case(x)
    more = replace(b, spare_capacity=b.spare_capacity + np.array([extra]))
    before = unmet(b, shocks, x["days"], x["lag"], x["rate"])
    assert (unmet(more, shocks, x["days"], x["lag"], x["rate"]) <= before + 1e-9).all()


@settings(max_examples=100, deadline=None)
@given(setting)
def test_event_integration_equals_the_daily_loop_on_any_case(x: dict) -> None:
    b, shocks = case(x)
    out, trace = E.simulate(b, shocks, policy(x["days"], x["lag"], x["rate"]), trace=True)
    np.testing.assert_allclose(out.unmet, trace.unmet.sum(axis=-1), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(out.min_stock, trace.stock.min(axis=-1), rtol=1e-9, atol=1e-9)
    tol = E.ZERO_TOL * (b.demand / YEAR)[None, :, None]
    np.testing.assert_array_equal(out.days_short, (trace.unmet > tol).sum(axis=-1))
