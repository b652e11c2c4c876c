from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from minsec.errors import SourceError
from minsec.sources import wmd


@pytest.fixture(scope="module")
def supply(shared: Path) -> pd.DataFrame:
    return wmd.read(shared, wmd.SOURCES[0].match(shared))["supply"]


def value(supply: pd.DataFrame, mineral: str, country: str, year: int) -> float:
    rows = supply.loc[(supply["mineral"] == mineral) & (supply["country"] == country)
                      & (supply["year"] == year)]
    assert len(rows) == 1
    return float(rows["value"].iloc[0])


# --- real file ------------------------------------------------------------------------------

def test_rows(supply: pd.DataFrame) -> None:
    # 14,133 rows = 13,678 country rows + 455 totals, of which 422 agree with their countries
    assert len(supply) == 13_678 + 422
    assert (supply["country"] == "WLD").sum() == 422
    assert supply["flag"].eq("NA").sum() == supply["value"].isna().sum() == 271
    assert set(supply["edition"]) == {"wmd2026"} and set(supply["variable"]) == {"production"}
    key = ["mineral", "stage", "country", "year"]
    assert not supply.duplicated(key).any()


def test_published_world_totals(supply: pd.DataFrame) -> None:
    # the file's Total rows (lines 3999, 695): lithium (Li2O) 2023, cobalt 2023
    assert value(supply, "lithium", "WLD", 2023) == 499_736
    assert value(supply, "cobalt", "WLD", 2023) == 199_348
    # perlite 2022: total 3,161,142 t against 4,666,142 t summed over countries: dropped
    assert supply.query("mineral == 'perlite' and country == 'WLD' and year == 2022").empty


def test_units_converted(supply: pd.DataFrame) -> None:
    assert set(supply["unit"]) == {"t", "million carats", "million m3"}
    assert value(supply, "gold", "CHN", 2023) == pytest.approx(375.155)  # 375,155 kg (line 5576)
    assert value(supply, "natural_gas", "WLD", 2023) == 4_117_746  # Mio m3 (line 13108)
    gem = supply.query("mineral == 'gem_diamond' and country == 'BWA' and year == 2022")
    assert gem["unit"].item() == "million carats"
    assert gem["value"].item() == pytest.approx(17.1353)  # 17,135,300 ct (line 7334)


def test_stages(supply: pd.DataFrame) -> None:
    stage = supply.drop_duplicates("mineral").set_index("mineral")["stage"]
    assert stage["aluminium"] == stage["gallium"] == stage["germanium"] == "refining"
    assert stage["cobalt"] == stage["lithium"] == stage["rare_earths"] == "mining"
    # cobalt is mine output: DR Congo dominates (refined cobalt would be mostly China)
    assert value(supply, "cobalt", "COD", 2022) / value(supply, "cobalt", "WLD", 2022) > 0.6


def test_countries(supply: pd.DataFrame) -> None:
    codes = set(supply["country"])
    assert {"XKX", "TWN", "GUF", "GUY", "COD"} <= codes
    assert not codes & {"R20", "S19", "DELETE"}
    assert all(len(c) == 3 and c.isupper() for c in codes)


def test_estimated_flags(supply: pd.DataFrame) -> None:
    assert supply["estimated"].sum() == 3_038
    assert supply["note"].eq("WMD data source 'p'").sum() == 70


# --- damaged and self-made files ------------------------------------------------------------

HEADER = "commodity,Country,Country_Code,Country_ISO,unit,data_source,year,value\n"
GOOD = HEADER + (
    "Cobalt,Australia,36,AUS,metr. t,r,2023,3000.0\n"
    "Cobalt,\"Congo, D.R.\",180,COD,metr. t,e,2023,7000.0\n"
    "Cobalt,Total,DELETE,DELETE,metr. t,nan,2023,10000.0\n"
    "Gold,French Guiana,254,GUY,kg,r,2023,1500.0\n"
    "Gold,Guyana,328,GUY,kg,r,2023,\n"
    "Gold,Total,DELETE,DELETE,kg,nan,2023,2000.0\n"
)


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    (tmp_path / wmd.FILE).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / wmd.FILE).write_text(text, encoding=encoding)
    return tmp_path


def test_small_file(tmp_path: Path) -> None:
    supply = wmd.read(write(tmp_path, GOOD), [])["supply"].set_index(["mineral", "country"])
    assert supply.loc[("cobalt", "WLD"), "value"] == 10_000  # 3,000 + 7,000: kept
    assert supply.loc[("cobalt", "COD"), "estimated"]
    assert supply.loc[("gold", "GUF"), "value"] == 1.5  # French Guiana, not Guyana
    assert supply.loc[("gold", "GUY"), "flag"] == "NA"
    assert ("gold", "WLD") not in supply.index  # 2 t published, 1.5 t summed: dropped


def expect(tmp_path: Path, text: str, line: int, match: str, encoding: str = "utf-8") -> None:
    with pytest.raises(SourceError, match=match) as info:
        wmd.read(write(tmp_path, text, encoding), [])
    assert info.value.file == wmd.FILE
    assert info.value.line == line


def test_unknown_unit(tmp_path: Path) -> None:
    expect(tmp_path, GOOD + "Tin,Peru,604,PER,long tons,r,2023,5\n", 8, "unknown unit")


def test_unknown_commodity(tmp_path: Path) -> None:
    expect(tmp_path, GOOD + "Unobtainium,Peru,604,PER,metr. t,r,2023,5\n", 8, "unknown commodity")


def test_text_in_value(tmp_path: Path) -> None:
    expect(tmp_path, GOOD.replace("3000.0", "3000 t"), 2, "not a number")


def test_truncated(shared: Path, tmp_path: Path) -> None:
    text = (shared / wmd.FILE).read_text(encoding="utf-8")
    cut = text.index("\n", len(text) // 2) + 20  # in the middle of a row
    expect(tmp_path, text[:cut], text[:cut].count("\n") + 1, "fields")


def test_wrong_delimiter(shared: Path, tmp_path: Path) -> None:
    text = (shared / wmd.FILE).read_text(encoding="utf-8")
    expect(tmp_path, text.replace(",", ";"), 1, "delimiter")


def test_utf16(tmp_path: Path) -> None:
    expect(tmp_path, GOOD, 1, "not UTF-8", encoding="utf-16")
