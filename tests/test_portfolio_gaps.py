"""MSP portfolio gaps and opportunities: on the real store (``built``) and on hand fixtures.

The counts are those of the MSP statements in ../shared/reference/facts (facts.md §1.6-1.7).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsec import assessment, countries, tables
from minsec.errors import MinsecError
from minsec.indicators.concentration import stage_concentration
from minsec.portfolio import gaps, opportunities

FACTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "facts"
ALIAS = {"REE": "rare_earths", "high-purity aluminium": "aluminium"}
AS_OF = "2024-09-30"


def stats_from_facts() -> pd.DataFrame:
    """The long table (as_of, dimension, category, count, ...) from the facts' wide CSV."""
    wide = pd.read_csv(FACTS / "msp_project_portfolio_stats.csv")
    rows = []
    for r in wide.to_dict("records"):
        for dim, col in (("region", "by_region"), ("mineral", "by_mineral")):
            text = r[col] if isinstance(r[col], str) else ""
            for m in re.finditer(r"([A-Za-z][A-Za-z -]*?) (\d+)", text):
                name = m[1].strip()
                rows.append((r["as_of"], dim, ALIAS.get(name, name), int(m[2])))
        rows += [(r["as_of"], "stage", s, int(r[s])) for s in ("upstream", "midstream",
                                                               "recycling") if pd.notna(r[s])]
    return pd.DataFrame(rows, columns=["as_of", "dimension", "category", "count"]).assign(
        source_url="facts", confidence="high")


def named_projects() -> pd.DataFrame:
    rows = pd.read_csv(FACTS / "msp_projects.csv")
    names = rows["country"].str.replace(r"\s*\(.*\)", "", regex=True)
    return rows.assign(country=names.map(countries.resolve))


needs_facts = pytest.mark.skipif(not FACTS.is_dir(), reason="facts not found")


@pytest.fixture(scope="module")
def real(built: Path) -> dict[str, pd.DataFrame]:
    """Everything the gap scores take, from the real store (Korea, latest trade year)."""
    inputs = assessment.load(built)
    risk = assessment.assess(inputs, "KOR", assessment.default_year(inputs))
    regions = tables.query("SELECT * FROM region", store=built)
    supply = tables.supply(built)
    stats = stats_from_facts()
    table = gaps.region_table(stats, AS_OF, named_projects(), regions)
    sea = table[table["region"].eq(gaps.SEA)].rename(columns={"region": "category"})
    counts = pd.concat([gaps.portfolio_counts(stats, AS_OF),
                        sea.assign(dimension="region")[["dimension", "category", "count"]]])
    return {"risk": risk, "regions": regions, "supply": supply, "table": table,
            "counts": counts, "world": gaps.world_distribution(supply, regions),
            "concentration": stage_concentration(supply)}


@needs_facts
def test_portfolio_counts_sept_2024() -> None:
    counts = gaps.portfolio_counts(stats_from_facts(), AS_OF)
    stage = counts[counts["dimension"].eq("stage")].set_index("category")["count"]
    assert stage.to_dict() == {"upstream": 19, "midstream": 15, "recycling": 3}
    assert counts[counts["dimension"].eq("region")]["count"].sum() == 32
    early = gaps.portfolio_counts(stats_from_facts(), "2023-12-31")
    assert early[early["dimension"].eq("region")]["count"].sum() == 17


@needs_facts
def test_region_table_reproduces_the_seed(real: dict[str, pd.DataFrame]) -> None:
    table = real["table"].set_index("region")["count"].to_dict()
    assert table == {"Africa": 13, "Americas": 8, "Asia-Pacific": 6, "Europe": 5,
                     "Southeast Asia": 0}
    # derived, not written in: the low-confidence Vietnam row would count if links were kept
    projects = named_projects().assign(confidence="high")
    loose = gaps.region_table(stats_from_facts(), AS_OF, projects, real["regions"])
    assert loose.set_index("region")["count"]["Southeast Asia"] == 1


def test_world_distribution(real: dict[str, pd.DataFrame]) -> None:
    world = real["world"]
    nickel = world[world["mineral"].eq("nickel") & world["variable"].eq("reserves")]
    assert nickel.set_index("region")["share"]["Southeast Asia"] > 0.2  # Indonesia (seed: 22%)
    assert set(world["region"]) == {*gaps.REGIONS, gaps.SEA}
    main = world[world["region"].isin(gaps.REGIONS)]
    totals = main.groupby(["mineral", "stage", "variable"])["share"].sum()
    # shares of a lower-bound world total may pass 1 (antimony reserves 2024: ">2,000,000")
    assert (totals.drop(("antimony", "mining", "reserves")) < 1.1).all()


def _top(scores: pd.DataFrame, kind: str, n: int) -> pd.DataFrame:
    return scores[scores["kind"].eq(kind)].head(n).set_index("key")


@needs_facts
def test_gaps_from_the_data(real: dict[str, pd.DataFrame]) -> None:
    scores = gaps.gap_scores(real["counts"], real["world"], real["risk"], real["concentration"])
    region, mineral, stage = (_top(scores, k, n) for k, n in (("region", 2), ("mineral", 2),
                                                               ("stage", 1)))
    assert "Southeast Asia" in region.index
    assert region.loc["Southeast Asia", "score"] > 0
    assert "0% of MSP projects" in region.loc["Southeast Asia", "reason"]
    assert (mineral["score"] > 0).all() and mineral["reason"].str.contains("risk score").all()
    # every category of the MSP's count (Sept 2024: REE 10, graphite 6, cobalt 6, ...) is
    # listed once; rare earths, the largest, as the group the assessment ranks once
    rows = scores[scores["kind"].eq("mineral")].set_index("key")
    msp = real["counts"].query("dimension == 'mineral'").set_index("category")["count"]
    assert sorted(rows.index) == sorted(msp.index) and msp["rare_earths"] == 10
    risk = real["risk"].set_index("mineral")
    scored = rows.dropna(subset=["score"])
    assert "rare_earths" in scored.index and pd.notna(risk.loc["rare_earths", "risk_score"])
    # a member of the group has no score of its own: counted with rare_earths, not again
    members = risk[risk["rank_note"].eq("ranked with its group rare_earths")]
    assert {"neodymium", "dysprosium"} <= set(members.index)
    assert members["risk_score"].isna().all()
    # the shares are over the scored minerals: need from the risk scores, projects from the counts
    need = risk.loc[scored.index, "risk_score"]
    assert scored["need_share"].to_numpy() == pytest.approx((need / need.sum()).to_numpy())
    projects = msp[scored.index]
    assert scored["project_share"].to_numpy() == pytest.approx(
        (projects / projects.sum()).to_numpy())
    assert scored["score"].idxmin() == "rare_earths"  # 10 projects: a third of the scored
    # gallium and germanium (2 projects each) have too few risk inputs to be ranked: listed,
    # unscored, with the assessment's reason, after the scored ones
    for name in ("gallium", "germanium"):
        assert pd.isna(risk.loc[name, "risk_score"]) and pd.isna(rows.loc[name, "score"])
        assert "2 projects, no risk score (insufficient data" in rows.loc[name, "reason"]
    assert rows["score"].notna().tolist() == sorted(rows["score"].notna(), reverse=True)
    assert list(stage.index) == ["recycling"]
    assert "worst stage" in scores.set_index("key").loc["midstream", "reason"]


def hand() -> dict[str, pd.DataFrame]:
    counts = pd.DataFrame({"dimension": ["region"] * 3 + ["mineral"] * 2 + ["stage"] * 3,
                           "category": ["Africa", "Europe", "Southeast Asia", "gallium",
                                        "graphite", "upstream", "midstream", "recycling"],
                           "count": [3, 1, 0, 1, 3, 3, 1, 0]})
    world = pd.DataFrame({"region": ["Africa", "Europe", "Southeast Asia", "Africa"],
                          "mineral": ["gallium", "gallium", "gallium", "graphite"],
                          "stage": ["refining", "refining", "refining", "mining"],
                          "variable": "production", "share": [0.1, 0.3, 0.6, 0.5],
                          "share_ex_top1": [0.1, 0.3, 0.6, 1.0]})
    risk = pd.DataFrame({"mineral": ["gallium", "graphite"], "risk_score": [0.9, 0.6]})
    conc = pd.DataFrame({"edition": "mcs2024", "mineral": ["gallium", "graphite"],
                         "stage": ["refining", "mining"], "year": 2023, "hhi": [9000, 4000]})
    return {"counts": counts, "world": world, "risk": risk, "concentration": conc}


def test_gap_scores_by_hand() -> None:
    scores = gaps.gap_scores(**hand()).set_index(["kind", "key"])["score"]
    # gallium: 0.9 / 1.5 = 0.6 of the risk, 1 of 4 projects
    assert scores["mineral", "gallium"] == pytest.approx(0.6 - 0.25)
    # stage: recycling 0.2 vs 0; refining 0.8 * 9/13 vs 1/4
    assert scores["stage", "recycling"] == pytest.approx(0.2)
    assert scores["stage", "midstream"] == pytest.approx(0.8 * 9 / 13 - 0.25)


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_gap_scores_ignore_row_order(rnd) -> None:  # type: ignore[no-untyped-def]
    frames = hand()
    expected = gaps.gap_scores(**frames)
    shuffled = {k: f.sample(frac=1, random_state=rnd.randint(0, 2**31)) for k, f in frames.items()}
    pd.testing.assert_frame_equal(gaps.gap_scores(**shuffled), expected)


def test_scan_by_hand() -> None:
    world = pd.DataFrame({"country": ["IDN", "AUS", "CHN", "AUS", "ZAF"],
                          "mineral": ["nickel", "nickel", "nickel", "gallium", "nickel"],
                          "stage": ["mining", "mining", "mining", "refining", "mining"],
                          "variable": "reserves", "share": [0.4, 0.2, 0.1, 0.01, 0.05]})
    membership = pd.DataFrame({"country": ["AUS", "ZAF"], "role": ["partner", "forum"]})
    regions = pd.DataFrame({"country": ["IDN"], "grouping": ["southeast_asia"]})
    risk = pd.DataFrame({"mineral": ["nickel", "gallium"], "risk_score": [0.6, 0.9]})
    out = opportunities.scan(world, membership, regions, {("AUS", "nickel")}, risk)
    assert out[["country", "status"]].values.tolist() == [["IDN", "southeast_asia"],
                                                          ["ZAF", "forum"]]
    assert (out["p_production"] == 0.1).all()
    assert "holds 40.0%" in out["reason"].iloc[0]


def test_scan_on_the_store(real: dict[str, pd.DataFrame], built: Path) -> None:
    world = opportunities.country_shares(real["supply"])
    covered = set(zip(named_projects()["country"], ["graphite"] * 11, strict=True))
    out = opportunities.scan(world, tables.membership(built), real["regions"], covered,
                             real["risk"])
    assert not out.empty
    assert set(out["status"]) <= {"partner", "forum", "southeast_asia"}
    scores = real["risk"].set_index("mineral")["risk_score"]
    assert (out["mineral"].map(scores) >= 0.5).all()
    pairs = set(zip(out["country"], out["mineral"], strict=True))
    # USGS MCS 2025: Indonesia holds 55 of 130 Mt of nickel reserves, Myanmar mined 31,000 of
    # 390,000 t of rare earths (2024): candidates exactly when the mineral is high-risk
    assert (("IDN", "nickel") in pairs) == bool(scores["nickel"] >= 0.5)
    assert (("MMR", "rare_earths") in pairs) == bool(scores["rare_earths"] >= 0.5)
    # rare earths are scanned once, as the group: no single element is a candidate
    members = real["risk"].loc[real["risk"]["rank_note"].eq("ranked with its group rare_earths"),
                               "mineral"]
    assert not out["mineral"].isin(members).any()
    assert not out[out["mineral"].eq("graphite")]["country"].isin(["TZA", "MOZ"]).any()


GOOD = ("name,country,mineral,stage,capacity_t,capex_usd,status,source_url\n"
        "Nickel HPAL,Indonesia,nickel,feasibility,60000,1.2e9,southeast_asia,https://example.org\n")


def test_read_candidates(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(GOOD)
    out = opportunities.read_candidates(path)
    assert out.loc[0, "country"] == "IDN"
    assert out.loc[0, "p_production"] == 0.3


@pytest.mark.parametrize(("old", "new", "message"), [
    ("feasibility", "dreaming", ":2: stage 'dreaming'"),
    ("60000", "-5", ":2: field 'capacity_t'"),
    ("Indonesia", "Atlantis", ":2: field 'country'"),
    ("https://example.org", "example.org", ":2: field 'source_url'"),
    ("nickel,", "unobtainium,", ":2: field 'mineral'"),
])
def test_read_candidates_names_the_bad_row(tmp_path: Path, old: str, new: str,
                                           message: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(GOOD.replace(old, new))
    with pytest.raises(MinsecError, match=re.escape(message)):
        opportunities.read_candidates(path)
