"""A BACI release zip as CEPII publishes it, written here in its layout (a few codes)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from minsec.errors import SourceError
from minsec.sources import baci_release, registry
from minsec.store import build, query

COUNTRIES = ("country_code,country_name,country_iso2,country_iso3\n"
             "152,Chile,CL,CHL\n156,China,CN,CHN\n410,Rep. of Korea,KR,KOR\n"
             "490,\"Other Asia, nes\",,S19\n842,USA,US,USA\n")
# BACI pads its numbers with spaces and writes NA for an unknown quantity. 250410 (natural
# graphite) and 810520 (cobalt, unwrought: HS2007+) are concordance codes of HS2022; 870323
# (cars) and 810510 (its HS92 code) are not, and are skipped.
Y2022 = ("t,i,j,k,v,q\n"
         "2022,156,410,250410,  100828.925,   51299.280\n"
         "2022,152,842,810520,     1.500,          NA\n"
         "2022,156,842,870323, 99999.000,     100.000\n"
         "2022,156,410,810510,     7.000,       1.000\n")
Y2023 = ("t,i,j,k,v,q\n"
         "2023,156,410,250410,  90000.000,   45000.000\n"
         "2023,490,842,250410,      2.000,            \n"
         "2023,156,842,010121,      3.000,       1.000\n")


def release(folder: Path, name: str = "BACI_HS22_V202501.zip", y2023: str = Y2023,
            countries: str = COUNTRIES) -> Path:
    """Write a release zip the way CEPII lays it out; return the sources directory."""
    revision, vintage = name.removeprefix("BACI_").removesuffix(".zip").split("_")
    (folder / "cepii_baci").mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / "cepii_baci" / name, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"BACI_{revision}_Y2022_{vintage}.csv", Y2022)
        archive.writestr(f"BACI_{revision}_Y2023_{vintage}.csv", y2023)
        archive.writestr(f"country_codes_{vintage}.csv", countries)
        archive.writestr(f"product_codes_{revision}_{vintage}.csv",
                         'code,description\n250410,"Natural graphite: in powder or flakes"\n')
    return folder


def read(folder: Path) -> pd.DataFrame:
    source = registry()["baci_release"]
    return source.read(folder, source.match(folder))["trade"]


def test_keeps_the_concordance_codes_of_the_revision(tmp_path: Path) -> None:
    trade = read(release(tmp_path))
    assert sorted(trade["hs6"].unique()) == ["250410", "810520"]
    assert len(trade) == 4
    korea = trade[(trade["year"] == 2022) & (trade["importer"] == "KOR")].iloc[0]
    assert (korea["exporter"], korea["value"], korea["quantity"]) == ("CHN", 100828.925,
                                                                     51299.28)
    assert trade["quantity"].isna().sum() == 2  # NA and blank
    assert set(trade["hs_version"]) == {"HS2022"}
    assert trade["flow"].isna().all()
    assert "TWN" in set(trade["exporter"])  # BACI's S19 "Other Asia, nes"


@pytest.mark.parametrize(("name", "label", "codes"), [
    ("BACI_HS92_V202501.zip", "HS92", ["250410", "810510"]),  # HS92's cobalt code
    ("BACI_HS17_V202501.zip", "HS2017", ["250410", "810520"]),
    ("BACI_HS12_V202501.zip", "HS2012", ["250410", "810520"]),  # read with hs2017's codes
])
def test_every_revision_its_label_and_codes(tmp_path: Path, name: str, label: str,
                                            codes: list[str]) -> None:
    trade = read(release(tmp_path, name))
    assert set(trade["hs_version"]) == {label}
    assert sorted(trade["hs6"].unique()) == codes


def test_latest_vintage_of_a_revision_only(tmp_path: Path) -> None:
    release(tmp_path, "BACI_HS22_V202401b.zip")
    release(tmp_path, "BACI_HS22_V202501.zip")
    files = registry()["baci_release"].match(tmp_path)
    assert baci_release.latest(files) == ["cepii_baci/BACI_HS22_V202501.zip"]
    assert len(read(tmp_path)) == 4  # not twice


def test_truncated_row_names_member_and_line(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="truncated") as info:
        read(release(tmp_path, y2023=Y2023 + "2023,156,410,2504"))
    assert info.value.file == "cepii_baci/BACI_HS22_V202501.zip/BACI_HS22_Y2023_V202501.csv"
    assert info.value.line == 5


def test_extra_field_names_member_and_line(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="7 fields") as info:
        read(release(tmp_path, y2023=Y2023.replace("3.000,", "3.000,1,", 1)))
    assert info.value.line == 4


def test_text_in_a_kept_row(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="'12x' in column 'v'") as info:
        read(release(tmp_path, y2023=Y2023.replace("90000.000", "12x")))
    assert info.value.line == 2


def test_unknown_country_code(tmp_path: Path) -> None:
    countries = COUNTRIES.replace("490,\"Other Asia, nes\",,S19\n", "")
    with pytest.raises(SourceError, match="country code 490") as info:
        read(release(tmp_path, countries=countries))
    assert info.value.line == 3


def test_not_a_zip(tmp_path: Path) -> None:
    (tmp_path / "cepii_baci").mkdir()
    (tmp_path / "cepii_baci" / "BACI_HS22_V202501.zip").write_bytes(b"<html>not found</html>")
    with pytest.raises(SourceError, match="not a readable zip"):
        read(tmp_path)


def test_build_loads_the_release(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    reports = build(store, release(tmp_path / "sources"), only=["baci_release"])
    assert [(r.key, r.status, r.rows) for r in reports] == [("baci_release", "loaded", 4)]
    rows = query("SELECT * FROM trade WHERE importer = 'KOR' ORDER BY year", store=store)
    assert rows["value"].tolist() == [100828.925, 90000.0]
    assert set(rows["source"]) == {"baci_release"}


def test_subset_and_release_both_loaded_counted_once(tmp_path: Path) -> None:
    from minsec import tables
    from minsec.sources import baci

    sources = release(tmp_path / "sources")
    (sources / baci.FLOWS).parent.mkdir()
    # the subset's build check wants all its years and codes: one small Chile-US flow of each
    # other code, spread over the years, beside the Korean graphite flow of 2022
    from test_reference_data import BACI_HS92

    filler = [f"{1995 + n % 30},152,842,{code},1.0,1.0"
              for n, code in enumerate(c for c in BACI_HS92 if c != "250410")]
    (sources / baci.FLOWS).write_text("t,i,j,k,v,q\n2022,156,410,250410,100828.925,51299.28\n"
                                      + "\n".join(filler) + "\n", encoding="utf-8")
    (sources / baci.COUNTRIES).write_text(COUNTRIES, encoding="utf-8")
    store = tmp_path / "store.duckdb"
    # small hand-written copies of catalogued files: a new vintage, as the user says
    build(store, sources, only=["minsec_reference", "baci_hs92", "baci_release"], accept_new=True)
    loaded = query("SELECT source, count(*) AS n FROM trade GROUP BY ALL ORDER BY 1", store=store)
    assert loaded.values.tolist() == [["baci_hs92", 74], ["baci_release", 4]]
    flows = tables.mineral_trade(store)
    graphite = flows[(flows["form"] == "natural_flake") & (flows["importer"] == "KOR")]
    assert graphite[["year", "source", "value"]].values.tolist() == [
        [2022, "baci_hs92", 100828.925], [2023, "baci_release", 90000.0]]
