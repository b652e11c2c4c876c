"""The assessment views on the real store: rankings, data years, bases, and no silent zeros."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from minsec import assessment
from minsec.cli import app


@pytest.fixture(scope="module")
def inputs(built: Path) -> assessment.Inputs:
    return assessment.load(built)


@pytest.fixture(scope="module")
def korea(inputs: assessment.Inputs) -> pd.DataFrame:
    return assessment.assess(inputs, "KOR", 2023).set_index("mineral")


def test_every_listed_mineral_has_its_lists_and_a_rank(korea: pd.DataFrame) -> None:
    assert korea["lists"].notna().all()
    strategic = {"lithium", "nickel", "cobalt", "manganese", "graphite"}
    assert strategic <= set(korea.index)
    assert korea.loc["graphite", "lists"] == "KR33 KR10 US22 US25 EU34 EU17"
    ranked = korea[korea["rank_note"].isna()]
    assert ranked["rank"].notna().all() and ranked["rank"].is_monotonic_increasing
    assert (ranked["risk_inputs"] >= assessment.MIN_RISK_INPUTS).all()
    unranked = korea[korea["rank_note"].notna()]
    assert unranked["rank"].isna().all() and unranked["risk_score"].isna().all()


def test_a_group_is_ranked_once(korea: pd.DataFrame) -> None:
    # one rare-earth basket of codes is one row in the ranking, not 16 ties (issue 11)
    assert pd.notna(korea.loc["rare_earths", "rank"])
    elements = ["neodymium", "dysprosium", "terbium", "lanthanum", "cerium"]
    assert korea.loc[elements, "rank"].isna().all()
    assert (korea.loc[elements, "rank_note"] == "ranked with its group rare_earths").all()
    assert korea.loc[elements, "top_supplier_share"].isna().all()
    ranked = korea[korea["rank"].notna()]
    ties = ranked.dropna(subset=["top_supplier_share"]).duplicated(
        ["top_supplier", "top_supplier_share", "import_hhi"], keep=False)
    assert not ties.any(), ranked.loc[ties, "top_supplier_share"]


def test_gallium_headline_is_motie_and_unranked_without_inputs(inputs: assessment.Inputs
                                                                 ) -> None:
    # MOTIE/KOMIR: Korea 98% of gallium from China (2024). Gallium trades in 811292 with
    # germanium, indium and niobium (reported once for that group): the official figure is
    # the headline. With two of five risk inputs it is not ranked above complete minerals.
    korea = assessment.assess(inputs, "KOR", 2024).set_index("mineral")
    row = korea.loc["gallium"]
    assert row["import_basis"].startswith("curated: ") and row["import_year"] == 2024
    assert row["china_share"] == 0.98 and row["refining_top1_country"] == "CHN"
    assert pd.isna(row["rank"]) and row["rank_note"].startswith("insufficient data")


def test_graphite_dependence_on_china(korea: pd.DataFrame, built: Path) -> None:
    # BACI HS92 2023, 250410: 100,829 of 103,836 kUSD from China (SOURCES.md §9 spot check).
    from minsec import tables
    from minsec.indicators import trade_forms

    found = trade_forms.suppliers(tables.mineral_trade(built), "KOR", 2023)
    flake = found[(found["level"] == "form") & (found["mineral"] == "graphite")
                  & (found["form"] == "natural_flake")].set_index("supplier")
    assert flake.loc["CHN", "share_value"] == pytest.approx(100_829 / 103_836, abs=0.001)
    # the headline: artificial graphite (380110) is in no source for Korea, so the official
    # all-forms figure leads (KOMIR 2023: 97%), with the measured forms beside it
    row = korea.loc["graphite"]
    assert row["import_basis"].startswith("curated: ") and row["china_share"] == 0.97
    assert "BACI HS92 2023" in row["forms_measured"]
    # the newest MCS edition with a 2023 figure: MCS 2025 (2023 final, not MCS 2024's estimate)
    assert row["mining_year"] == 2023 and row["mining_source"] == "mcs2025"


def test_data_years_never_exceed_the_year_asked(korea: pd.DataFrame) -> None:
    for column in ("mining_year", "refining_year", "gpr_year", "eu_year", "usgs_year",
                   "mbi_year"):
        assert (korea[column].dropna() <= 2023).all(), column


def test_missing_trade_stays_missing(inputs: assessment.Inputs) -> None:
    japan = assessment.assess(inputs, "JPN", 2023).set_index("mineral")
    gallium = japan.loc["gallium"]
    assert gallium["import_basis"].startswith("not measured: ")  # the concordance's reason
    assert "811292" in gallium["import_basis"]
    assert pd.isna(gallium["top_supplier_share"]) and pd.isna(gallium["china_share"])


def test_usa_reliance_is_usgs_published(inputs: assessment.Inputs) -> None:
    # USGS MCS 2024 Fig. 2: net import reliance 100% for gallium, graphite, indium (2023).
    usa = assessment.assess(inputs, "USA", 2023).set_index("mineral")
    for mineral in ("gallium", "graphite", "indium"):
        assert usa.loc[mineral, "import_reliance"] == 1.0
        assert usa.loc[mineral, "reliance_basis"] == "USGS MCS net import reliance"


def test_eu27_bloc(inputs: assessment.Inputs) -> None:
    eu = assessment.assess(inputs, "EU27", 2023, methods=("imports", "geopolrisk"))
    graphite = eu.set_index("mineral").loc["graphite"]
    # the bloc's imports are its members' imports from outside the EU, summed
    flows = inputs.mineral_trade
    extra = flows[(flows["mineral"] == "graphite") & (flows["year"] == 2023)
                  & flows["importer"].isin(inputs.eu27) & ~flows["exporter"].isin(inputs.eu27)
                  & (flows["stage"] != "scrap")]
    by_supplier = extra.groupby("exporter")["contained_t"].sum()
    assert graphite["top_supplier"] == by_supplier.idxmax()
    assert graphite["top_supplier_share"] == pytest.approx(by_supplier.max() / by_supplier.sum())
    assert 0 < graphite["gpr_score"] < 1


def test_trend_covers_the_years(inputs: assessment.Inputs) -> None:
    table = assessment.trend(inputs, "graphite", "KOR").set_index("year")
    assert table.index.min() == 1995 and table.index.max() == 2024
    assert table.loc[2018:2024, "gpr_score"].notna().all()
    # the trend's import figures are the assessment's headline, year by year
    for year in (2020, 2023, 2024):
        head = assessment.assess(inputs, "KOR", year, methods=("imports",)).set_index(
            "mineral").loc["graphite"]
        assert table.loc[year, "china_share"] == pytest.approx(head["china_share"])
        assert table.loc[year, "import_basis"] == head["import_basis"]


def run(store: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--store", str(store)])
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def test_cli_assess_formats(built: Path, tmp_path: Path) -> None:
    code, output = run(built, "assess", "--importer", "Korea", "--year", "2023")
    assert code == 0, output
    assert "gallium" in output and "KS U ES" in output
    code, output = run(built, "assess", "--year", "2023", "--format", "json",
                       "--method", "imports")
    assert code == 0, output
    rows = json.loads(output)["assessment"]
    assert {"top_supplier_share", "import_basis", "risk_score"} <= set(rows[0])
    path = tmp_path / "a.xlsx"
    code, output = run(built, "assess", "--format", "xlsx", "--out", str(path))
    assert code == 0, output
    assert openpyxl.load_workbook(path).sheetnames == ["assessment", "sources"]


def test_cli_compare_and_trend(built: Path) -> None:
    code, output = run(built, "compare", "--importers", "KOR,JPN", "--mineral", "graphite",
                       "--format", "csv")
    assert code == 0, output
    assert output.splitlines()[0].startswith("importer,mineral")
    assert len(output.strip().splitlines()) == 3
    code, output = run(built, "trend", "nikel", "--importer", "KOR")
    assert code == 1 and "did you mean nickel?" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [(["assess", "--importer", "Atlantis"], "unknown country 'Atlantis'"),
     (["assess", "--year", "1900"], "--year 1900: the trade data cover 1995-2024"),
     (["assess", "--method", "astrology"], "unknown --method astrology"),
     (["compare", "--importers", "KOR,BVT"], "no trade recorded for BVT")],
)
def test_cli_mistakes(built: Path, args: list[str], message: str) -> None:
    code, output = run(built, *args)
    assert code == 1 and message in output
    assert len(output.strip().splitlines()) == 1


def test_eu27_production_is_its_members(inputs: assessment.Inputs) -> None:
    # WMD 2023: the EU mines copper (Poland, Sweden, Spain...), so its reliance is below 1.
    table = assessment.import_table(inputs, "EU27")
    copper = table[(table["mineral"] == "copper") & (table["stage"] == "mining")
                   & (table["year"] == 2023)].iloc[0]
    assert copper["production"] > 500_000
    assert 0 < copper["import_reliance"] < 1
