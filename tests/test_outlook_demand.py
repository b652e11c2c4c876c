"""Demand outlook: IEA demand by scenario, growth, an importer's share; checked on the workbook."""

from __future__ import annotations

import math
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minsec.errors import MinsecError
from minsec.outlook import demand as d

# --- tiny frames, numbers by hand ---------------------------------------------------------------

def _rows(scenario: str, year: int, **sectors: float) -> list[tuple[str, str, str, int, float]]:
    """Lithium sector rows with the IEA's two totals (clean technologies: all but Other uses)."""
    named = {k.replace("_", " "): v for k, v in sectors.items()}
    clean = sum(v for k, v in named.items() if k != "Other uses")
    return [("lithium", scenario, k, year, v) for k, v in {
        **named, "Total clean technologies": clean, "Total": sum(named.values())}.items()]


DEMAND = pd.DataFrame(
    [*_rows("baseline", 2023, Electric_vehicles=60.0, Grid_battery_storage=0.0,
            Other_uses=40.0),
     *_rows("STEPS", 2030, Electric_vehicles=145.0, Grid_battery_storage=5.0, Other_uses=50.0),
     *_rows("STEPS", 2040, Electric_vehicles=293.0, Grid_battery_storage=7.0, Other_uses=100.0),
     *_rows("STEPS", 2050, Electric_vehicles=391.0, Grid_battery_storage=9.0, Other_uses=100.0),
     *_rows("STEPS", 2060, Electric_vehicles=800.0, Other_uses=100.0),  # beyond the horizon
     *_rows("APS", 2030, Electric_vehicles=200.0, Other_uses=50.0),
     *_rows("APS", 2040, Electric_vehicles=350.0, Other_uses=100.0),
     *_rows("APS", 2050, Electric_vehicles=500.0, Other_uses=100.0),
     ("nickel", "baseline", "Total", 2023, 3000.0), ("nickel", "STEPS", "Total", 2030, 4000.0)],
    columns=d.COLUMNS)
TOTALS = d.published_totals(DEMAND)


def test_outlook_starts_with_the_2023_actual_and_ends_in_2050() -> None:
    out = d.outlook(DEMAND, "lithium", "STEPS")
    assert list(out.columns) == d.COLUMNS
    assert not out["sector"].isin(list(d.AGGREGATES)).any()  # the parts only: they add up
    by_year = out.groupby("year")["value_kt"].sum()
    assert by_year.to_dict() == {2023: 100.0, 2030: 200.0, 2040: 400.0, 2050: 500.0}
    total = d.outlook_totals(TOTALS, "lithium", "STEPS").query("sector == 'Total'")
    assert total["value_kt"].tolist() == by_year.tolist()
    assert set(total["covers"]) == {"all uses"}
    assert set(out["scenario"]) == {"STEPS"} and set(out["mineral"]) == {"lithium"}


def test_no_total_is_ever_a_part() -> None:
    parts = d.sector_parts(DEMAND)
    assert not parts["sector"].isin(list(d.AGGREGATES)).any()
    assert len(parts) == len(DEMAND) - 2 * 8  # two totals for each of 8 lithium years
    # a mineral the IEA gives as a total only: that total is the one part, named for it
    nickel = parts[parts["mineral"].eq("nickel")]
    assert set(nickel["sector"]) == {"All uses (not split by the IEA)"}
    assert dict(zip(nickel["year"], nickel["value_kt"], strict=True)) == {2023: 3000.0,
                                                                          2030: 4000.0}
    assert d.sector_parts(parts).equals(parts)  # once is enough
    clean = d.outlook_totals(TOTALS, "lithium", "APS").query("covers == 'clean technologies'")
    assert clean["value_kt"].tolist() == [60.0, 200.0, 350.0, 500.0]


def test_outlook_default_scenario_is_aps_and_case_does_not_matter() -> None:
    aps = d.outlook(DEMAND, "lithium")
    assert aps.equals(d.outlook(DEMAND, "lithium", "aps"))
    assert aps.loc[aps["year"] == 2030, "value_kt"].sum() == 250.0
    assert aps["year"].min() == 2023  # the actual is shared by every scenario


@pytest.mark.parametrize(("mineral", "scenario", "message"), [
    ("lithum", "APS", r"^mineral 'lithum' .* did you mean 'lithium'"),
    ("lithium", "ABS", r"^scenario 'ABS' .* did you mean 'APS'.*available: APS, STEPS\)$"),
    ("lithium", "baseline", r"^scenario 'baseline' .*available: APS, STEPS\)$"),
    ("nickel", "APS", r"^scenario 'APS' is not in the demand outlook of nickel"),
])
def test_unknown_mineral_or_scenario(mineral: str, scenario: str, message: str) -> None:
    with pytest.raises(MinsecError, match=message) as info:
        d.outlook(DEMAND, mineral, scenario)
    assert "\n" not in str(info.value)


def test_growth_is_the_compound_annual_rate() -> None:
    rates = d.growth(d.outlook_totals(TOTALS, "lithium", "STEPS")).set_index("sector")
    assert list(rates.columns) == ["mineral", "scenario", "cagr_2023_2030", "cagr_2030_2040",
                                   "cagr_2040_2050"]
    assert rates.loc["Total", "cagr_2023_2030"] == pytest.approx(math.pow(2, 1 / 7) - 1)
    assert rates.loc["Total", "cagr_2030_2040"] == pytest.approx(math.pow(2, 1 / 10) - 1)
    assert rates.loc["Total", "cagr_2040_2050"] == pytest.approx(math.pow(1.25, 1 / 10) - 1)
    sectors = d.growth(d.outlook(DEMAND, "lithium", "STEPS")).set_index("sector")
    assert math.isnan(sectors.loc["Grid battery storage", "cagr_2023_2030"])  # from 0: undefined


def test_growth_needs_the_years_of_its_periods() -> None:
    with pytest.raises(MinsecError, match=r"^periods: \(2023, 2035\)"):
        d.growth(d.outlook(DEMAND, "lithium", "STEPS"), [(2023, 2035)])


def test_user_series_takes_the_place_of_the_iea_one() -> None:
    mine = d.user_series(pd.DataFrame({"year": [2030, 2023], "value_kt": [30, 12.5]}), "lithium")
    assert list(mine.columns) == d.COLUMNS
    assert mine[["year", "value_kt"]].values.tolist() == [[2023, 12.5], [2030, 30.0]]
    assert set(mine["scenario"]) == {"user"} and set(mine["sector"]) == {"all uses"}
    assert d.growth(mine, [(2023, 2030)])["cagr_2023_2030"].iloc[0] == pytest.approx(
        math.pow(30 / 12.5, 1 / 7) - 1)


@pytest.mark.parametrize("series", [
    pd.DataFrame({"year": [2030], "kt": [1.0]}),
    pd.DataFrame({"year": [2030, 2030], "value_kt": [1.0, 2.0]}),
    pd.DataFrame({"year": [2030.5], "value_kt": [1.0]}),
    pd.DataFrame({"year": [2030], "value_kt": [-1.0]}),
    pd.DataFrame({"year": [2030], "value_kt": ["many"]}),
])
def test_user_series_is_checked(series: pd.DataFrame) -> None:
    with pytest.raises(MinsecError, match=r"^series: "):
        d.user_series(series, "lithium")


SUPPLY = pd.DataFrame(
    [("wmd2026", "x", "mining", "WLD", 2024, 1000.0, "t", None, "X"),
     ("mcs2024", "x", "mining", "WLD", 2024, 1100.0, "t", None, "Mine production, x content"),
     ("mcs2024", "x", "mining", "WLD", 2023, 900.0, "t", None, "Mine production, x content"),
     ("mcs2024", "x", "mining", "CHN", 2023, 800.0, "t", None, "Mine production, x content"),
     ("iea2024", "x", "refining", "WLD", 2023, 500.0, "t", None, "X - Refining"),
     ("iea2024", "x", "refining", "WLD", 2030, 700.0, "t", "projection (base case)", "X - R")],
    columns=["edition", "mineral", "stage", "country", "year", "value", "unit", "note", "form"]
).assign(variable="production")


def test_world_production_prefers_wmd_and_leaves_out_projections() -> None:
    world = d.world_production(SUPPLY).set_index(["stage", "year"])
    assert world.loc[("mining", 2024), "world_t"] == 1000.0  # WMD before USGS MCS
    assert world.loc[("mining", 2024), "world_edition"] == "wmd2026"
    assert world.loc[("mining", 2023), "world_t"] == 900.0  # MCS where WMD has no figure
    assert world.loc[("refining", 2023), "world_t"] == 500.0
    assert ("refining", 2030) not in world.index and len(world) == 3


CONSUMPTION = pd.DataFrame(
    [("KOR", "x", "mining", 2023, 90.0, 0.0, 90.0), ("KOR", "x", "mining", 2024, 50.0, 0.0, 50.0),
     ("KOR", "x", "refining", 2023, 60.0, 10.0, 40.0),
     ("KOR", "x", "refining", 2024, 80.0, 0.0, 80.0),  # no world refining figure in 2024
     ("KOR", "y", "mining", 2024, 5.0, None, None)],  # production unknown
    columns=["importer", "mineral", "stage", "year", "imports_t", "production",
             "apparent_consumption"])


def test_consumption_share_divides_by_world_production_of_the_same_stage() -> None:
    shares = d.consumption_shares(CONSUMPTION, d.world_production(SUPPLY)).set_index(
        ["mineral", "stage", "year"])
    assert shares.loc[("x", "mining", 2024), "share"] == pytest.approx(50 / 1000)
    assert shares.loc[("x", "mining", 2023), "share"] == pytest.approx(90 / 900)
    assert shares.loc[("x", "refining", 2023), "share"] == pytest.approx(40 / 500)
    assert math.isnan(shares.loc[("x", "refining", 2024), "share"])  # not the mining 1000 t
    assert shares.loc[("x", "refining", 2024), "reason"].startswith("no world production")
    assert "production is unknown" in shares.loc[("y", "mining", 2024), "reason"]
    assert set(shares["measure"]) == {"contained tonnes"}


def test_importer_share_prefers_refining_then_the_latest_year() -> None:
    shares = d.consumption_shares(CONSUMPTION, d.world_production(SUPPLY))
    share = d.importer_share(shares, "x")
    assert (share.stage, share.year, share.value) == ("refining", 2023, pytest.approx(0.08))
    assert "contained tonnes" in share.basis and "iea2024" in share.basis
    mining = d.importer_share(shares, "x", stage="mining")
    assert (mining.year, mining.value) == (2024, pytest.approx(0.05))
    assert d.importer_share(shares, "x", stage="mining", year=2023).value == pytest.approx(0.1)


def test_a_content_factor_scales_the_gross_weight() -> None:
    shares = d.consumption_shares(CONSUMPTION, d.world_production(SUPPLY), {"x": 0.25})
    share = d.importer_share(shares, "x")
    assert share.value == pytest.approx(0.25 * 40 / 500) and "content x0.25" in share.basis


@pytest.mark.parametrize(("mineral", "stage", "message"), [
    ("y", None, r"^mineral 'y': no consumption share for KOR \(.*production is unknown.*share"),
    ("z", None, r"^mineral 'z' is not in the consumption shares"),
    ("x", "smelting", r"^stage 'smelting' is not in x"),
])
def test_importer_share_errors(mineral: str, stage: str | None, message: str) -> None:
    shares = d.consumption_shares(CONSUMPTION, d.world_production(SUPPLY))
    with pytest.raises(MinsecError, match=message):
        d.importer_share(shares, mineral, stage=stage)


def test_importer_outlook_scales_every_row_and_says_how() -> None:
    world = d.outlook(DEMAND, "lithium", "STEPS")
    share = d.user_share(0.1, "KOR", "lithium", "KOMIR 2024 statistics")
    mine = d.importer_outlook(world, share)
    assert list(mine.columns) == [*d.COLUMNS, "importer", "share", "basis"]
    assert mine["value_kt"].tolist() == pytest.approx((world["value_kt"] * 0.1).tolist())
    assert set(mine["basis"]) == {"user-supplied: KOMIR 2024 statistics"}
    assert set(mine["importer"]) == {"KOR"}


@pytest.mark.parametrize("value", [0.0, -0.1, 1.5, float("nan")])
def test_an_impossible_share_is_refused(value: float) -> None:
    with pytest.raises(MinsecError, match=r"^share: "):
        d.user_share(value, "KOR", "lithium", "mine")
    with pytest.raises(MinsecError, match=r"^share: "):
        d.importer_outlook(d.outlook(DEMAND, "lithium"), d.Share("KOR", "lithium", value, "x"))


def test_a_share_for_another_mineral_is_refused() -> None:
    with pytest.raises(MinsecError, match=r"^share: it is for nickel"):
        d.importer_outlook(d.outlook(DEMAND, "lithium"), d.Share("KOR", "nickel", 0.1, "x"))


@given(st.floats(min_value=1e-4, max_value=1.0))
def test_a_constant_share_leaves_growth_unchanged(value: float) -> None:
    world = d.outlook(DEMAND, "lithium", "STEPS")
    mine = d.importer_outlook(world, d.Share("KOR", "lithium", value, "x"))
    pd.testing.assert_frame_equal(d.growth(mine), d.growth(world))


# --- validation: the store against the IEA workbook ----------------------------------------------

WORKBOOK = "iea_critical_minerals_outlook_2024/CM_Data_Explorer_May2024.xlsx"
SHEET = "1 Total demand for key minerals"
BLOCKS = {"Copper": "copper", "Cobalt": "cobalt", "Lithium": "lithium", "Nickel": "nickel",
          "Graphite (all grades: natural and synthetic)": "graphite",
          "Magnet rare earth elements": "magnet_rare_earths"}
SCENARIOS = {"Stated Policies scenario": "STEPS", "Announced Pledges scenario": "APS",
             "Net Zero Emissions by 2050 scenario": "NZE"}
Totals = dict[tuple[str, str, int], tuple[float, int]]


def _decimals(number_format: str) -> int:
    """Decimals a cell shows: '0' -> 0, '0.0' -> 1, '#,##0.00' -> 2; General: 6 (ours)."""
    match = re.fullmatch(r"[#,]*0(?:\.(0+))?", number_format)
    return len(match.group(1) or "") if match else 6


def workbook_totals(path: Path) -> Totals:
    """``(mineral, scenario, year) -> (value kt, decimals shown)`` of every 'Total demand' row.

    Read with openpyxl directly (not through minsec.sources.iea): the scenario labels sit on
    merged cells above the year row and hold for the columns to their right; 2023 has none.
    """
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [tuple(row) for row in book[SHEET].iter_rows()]
    columns: dict[int, tuple[str, int]] = {}
    for number, row in enumerate(rows):
        years = {i: c.value for i, c in enumerate(row) if isinstance(c.value, int)}
        if len(years) > 2:
            scenario = "baseline"
            for i, cell in enumerate(rows[number - 1]):
                scenario = SCENARIOS.get(str(cell.value).strip(), scenario)
                if i in years:
                    columns[i] = (scenario, years[i])
            break
    totals: Totals = {}
    block = None
    for row in rows:
        label = row[0].value if row else None
        if isinstance(label, str) and all(c.value is None for c in row[1:]):
            block = BLOCKS.get(label.strip())
        elif label == "Total demand" and block is not None:
            for i, (scenario, year) in columns.items():
                totals[(block, scenario, year)] = (float(row[i].value),
                                                   _decimals(row[i].number_format))
    book.close()
    return totals


@pytest.fixture(scope="module")
def workbook(shared: Path) -> Totals:
    return workbook_totals(shared / WORKBOOK)


@pytest.fixture(scope="module")
def store_totals(built: Path) -> pd.Series:
    demand = d.load_totals(built)
    return demand[demand["sector"] == "Total"].set_index(["mineral", "scenario", "year"])[
        "value_kt"]


def same_as_shown(store: float, workbook: float, decimals: int) -> bool:
    """Equal at the workbook's rounding: both round to the figure the cell shows."""
    return round(store, decimals) == round(workbook, decimals)


def test_the_workbook_reader_finds_every_block(workbook: Totals) -> None:
    assert {m for m, _, _ in workbook} == set(BLOCKS.values())
    assert {(s, y) for _, s, y in workbook} == {("baseline", 2023)} | {
        (s, y) for s in SCENARIOS.values() for y in (2030, 2035, 2040, 2045, 2050)}
    assert workbook[("lithium", "APS", 2030)] == (531.513, 0)  # cell shows "532"


def test_same_as_shown_can_fail() -> None:
    assert same_as_shown(531.513, 531.513, 0) and same_as_shown(531.7, 531.513, 0)
    assert not same_as_shown(531.513 + 1, 531.513, 0)
    assert not same_as_shown(531.61, 531.513, 1)


@pytest.mark.parametrize("year", [2030, 2040])
@pytest.mark.parametrize("scenario", ["STEPS", "APS", "NZE"])
@pytest.mark.parametrize("mineral", sorted(BLOCKS.values()))
def test_store_total_demand_matches_the_workbook(workbook: Totals, store_totals: pd.Series,
                                                 mineral: str, scenario: str, year: int) -> None:
    value, decimals = workbook[(mineral, scenario, year)]
    stored = float(store_totals.loc[(mineral, scenario, year)])
    assert same_as_shown(stored, value, decimals), (mineral, scenario, year, stored, value)


@pytest.mark.parametrize("mineral", sorted(BLOCKS.values()))
def test_store_2023_actual_matches_the_workbook(workbook: Totals, store_totals: pd.Series,
                                                mineral: str) -> None:
    value, decimals = workbook[(mineral, "baseline", 2023)]
    assert same_as_shown(float(store_totals.loc[(mineral, "baseline", 2023)]), value, decimals)


def test_lithium_growth_of_2023_over_2022_cannot_be_checked(built: Path) -> None:
    """facts/iea_figures.csv: lithium demand +30% in 2023 over 2022 (GCMO 2024 summary).

    The Data Explorer's only actual year is 2023, so the store holds no 2022 figure to check
    the +30% against. Should a 2022 figure ever be loaded, this fails: then check the ratio.
    """
    lithium = d.load_totals(built).query("mineral == 'lithium' and sector == 'Total'")
    assert sorted(lithium["year"].unique()) == [2023, 2030, 2035, 2040, 2045, 2050]
    assert set(lithium.loc[lithium["year"] == 2023, "scenario"]) == {"baseline"}


def test_outlook_sectors_add_up_to_the_total(built: Path) -> None:
    demand, totals = d.load_demand(built), d.load_totals(built)
    assert not demand["sector"].isin(list(d.AGGREGATES)).any()
    keys = ["mineral", "scenario", "year"]
    parts = demand.groupby(keys)["value_kt"].sum()
    clean = demand[demand["sector"].ne("Other uses")].groupby(keys)["value_kt"].sum()
    for covers, sums in (("all uses", parts), ("clean technologies", clean)):
        published = totals[totals["covers"].eq(covers)].set_index(keys)["value_kt"]
        assert len(published) > 50 and published.index.isin(sums.index).all(), covers
        assert (sums.reindex(published.index) - published).abs().max() < 0.1, covers  # kt


def test_cli_and_web_show_the_workbook_totals(built: Path, workbook: Totals) -> None:
    """Lithium, APS: the sectors the CLI and the /outlook page show add up to the cells of
    sheet 1's 'Total demand' row (IEA 2024 CMDX: 165.372 kt in 2023, 1,607.11 in 2050), and
    the page's chart is ticked at the data's years."""
    import json

    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from minsec import briefing
    from minsec.cli import app
    from minsec.web import create_app

    cells = {y: workbook[(m, s, y)] for m, s, y in workbook
             if m == "lithium" and s in ("baseline", "APS")}
    done = CliRunner().invoke(app, ["outlook", "lithium", "--format", "json", "--store",
                                    str(built)])
    cli = json.loads(done.stdout)
    with TestClient(create_app(store=built)) as client:
        page = client.get("/outlook.json?mineral=lithium&importer=KOR").json()
    web = page["sections"][0]["tables"]
    for name, rows in (("cli", cli["outlook"]), ("web", web["demand"])):
        sums = pd.DataFrame(rows).groupby("year")["value_kt"].sum()
        assert sorted(sums.index) == sorted(cells), name
        for year, (value, decimals) in cells.items():
            assert same_as_shown(float(sums[year]), value, decimals), (name, year, sums[year])
    for rows in (cli["totals"], web["demand_totals"]):
        total = {r["year"]: r["value_kt"] for r in rows if r["sector"] == "Total"}
        assert total == pytest.approx({y: v for y, (v, _) in cells.items()}, abs=1e-3)
    assert "165 kt in 2023, 1,607 kt in 2050" in page["sections"][0]["notes"][0]
    section = briefing.outlook(briefing.context("KOR", None, built), "lithium")
    assert section.charts["demand"]["layout"]["xaxis"]["tickvals"] == sorted(cells)


# --- an importer's share on the real store ---------------------------------------------------


@pytest.fixture(scope="module")
def korea(built: Path) -> pd.DataFrame:
    return d.load_shares(built, "KOR")


def test_korea_lithium_share_is_refined_chemicals_over_world_refining(korea: pd.DataFrame
                                                                      ) -> None:
    share = d.importer_share(korea, "lithium")
    row = korea.set_index(["mineral", "stage", "year"]).loc[("lithium", "refining", share.year)]
    assert (share.stage, row["world_edition"]) == ("refining", "iea2024")
    assert share.value == pytest.approx(row["apparent_consumption"] / row["world_t"])
    assert 0 < share.value <= 1 and "contained tonnes" in share.basis
    assert 0.05 < share.value < 0.3  # Li content over Li content: not the 86% of gross compounds


def test_korea_outlook_is_the_world_outlook_times_the_share(built: Path,
                                                            korea: pd.DataFrame) -> None:
    world = d.outlook(d.load_demand(built), "cobalt", "STEPS")
    share = d.importer_share(korea, "cobalt")
    mine = d.importer_outlook(world, share)
    assert mine["value_kt"].sum() == pytest.approx(world["value_kt"].sum() * share.value)
    assert set(mine["basis"]) == {share.basis}


def test_korea_rare_earth_elements_have_no_share(korea: pd.DataFrame) -> None:
    with pytest.raises(MinsecError, match=r"^mineral 'neodymium': no consumption share for KOR"):
        d.importer_share(korea, "neodymium")


def test_unknown_importer(built: Path) -> None:
    with pytest.raises(MinsecError, match=r"^importer 'KORR' .* did you mean 'KOR'"):
        d.load_shares(built, "KORR")
