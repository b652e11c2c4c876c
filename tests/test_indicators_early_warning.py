"""Early warning (market-balance index after KOMIR's MBI): bands, fixtures, properties, store."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsec.indicators import early_warning as ew

S = pd.Series


# --- bands ------------------------------------------------------------------------------------

# KOMIR MBI bands (methods.md §5.3): crisis 0-1, unstable 0-5, caution 5-20, stable 20-80,
# oversupply 80-100; our convention: lower edge inclusive, 100 in oversupply.
@pytest.mark.parametrize(("index", "expected"), [
    (0, "crisis"), (0.999, "crisis"), (1, "unstable"), (4.999, "unstable"), (5, "caution"),
    (19.999, "caution"), (20, "stable"), (79.999, "stable"), (80, "oversupply"),
    (100, "oversupply")])
def test_band_edges(index: float, expected: str) -> None:
    assert ew.band(index) == expected
    assert ew.band(S([index])).tolist() == [expected]


def test_band_missing_and_out_of_range() -> None:
    assert ew.band(float("nan")) is None
    assert ew.band(S([np.nan, 50.0])).tolist() == [None, "stable"]
    for bad in (-0.1, 100.1):
        with pytest.raises(ValueError, match="0..100"):
            ew.band(bad)


# --- the index by hand ------------------------------------------------------------------------

def test_index_by_hand() -> None:
    # Pressures: price 0.5, production 2 500/10 000 = 0.25, imports 5 000/10 000 = 0.5,
    # growth 0 -> 0.5; weights 0.4, 0.2, 0.2, 0.2:
    # MBI = 100 * 0.5^0.4 * 0.75^0.2 * 0.5^0.2 * 0.5^0.2 = 100 * 0.5^0.8 * 0.75^0.2 = 54.22...
    got = ew.market_balance_index(S([0.5]), S([2500.0]), S([5000.0]), S([0.0]))
    assert got.iloc[0] == pytest.approx(100 * 0.5**0.8 * 0.75**0.2)
    assert ew.band(got).iloc[0] == "stable"


def test_missing_price_renormalises_the_weights() -> None:
    # No price (a mineral outside the Pink Sheet): the three others weigh 1/3 each.
    got = ew.market_balance_index(S([np.nan]), S([2500.0]), S([5000.0]), S([0.0]))
    assert got.iloc[0] == pytest.approx(100 * (0.75 * 0.5 * 0.5) ** (1 / 3))
    used = ew.inputs_used(S([np.nan]), S([2500.0]), S([5000.0]), S([0.0]))
    assert used.iloc[0] == "production_hhi,import_hhi,import_growth"


def test_too_few_inputs_is_missing_not_a_value() -> None:
    one = ew.market_balance_index(S([np.nan]), S([9000.0]), S([np.nan]), S([np.nan]))
    assert np.isnan(one.iloc[0])
    assert ew.inputs_used(S([np.nan]), S([9000.0]), S([np.nan]), S([np.nan])).iloc[0] == (
        "production_hhi")
    assert ew.market_balance_index(S([np.nan]), S([9000.0]), S([np.nan]), S([np.nan]),
                                   min_inputs=1).iloc[0] == pytest.approx(100 * 0.1)


def test_a_sole_supplier_caps_but_does_not_zero_the_index() -> None:
    # Production HHI 10 000 (slack floored at 0.005), import HHI 0 (slack 1), 1/2 each:
    # 100 * 0.005^0.5 = 7.07 (caution); only every input saturated reaches crisis (0.5).
    got = ew.market_balance_index(S([np.nan, 1.0]), S([10_000.0, 10_000.0]),
                                  S([0.0, 10_000.0]), S([np.nan, 1.0]))
    assert got.tolist() == pytest.approx([100 * 0.005**0.5, 0.5])
    assert ew.band(got).tolist() == ["caution", "crisis"]


def test_weights() -> None:
    only_price = {"price_signal": 1.0}
    got = ew.market_balance_index(S([0.2, np.nan]), S([5000.0, 5000.0]), S([0.0, 0.0]),
                                  S([0.0, 0.0]), weights=only_price, min_inputs=1)
    assert got.iloc[0] == pytest.approx(80.0) and np.isnan(got.iloc[1])
    with pytest.raises(ValueError, match="weights"):
        ew.market_balance_index(S([0.2]), S([1.0]), S([1.0]), S([0.0]),
                                weights={"price_signal": -1.0})


def test_market_balance_adds_index_band_and_inputs() -> None:
    table = pd.DataFrame({"mineral": ["a", "b"], "price_signal": [0.5, np.nan],
                          "production_hhi": [2500.0, 2500.0], "import_hhi": [5000.0, 5000.0],
                          "import_growth": [0.0, 0.0]})
    out = ew.market_balance(table)
    assert out["band"].tolist() == ["stable", "stable"]
    assert out["inputs"].tolist() == ["price_signal,production_hhi,import_hhi,import_growth",
                                      "production_hhi,import_hhi,import_growth"]


# --- monotonicity -----------------------------------------------------------------------------

maybe = st.one_of(st.none(), st.floats(min_value=0, max_value=1))


def _index(values: list[float | None]) -> float:
    price, prod, imp, growth = (np.nan if v is None else v for v in values)
    return float(ew.market_balance_index(S([price]), S([prod * 10_000]), S([imp * 10_000]),
                                         S([growth * 4 - 2]), min_inputs=1).iloc[0])


@settings(max_examples=150)
@given(st.lists(maybe, min_size=4, max_size=4), st.integers(0, 3),
       st.floats(min_value=0, max_value=1), st.floats(min_value=0, max_value=1))
def test_more_pressure_never_raises_the_index(values: list[float | None], which: int,
                                              a: float, b: float) -> None:
    low, high = sorted((a, b))
    lower, higher = list(values), list(values)
    lower[which], higher[which] = low, high
    assert _index(higher) <= _index(lower) + 1e-9
    assert 0 <= _index(higher) <= 100


# --- price signal by hand ---------------------------------------------------------------------

def _prices(months: int = 72, start: str = "2018-01-01") -> pd.DataFrame:
    # p_t = 100 exp(0.01 t + 0.02 (-1)^t): monthly log returns alternate 0.05, -0.03.
    t = np.arange(months)
    period = pd.date_range(start, periods=months, freq="MS")
    return pd.DataFrame({"mineral": "m", "period": period,
                         "value": 100 * np.exp(0.01 * t + 0.02 * (-1.0) ** t)})


def test_price_signal_by_hand() -> None:
    out = ew.price_signal(_prices()).set_index("year")
    assert list(out.index) == [2018, 2019, 2020, 2021, 2022, 2023]
    assert out["period"].dt.month.eq(12).all()
    # 12-month change exp(0.12) - 1; returns +-0.04 around 0.01, sample sd (ddof 1):
    # 12 months sqrt(12 * 0.0016 / 11), 60 months sqrt(60 * 0.0016 / 59), both times sqrt(12).
    vol = math.sqrt(12 * 0.0016 / 11) * math.sqrt(12)
    base = math.sqrt(60 * 0.0016 / 59) * math.sqrt(12)
    z, v = 0.12 / base, vol / base
    row = out.loc[2023]
    assert row["change_12m"] == pytest.approx(math.exp(0.12) - 1)
    assert row["volatility"] == pytest.approx(vol)
    assert row["baseline_volatility"] == pytest.approx(base)
    assert row["signal"] == pytest.approx((2 / (1 + math.exp(-z)) + v / (1 + v)) / 3)
    assert out.loc[:2021, "signal"].isna().all()  # fewer than 50 of 60 returns: no signal
    assert out.loc[2022:, "signal"].notna().all()


def test_a_missing_month_leaves_a_gap_not_a_fill() -> None:
    prices = _prices()
    gap = prices.assign(value=prices["value"].where(prices["period"] != "2023-06-01"))
    out = ew.price_signal(gap).set_index("year")
    assert out.loc[2023, "signal"] == pytest.approx(
        ew.price_signal(prices).set_index("year").loc[2023, "signal"], abs=0.02)


def test_import_sources_by_hand() -> None:
    # KOR: 2022 A 60, B 40 -> HHI 3 600 + 1 600 = 5 200; 2023 A 30 + 20, B 25, C 25
    # -> HHI 2 500 + 625 + 625 = 3 750, imports 100 vs 100: growth 0. JPN rows are ignored.
    flows = pd.DataFrame({
        "year": [2022, 2022, 2023, 2023, 2023, 2023, 2023],
        "exporter": ["A", "B", "A", "A", "B", "C", "A"],
        "importer": ["KOR"] * 6 + ["JPN"], "mineral": "m", "stage": "mining",
        "value": [60.0, 40.0, 30.0, 20.0, 25.0, 25.0, 999.0]})
    out = ew.import_sources(flows, "KOR").set_index("year")
    assert out["import_hhi"].tolist() == pytest.approx([5200, 3750])
    assert np.isnan(out.loc[2022, "import_growth"]) and out.loc[2023, "import_growth"] == 0.0


# --- the real store ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def inputs(built: Path) -> dict[str, pd.DataFrame]:
    return ew.load_inputs(built)


def test_nickel_price_fall_lowers_the_price_pressure(inputs: dict[str, pd.DataFrame]) -> None:
    # IEA Global Critical Minerals Outlook 2024: cobalt, nickel and graphite prices fell by
    # 30-45% in 2023 (methods.md §4.2). The Pink Sheet nickel price (LME cash) fell from
    # Dec 2022 to Dec 2023 by 43% (we assert the IEA's range); the 2022 signal, after the
    # 2022 LME squeeze, is tight (> 0.6) and 2023's is loose (< 0.3), 2024 still below neutral.
    out = ew.price_signal(inputs["prices"])
    nickel = out[out["mineral"].eq("nickel")].set_index("year")
    assert -0.45 <= nickel.loc[2023, "change_12m"] <= -0.30
    assert nickel.loc[2022, "signal"] > 0.6 > 0.3 > nickel.loc[2023, "signal"]
    assert nickel.loc[2024, "signal"] < 0.5
    assert set(out["mineral"]) == {"aluminium", "copper", "lead", "tin", "nickel", "zinc",
                                   "iron_ore", "gold", "silver", "platinum", "phosphate_rock",
                                   "potash"}


def test_korea_index_on_the_real_store(inputs: dict[str, pd.DataFrame]) -> None:
    out = ew.assemble(**inputs, importer="KOR").set_index(["mineral", "year"])
    valid = out["mbi"].dropna()
    assert valid.between(0, 100).all() and not valid.empty
    assert out.loc[valid.index, "band"].notna().all()
    # Nickel: with the 2023 price fall the index rises (more balanced) from 2022.
    assert out.loc[("nickel", 2023), "mbi"] > out.loc[("nickel", 2022), "mbi"] + 10
    # Cobalt has no Pink Sheet price: the index rests on the three other inputs.
    cobalt = out.loc[("cobalt", 2023)]
    assert np.isnan(cobalt["price_signal"]) and not np.isnan(cobalt["mbi"])
    assert cobalt["inputs"] == "production_hhi,import_hhi,import_growth"
