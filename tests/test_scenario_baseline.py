"""The scenario baseline on the real store: Korea's normal year and its bases."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from minsec.errors import MinsecError
from minsec.reference import DATA
from minsec.scenarios import baseline
from minsec.scenarios.model import Baseline

MINERALS = ("graphite", "lithium", "nickel", "cobalt", "gallium")
ARRAYS = ("imports", "exports", "partner_exports", "spare_capacity", "demand", "world_supply",
          "price", "value_at_risk")


@pytest.fixture(scope="module")
def inputs(built: Path) -> baseline.BaselineInputs:
    return baseline.load_inputs(built)


@pytest.fixture(scope="module")
def korea(inputs: baseline.BaselineInputs) -> Baseline:
    return baseline.build_baseline(inputs, "KOR", MINERALS, 2023)


def at(b: Baseline, name: str, mineral: str, supplier: str) -> float:
    return float(getattr(b, name)[b.minerals.index(mineral), b.suppliers.index(supplier)])


# The store's BACI HS92 rows, each with its gross weight: the quantity as reported, else the
# value x the code-year's t/kUSD (the rule of minsec.indicators.trade_forms: "a record without
# a quantity gets value x the t/kUSD of its source, code and year"), written here again.
FILLED = """(SELECT *, coalesce(quantity, value * sum(quantity) OVER w / nullif(sum(CASE WHEN
             quantity IS NOT NULL THEN value END) OVER w, 0)) AS gross
             FROM trade WHERE source = 'baci_hs92' AND exporter <> importer
             WINDOW w AS (PARTITION BY hs6, year)) AS baci"""


def content(mineral: str) -> pd.Series:
    """The content factor of each HS92 code of the mineral (reference/data/forms.csv)."""
    forms = pd.read_csv(DATA / "forms.csv", dtype=str, keep_default_na=False)
    rows = forms[forms["mineral"].eq(mineral) & forms["hs92"].ne("")]
    return pd.to_numeric(rows.set_index("hs92")["content_factor"])


def baci(store: Path, sql: str, params: list[object]) -> pd.DataFrame:
    """A direct query of the store's BACI rows, independent of minsec's code."""
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(sql, params).df()


def test_shapes(korea: Baseline) -> None:
    m, s = len(MINERALS), len(korea.suppliers)
    assert korea.minerals == MINERALS and korea.importer == "KOR" and korea.year == 2023
    for name in ("imports", "exports", "partner_exports", "spare_capacity"):
        assert getattr(korea, name).shape == (m, s), name
    for name in ("demand", "world_supply", "price", "elasticity", "value_at_risk"):
        assert getattr(korea, name).shape == (m,), name
    assert len(korea.basis) == m
    assert "KOR" not in korea.suppliers and len(set(korea.suppliers)) == s


def test_graphite_from_china_is_baci(korea: Baseline, built: Path) -> None:
    # SOURCES.md §9 spot check: Korea's 250410 imports 2023 from China 51,299 t; the mining
    # stage adds 250490 (51 t from China). Natural graphite is counted in gross weight
    # (forms.csv: content factor 1, as USGS reports its production), so contained t = BACI t.
    assert korea.basis[0] == "BACI HS92: HS 250410, 250490 2023, contained t"
    assert content("graphite")[["250410", "250490"]].tolist() == [1.0, 1.0]
    direct = baci(built, "SELECT sum(quantity) q FROM trade WHERE source = 'baci_hs92' AND "
                         "year = 2023 AND exporter = 'CHN' AND importer = 'KOR' AND "
                         "hs6 IN ('250410', '250490')", [])
    assert at(korea, "imports", "graphite", "CHN") == pytest.approx(direct["q"].iloc[0])
    assert at(korea, "imports", "graphite", "CHN") == pytest.approx(51_299, rel=0.002)


def test_gallium_is_curated_and_scaled(korea: Baseline) -> None:
    # KOMIR: 98% of Korea's gallium from China (2024); Korea Customs: 3.3 t imported in 2022.
    i = korea.minerals.index("gallium")
    assert korea.basis[i].startswith("curated: https://biz.chosun.com/")
    assert at(korea, "imports", "gallium", "CHN") == pytest.approx(0.98 * 3.3)
    assert at(korea, "imports", "gallium", "ROW") == pytest.approx(0.02 * 3.3)
    assert "Korea Customs Service" in korea.sources["imports:gallium"]
    # USGS MCS 2024, 2023: China's capacity 1,000 t, production 600 t.
    assert at(korea, "spare_capacity", "gallium", "CHN") == pytest.approx(400)
    # no Korean value added per t of gallium is sourced: 10 x Korea's own price, never the
    # USA's 163 M USD/t (value_at_risk.csv holds USGS's US figure only)
    assert korea.value_at_risk[i] == pytest.approx(10 * korea.price[i])
    assert "KOR's price" in korea.sources["value_at_risk:gallium"]
    # the market: China's exports 67.3 t (Nov 2022 x 12), the others' production
    assert at(korea, "exports", "gallium", "CHN") == pytest.approx(67.3)
    assert at(korea, "exports", "gallium", "JPN") == pytest.approx(3.0)


def test_arrays_finite_and_non_negative(korea: Baseline) -> None:
    for name in ARRAYS:
        values = getattr(korea, name)
        assert np.isfinite(values).all() and (values >= 0).all(), name
    assert (korea.elasticity == -0.3).all()  # market_response.csv: every row -0.3
    assert (korea.world_supply > 0).all() and (korea.price > 0).all()
    assert (korea.exports >= korea.imports - 1e-9).all()
    assert (korea.partner_exports <= korea.exports + 1e-9).all()


def test_demand_is_apparent_consumption_floored_at_imports(korea: Baseline,
                                                           built: Path) -> None:
    bought = korea.imports.sum(axis=1)
    assert (korea.demand >= bought - korea.exports.sum(axis=1)).all()
    assert (korea.demand >= bought - 1e-9).all()
    # graphite: MCS 2025 production 2023 9,620 t (MCS 2024's estimate was 27,000 t) + imports
    # - Korea's own exports (BACI, 2023)
    sold = baci(built, "SELECT sum(quantity) q FROM trade WHERE source = 'baci_hs92' AND "
                       "year = 2023 AND exporter = 'KOR' AND hs6 IN ('250410', '250490')", [])
    expected = 9_620 + bought[0] - sold["q"].iloc[0]
    assert korea.demand[0] == pytest.approx(expected, rel=1e-3)


def test_spare_default_is_a_fraction_of_exports(inputs: baseline.BaselineInputs) -> None:
    b = baseline.build_baseline(inputs, "KOR", ["graphite"], 2023, default_spare=0.25)
    assert np.allclose(b.spare_capacity, 0.25 * b.exports)
    assert b.sources["spare_capacity:graphite"] == "default"


def test_prices_and_their_sources(korea: Baseline, built: Path) -> None:
    price = dict(zip(korea.minerals, korea.price, strict=True))
    # Lithium is counted in t of Li: hydroxide (282520) and carbonate (283691) x their Li
    # content (forms.csv, stoichiometry). USGS MCS 2025's 41,300 USD/t (2023; MCS 2024: 46,000)
    # is per t of battery-grade carbonate, another measure: the price is the unit value of
    # Korea's imports per t of Li, from BACI directly.
    assert korea.basis[1] == "BACI HS92: HS 282520, 283691 2023, contained t"
    li = content("lithium")
    direct = baci(built, f"SELECT hs6, sum(value) v, sum(gross) q FROM {FILLED} WHERE year = "
                         "2023 AND importer = 'KOR' AND hs6 IN ('282520', '283691') GROUP BY hs6",
                  [])
    per_t_li = 1000 * direct["v"].sum() / (direct["q"] * direct["hs6"].map(li)).sum()
    assert price["lithium"] == pytest.approx(per_t_li)
    label = korea.sources["price:lithium"]
    assert label.startswith("unit value of the importer's imports (USD per contained t)")
    assert "USGS mcs2025 salient price 2023" in label and "41,300 USD/t is for another" in label
    # ... and it is the carbonate price's measure once that is per t of its Li (18.79%)
    assert 1 / 3 < 41_300 / li["283691"] / price["lithium"] < 3
    # Nickel: the refined forms Korea buys most of by value (unwrought 750210 from UN Comtrade
    # 2022, mattes, MHP, salts from ITC Trade Map 2021; none is among the BACI extract's codes,
    # SOURCES.md §9, §10, §12), counted in t of Ni: the Pink Sheet's LME nickel price is that
    # measure and stays.
    assert "contained t (refining)" in korea.sources["imports:nickel"]
    # ... and the exporters' sales are capped at what they produce (Norway's and Russia's
    # exports of nickel forms include re-exported matte)
    assert "exports capped at production: " in korea.sources["imports:nickel"]
    assert "HS 750210 2022" in korea.basis[2] and "UN Comtrade" in korea.basis[2]
    assert korea.sources["price:nickel"].startswith("World Bank Pink Sheet Nickel 2023")
    assert 15_000 < price["nickel"] < 30_000  # LME nickel, 2023 mean: about 21,500 USD/t


def test_overrides(inputs: baseline.BaselineInputs) -> None:
    b = baseline.build_baseline(inputs, "KOR", ["graphite", "lithium"], 2023,
                                elasticity={"lithium": -0.1}, value_at_risk={"graphite": 1.0})
    assert b.elasticity.tolist() == [-0.3, -0.1]
    assert b.value_at_risk[0] == 1.0 and b.sources["value_at_risk:graphite"] == "user"
    with pytest.raises(MinsecError, match="negative"):
        baseline.build_baseline(inputs, "KOR", ["lithium"], 2023, elasticity={"lithium": 0.2})


def test_user_structure_before_curated(inputs: baseline.BaselineInputs) -> None:
    user = pd.DataFrame({"importer": ["KOR"], "mineral": ["indium"], "supplier": ["CHN"],
                         "share": [0.9], "source": ["my survey"]})
    b = baseline.build_baseline(inputs, "KOR", ["indium"], 2023, structure=user,
                                import_totals={"indium": 100.0})
    assert b.basis == ("user: my survey",)
    assert at(b, "imports", "indium", "CHN") == pytest.approx(90)
    assert at(b, "imports", "indium", "ROW") == pytest.approx(10)


def test_unknown_mineral_is_an_error(inputs: baseline.BaselineInputs) -> None:
    with pytest.raises(MinsecError, match="unobtainium"):
        baseline.build_baseline(inputs, "KOR", ["graphite", "unobtainium"], 2023)
    with pytest.raises(MinsecError, match="unobtainium"):
        baseline.build_baseline(inputs, "KOR", ["unobtainium"], 2023, allow_missing=True)
    with pytest.raises(MinsecError, match="importer"):
        baseline.build_baseline(inputs, "XYZ", ["graphite"], 2023)


def test_no_data_is_an_error_or_kept_missing(inputs: baseline.BaselineInputs) -> None:
    # indium: curated shares but no total; bromine: no traded form (forms.csv); neodymium: its
    # codes are the rare-earth group's (forms.csv), counted once under rare_earths;
    # germanium: 811230 silent since 2016
    for mineral in ("indium", "bromine", "neodymium", "germanium"):
        with pytest.raises(MinsecError, match=mineral):
            baseline.build_baseline(inputs, "KOR", [mineral], 2023)
    b = baseline.build_baseline(inputs, "KOR", ["bromine", "neodymium", "germanium"], 2023,
                                allow_missing=True)
    assert all(basis.startswith("missing: ") for basis in b.basis)
    assert "no traded form" in b.basis[0]
    assert "counted once for the group rare_earths" in b.basis[1]
    assert "no flows since 2016" in b.basis[2]
    assert (b.imports == 0).all() and np.isfinite(b.world_supply).all()
    # the group itself is measured, and strontium carbonate (283692, in no BACI extract) has
    # the all-reporter UN Comtrade extract's 2022 flows (docs/imports.md)
    b = baseline.build_baseline(inputs, "KOR", ["rare_earths", "strontium"], 2023)
    assert not any(basis.startswith("missing") for basis in b.basis)
    assert b.basis[1].startswith("UN Comtrade") and "HS 283692 2022" in b.basis[1]
    assert b.imports[1].sum() > 0


def test_value_at_risk_file() -> None:
    table = pd.read_csv(DATA / "value_at_risk.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["importer", "mineral", "use", "usd_per_t", "basis",
                                   "source_url", "confidence"]
    assert not table.duplicated(["importer", "mineral"]).any()
    assert (pd.to_numeric(table["usd_per_t"]) > 0).all()
    assert set(table["confidence"]) <= {"high", "medium", "low"}
    for url in table["source_url"].str.split(" | ", regex=False).explode():
        assert re.match(r"^https?://\S+$", url), url
    # only sourced rows: USGS OFR 2024-1057 for the USA's gallium and germanium
    assert set(zip(table["importer"], table["mineral"], strict=True)) == {
        ("USA", "gallium"), ("USA", "germanium")}
    assert table["source_url"].str.contains("ofr20241057").all()
