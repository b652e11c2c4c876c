from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from minsec.errors import SourceError
from minsec.sources import m49


@pytest.fixture(scope="module")
def tables(shared: Path) -> dict[str, pd.DataFrame]:
    return m49.read(shared, m49.SOURCES[0].match(shared))


def regions(tables: dict[str, pd.DataFrame], iso3: str) -> dict[str, str]:
    rows = tables["region"].loc[tables["region"]["country"] == iso3]
    return dict(zip(rows["grouping"], rows["region"], strict=True))


# --- real file ------------------------------------------------------------------------------

def test_countries(tables: dict[str, pd.DataFrame]) -> None:
    country = tables["country"]
    # SOURCES.md §5: 249 rows, all with an ISO3 code; plus Kosovo, which M49 does not list
    assert len(country) == 249 + 1
    assert not country["iso3"].duplicated().any()
    assert country.set_index("iso3").loc["DZA", "m49"] == "012"  # leading zero kept
    assert country.set_index("iso3").loc["KOR", "name"] == "Republic of Korea"
    assert pd.isna(country.set_index("iso3").loc["XKX", "m49"])
    assert country["m49"].dropna().str.fullmatch(r"\d{3}").all()


def test_indonesia(tables: dict[str, pd.DataFrame]) -> None:
    got = regions(tables, "IDN")
    assert got["m49_region"] == "Asia"
    assert got["m49_subregion"] == "South-eastern Asia"
    assert got["msp_region"] == "Asia-Pacific"
    assert "m49_intermediate" not in got  # M49 has no intermediate region in Asia


def test_intermediate_regions_where_present(tables: dict[str, pd.DataFrame]) -> None:
    assert regions(tables, "COD")["m49_intermediate"] == "Middle Africa"
    assert regions(tables, "ATA") == {}  # Antarctica: no region in M49


def test_msp_regions(tables: dict[str, pd.DataFrame]) -> None:
    msp = tables["region"].loc[tables["region"]["grouping"] == "msp_region"]
    assert set(msp["region"]) == {"Africa", "Americas", "Europe", "Asia-Pacific"}
    assert regions(tables, "AUS")["msp_region"] == "Asia-Pacific"
    assert regions(tables, "XKX")["msp_region"] == "Europe"


def test_curated_groupings(tables: dict[str, pd.DataFrame]) -> None:
    region = tables["region"]
    assert {"eu27", "southeast_asia"} <= set(region["grouping"])
    assert (region["grouping"] == "eu27").sum() == 27
    assert "DEU" in set(region.loc[region["grouping"] == "eu27", "country"])
    assert "IDN" in set(region.loc[region["grouping"] == "southeast_asia", "country"])


# --- damaged files --------------------------------------------------------------------------

def copy(shared: Path, tmp_path: Path, edit: object = None, encoding: str = "utf-8-sig") -> Path:
    text = (shared / m49.FILE).read_text(encoding="utf-8-sig")
    if callable(edit):
        text = edit(text)
    (tmp_path / m49.FILE).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / m49.FILE).write_text(text, encoding=encoding)
    return tmp_path


def test_missing_iso3_is_an_error(shared: Path, tmp_path: Path) -> None:
    root = copy(shared, tmp_path, lambda t: t.replace(",DZ,DZA,", ",DZ,,"))
    with pytest.raises(SourceError, match="'Algeria' has no ISO3") as info:
        m49.read(root, [])
    assert info.value.line == 2


def test_sark_without_iso3_is_skipped(shared: Path, tmp_path: Path) -> None:
    sark = ("001,World,150,Europe,154,Northern Europe,830,Channel Islands,Sark,680,,,,,\n")
    root = copy(shared, tmp_path, lambda t: t.rstrip("\n") + "\n" + sark)
    assert len(m49.read(root, [])["country"]) == 250


def test_wrong_delimiter(shared: Path, tmp_path: Path) -> None:
    root = copy(shared, tmp_path, lambda t: t.replace(",", ";"))
    with pytest.raises(SourceError, match="delimiter") as info:
        m49.read(root, [])
    assert (info.value.file, info.value.line) == (m49.FILE, 1)


def test_utf16(shared: Path, tmp_path: Path) -> None:
    root = copy(shared, tmp_path, encoding="utf-16")
    with pytest.raises(SourceError, match="UTF-8") as info:
        m49.read(root, [])
    assert info.value.line == 1


def test_truncated(shared: Path, tmp_path: Path) -> None:
    root = copy(shared, tmp_path, lambda t: t[: t.index("\n", len(t) // 2) + 25])
    with pytest.raises(SourceError, match="fields") as info:
        m49.read(root, [])
    assert info.value.line is not None and info.value.line > 100
