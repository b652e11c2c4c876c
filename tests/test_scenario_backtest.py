"""The back-test on the real store: the 2023 controls' simulated change beside BACI's."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from minsec.scenarios import backtest, baseline, engine, library, runner
from minsec.scenarios.model import Baseline, Shocks

SCENARIOS = ("CN-2023-GaGe", "CN-2023-graphite")
FLOWS = {"exports_to_world": "exporter = 'CHN'",
         "exports_to_importer": "exporter = 'CHN' AND importer = 'KOR'",
         "imports_from_world": "importer = 'KOR'"}
COLUMNS = ["scenario", "mineral", "basis", "hs6", "flow", "exporter", "importer", "year",
           "quantity_t", "value_kusd", "change_t", "simulated_change", "change_value", "note"]


@pytest.fixture(scope="module")
def inputs(built: Path) -> baseline.BaselineInputs:
    return baseline.load_inputs(built)


@pytest.fixture(scope="module")
def tables(inputs: baseline.BaselineInputs) -> dict[str, pd.DataFrame]:
    return {s: backtest.backtest(s, inputs, year=2022) for s in SCENARIOS}


# The store's BACI HS92 rows (exporter <> importer), each with its gross weight: the quantity
# as reported, else the value x the code-year's t/kUSD (the rule of
# minsec.indicators.trade_forms: "a record without a quantity gets value x the t/kUSD of its
# source, code and year"), written here again in SQL, independent of minsec's code.
BACI = """(SELECT *, coalesce(quantity, value * sum(quantity) OVER w / nullif(sum(CASE WHEN
           quantity IS NOT NULL THEN value END) OVER w, 0)) AS gross
           FROM trade WHERE source = 'baci_hs92' AND exporter <> importer
           WINDOW w AS (PARTITION BY hs6, year)) AS baci"""


def baci(store: Path, sql: str, params: list[object]) -> pd.DataFrame:
    """A direct query of the store's BACI rows, independent of minsec's code."""
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(sql, params).df()


def hand_baseline(imports: list[float], exports: list[float]) -> Baseline:
    i, e = np.array([imports]), np.array([exports])
    one = np.ones(1)
    return Baseline("KOR", 2022, ("graphite",), ("A", "B"), i, e, 0 * e, 0 * e,
                           i.sum(axis=1), e.sum(axis=1), one, -one, one, ("hand",))


def test_simulated_change_by_hand() -> None:
    # One mineral, suppliers A (cuts) and B; horizon 100 days. Draw 1: A withholds half of its
    # sales to the importer and to half its other buyers for 50 days; draw 2: nothing.
    # Importer: -0.5 x 10 t x 50/100 / 2 draws / 10 t = -0.125;
    # world: -0.5 x (10 + 0.5 x 90) t x 50/100 / 2 / 100 t = -0.06875.
    base = hand_baseline(imports=[10.0, 30.0], exports=[100.0, 50.0])
    one = np.array([[[1.0, 0.0]], [[0.0, 0.0]]])  # (N=2, M=1, S=2)
    shocks = Shocks(cut=0.5 * one, start=0 * one, duration=50 * one, to_importer=one,
                    to_others=0.5 * one)
    got = backtest.simulated_change(base, shocks, horizon=100).set_index("flow")
    assert got.loc["exports_to_importer", "simulated_change"] == pytest.approx(-0.125)
    assert got.loc["exports_to_world", "simulated_change"] == pytest.approx(-0.06875)
    none = Shocks(**{k: 0 * v for k, v in vars(shocks).items()})
    assert backtest.simulated_change(base, none, 100)["simulated_change"].isna().all()


def test_draws_are_the_runners(inputs: baseline.BaselineInputs) -> None:
    spec = library.get("CN-2023-graphite").replace(draws=2500, seed=11)
    result = runner.run(spec, inputs, 2022)
    events = runner.resolve(spec, result.baseline, set(inputs.partners))
    shocks = backtest.draws_of(events, spec.draws, spec.seed)
    policy = spec.stockpile.policy(result.baseline.minerals)
    again = engine.simulate(result.baseline, shocks, policy, spec.horizon_days)
    assert np.array_equal(again.unmet, result.outcome.unmet)


def test_backtest_table(tables: dict[str, pd.DataFrame]) -> None:
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        for table in tables.values():
            print(table.drop(columns=["basis", "note", "exporter", "importer"]).to_string())
    for sid, table in tables.items():
        assert list(table.columns) == COLUMNS and (table["scenario"] == sid).all()
    gage, graphite = tables["CN-2023-GaGe"], tables["CN-2023-graphite"]
    # graphite: BACI 250410 and 250490 (the 2022 mining basis, contained t = gross for graphite:
    # forms.csv), 3 flows x 2022-24; 380110 (artificial graphite) is UN Comtrade only
    assert len(graphite) == 2 * 3 * 3 and set(graphite["hs6"]) == {"250410", "250490"}
    assert graphite["basis"].eq("BACI HS92: HS 250410, 250490 2022, contained t").all()
    # gallium: no code of its own (811292 is the group's, forms.csv), simulated only;
    # germanium: 811230, silent since 2016, no baseline
    gallium, germanium = (gage[gage["mineral"].eq(m)] for m in ("gallium", "germanium"))
    assert len(gallium) == 2 and gallium["year"].isna().all()
    assert gallium["note"].str.startswith("no BACI HS92 code").all()
    assert len(germanium) == 9 and germanium["simulated_change"].isna().all()
    for table in (gallium, graphite):
        simulated = table.dropna(subset=["simulated_change"])
        assert set(simulated["flow"]) == {"exports_to_world", "exports_to_importer"}
        assert simulated["simulated_change"].between(-1, 0).all()  # a cut withholds 0..100%
    assert graphite.loc[graphite["year"].eq(2022), "simulated_change"].isna().all()
    assert graphite.loc[graphite["flow"].eq("imports_from_world"), "simulated_change"].isna(
    ).all()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_backtest_observed_is_baci(tables: dict[str, pd.DataFrame], built: Path,
                                   scenario: str) -> None:
    observed = tables[scenario].dropna(subset=["year"])
    for (hs6, flow), rows in observed.groupby(["hs6", "flow"]):
        direct = baci(built, "SELECT year, sum(gross) q, sum(quantity) reported, sum(value) v "
                             f"FROM {BACI} WHERE hs6 = ? AND {FLOWS[str(flow)]} AND year "
                             "IN (2022, 2023, 2024) GROUP BY year", [hs6])
        direct = direct.set_index("year").reindex([2022, 2023, 2024], fill_value=0.0)
        assert rows["year"].tolist() == [2022, 2023, 2024]
        assert np.allclose(rows["quantity_t"], direct["q"])
        # the filled quantities are a small part: under 1% of the t here (250490, 2022: 0.4%)
        assert np.allclose(rows["quantity_t"], direct["reported"], rtol=0.01)
        assert np.allclose(rows["value_kusd"], direct["v"])
        if direct["q"].iloc[0] > 0:
            assert np.allclose(rows["change_t"], direct["q"] / direct["q"].iloc[0] - 1)


@pytest.fixture(scope="module")
def observed(inputs: baseline.BaselineInputs) -> pd.DataFrame:
    return backtest.observed_change(inputs.mineral_trade, "CHN", "KOR",
                                    ["gallium", "germanium", "graphite"], gaps=inputs.gaps)


def test_backtest_says_what_baci_cannot_show(observed: pd.DataFrame) -> None:
    # gallium's unwrought metal is in 811291/811292 with In, Nb, ... (forms.csv): the group's
    gallium = observed[observed["mineral"].eq("gallium")]
    assert len(gallium) == 1 and gallium["note"].iloc[0].startswith("no BACI HS92 code")
    assert "counted once for the group hs_811292" in gallium["note"].iloc[0]
    germanium = observed[observed["mineral"].eq("germanium")]
    assert set(germanium["hs6"]) == {"811230"} and (germanium["quantity_t"] == 0).all()
    assert germanium["note"].str.contains("no flows after 2016").all()
    # artificial graphite 380110: not among the BACI extract's codes, in the UN Comtrade PNNL
    # extract (SOURCES.md §9, §11)
    graphite = observed[observed["mineral"].eq("graphite")]
    assert "380110" not in set(graphite["hs6"])
    assert graphite["note"].str.contains(
        "not in BACI: product: artificial graphite (HS 380110: UN Comtrade", regex=False).all()


@pytest.mark.parametrize(("flow", "where"), [
    ("exports_to_world", "exporter = 'CHN'"),
    ("exports_to_importer", "exporter = 'CHN' AND importer = 'KOR'"),
    ("imports_from_world", "importer = 'KOR'")])
def test_backtest_numbers_are_baci(observed: pd.DataFrame, built: Path, flow: str,
                                   where: str) -> None:
    direct = baci(built, f"SELECT year, sum(gross) q, sum(value) v FROM {BACI} WHERE "
                         f"hs6 = '250410' AND {where} AND year IN "
                         "(2022, 2023, 2024) GROUP BY year ORDER BY year", [])
    rows = observed[observed["hs6"].eq("250410") & observed["flow"].eq(flow)]
    assert rows["year"].tolist() == [2022, 2023, 2024]
    assert np.allclose(rows["quantity_t"], direct["q"]) and np.allclose(rows["value_kusd"],
                                                                         direct["v"])
    assert np.allclose(rows["change_t"], direct["q"] / direct["q"].iloc[0] - 1)


def test_backtest_spot_values(observed: pd.DataFrame) -> None:
    # BACI HS92 V202401b, 250410: China -> Korea 46,986 t (2022), 51,299 t (2023), 28,157 t
    # (2024); China -> world 214,841 / 185,651 / 148,859 t.
    rows = observed[observed["hs6"].eq("250410")].set_index(["flow", "year"])["quantity_t"]
    assert rows[("exports_to_importer", 2023)] == pytest.approx(51_299.28)
    assert rows[("exports_to_importer", 2024)] == pytest.approx(28_156.514)
    assert rows[("exports_to_world", 2022)] == pytest.approx(214_841.009)
