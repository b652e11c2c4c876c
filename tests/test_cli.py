"""The command line on the real store: the acceptance figures of issue 2 and user mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minsec.cli import app


def run(store: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--store", str(store)])
    return result.exit_code, result.output


def production_share(doc: dict, country: str, stage: str) -> float:
    rows = [r for r in doc["supply"] if r["variable"] == "production" and r["stage"] == stage
            and r["country"] == country]
    assert rows, f"no {stage} production row for {country}"
    return float(rows[0]["share"])


def reserves_share(doc: dict, country: str) -> float:
    return float(next(r["share"] for r in doc["supply"]
                      if r["variable"] == "reserves" and r["country"] == country))


def test_gallium_china_primary_production(built: Path) -> None:
    # USGS MCS 2024, gallium: China 600,000 kg of a 610,000 kg world primary production (2023e).
    code, output = run(built, "profile", "gallium", "--year", "2023", "--edition", "mcs2024",
                       "--format", "json")
    assert code == 0, output
    doc = json.loads(output)
    assert doc["year"] == 2023
    assert production_share(doc, "CHN", "refining") >= 0.95
    assert all(r["source"] for r in doc["supply"])


@pytest.mark.parametrize(("edition", "expected"), [("mcs2023", 0.21), ("mcs2024", 0.42)])
def test_indonesia_nickel_reserves(built: Path, edition: str, expected: float) -> None:
    # USGS MCS 2023: Indonesia 21 Mt of 100 Mt world nickel reserves; MCS 2024: 55 of 130 Mt.
    code, output = run(built, "profile", "nickel", "--edition", edition, "--format", "json")
    assert code == 0, output
    assert reserves_share(json.loads(output), "IDN") == pytest.approx(expected, abs=0.01)


def test_profile_shows_an_importers_sources(built: Path) -> None:
    # BACI HS92 V202401b, 2023: Korea's natural graphite (250410) imports from China
    # were 100,829 kUSD (SOURCES.md §9 spot check); China is Korea's largest supplier.
    code, output = run(built, "profile", "graphite", "--importer", "KOR", "--year", "2023",
                       "--format", "json")
    assert code == 0, output
    doc = json.loads(output)
    assert {r["side"] for r in doc["trade"]} == {"exporter", "importer"}
    mining = [r for r in doc["imports"] if r["stage"] == "mining" and r["side"] == "supplier"]
    assert mining[0]["country"] == "CHN"
    assert mining[0]["value"] >= 100_828
    code, output = run(built, "profile", "graphite", "--importer", "Korea")
    assert code == 0 and "CHN" in output


def test_strategic_list_profiles(built: Path) -> None:
    code, output = run(built, "profile", "--list", "kr_strategic_2023", "--format", "json")
    assert code == 0, output
    minerals = {p["mineral"] for p in json.loads(output)["profiles"]}
    assert {"lithium", "nickel", "cobalt", "manganese", "graphite", "rare_earths"} <= minerals


@pytest.mark.parametrize(
    ("args", "message"),
    [(["profile", "unobtainium"], "unknown mineral 'unobtainium'"),
     (["profile", "gallium", "--importer", "Atlantis"], "unknown country 'Atlantis'"),
     (["profile", "gallium", "--year", "1850"], "--year 1850"),
     (["profile", "gallium", "--edition", "mcs1999"], "no mcs1999 supply figures"),
     (["profile", "--list", "nope"], "unknown list 'nope'")],
)
def test_user_mistakes_are_one_line_errors(built: Path, args: list[str], message: str) -> None:
    code, output = run(built, *args)
    assert code == 1
    assert message in output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1


def test_status_and_check(built: Path) -> None:
    code, output = run(built, "data", "status")
    assert code == 0 and "baci_hs92" in output
    code, output = run(built, "data", "check")
    assert "trade_mirror" in output and "unknown_codes" in output


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    code, output = run(tmp_path / "none.duckdb", "profile", "gallium")
    assert code == 1 and "run `minsec data build` first" in output


def test_damaged_file_on_the_command_line(shared: Path, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    (sources / "world_bank_pink_sheet").mkdir(parents=True)
    workbook = shared / "world_bank_pink_sheet" / "CMO-Historical-Data-Monthly_2026M05.xlsx"
    (sources / workbook.relative_to(shared)).write_bytes(workbook.read_bytes()[:50_000])
    store = tmp_path / "store.duckdb"
    result = CliRunner().invoke(app, ["data", "build", "--sources", str(sources), "--only",
                                      "wb_pinksheet", "--store", str(store)])
    assert result.exit_code == 1
    assert "CMO-Historical-Data-Monthly_2026M05.xlsx" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [["data", "status", "--files"], ["data", "check"],
                                  ["profile", "gallium", "--importer", "KOR"],
                                  ["scenario", "list"], ["minerals"]])
def test_every_table_downloads_as_csv_and_xlsx(built: Path, tmp_path: Path, args: list[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    monkeypatch.setenv("MINSEC_STORE", str(built))  # the sources sheet reads the store
    store_args = [] if args[0] in ("scenario", "minerals") else ["--store", str(built)]
    csv_path, xlsx_path = tmp_path / "t.csv", tmp_path / "t.xlsx"
    for fmt, path in (("csv", csv_path), ("xlsx", xlsx_path)):
        result = CliRunner().invoke(app, [*args, *store_args, "--format", fmt, "--out", str(path)])
        assert result.exit_code == 0, result.output
    assert csv_path.read_text(encoding="utf-8").count("\n") > 1
    sheets = openpyxl.load_workbook(xlsx_path).sheetnames
    assert len(sheets) >= 2 and sheets[-1] == "sources"


def test_a_mineral_with_reserves_only_still_has_a_profile(built: Path) -> None:
    """MCS 2024 gives platinum-group metals' reserves but no production rows in the store."""
    from minsec.profile import profile

    found = profile("platinum_group_metals", "mcs2024", store=built)
    assert set(found.supply["variable"]) == {"reserves"}
    assert found.year == int(found.supply["year"].max())
