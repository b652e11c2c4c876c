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
    # SOURCES.md §9 spot check: Korea's 250410 imports 2023 from China 51,299 t; the mining stage
    # adds 250490 (51 t from China).
    assert korea.basis[0] == "BACI HS92 250410, 250490 2023"
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
    assert korea.value_at_risk[i] == pytest.approx(163e6)


def test_arrays_finite_and_non_negative(korea: Baseline) -> None:
    for name in ARRAYS:
        values = getattr(korea, name)
        assert np.isfinite(values).all() and (values >= 0).all(), name
    assert (korea.elasticity == -0.3).all()
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


def test_prices_and_their_sources(korea: Baseline) -> None:
    price = dict(zip(korea.minerals, korea.price, strict=True))
    assert price["lithium"] == pytest.approx(41_300)  # USGS MCS 2025, 2023 (MCS 2024: 46,000)
    assert korea.sources["price:lithium"].startswith("USGS mcs2025")
    # Nickel: BACI counts ore (260400); the Pink Sheet's metal price gives way to the unit value.
    assert korea.sources["price:nickel"].startswith("BACI unit value")
    assert 50 < price["nickel"] < 500


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
    # indium: curated shares but no total; strontium: nothing; germanium: 811230 silent since 2016
    for mineral in ("indium", "strontium", "germanium"):
        with pytest.raises(MinsecError, match=mineral):
            baseline.build_baseline(inputs, "KOR", [mineral], 2023)
    b = baseline.build_baseline(inputs, "KOR", ["strontium", "germanium"], 2023,
                                allow_missing=True)
    assert all(basis.startswith("missing: ") for basis in b.basis)
    assert "no flows since 2016" in b.basis[1]
    assert (b.imports == 0).all() and np.isfinite(b.world_supply).all()


def test_value_at_risk_file() -> None:
    table = pd.read_csv(DATA / "value_at_risk.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["mineral", "use", "usd_per_t", "basis", "source_url",
                                   "confidence"]
    assert table["mineral"].is_unique
    assert (pd.to_numeric(table["usd_per_t"]) > 0).all()
    assert set(table["confidence"]) <= {"high", "medium", "low"}
    for url in table["source_url"].str.split(" | ", regex=False).explode():
        assert re.match(r"^https?://\S+$", url), url
    strategic = {"lithium", "nickel", "cobalt", "manganese", "graphite", "neodymium",
                 "dysprosium", "terbium", "cerium", "lanthanum"}
    assert strategic | {"gallium", "germanium", "indium"} <= set(table["mineral"])
    ours = table[table["basis"].str.startswith("multiple of price (ours)")]
    assert (ours["confidence"] == "low").all()
