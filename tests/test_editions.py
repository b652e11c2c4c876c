"""Editions found, not coded: a release in the MCS 2025 layout under 2030 loads and is preferred."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from minsec import tables
from minsec.cli import app
from minsec.indicators.concentration import measure
from minsec.profile import profile
from minsec.store import build

RELEASE = "usgs_mcs/mcs2025/data_release"
NEW = "usgs_mcs/mcs2030/data_release"
KEEP = ("Lithium", "Nickel", "Cobalt")


def _read(shared: Path, archive: str, member: str) -> list[str]:
    with zipfile.ZipFile(shared / RELEASE / archive) as z:
        return z.read(member).decode("utf-8-sig").splitlines()


def write_release(shared: Path, root: Path) -> None:
    """A small MCS 2030 release beside the real 2025 one: the 2025 lithium, nickel and cobalt
    rows with their years moved on by six, and the lithium salient table likewise."""
    (root / RELEASE).mkdir(parents=True)
    for name in ("World_Data.zip", "Salient_Commodity.zip"):
        shutil.copy(shared / RELEASE / name, root / RELEASE / name)
    header, *rows = _read(shared, "World_Data.zip", "MCS2025_World_Data.csv")
    world = [header.replace("2024", "2030").replace("2023", "2029")] + [
        "MCS2030" + row.removeprefix("MCS2025") for row in rows
        if row.split(",")[1].strip() in KEEP]
    header, *rows = _read(shared, "Salient_Commodity.zip", "mcs2025-lithium_salient.csv")
    salient = [header] + [f"MCS2030,Lithium,{int(row.split(',')[2]) + 6}," +
                          row.split(",", 3)[3] for row in rows]
    (root / NEW).mkdir(parents=True)
    with zipfile.ZipFile(root / NEW / "World_Data.zip", "w") as z:
        z.writestr("MCS2030_World_Data.csv", "\ufeff" + "\n".join(world) + "\n")
    with zipfile.ZipFile(root / NEW / "Salient_Commodity.zip", "w") as z:
        z.writestr("mcs2030-lithium_salient.csv", "\ufeff" + "\n".join(salient) + "\n")


def test_editions_order() -> None:
    frame = pd.DataFrame({"edition": ["wmd2026", "mcs2023", "iea2024", "mcs2030", "mcs2024",
                                      "mcs2030", None, "other"]})
    assert tables.editions(frame) == ["mcs2030", "mcs2024", "mcs2023", "wmd2026", "iea2024"]
    assert tables.editions(frame, ("wmd", "mcs")) == ["wmd2026", "mcs2030", "mcs2024",
                                                      "mcs2023"]
    assert tables.edition_label("mcs2030") == "USGS MCS 2030"


@pytest.mark.shared
def test_a_new_edition_loads_and_is_preferred(shared: Path, tmp_path: Path) -> None:
    root, store = tmp_path / "sources", tmp_path / "store.duckdb"
    write_release(shared, root)
    reports = {r.key: r for r in build(store, root)}
    assert {k for k, r in reports.items() if k.startswith("usgs") and r.status == "loaded"} == {
        "usgs_mcs2025_world", "usgs_mcs2025_salient", "usgs_mcs2030_world",
        "usgs_mcs2030_salient"}
    assert tables.supply_editions(store) == ["mcs2030", "mcs2025"]
    # the profile takes the newest edition holding the mineral: 2030 figures for lithium
    li = profile("lithium", store=store)
    assert (li.edition, li.year) == ("mcs2030", 2030)
    aus = li.supply[(li.supply["country"] == "AUS") & (li.supply["variable"] == "production")]
    assert aus["value"].tolist() == [88000.0]  # the 2025 file's 2024e, shifted to 2030
    # a mineral the small release lacks still comes from MCS 2025
    assert profile("graphite", store=store).edition == "mcs2025"
    stats = tables.us_statistics(store, "imports")
    assert set(stats.loc[stats["mineral"] == "lithium", "edition"]) == {"mcs2025", "mcs2030"}


@pytest.mark.shared
def test_build_names_files_without_catalogue_entry(shared: Path, tmp_path: Path) -> None:
    root, store = tmp_path / "sources", tmp_path / "store.duckdb"
    write_release(shared, root)
    result = CliRunner().invoke(app, ["data", "build", "--sources", str(root), "--store",
                                      str(store)])
    assert result.exit_code == 0, result.output
    assert "2 file(s) read that the catalogue lacks" in result.output
    assert f"{NEW}/World_Data.zip" in result.output
    assert f"{NEW}/Salient_Commodity.zip" in result.output
    assert f"{RELEASE}/World_Data.zip" not in result.output.split("catalogue lacks")[1]


# --- one name, one country: no table split off by a country's spelling --------------------

VARIANT = re.compile(r"\s*(\d+|\[[^\]]*\])?\s*")  # a footnote mark or a bracketed qualifier


def split_tables(supply: pd.DataFrame) -> pd.DataFrame:
    """Tables of one country, no world total, whose measure is another table's measure plus a
    footnote mark or a qualifier: a country spelled its own way split off (the 100% table)."""
    rows = supply.assign(measure=measure(supply["form"]))
    keys = ["edition", "mineral", "stage", "variable", "unit", "year"]
    tables_ = rows.groupby([*keys, "measure"]).agg(
        countries=("country", lambda c: int((~c.isin(["WLD", "ROW"])).sum())),
        world=("country", lambda c: bool(c.eq("WLD").any()))).reset_index()
    found = []
    for _, group in tables_.groupby(keys):
        main = group.loc[group["world"] | group["countries"].ge(2), "measure"]
        for lone in group.loc[~group["world"] & group["countries"].eq(1), "measure"]:
            found += [(*group.iloc[0][keys], lone) for m in main if lone != m
                      and lone.startswith(m) and VARIANT.fullmatch(lone[len(m):])]
    return pd.DataFrame(found, columns=[*keys, "measure"])


def test_split_tables_are_found() -> None:
    rows = pd.DataFrame({"edition": "mcs2030", "mineral": "manganese", "stage": "mining",
                         "variable": "production", "unit": "t", "year": 2029,
                         "country": ["ZAF", "GAB", "WLD", "KAZ"],
                         "form": ["Mine production, manganese content"] * 3
                         + ["Mine production, manganese content 4"]})
    assert split_tables(rows)["measure"].tolist() == ["mine production, manganese content 4"]
    assert split_tables(rows.assign(form="Mine production, manganese content")).empty


@pytest.mark.shared
def test_no_edition_splits_a_country_into_two_tables(built: Path) -> None:
    """Every MCS edition in the mirror (2023, 2024, 2025): Kazakhstan's and Ukraine's
    manganese (MCS 2023, 2024: 'Kazakhstan, concentrate') sit in the one table."""
    supply = tables.supply(built)
    supply = supply[supply["edition"].str.startswith("mcs")]
    assert set(supply["edition"]) >= {"mcs2023", "mcs2024", "mcs2025"}
    assert split_tables(supply).empty, split_tables(supply).to_string()
    mn = supply[supply["mineral"].eq("manganese") & supply["variable"].eq("production")
                & supply["edition"].isin(["mcs2023", "mcs2024"])]
    per_table = mn.assign(measure=measure(mn["form"])).groupby(["edition", "year"])["measure"]
    assert per_table.nunique().eq(1).all()
    assert {"KAZ", "UKR", "ZAF", "WLD"} <= set(mn["country"])
