"""Import structure and reliance: hand-computed fixtures, properties, and published figures."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsec import reference, tables
from minsec.indicators.imports import (
    COLUMNS,
    EU27,
    apparent_consumption,
    curated_structure,
    import_indicators,
    import_reliance,
    import_structure,
    load_curated,
    production_t,
    us_net_import_reliance,
)

FACTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "facts"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
MEMBERS = pd.DataFrame({"country": ["AUS", "KOR", "JPN", "FRA", "DEU", "USA", "KAZ"],
                        "role": ["partner"] * 6 + ["forum"]})


def _flows(*rows: tuple[object, ...], year: int = 2023) -> pd.DataFrame:
    """Mineral trade from ``(exporter, importer, mineral, hs6, value, quantity)``; refining."""
    frame = pd.DataFrame(rows, columns=["exporter", "importer", "mineral", "hs6", "value",
                                        "quantity"])
    return frame.assign(year=year, stage="refining")


def _one(frame: pd.DataFrame, **where: object) -> pd.Series:
    hit = frame.loc[(frame[list(where)] == pd.Series(where)).all(axis=1)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# Three suppliers of mineral m to KOR, m spread over two codes (CHN ships under both):
# CHN 30 + 20 = 50, AUS 30, KAZ 20 (no quantity). Code 111111 is shared with mineral n.
THREE = _flows(("CHN", "KOR", "m", "111111", 30.0, 3.0), ("CHN", "KOR", "m", "222222", 20.0, 2.0),
               ("AUS", "KOR", "m", "111111", 30.0, 3.0), ("KAZ", "KOR", "m", "222222", 20.0, None),
               ("KOR", "JPN", "m", "111111", 5.0, 0.5),
               ("CHN", "KOR", "n", "111111", 30.0, 3.0), ("AUS", "KOR", "n", "111111", 30.0, 3.0),
               ("KOR", "JPN", "n", "111111", 5.0, 0.5))


# --- hand-computed fixtures -------------------------------------------------------------------

def test_three_suppliers_exact_hhi_and_shares() -> None:
    # Shares 0.5, 0.3, 0.2 -> HHI = 10 000 (0.25 + 0.09 + 0.04) = 3800; top CHN 0.5;
    # China 0.5, MSP partners (AUS) 0.3, forum (KAZ) 0.2. Split codes count as one supplier
    # (otherwise 0.3^2 + 0.2^2 + 0.3^2 + 0.2^2 -> 2600).
    out = import_structure(THREE, MEMBERS)
    assert list(out.columns) == COLUMNS
    row = _one(out, importer="KOR", mineral="m")
    assert row["imports"] == 100 and row["exports"] == 5
    assert row["import_hhi"] == pytest.approx(3800)
    assert (row["top_supplier"], row["top_supplier_share"]) == ("CHN", pytest.approx(0.5))
    assert row["china_share"] == pytest.approx(0.5)
    assert row["msp_share"] == pytest.approx(0.3) and row["forum_share"] == pytest.approx(0.2)
    assert row["suppliers"] == 3
    # KAZ reports no quantity: 8 t known, covering 80 of 100 kUSD
    assert row["imports_t"] == pytest.approx(8) and row["exports_t"] == pytest.approx(0.5)
    assert row["quantity_coverage"] == pytest.approx(0.8)
    assert row["source"] == ("BACI HS92 111111 (shared by 2 minerals, counted in full for each), "
                             "222222")


def test_shared_code_counts_in_full_for_each_mineral() -> None:
    out = import_structure(THREE, MEMBERS)
    row = _one(out, importer="KOR", mineral="n")
    assert row["imports"] == 60 and row["import_hhi"] == pytest.approx(5000)
    jpn = _one(out, importer="JPN", mineral="m")
    assert (jpn["top_supplier"], jpn["msp_share"], jpn["import_hhi"]) == ("KOR", 1.0, 10000)


def test_an_exporter_without_imports_has_a_row_with_no_structure() -> None:
    row = _one(import_structure(THREE, MEMBERS), importer="CHN", mineral="m")
    assert row["imports"] == 0 and row["exports"] == 50 and row["suppliers"] == 0
    assert math.isnan(row["import_hhi"]) and math.isnan(row["china_share"])


def test_hong_kong_and_macao_count_with_china_unless_told() -> None:
    # USGS MCS: "Imports from Hong Kong are included with China". CHN 60, HKG 30, MAC 10.
    flows = _flows(("CHN", "KOR", "m", "1", 60.0, 1.0), ("HKG", "KOR", "m", "1", 30.0, 1.0),
                   ("MAC", "KOR", "m", "1", 10.0, 1.0))
    greater = _one(import_structure(flows, MEMBERS), importer="KOR")
    mainland = _one(import_structure(flows, MEMBERS, china=("CHN",)), importer="KOR")
    assert greater["china_share"] == pytest.approx(1.0)
    assert mainland["china_share"] == pytest.approx(0.6)
    # concentration stays on the partners as reported: 0.36 + 0.09 + 0.01
    assert greater["import_hhi"] == pytest.approx(4600) == mainland["import_hhi"]
    assert greater["top_supplier_share"] == pytest.approx(0.6)


def test_eu27_bloc_counts_extra_eu_flows_only() -> None:
    # DEU <- FRA 50 (intra-EU), DEU <- CHN 50, FRA <- CHN 100, FRA <- USA 20; DEU -> USA 20.
    # EU27 imports 170 = CHN 150 + USA 20; exports 20 (FRA -> DEU is internal).
    flows = _flows(("FRA", "DEU", "m", "1", 50.0, 5.0), ("CHN", "DEU", "m", "1", 50.0, 5.0),
                   ("CHN", "FRA", "m", "1", 100.0, 10.0), ("USA", "FRA", "m", "1", 20.0, 2.0),
                   ("DEU", "USA", "m", "1", 20.0, 2.0))
    out = import_structure(flows, MEMBERS)
    bloc = _one(out, importer="EU27")
    assert (bloc["imports"], bloc["exports"], bloc["suppliers"]) == (170, 20, 2)
    assert bloc["china_share"] == pytest.approx(150 / 170)
    assert bloc["import_hhi"] == pytest.approx(10000 * (150**2 + 20**2) / 170**2)
    assert bloc["msp_share"] == pytest.approx(20 / 170)
    assert (bloc["imports_t"], bloc["exports_t"]) == (17, 2)
    deu = _one(out, importer="DEU")  # members keep their own rows, intra-EU included
    assert deu["imports"] == 100 and deu["msp_share"] == pytest.approx(0.5)
    assert _one(out, importer="FRA")["exports"] == 50


def test_eu27_constant_is_the_curated_grouping() -> None:
    groups = reference.frame("country_group")
    assert sorted(EU27) == sorted(groups.loc[groups["grouping"] == "eu27", "country"])


def test_production_gives_apparent_consumption_and_reliance() -> None:
    # KOR: P 2, I 8 t, E 0.5 t -> C 9.5, NIR 7.5 / 9.5. EU27 production = DEU 3 + FRA 1.
    production = pd.DataFrame({"country": ["KOR", "DEU", "FRA"], "mineral": "m",
                               "stage": "refining", "year": 2023, "value": [2.0, 3.0, 1.0]})
    flows = pd.concat([THREE, _flows(("CHN", "DEU", "m", "111111", 10.0, 6.0))])
    out = import_structure(flows, MEMBERS, production)
    row = _one(out, importer="KOR", mineral="m")
    assert row["apparent_consumption"] == pytest.approx(9.5)
    assert row["import_reliance"] == pytest.approx(7.5 / 9.5)
    bloc = _one(out, importer="EU27", mineral="m")
    assert bloc["production"] == 4 and bloc["import_reliance"] == pytest.approx(6 / 10)
    assert math.isnan(_one(out, importer="JPN", mineral="m")["import_reliance"])  # P unknown
    with pytest.raises(ValueError, match="several rows"):
        import_structure(THREE, MEMBERS, pd.concat([production, production]))


def test_import_reliance_conventions() -> None:
    # (P, I, E): all imported; half; net exporter -> 0; C <= 0 -> NaN; missing -> NaN
    p = pd.Series([0.0, 10.0, 10.0, 0.0, 0.0, float("nan")])
    i = pd.Series([10.0, 10.0, 5.0, 5.0, 0.0, 1.0])
    e = pd.Series([0.0, 0.0, 8.0, 8.0, 0.0, 0.0])
    nir = import_reliance(p, i, e)
    assert nir.iloc[:3].tolist() == [1.0, 0.5, 0.0]
    assert nir.iloc[3:].isna().all()
    assert apparent_consumption(p, i, e).iloc[:4].tolist() == [10.0, 20.0, 7.0, -3.0]


maybe = st.one_of(st.floats(0, 1e9), st.just(float("nan")))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(maybe, maybe, maybe), min_size=1, max_size=20))
def test_import_reliance_is_bounded_or_missing(rows: list[tuple[float, float, float]]) -> None:
    p, i, e = (pd.Series(col, dtype=float) for col in zip(*rows, strict=True))
    nir = import_reliance(p, i, e)
    consumption = p + i - e
    assert ((nir >= 0) & (nir <= 1) | nir.isna()).all()
    assert (nir.isna() == (consumption.isna() | (consumption <= 0))).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.001, 1e6), min_size=1, max_size=8))
def test_hhi_bounds_and_order(values: list[float]) -> None:
    # 10 000 / n <= HHI <= 10 000, HHI >= 10 000 top^2, and the order of the rows is irrelevant
    flows = _flows(*((f"S{k:02d}", "KOR", "m", "1", v, 1.0) for k, v in enumerate(values)))
    row = _one(import_structure(flows, MEMBERS), importer="KOR")
    back = _one(import_structure(flows.iloc[::-1], MEMBERS), importer="KOR")
    n = len(values)
    assert 10000 / n * (1 - 1e-9) <= row["import_hhi"] <= 10000 * (1 + 1e-9)
    assert row["import_hhi"] >= 10000 * row["top_supplier_share"] ** 2 * (1 - 1e-9)
    assert row["import_hhi"] == pytest.approx(back["import_hhi"])
    assert row["suppliers"] == n


def test_production_t_takes_one_edition_per_key() -> None:
    supply = pd.DataFrame({
        "edition": ["wmd2026", "mcs2024", "wmd2026", "mcs2024", "mcs2024"],
        "country": ["KOR", "KOR", "KOR", "WLD", "AUS"], "mineral": "m", "stage": "mining",
        "variable": "production", "year": [2023, 2023, 2024, 2023, 2023],
        "value": [1.0, 2.0, 3.0, 9.0, 5.0], "unit": ["t", "t", "t", "t", "kg"]})
    out = production_t(supply).set_index("year")
    assert out.loc[2023, "value"] == 2.0 and out.loc[2023, "edition"] == "mcs2024"
    assert out.loc[2024, "value"] == 3.0 and set(out["country"]) == {"KOR"}


# --- curated shares and the combined table ------------------------------------------------------

CURATED = pd.DataFrame({
    "importer": "KOR", "mineral": ["g", "g", "m", "g", "l"],
    "stage": ["refining", "refining", "refining", "all", "refining"], "year": 2023,
    "supplier": ["CHN", "CHN", "CHN", "CHN", "CHL"], "share": [0.5, 0.9, 0.4, 0.7, 0.8],
    "basis": "import value", "source_url": [f"https://{c}" for c in "baecd"],
    "confidence": ["low", "high", "high", "medium", "high"], "item": "x", "data_owner": "y",
    "note": ""})
GAPS = pd.DataFrame({"mineral": ["g", "h", "l"], "stage": ["refining", "mining", "refining"],
                     "note": ["no code", "by-product", "not in BACI"]})


def test_curated_structure_derives_what_it_can() -> None:
    out = curated_structure(CURATED)
    assert list(out.columns)[: len(COLUMNS)] == COLUMNS
    assert out["china_share"].iloc[:4].tolist() == [0.5, 0.9, 0.4, 0.7]
    assert math.isnan(out["china_share"].iloc[4])  # a Chilean share says nothing of China
    # a supplier is surely the top one only above one half
    assert out["top_supplier"].tolist()[1::3] == ["CHN", "CHL"]
    assert out["top_supplier"].iloc[[0, 2]].isna().all()
    assert out["top_supplier_share"].iloc[1] == 0.9 and out["top_supplier_share"].isna()[0]
    assert out["import_hhi"].isna().all() and out["imports"].isna().all()
    assert out["source"].iloc[1] == "curated: https://a" and out["note"].iloc[0] == "x; y"


def _by_form(flows: pd.DataFrame) -> pd.DataFrame:
    """Fixture flows as :func:`minsec.indicators.trade_forms.flows_by_form` gives them."""
    return flows.assign(form=flows["hs6"], form_name="form " + flows["hs6"],
                        basis="BACI HS92", gross_t=flows["quantity"],
                        contained_t=flows["quantity"])


def test_indicators_mark_the_basis_and_never_drop_or_zero_a_gap() -> None:
    flows = THREE.assign(quantity=THREE["quantity"].fillna(2.0))  # KAZ 20 kUSD ~ 2 t
    out, forms = import_indicators(_by_form(flows), MEMBERS, CURATED, GAPS)
    kor_g = _one(out, importer="KOR", mineral="g", stage="refining", year=2023)
    assert kor_g["basis"] == "curated" and kor_g["china_share"] == 0.9  # high beats low
    assert kor_g["source"] == "curated: https://a"
    jpn_g = _one(out, importer="JPN", mineral="g", stage="refining")
    assert jpn_g["basis"] == "missing: no code" and math.isnan(jpn_g["imports"])
    assert pd.isna(jpn_g["suppliers"])
    assert _one(out, importer="KOR", mineral="h")["basis"] == "missing: by-product"
    chile = _one(out, importer="KOR", mineral="l")
    assert chile["basis"] == "curated" and chile["top_supplier"] == "CHL"
    # BACI wins where a code exists; the mineral's shares are of contained tonnes: CHN 3 + 2,
    # AUS 3, KAZ 2 of 10 t
    kor_m = _one(out, importer="KOR", mineral="m", stage="refining")
    assert kor_m["basis"] == "BACI HS92" and kor_m["china_share"] == 0.5
    assert kor_m["imports_t"] == 10.0 and kor_m["exports_t"] == 0.5  # KOR -> JPN
    assert _one(out, importer="KOR", mineral="m", stage="all")["china_share"] == 0.5
    assert _one(out, importer="JPN", mineral="m", stage="refining")["imports_t"] == 0.5
    # per form: the value shares of each code (111111: CHN 30, AUS 30)
    code = _one(forms, importer="KOR", mineral="m", form="111111")
    assert code["measure"] == "value" and code["top_supplier_share"] == 0.5
    importers = set(out["importer"])
    for gap in GAPS.itertuples():
        hit = out[(out["mineral"] == gap.mineral) & (out["stage"] == gap.stage)]
        assert set(hit["importer"]) == importers


def test_us_net_import_reliance_passes_figures_through() -> None:
    stats = pd.DataFrame({
        "source": ["usgs_mcs2024_salient", "usgs_mcs2024_trends", "usgs_mcs2024_salient"],
        "edition": "mcs2024", "mineral": ["gallium", "gallium", "boron"], "year": 2023,
        "variable": "net_import_reliance", "form": [None, "metal", None],
        "value": [100.0, 100.0, None], "unit": "pct", "flag": [None, None, "E"]})
    out = us_net_import_reliance(stats)
    assert len(out) == 2
    assert _one(out, mineral="gallium")[["nir", "form"]].tolist() == [100.0, "metal"]
    boron = _one(out, mineral="boron")
    assert boron["flag"] == "E" and math.isnan(boron["nir"])


def test_curated_file_is_the_fact_pack() -> None:
    curated = load_curated()
    assert list(curated.columns)[:10] == ["importer", "mineral", "stage", "year", "scope",
                                          "supplier", "share", "basis", "source_url",
                                          "confidence"]
    assert curated["scope"].str.fullmatch(r"all|mining|refining|form:[a-z_]+").all()
    assert curated["source_url"].str.startswith("http").all()
    assert set(curated["importer"]) == {"KOR", "USA"}
    assert curated["share"].between(0, 1).all()
    # The USA's rows: USGS MCS 2022's import sources (2017-20), checked below against the
    # mirror's transcription of them; Korea's: China's share from the fact pack.
    usa = curated[curated["importer"].eq("USA")]
    assert usa["source_url"].str.startswith("https://pubs.usgs.gov/periodicals/mcs2022/").all()
    transcribed = SHARED / "usgs_mcs" / "mcs2022_import_sources_transcribed" / \
        "Import_Source_Pct_raw.csv"
    if transcribed.is_file():
        usgs = pd.read_csv(transcribed, encoding="utf-8-sig")
        usgs = usgs.assign(mineral=usgs["Metal"].str.lower(), supplier=usgs["Country"].map(
            {"China": "CHN", "United Kingdom": "GBR", "Germany": "DEU", "Ukraine": "UKR",
             "Belgium": "BEL", "Russia": "RUS"}))
        got = usa.merge(usgs, on=["mineral", "supplier"])
        assert len(got) == len(usa)
        assert (got["share"] * 100).round().tolist() == got["Percentage"].astype(float).tolist()
    curated = curated[curated["importer"].eq("KOR")]
    assert set(curated["supplier"]) == {"CHN"}
    assert set(curated["stage"]) <= {"mining", "refining", "product", "all"}
    assert set(curated["confidence"]) <= {"high", "medium", "low"}
    assert set(curated["mineral"]) <= set(reference.minerals()["id"])
    if not (FACTS / "kr_import_dependence_china.csv").is_file():
        pytest.skip("fact pack not found")
    facts = pd.read_csv(FACTS / "kr_import_dependence_china.csv", dtype=str)
    facts["year"] = facts["year"].str[:4].astype(int)
    joined = curated.merge(facts, on=["item", "year", "data_owner"], suffixes=("", "_fact"))
    assert len(joined) == len(curated)  # every curated row is a fact-pack row
    assert (joined["share"] * 100).round(1).tolist() == \
        joined["china_share_pct"].astype(float).tolist()
    assert (joined["basis"] == joined["basis_fact"]).all()
    assert (joined["source_url"] == joined["source_url_fact"]).all()


# --- published figures on the real store ----------------------------------------------------------

@pytest.fixture(scope="module")
def trade(built: Path) -> pd.DataFrame:
    return tables.mineral_trade(built)


@pytest.fixture(scope="module")
def membership(built: Path) -> pd.DataFrame:
    return tables.membership(built)


def _codes(trade: pd.DataFrame, *codes: str) -> pd.DataFrame:
    return trade[trade["hs6"].isin(codes)]


def _korea(out: pd.DataFrame, year: int) -> pd.Series:
    return out[(out["importer"] == "KOR") & (out["year"] == year)].iloc[0]


@pytest.mark.shared
def test_korea_natural_graphite_2023_is_97_percent_china(trade: pd.DataFrame,
                                                          membership: pd.DataFrame) -> None:
    # BACI HS92 250410, KOR 2023: CHN 100,828.925 of 103,835.783 kUSD -> 0.9710.
    flows = _codes(trade, "250410")
    mainland = _korea(import_structure(flows, membership, china=("CHN",)), 2023)
    assert mainland["imports"] == pytest.approx(103835.783)
    assert mainland["china_share"] == pytest.approx(100828.925 / 103835.783)
    assert mainland["top_supplier"] == "CHN"
    greater = _korea(import_structure(flows, membership), 2023)  # + HKG 0.781 kUSD
    assert greater["china_share"] == pytest.approx((100828.925 + 0.781) / 103835.783)
    # Loosely against the agencies: graphite 97% from China in 2023 (KOMIR statistics,
    # facts.md §2.4 [K-ajunews-2024]); natural graphite 97.6% in 2024 (MOTIE via Rep. Lee,
    # [K-chinascope]); scopes differ (HSK 10-digit, all graphite), so 3 points of slack.
    assert abs(mainland["china_share"] - 0.97) <= 0.03


@pytest.mark.shared
def test_korea_lithium_carbonate_chile_82_percent_2021(trade: pd.DataFrame,
                                                       membership: pd.DataFrame) -> None:
    # "In 2021 82% of lithium carbonate came from Chile" (MOTIE strategy of 27 Feb 2023 via
    # Yonhap, methods.md §5.1, facts.md §2.4). BACI 283691: CHL 289,571.630 of 360,151.883.
    flows = _codes(trade, "283691")
    out = import_structure(flows, membership)
    row = _korea(out, 2021)
    assert (row["top_supplier"], row["top_supplier_share"]) == (
        "CHL", pytest.approx(289571.630 / 360151.883))
    assert abs(row["top_supplier_share"] - 0.82) <= 0.03
    # the HHI from the raw flows, computed here independently
    for year in (2021, 2023):
        raw = flows[(flows["importer"] == "KOR") & (flows["year"] == year)]
        shares = raw.groupby("exporter")["value"].sum() / raw["value"].sum()
        assert _korea(out, year)["import_hhi"] == pytest.approx(10000 * (shares**2).sum())
    assert _korea(out, 2021)["import_hhi"] > 10000 * 0.82**2 * 0.95  # Chile alone ~ 6 700


# Curated KITA / KCCI shares (both from customs or UN Comtrade value data) against BACI.
CROSS_CHECKS = {"Lithium hydroxide": ("282520",), "Lithium oxide & hydroxide": ("282520",),
                "Cobalt oxide & hydroxide": ("282200",),
                "Natural graphite": ("250410", "250490")}


@pytest.mark.shared
def test_curated_korean_shares_agree_with_baci(trade: pd.DataFrame,
                                               membership: pd.DataFrame) -> None:
    # KITA via BusinessKorea: LiOH 2019 74.1%, 2022 87.9%, 2023 79.6%; KCCI (UN Comtrade) 2020:
    # LiOH 81.2%, cobalt oxides & hydroxides 83.3%, natural graphite 87.4% (facts.md §2.4).
    curated = load_curated()
    rows = curated[curated["item"].isin(list(CROSS_CHECKS))
                   & curated["data_owner"].isin(["KITA", "KCCI"])]
    assert len(rows) == 6
    for item, year, share in zip(rows["item"], rows["year"], rows["share"], strict=True):
        flows = _codes(trade, *CROSS_CHECKS[item])
        baci = _korea(import_structure(flows, membership, china=("CHN",)), year)
        assert abs(baci["china_share"] - share) <= 0.02, (item, year)


@pytest.mark.shared
def test_eu27_bloc_on_real_flows(trade: pd.DataFrame, membership: pd.DataFrame) -> None:
    flows = trade[(trade["mineral"] == "graphite") & (trade["year"] == 2023)]
    out = import_structure(flows, membership)
    bloc = out[out["importer"] == "EU27"].iloc[0]
    extra = flows[flows["importer"].isin(EU27) & ~flows["exporter"].isin(EU27)]
    assert bloc["imports"] == pytest.approx(extra["value"].sum())
    assert bloc["suppliers"] == extra["exporter"].nunique()
    assert bloc["top_supplier"] not in EU27
    members = out[out["importer"].isin(EU27)]
    assert bloc["imports"] < members["imports"].sum()  # intra-EU trade left out
    leaving = flows[flows["exporter"].isin(EU27) & ~flows["importer"].isin(EU27)]
    assert bloc["exports"] == pytest.approx(leaving["value"].sum())


@pytest.mark.shared
def test_usgs_mcs2024_net_import_reliance_comes_through(built: Path) -> None:
    # USGS MCS 2024 (2023 data): NIR 100% for gallium, natural graphite and indium
    # (facts.md §3.2 [U-mhl]; MCS2024 Fig. 2 and the salient-statistics tables).
    out = us_net_import_reliance(tables.us_statistics(built), edition="mcs2024")
    for mineral in ("gallium", "graphite", "indium"):
        row = _one(out, mineral=mineral, year=2023)
        assert row["nir"] == 100.0 and pd.isna(row["flag"])
    assert _one(out, mineral="graphite", year=2023)["form"] == "natural"


@pytest.mark.shared
def test_us_natural_graphite_reliance_from_baci_and_mcs(built: Path, trade: pd.DataFrame,
                                                        membership: pd.DataFrame) -> None:
    # MCS 2024: US natural graphite mine production 0 t in 2023 -> NIR = 1 from BACI quantities,
    # as USGS publishes (100%).
    production = production_t(tables.supply(built))
    flows = trade[(trade["mineral"] == "graphite") & (trade["year"] == 2023)]
    out = import_structure(flows, membership, production)
    usa = _one(out, importer="USA", stage="mining")
    assert usa["production"] == 0 and usa["imports_t"] > usa["exports_t"] > 0
    assert usa["import_reliance"] == 1.0


@pytest.mark.shared
def test_indicators_on_the_real_store(built: Path, trade: pd.DataFrame,
                                      membership: pd.DataFrame) -> None:
    gaps = tables.trade_gaps(built)
    flows = tables.mineral_trade(built)
    korean = flows[(flows["importer"] == "KOR") | (flows["exporter"] == "KOR")]
    out, _ = import_indicators(korean, membership, load_curated(), gaps)
    gallium = _one(out, importer="KOR", mineral="gallium", stage="refining", year=2024)
    assert gallium["basis"] == "curated" and gallium["china_share"] == 0.98
    tin = _one(out, importer="KOR", mineral="uranium", stage="refining", year=2023)
    assert tin["basis"].startswith("missing: ") and math.isnan(tin["imports"])
    assert "284410" in tin["basis"]  # the form no loaded source holds, named
    korea = out[(out["importer"] == "KOR") & (out["year"] == 2023)]
    assert set(zip(gaps["mineral"], gaps["stage"], strict=True)) <= set(
        zip(korea["mineral"], korea["stage"], strict=True))
    bases = {b for text in out["basis"] for b in text.split(": ")[0].split("; ")}
    assert {"BACI HS92", "UN Comtrade, declared by the importer", "curated",
            "missing"} <= bases
