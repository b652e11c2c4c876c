"""National targets: the table against the fact pack, measures and tracking by hand, the store.

Hand fixtures: three minerals, two stages; the numbers are worked out in the comments.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from minsec import assessment
from minsec.errors import MinsecError
from minsec.outlook import strategies as S
from minsec.outlook import targets as T

FACTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "facts"


def _number(text: str) -> float:
    return float(text.split()[0].rstrip("%"))


def test_korean_targets_match_the_fact_pack() -> None:
    path = FACTS / "kr_targets.csv"
    if not path.is_file():
        pytest.skip(f"fact pack not found at {path}")
    facts = pd.read_csv(path, dtype=str, keep_default_na=False).head(3)
    ours = T.load_targets().query("importer == 'KOR'").reset_index(drop=True)
    assert list(ours["target"]) == ["dependence", "recycled_share", "stockpile_days"]
    for (_, fact), (_, row) in zip(facts.iterrows(), ours.iterrows(), strict=True):
        assert row["baseline"] == _number(fact["baseline"])
        assert row["baseline_year"] == int(fact["baseline_year"])
        assert row["target_value"] == _number(fact["target"])
        assert row["target_year"] == int(fact["target_year"][:4])
        assert row["source_url"] == fact["source_url"]
        assert row["confidence"] == fact["confidence"]
    assert list(ours["unit"]) == ["%", "%", "days"]
    assert list(ours["direction"]) == ["down", "up", "up"]
    assert ours.loc[0, "scope"] == "kr_strategic_2023"  # the scope the source states


def test_eu_benchmarks_are_article_5() -> None:
    eu = T.load_targets().query("importer == 'EU27'").set_index("target")
    assert eu["target_value"].to_dict() == {"crma_extraction": 10, "crma_processing": 40,
                                            "crma_recycling": 25, "crma_single_country": 65}
    assert eu.loc["crma_single_country", "direction"] == "down"
    assert eu["baseline"].isna().all()  # the Act states none
    assert eu["source_url"].str.contains("eur-lex.europa.eu/eli/reg/2024/1252").all()


def test_bad_target_table_names_the_field(tmp_path: Path) -> None:
    table = T.load_targets()
    table.loc[0, "direction"] = "sideways"
    table.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(MinsecError, match="direction"):
        T.load_targets(tmp_path / "t.csv")


def _imports() -> pd.DataFrame:
    rows = [  # importer, mineral, stage, year, imports (kUSD), top share, source, basis
        ("KOR", "lithium", "refining", 2023, 300.0, 0.6, "c1", "BACI HS92"),
        ("KOR", "lithium", "mining", 2023, 100.0, 0.9, "c2", "BACI HS92"),  # smaller stage
        ("KOR", "nickel", "mining", 2023, 100.0, 0.9, "c3", "BACI HS92"),
        ("KOR", "neodymium", "refining", 2023, 100.0, 0.5, "c4", "BACI HS92"),
        ("KOR", "dysprosium", "refining", 2023, 100.0, 0.5, "c4", "BACI HS92"),  # same codes
        ("KOR", "gallium", "refining", 2023, np.nan, 0.98, "curated: x", "curated"),
        ("KOR", "cobalt", "mining", 2023, np.nan, np.nan, "gap", "missing: no code"),
        ("KOR", "lithium", "refining", 2024, 100.0, 0.5, "c1", "BACI HS92"),
    ]
    return pd.DataFrame(rows, columns=["importer", "mineral", "stage", "year", "imports",
                                       "top_supplier_share", "source", "basis"])


def test_top_supplier_dependence_by_hand() -> None:
    minerals = ["lithium", "nickel", "neodymium", "dysprosium", "gallium", "cobalt"]
    # Li refining 300 x 0.6 + Ni 100 x 0.9 + rare-earth basket once 100 x 0.5 = 320 over 500;
    # gallium (curated, no value) and cobalt (no code) are left out
    assert T.top_supplier_dependence(_imports(), minerals, 2023) == pytest.approx(320 / 500)
    assert T.top_supplier_dependence(_imports(), ["lithium"], 2024) == pytest.approx(0.5)
    assert math.isnan(T.top_supplier_dependence(_imports(), ["nickel"], 2024))
    with pytest.raises(MinsecError, match="minerals: .*unobtainium"):
        T.top_supplier_dependence(_imports(), ["unobtainium"], 2023)


def test_recycled_share_and_stockpile_by_hand() -> None:
    recycled = pd.DataFrame({"year": [2030, 2030, 2030], "mineral": ["lithium", "nickel", "x"],
                             "secondary_t": [10.0, 30.0, 1000.0],
                             "demand_t": [100.0, 100.0, 1000.0], "share": [0.1, 0.3, 1.0]})
    assert T.recycled_share(recycled, ["lithium", "nickel"], 2030) == pytest.approx(0.2)
    assert math.isnan(T.recycled_share(recycled, ["cobalt"], 2030))
    assert T.stockpile_days() == 54.0
    with pytest.raises(MinsecError, match="current_stock_days"):
        T.stockpile_days(-1)


def _targets(**change: object) -> pd.DataFrame:
    row = {"importer": "KOR", "target": "t", "metric": "m", "baseline": 80.0,
           "baseline_year": 2023, "target_value": 50.0, "target_year": 2030, "unit": "%",
           "direction": "down", "scope": "", "source_url": "u", "confidence": "high", "note": ""}
    return pd.DataFrame([row | change])


def _measured(points: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({"importer": "KOR", "target": "t", "year": list(points),
                         "value": list(points.values())})


def test_track_on_and_off_track_with_the_gap_sign() -> None:
    # measured 70 (2023) -> 66 (2025): -2 a year, 56 in 2030 > 50: off track, gap +6 points
    off = T.track(_targets(), _measured({2023: 70.0, 2025: 66.0})).iloc[0]
    assert (off["today"], off["today_year"]) == (66.0, 2025)
    assert off["projected"] == pytest.approx(56.0)
    assert not off["on_track"]
    assert off["gap"] == pytest.approx(6.0)
    # 70 -> 60: -5 a year, 35 in 2030 <= 50: on track, gap -15
    on = T.track(_targets(), _measured({2023: 70.0, 2025: 60.0})).iloc[0]
    assert on["on_track"]
    assert on["gap"] == pytest.approx(-15.0)
    # direction up: 10 (2023) -> 11 (2024), 17 in 2030 < 20: off track, gap +3
    up = T.track(_targets(direction="up", baseline=2.0, target_value=20.0),
                 _measured({2023: 10.0, 2024: 11.0})).iloc[0]
    assert up["projected"] == pytest.approx(17.0)
    assert up["gap"] == pytest.approx(3.0)
    assert not up["on_track"]


def test_track_single_point_and_fallbacks() -> None:
    # one point in the baseline year: no projection, on_track NA, gap from today
    one = T.track(_targets(direction="up", baseline=54.0, target_value=100.0, unit="days"),
                  _measured({2023: 54.0})).iloc[0]
    assert math.isnan(one["projected"])
    assert pd.isna(one["on_track"])
    assert one["gap"] == pytest.approx(46.0)
    assert "one point" in one["note"]
    # measured once after the baseline year: the line runs from the official baseline
    # 80 (2023) through 70 (2024): -10 a year, 10 in 2030
    official = T.track(_targets(), _measured({2024: 70.0})).iloc[0]
    assert official["projected"] == pytest.approx(10.0)
    # 80 (2023) through 60 (2024): -20 a year, -60 in 2030, kept in 0..100 for a share
    assert T.track(_targets(), _measured({2024: 60.0})).iloc[0]["projected"] == 0.0
    assert "official baseline" in official["note"]
    # a model series with its own value at the target year: that value is the projection
    model = T.track(_targets(), _measured({2023: 70.0, 2024: 69.0, 2030: 48.0}),
                    today=2024).iloc[0]
    assert (model["today"], model["projected"], model["on_track"]) == (69.0, 48.0, True)
    # nothing measured
    none = T.track(_targets(), _measured({}).astype({"year": "int64", "value": "float64"}))
    assert none["today"].isna().all()
    assert list(none.columns) == T.TRACK_COLUMNS


def test_levers_by_hand() -> None:
    targets = pd.concat([_targets(target="stock", metric="stockpile_days", unit="days",
                                  direction="up", target_value=100.0, baseline=54.0),
                         _targets(target="rec", metric="recycled_share", direction="up",
                                  target_value=20.0, baseline=2.0, scope="kr")])
    tracked = pd.DataFrame({"importer": "KOR", "target": ["stock", "rec"], "gap": [46.0, 15.0]})
    base = pd.DataFrame({"year": [2030], "mineral": ["lithium"], "secondary_t": [5.0],
                         "demand_t": [100.0], "share": [0.05]})

    def rerun(parameter: str, delta: float) -> pd.DataFrame:  # +10 points -> +2 t recycled
        return base.assign(secondary_t=base["secondary_t"] + 20 * delta)

    found = T.levers(targets, tracked, {"kr": ["lithium"]}, base, rerun).set_index(
        ["lever", "target"])
    assert found.loc[("stockpile days", "stock"), "effect"] == 30.0
    assert found.loc[("stockpile days", "stock"), "gap_after"] == 16.0
    assert found.loc[("collection rate", "rec"), "effect"] == pytest.approx(2.0)
    assert found.loc[("recovery rate", "rec"), "gap_after"] == pytest.approx(13.0)
    without = T.levers(targets, tracked, {"kr": ["lithium"]}).set_index(["lever", "target"])
    assert math.isnan(without.loc[("collection rate", "rec"), "effect"])


def test_scope_minerals_adds_the_rare_earth_aggregate_for_recycling() -> None:
    strategic = T.scope_minerals("kr_strategic_2023")
    assert len(strategic) == 10
    assert "rare_earths" not in strategic
    assert "rare_earths" in T.scope_minerals("kr_strategic_2023", aggregates=True)
    with pytest.raises(MinsecError, match="scope: .*kr_2099"):
        T.scope_minerals("kr_2099")


def test_recycling_levers_re_run_the_real_model() -> None:
    recycling = pytest.importorskip("minsec.outlook.recycling")
    base = recycling.run().recycled_share
    rerun = T.recycling_rerun()
    scope = T.scope_minerals("kr_strategic_2023", aggregates=True)
    before = T.recycled_share(base, scope, 2030)
    for parameter in ("collection_rate", "recovery_rate"):
        assert T.recycled_share(rerun(parameter, 0.10), scope, 2030) >= before
    assert T.recycled_share(rerun("collection_rate", 0.0), scope, 2030) == pytest.approx(before)
    with pytest.raises(MinsecError, match="parameter"):
        rerun("lifetime", 1.0)


def test_eu_shares_by_hand() -> None:
    supply = pd.DataFrame({
        "edition": "wmd2026", "variable": "production", "unit": "t", "mineral": "copper",
        "stage": "mining", "year": 2023, "country": ["POL", "CHL", "WLD"],
        "value": [400.0, 5000.0, 22000.0]})
    production = T.eu_production(supply, ["POL", "SWE"])
    assert production["production_t"].tolist() == [400.0]  # Sweden not listed: 0
    imports = pd.DataFrame({
        "importer": "EU27", "mineral": "copper", "stage": ["mining", "refining"], "year": 2023,
        "imports_t": [1800.0, 50.0], "exports_t": [200.0, 0.0],
        "top_supplier": ["CHL", "CHN"], "top_supplier_share": [0.3, 0.7],
        "basis": ["BACI HS92", "BACI HS92"]})
    extraction = T.eu_extraction_share(imports, production, ["copper"])
    assert extraction["share"].iloc[0] == pytest.approx(400 / (400 + 1800 - 200))
    processing = T.eu_processing_share(imports, production, ["copper"])
    assert processing["share"].isna().all()
    assert "no EU production" in processing["reason"].iloc[0]
    single = T.eu_single_country_share(imports, ["copper"]).iloc[0]
    assert (single["supplier"], single["share"], single["stage"]) == ("CHN", 0.7, "refining")


@pytest.fixture(scope="module")
def inputs(built: Path) -> assessment.Inputs:
    return assessment.load(built)


def test_korea_dependence_on_the_store(inputs: assessment.Inputs) -> None:
    imports = assessment.import_table(inputs, "KOR")
    strategic = sorted(inputs.lists.query("list == 'kr_strategic_2023'")["mineral"])
    assert 0.5 <= T.top_supplier_dependence(imports, strategic, 2023) <= 1
    critical = sorted(inputs.lists.query("list == 'kr_critical_2023'")["mineral"])
    assert 0 < T.top_supplier_dependence(imports, critical, 2023) <= 1


def test_eu_single_country_share_for_rare_earths(inputs: assessment.Inputs,
                                                 built: Path) -> None:
    from minsec import tables

    imports = assessment.import_table(inputs, "EU27")
    # neodymium trades as the rare-earth group: the group's share of contained tonnes
    baci = T.eu_single_country_share(imports, ["rare_earths"]).query("year == 2023").iloc[0]
    assert baci["supplier"] == "CHN"
    assert T.eu_single_country_share(imports, ["neodymium"]).empty  # no trade of its own
    assert 0 < baci["share"] <= 1
    ec = T.eu_sourcing(tables.eu_crm("eu_crm_supply_share", built), ["neodymium"], inputs.eu27)
    refining = ec.query("stage == 'refining'").iloc[0]
    assert refining["supplier"] == "CHN"
    assert refining["third_share"] > 0.65  # the CRMA's consumption basis: above the benchmark


def test_tracker_on_the_store(inputs: assessment.Inputs, built: Path) -> None:
    korea = T.tracker(inputs, "KOR", store=built)
    assert list(korea.columns) == T.TRACK_COLUMNS
    korea = korea.set_index("target")
    assert 50 <= korea.loc["dependence", "today"] <= 100
    assert korea.loc["stockpile_days", "gap"] == 46.0
    assert "not given" in korea.loc["recycled_share", "note"]
    # a recycling model's frame (hand-made here): today is the latest BACI year, the model's
    # own 2030 value is the projection; secondary / demand over the strategic minerals
    recycled = pd.DataFrame({"year": [2024, 2030], "mineral": "lithium",
                             "secondary_t": [1.0, 30.0], "demand_t": [100.0, 100.0],
                             "share": [0.01, 0.3]})
    row = T.tracker(inputs, "KOR", recycled=recycled, store=built).set_index("target").loc[
        "recycled_share"]
    assert (row["today"], row["today_year"], row["projected"]) == (1.0, 2024, 30.0)
    assert row["on_track"]
    assert row["gap"] == pytest.approx(-10.0)
    eu = T.tracker(inputs, "EU27", store=built).set_index("target")
    assert eu.loc["crma_single_country", "today"] > 65
    assert 0 <= eu.loc["crma_recycling", "today"] <= 100
    with pytest.raises(MinsecError, match="importer: .*ATL"):
        T.tracker(inputs, "ATL", store=built)
    with pytest.raises(MinsecError, match="current_stock_days"):
        T.tracker(inputs, "KOR", current_stock_days=-5, store=built)


def test_strategies_compare(inputs: assessment.Inputs, built: Path) -> None:
    strategies = S.load_strategies()
    assert set(strategies["country"]) == {"KOR", "USA", "JPN", "EU27"}
    assert strategies["source_url"].str.startswith("http").all()
    lists = strategies.query("kind == 'list'").set_index(["country", "item", "year"])["value"]
    assert lists[("KOR", "critical_minerals", 2023)] == "33"
    assert lists[("USA", "critical_minerals", 2022)] == "50"
    assert lists[("EU27", "strategic_minerals", 2024)] == "17"
    tracked = T.tracker(inputs, "KOR", store=built)
    table = S.compare(strategies, ["KOR", "USA"], tracked)
    assert {"KOR", "USA", "KOR status"} <= set(table.columns)
    row = table.set_index("item").loc["dependence"]
    assert "off track" in row["KOR status"] or "on track" in row["KOR status"]
    with pytest.raises(MinsecError, match="countries: unknown ATL"):
        S.compare(strategies, ["KOR", "ATL"])
