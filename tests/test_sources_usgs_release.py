"""USGS MCS 2025 read from its release zips as published: figures checked against the cells."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from minsec.errors import SourceError
from minsec.sources import usgs_editions
from minsec.sources.usgs_world import abbreviations

RELEASE = "usgs_mcs/mcs2025/data_release"
WORLD = f"{RELEASE}/World_Data.zip"
MEMBER = "MCS2025_World_Data.csv"
FACTOR = {"metric tons": 1.0, "thousand metric tons": 1e3, "kilograms": 1e-3}


def _cells(shared: Path) -> list[tuple[int, dict[str, str]]]:
    """The world file's rows with their line numbers, read here from the zip."""
    with zipfile.ZipFile(shared / WORLD) as archive:
        text = archive.read(MEMBER).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return [(reader.line_num, row) for row in reader]


@pytest.fixture(scope="module")
def world(shared: Path) -> pd.DataFrame:
    return usgs_editions.read_world(shared, [WORLD])["supply"]


@pytest.mark.shared
@pytest.mark.parametrize(("commodity", "country", "column", "variable", "year", "mineral",
                          "stage"), [
    ("Lithium", "Australia", "PROD_EST_ 2024", "production", 2024, "lithium", "mining"),
    ("Lithium", "Chile", "RESERVES_2024", "reserves", 2024, "lithium", "mining"),
    ("Nickel", "Indonesia", "PROD_2023", "production", 2023, "nickel", "mining"),
    ("Nickel", "Indonesia", "RESERVES_2024", "reserves", 2024, "nickel", "mining"),
    ("Cobalt", "Congo (Kinshasa)", "PROD_EST_ 2024", "production", 2024, "cobalt", "mining"),
    ("Rare earths", "China", "PROD_EST_ 2024", "production", 2024, "rare_earths", "mining"),
    ("Rare earths", "China", "RESERVES_2024", "reserves", 2024, "rare_earths", "mining"),
    ("Gallium", "China", "PROD_EST_ 2024", "production", 2024, "gallium", "refining"),
    ("Graphite", "China", "PROD_2023", "production", 2023, "graphite", "mining"),
])
def test_figures_are_the_cells(shared: Path, world: pd.DataFrame, commodity: str,
                               country: str, column: str, variable: str, year: int,
                               mineral: str, stage: str) -> None:
    [(line, row)] = [(n, r) for n, r in _cells(shared)
                     if r["COMMODITY"].strip() == commodity and r["COUNTRY"].strip() == country]
    expected = float(row[column].replace(",", "")) * FACTOR[row["UNIT_MEAS"]]
    got = world[(world["line"] == line) & (world["variable"] == variable)
                & (world["year"] == year)]
    assert got[["mineral", "stage", "value", "unit", "edition"]].values.tolist() == \
        [[mineral, stage, expected, "t", "mcs2025"]]
    assert got["estimated"].item() == ("EST" in column)
    assert got["file"].item() == f"{WORLD}/{MEMBER}"


@pytest.mark.shared
def test_every_commodity_maps(shared: Path, world: pd.DataFrame) -> None:
    rows = _cells(shared)
    names = pd.Series([r["COMMODITY"] for _, r in rows])
    abbr = abbreviations(names, MEMBER, pd.Series([n for n, _ in rows]))
    assert names.str.strip().nunique() == 77 and abbr.notna().all()
    assert abbr[names.str.strip() == "Gemanium"].unique().tolist() == ["germa"]
    # germanium has no figure in the file (its cells are empty): no rows, not an error
    assert world["mineral"].nunique() == 79 and "germanium" not in set(world["mineral"])
    # the world total is a lower bound, kept with its flag; Indonesia 55 of >130 million t
    ni = world[(world["mineral"] == "nickel") & (world["variable"] == "reserves")]
    assert ni.set_index("country").loc[["IDN", "WLD"], ["value", "flag"]].fillna("").values \
        .tolist() == [[55e6, ""], [130e6, ">"]]


@pytest.mark.shared
def test_units_as_the_notes_say(world: pd.DataFrame) -> None:
    def value(mineral: str, country: str, form: str = "") -> float:
        rows = world[(world["mineral"] == mineral) & (world["variable"] == "reserves")
                     & (world["country"] == country) & world["form"].str.contains(form)]
        return float(rows["value"].item())

    # "(Reserve data is thousand metric tons)." beside "metric tons": 15,000 kt of molybdenum
    assert value("molybdenum", "WLD") == 15e6
    assert value("iron_ore", "AUS", "usable") == 58_000e6  # "Crude Ore, million metric tons"
    assert value("titanium", "AUS", "ilmentite") == 180_000e3  # UNIT_MEAS "metric tons": kt


@pytest.mark.shared
def test_every_salient_file_loads(shared: Path) -> None:
    stats = usgs_editions.read_salient(shared, [f"{RELEASE}/Salient_Commodity.zip"])[
        "us_statistics"]
    with zipfile.ZipFile(shared / RELEASE / "Salient_Commodity.zip") as archive:
        members = [n for n in archive.namelist() if n.endswith("_salient.csv")]
    assert len(members) == 85
    assert set(stats["file"]) == {f"{RELEASE}/Salient_Commodity.zip/{m}" for m in members}
    li = stats[(stats["mineral"] == "lithium") & (stats["year"] == 2024)]
    assert li.set_index("variable").loc["imports", "value"] == 3300
    for mineral in ("rare_earths", "germanium", "tungsten", "quartz_crystal", "crushed_stone"):
        assert mineral in set(stats["mineral"]), mineral


def _release(shared: Path, tmp_path: Path, edit: str, to: str) -> str:
    text = zipfile.ZipFile(shared / WORLD).read(MEMBER).decode("utf-8-sig")
    (tmp_path / RELEASE).mkdir(parents=True)
    with zipfile.ZipFile(tmp_path / WORLD, "w") as archive:
        archive.writestr(MEMBER, "\ufeff" + text.replace(edit, to, 1))
    return f"{WORLD}/{MEMBER}"


@pytest.mark.shared
def test_unmapped_commodity_is_named(shared: Path, tmp_path: Path) -> None:
    rel = _release(shared, tmp_path, "MCS2025,Gemanium", "MCS2025,Unobtainium")
    line = next(n for n, r in _cells(shared) if r["COMMODITY"] == "Gemanium")
    with pytest.raises(SourceError, match="no mineral mapped for MCS commodity 'Unobtainium'") \
            as err:
        usgs_editions.read_world(tmp_path, [WORLD])
    assert (err.value.file, err.value.line) == (rel, line)


@pytest.mark.shared
def test_source_column_is_the_edition(shared: Path, tmp_path: Path) -> None:
    _release(shared, tmp_path, "MCS2025,Nickel", "MCS2026,Nickel")
    with pytest.raises(SourceError, match="SOURCE should be one MCSYYYY value"):
        usgs_editions.read_world(tmp_path, [WORLD])
