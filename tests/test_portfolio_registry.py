"""The MSP project registry: shipped files, round trips in three formats, all-or-nothing import."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from minsec.errors import MinsecError
from minsec.portfolio.registry import (
    FIELDS,
    Project,
    load_projects,
    msp_regions,
    portfolio_stats,
    projects_frame,
    read_projects,
    write_projects,
)

REGIONS = pd.DataFrame({
    "country": ["CZE", "AUS", "MOZ", "GBR", "TZA", "COD", "CAN", "VNM"],
    "msp_region": ["Europe", "Asia-Pacific", "Africa", "Europe", "Africa", "Africa", "Americas",
                   "Asia-Pacific"],
    "southeast_asia": [False] * 7 + [True],
})
GOOD = {"id": "x", "name": "X mine", "country": "Chile", "minerals": "lithium",
        "stages": "mining", "status": "feasibility", "source_url": "https://example.org",
        "confidence": "low"}


def _csv(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "projects.csv"
    pd.DataFrame(rows, columns=list(FIELDS)).astype(object).fillna("").to_csv(path, index=False)
    return path


def test_shipped_registry_loads() -> None:
    projects = load_projects()
    ids = {p.id for p in projects}
    assert len(projects) == 10
    assert {"chvaletice", "balama", "hypromag", "epanko", "mahenge", "dubbo"} <= ids
    assert all(p.source_url.startswith("https://") for p in projects)


def test_mahenge_posco_purchase_commitment() -> None:
    """Seed: POSCO International's $40 million purchase commitment for Mahenge (Tanzania)."""
    mahenge = next(p for p in load_projects() if p.id == "mahenge")
    assert mahenge.country == "TZA"
    assert mahenge.minerals == ("graphite",)
    assert mahenge.offtake[0].party == "POSCO International"
    assert mahenge.offtake[0].amount_usd == 40e6
    assert mahenge.capacity_t == {"graphite": 60_000}
    assert "KOR" in mahenge.partners


def test_project_is_frozen() -> None:
    project = Project.model_validate(GOOD)
    assert project.country == "CHL"
    with pytest.raises(Exception, match="frozen"):
        project.name = "Y"  # type: ignore[misc]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    projects = load_projects()
    path = write_projects(projects, tmp_path / f"projects{suffix}")
    assert read_projects(path) == projects


def test_round_trip_offtake_text(tmp_path: Path) -> None:
    project = Project.model_validate({**GOOD, "offtake": [{"party": "A", "text": "long-term"}],
                                      "capacity_t": {"lithium": 0}, "capex_usd": 1.5e8})
    for suffix in (".csv", ".xlsx", ".json"):
        assert read_projects(write_projects([project], tmp_path / f"p{suffix}")) == [project]


def test_exports_escape_formulas_and_read_back_unchanged(tmp_path: Path) -> None:
    project = Project.model_validate({**GOOD, "name": "=HYPERLINK(\"http://x\")",
                                      "sites": "@evil"})
    for suffix in (".csv", ".xlsx"):
        path = write_projects([project], tmp_path / f"p{suffix}")
        raw = (path.read_text(encoding="utf-8") if suffix == ".csv"
               else str([c.value for c in openpyxl.load_workbook(path).active[2]]))
        assert "'=HYPERLINK" in raw and "'@evil" in raw
        assert read_projects(path) == [project]


def test_every_bad_row_in_one_error(tmp_path: Path) -> None:
    rows = [GOOD,
            {**GOOD, "id": "a", "country": "Atlantis"},
            {**GOOD, "id": "b", "capacity_t": "lithium:-5"},
            {**GOOD, "id": "c", "stages": "smelting", "status": "dreaming"},
            {**GOOD, "id": "d", "source_url": ""}]
    with pytest.raises(MinsecError) as info:
        read_projects(_csv(tmp_path, rows))
    message = str(info.value)
    assert "4 bad row(s), nothing imported" in message
    assert "line 3: country: unknown country 'Atlantis'" in message
    assert "line 4: capacity_t" in message and ">= 0" in message
    assert "line 5: stages.0" in message and "status" in message
    assert "line 6: source_url" in message
    assert "\n" not in message


def test_malformed_csv_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text('id,name\n"a,b,c\nx,y,z,w\n', encoding="utf-8")
    with pytest.raises(MinsecError, match="p.csv"):
        read_projects(path)


def test_bad_json_record_numbered(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('[{"id": "x"}]', encoding="utf-8")
    with pytest.raises(MinsecError, match=r"record 1: .*name.*country"):
        read_projects(path)


def test_error_lists_first_few(tmp_path: Path) -> None:
    rows = [{**GOOD, "id": str(i), "country": "Nowhere"} for i in range(8)]
    with pytest.raises(MinsecError, match=r"8 bad row\(s\).*\(and 3 more\)"):
        read_projects(_csv(tmp_path, rows))


def test_duplicate_ids_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(MinsecError, match="duplicate project id"):
        read_projects(_csv(tmp_path, [GOOD, GOOD]))
    with pytest.raises(MinsecError, match="unknown format"):
        write_projects([], tmp_path / "p.txt")
    (tmp_path / "p.txt").write_text("x", encoding="utf-8")
    with pytest.raises(MinsecError, match="unknown format"):
        read_projects(tmp_path / "p.txt")


def test_projects_frame_tidy() -> None:
    frame = projects_frame(load_projects(), REGIONS)
    dubbo = frame[frame["project"] == "dubbo"]
    assert len(dubbo) == 4 * 2  # 4 minerals × mining + processing
    assert frame["msp_region"].notna().all()
    assert frame.loc[frame["project"] == "mahenge", "msp_region"].item() == "Africa"
    assert frame.loc[frame["project"] == "mahenge", "capacity_t"].item() == 60_000
    assert frame.loc[frame["country"] == "VNM", "southeast_asia"].all()
    assert not frame.duplicated(["project", "mineral", "stage"]).any()


def test_regions_from_store(built: Path) -> None:
    regions = msp_regions(built).set_index("country")
    assert regions.loc["AUS", "msp_region"] == "Asia-Pacific"
    assert regions.loc["TZA", "msp_region"] == "Africa"
    assert bool(regions.loc["VNM", "southeast_asia"])


def _sept_2024() -> pd.DataFrame:
    stats = portfolio_stats()
    return stats[stats["as_of"] == "2024-09-26"].set_index(["dimension", "category"])["count"]


def test_sept_2024_statement() -> None:
    counts = _sept_2024()
    assert counts["total", "projects"] == 32
    assert counts["region"].to_dict() == {"Africa": 13, "Americas": 8, "Asia-Pacific": 6,
                                          "Europe": 5}
    assert counts["stage"].to_dict() == {"upstream": 19, "midstream": 15, "recycling": 3}
    assert counts["mineral", "rare_earths"] == 10 and counts["mineral", "aluminium"] == 1


def test_sept_2024_sums() -> None:
    """Regions partition the 32; stages (37) and minerals (35) overlap, as the statement says."""
    counts = _sept_2024()
    assert counts["region"].sum() == 32
    assert counts["stage"].sum() == 37
    assert counts["mineral"].sum() == 35


def test_stats_sourced() -> None:
    stats = portfolio_stats()
    assert (stats["source_url"].str.startswith("https://")).all()
    assert set(stats["confidence"]) <= {"high", "medium", "low"}
    london = stats[stats["as_of"] == "2023-10-10"].groupby("dimension")["count"].sum()
    assert (london == 17).all()  # counted by primary mineral: every dimension sums to the total
