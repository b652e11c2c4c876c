"""USGS Mineral Commodity Summaries: real-file checks against published figures, bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from minsec.errors import SourceError
from minsec.sources import usgs, usgs_editions
from minsec.sources.usgs_trends import salient_column, trend_minerals

LITHIUM = "usgs_mcs/mcs2024/world/mcs2024-lithi_world.csv"
HELIUM = "usgs_mcs/mcs2024/world/mcs2024-heliu_world.csv"
GALLIUM = "usgs_mcs/mcs2023/salient/mcs2023-galli_salient.csv"
FIG2 = "usgs_mcs/mcs2024/industry_trends/MCS2024_Fig2_Net_Import_Reliance.csv"
KEYS = {"supply": ["mineral", "stage", "variable", "country", "year", "form"],
        "us_statistics": ["mineral", "year", "variable", "form", "unit"],
        "us_import_source": ["mineral", "period", "rank"]}


@pytest.fixture(scope="module")
def loaded(shared: Path) -> dict[str, dict[str, pd.DataFrame]]:
    """Every USGS load read from the real files."""
    return {s.key: s.read(shared, s.match(shared)) for s in usgs_editions.sources(shared)}


def _value(frame: pd.DataFrame, **where: object) -> float:
    rows = frame.loc[(frame[list(where)] == pd.Series(where)).all(axis=1)]
    assert len(rows) == 1, rows
    return float(rows["value"].iloc[0])


# --- real files -----------------------------------------------------------------------------

@pytest.mark.shared
def test_row_counts(loaded: dict[str, dict[str, pd.DataFrame]]) -> None:
    counts = {key: {t: len(f) for t, f in tables.items()} for key, tables in loaded.items()}
    assert counts == {
        "usgs_mcs2023_world": {"supply": 3455},
        "usgs_mcs2024_world": {"supply": 3437},
        "usgs_mcs2025_world": {"supply": 2844},
        "usgs_mcs2023_salient": {"us_statistics": 4400},
        "usgs_mcs2024_salient": {"us_statistics": 4405},
        "usgs_mcs2025_salient": {"us_statistics": 4590},
        "usgs_mcs2023_trends": {"us_statistics": 65, "us_import_source": 210},
        "usgs_mcs2024_trends": {"us_statistics": 64, "us_import_source": 211},
        "usgs_mcs2025_trends": {"us_statistics": 65, "us_import_source": 206},
    }


@pytest.mark.shared
def test_files_matched(shared: Path) -> None:
    sources = {s.key: s for s in usgs_editions.sources(shared)}
    salient = sources["usgs_mcs2024_salient"].match(shared)
    assert len(salient) == 82 and not [f for f in salient if "suspect" in f]
    assert not [f for f in sources["usgs_mcs2023_salient"].match(shared) if f.endswith("xlsx")]
    assert sources["usgs_mcs2023_trends"].match(shared) == [
        "usgs_mcs/mcs2023/industry_trends/MCS2023_Fig2_Net_Import_Reliance.csv"]
    # MCS 2025: the release archives as published, not the re-written loose copies
    release = "usgs_mcs/mcs2025/data_release"
    assert {k: s.match(shared) for k, s in sources.items() if "2025" in k} == {
        "usgs_mcs2025_world": [f"{release}/World_Data.zip"],
        "usgs_mcs2025_salient": [f"{release}/Salient_Commodity.zip"],
        "usgs_mcs2025_trends": [f"{release}/Industry_Trends.zip"]}


@pytest.mark.shared
def test_schema_and_keys(loaded: dict[str, dict[str, pd.DataFrame]]) -> None:
    from minsec.schema import conform, table

    for tables in loaded.values():
        for name, frame in tables.items():
            assert set(frame.columns) == set(table(name).names) - {"source"}
            conform(name, frame.assign(source="usgs"))
            assert not frame.duplicated(KEYS[name]).any(), name
            if "country" in frame:
                assert frame["country"].str.fullmatch(r"[A-Z]{3}").all()


@pytest.mark.shared
def test_gallium_china_share_2023(loaded: dict[str, dict[str, pd.DataFrame]]) -> None:
    # MCS 2024, Gallium: primary production 2023e China 600,000 kg of a world 610,000 kg (98%).
    # Primary (low-purity) gallium is recovered at alumina and zinc refineries: stage refining.
    supply = loaded["usgs_mcs2024_world"]["supply"]
    ga = {"mineral": "gallium", "stage": "refining", "variable": "production", "year": 2023}
    share = _value(supply, country="CHN", **ga) / _value(supply, country="WLD", **ga)
    assert share >= 0.95


@pytest.mark.shared
@pytest.mark.parametrize(("key", "year", "share", "indonesia"),
                         [("usgs_mcs2023_world", 2022, 0.21, 21e6),
                          ("usgs_mcs2024_world", 2023, 0.42, 55e6)])
def test_nickel_indonesia_reserves_share(loaded: dict[str, dict[str, pd.DataFrame]], key: str,
                                         year: int, share: float, indonesia: float) -> None:
    # MCS 2023 / 2024, Nickel: Indonesia 21 / 55 million t of world reserves ">100" / ">130"
    # million t; the world total is a lower bound, kept as its number with the flag ">".
    supply = loaded[key]["supply"]
    ni = {"mineral": "nickel", "variable": "reserves", "year": year}
    world = supply.loc[(supply["mineral"] == "nickel") & (supply["variable"] == "reserves")
                       & (supply["country"] == "WLD")]
    assert world["flag"].tolist() == [">"]
    assert _value(supply, country="IDN", **ni) == indonesia
    assert _value(supply, country="IDN", **ni) / _value(supply, country="WLD", **ni) \
        == pytest.approx(share, abs=0.005)


@pytest.mark.shared
def test_lithium_australia_2023(loaded: dict[str, dict[str, pd.DataFrame]]) -> None:
    # MCS 2024, Lithium: Australia mine production 2023e 86,000 t (lithium content).
    supply = loaded["usgs_mcs2024_world"]["supply"]
    rows = supply.loc[(supply["mineral"] == "lithium") & (supply["country"] == "AUS")
                      & (supply["year"] == 2023) & (supply["variable"] == "production")]
    assert rows[["value", "unit", "stage", "estimated"]].values.tolist() == \
        [[86000.0, "t", "mining", True]]
    assert rows["line"].tolist() == [4]


@pytest.mark.shared
def test_us_gallium_nir_2022(loaded: dict[str, dict[str, pd.DataFrame]]) -> None:
    # MCS 2023, Gallium salient statistics: net import reliance 2022 100 % (also in Fig. 2).
    for key in ("usgs_mcs2023_salient", "usgs_mcs2023_trends"):
        stats = loaded[key]["us_statistics"]
        assert _value(stats, mineral="gallium", variable="net_import_reliance", year=2022) == 100
    imports = loaded["usgs_mcs2023_salient"]["us_statistics"]
    # 550,000 kg of GaAs wafers imported in 2022, stored in t
    assert _value(imports, mineral="gallium", variable="imports", form="GaAs", year=2022) == 550


@pytest.mark.shared
def test_units_and_flags(loaded: dict[str, dict[str, pd.DataFrame]]) -> None:
    supply = pd.concat([loaded[f"usgs_mcs{y}_world"]["supply"] for y in (2023, 2024, 2025)])
    assert set(supply["unit"]) == {"t", "million carats", "thousand carats", "million m3"}
    assert set(supply["stage"]) == {"mining", "refining"}
    assert (supply.loc[supply["variable"] == "reserves", "stage"] == "mining").all()
    flagged = supply["flag"].notna() & ~supply["flag"].isin(["<", ">", "range"])
    assert supply.loc[flagged, "value"].isna().all()
    # MCS 2023 chromite: header "Prod_t", note "thousand metric tons"; world 41,000 kt
    assert _value(supply, edition="mcs2023", mineral="chromium", variable="production",
                  country="WLD", year=2022) == 41e6
    # MCS 2024 rare earths: China mine production 2023e 240,000 t REO
    assert _value(supply, edition="mcs2024", mineral="rare_earths", variable="production",
                  country="CHN", year=2023) == 240_000
    # platinum rows carry the PGM reserves ("includes all platinum-group metals"); in MCS
    # 2025 the palladium rows do; "Included with platinum" elsewhere is not a second row
    for edition, year in (("mcs2024", 2023), ("mcs2025", 2024)):
        assert _value(supply, edition=edition, mineral="platinum_group_metals",
                      variable="reserves", country="ZAF", year=year) == 63_000
    assert not ((supply["mineral"] == "palladium") & (supply["variable"] == "reserves")).any()
    # MCS 2024 selenium reserves are t (headed kt), talc reserves kt (headed t)
    assert _value(supply, edition="mcs2024", mineral="selenium", variable="reserves",
                  country="WLD", year=2023) == 95_000


@pytest.mark.shared
def test_shifted_2024_salient_tables_match_2023(
        loaded: dict[str, dict[str, pd.DataFrame]]) -> None:
    # The MCS 2024 feldspar, fluorspar and lead salient files have columns shifted or
    # mislabelled; once fixed, their 2019 values equal those of the MCS 2023 files.
    old, new = (loaded[f"usgs_mcs{y}_salient"]["us_statistics"] for y in (2023, 2024))
    for where in ({"mineral": "lead", "variable": "imports", "form": "Metal"},
                  {"mineral": "lead", "variable": "production", "form": "Mine"},
                  {"mineral": "feldspar", "variable": "price", "form": "Feldspar"},
                  {"mineral": "fluorspar", "variable": "imports", "form": "Acid"},
                  {"mineral": "fluorspar", "variable": "net_import_reliance"}):
        assert _value(new, year=2019, **where) == _value(old, year=2019, **where), where


@pytest.mark.shared
def test_import_sources(loaded: dict[str, dict[str, pd.DataFrame]]) -> None:
    # MCS 2024 Fig. 2: gallium from Japan, China, Germany, Canada (2019-2022).
    sources = loaded["usgs_mcs2024_trends"]["us_import_source"]
    ga = sources.loc[sources["mineral"] == "gallium"].sort_values("rank")
    assert ga["country"].tolist() == ["JPN", "CHN", "DEU", "CAN"]
    assert set(ga["period"]) == {"2019-2022"} and ga["share"].isna().all()
    assert "feldspar" not in set(sources["mineral"])  # only nepheline syenite in MCS 2024
    # MCS 2023 Fig. 2: scandium "Europe, China, Japan, Philippines": the region is skipped
    sc = loaded["usgs_mcs2023_trends"]["us_import_source"]
    assert sc.loc[sc["mineral"] == "scandium", "rank"].tolist() == [2, 3, 4]
    # MCS 2025 T5: beryllium (absent from Fig. 2) is a net exporter
    stats = loaded["usgs_mcs2025_trends"]["us_statistics"]
    be = stats.loc[stats["mineral"] == "beryllium"]
    assert be[["year", "flag"]].values.tolist() == [[2024, "E"]]


# --- bad input ------------------------------------------------------------------------------

def _copy(shared: Path, tmp_path: Path, rel: str, name: str | None = None) -> tuple[Path, str]:
    dest = f"{Path(rel).parent.as_posix()}/{name or Path(rel).name}"
    (tmp_path / dest).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(shared / rel, tmp_path / dest)
    return tmp_path / dest, dest


def _fails(key: str, root: Path, rel: str, line: int | None, match: str) -> None:
    with pytest.raises(SourceError, match=match) as err:
        usgs_editions.READERS[key.rsplit("_", 1)[1]](root, [rel])
    assert err.value.file == rel and err.value.line == line
    assert rel in str(err.value)


def test_truncated_file(shared: Path, tmp_path: Path) -> None:
    path, rel = _copy(shared, tmp_path, LITHIUM)
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text[: text.index("74700") + 5], encoding="utf-8")
    _fails("usgs_mcs2024_world", tmp_path, rel, 4, "fields")


def test_wrong_delimiter(shared: Path, tmp_path: Path) -> None:
    path, rel = _copy(shared, tmp_path, LITHIUM)
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",", ";"), encoding="utf-8")
    _fails("usgs_mcs2024_world", tmp_path, rel, 1, "delimiter")


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252"])
def test_wrong_encoding(shared: Path, tmp_path: Path, encoding: str) -> None:
    path, rel = _copy(shared, tmp_path, HELIUM)  # "Less than ½ unit." on line 10
    path.write_text(path.read_text(encoding="utf-8-sig"), encoding=encoding)
    _fails("usgs_mcs2024_world", tmp_path, rel, 1 if encoding == "utf-16" else 10, "UTF-8")


def test_unknown_unit_in_header(shared: Path, tmp_path: Path) -> None:
    path, rel = _copy(shared, tmp_path, LITHIUM)
    path.write_text(path.read_text(encoding="utf-8-sig").replace("Prod_t_2022", "Prod_lb_2022"),
                    encoding="utf-8")
    _fails("usgs_mcs2024_world", tmp_path, rel, 1, "unknown unit 'lb'")
    path, rel = _copy(shared, tmp_path, GALLIUM)
    path.write_text(path.read_text(encoding="utf-8-sig").replace("Stocks_kg", "Stocks_oz"),
                    encoding="utf-8")
    _fails("usgs_mcs2023_salient", tmp_path, rel, 1, "unknown unit in column 'Stocks_oz'")


def test_text_in_numeric_cell(shared: Path, tmp_path: Path) -> None:
    path, rel = _copy(shared, tmp_path, LITHIUM)
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",86000,", ",lots,"),
                    encoding="utf-8")
    _fails("usgs_mcs2024_world", tmp_path, rel, 4, "'lots' in column 'Prod_t_est_2023'")
    path, rel = _copy(shared, tmp_path, GALLIUM)
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",2800,100", ",2800,all"),
                    encoding="utf-8")
    _fails("usgs_mcs2023_salient", tmp_path, rel, 6, "'all' in column 'NIR_pct'")
    path, rel = _copy(shared, tmp_path, FIG2)
    path.write_text(path.read_text(encoding="utf-8-sig").replace("GALLIUM,100", "GALLIUM,most"),
                    encoding="utf-8")
    _fails("usgs_mcs2024_trends", tmp_path, rel, 6, "'most'")


def test_unmapped_commodity_and_country(shared: Path, tmp_path: Path) -> None:
    _, rel = _copy(shared, tmp_path, LITHIUM, "mcs2024-unobt_world.csv")
    _fails("usgs_mcs2024_world", tmp_path, rel, None, "no mineral mapped for MCS commodity")
    path, rel = _copy(shared, tmp_path, LITHIUM)
    path.write_text(path.read_text(encoding="utf-8-sig").replace("Brazil", "Atlantis"),
                    encoding="utf-8")
    _fails("usgs_mcs2024_world", tmp_path, rel, 5, "unknown country 'Atlantis'")
    path, rel = _copy(shared, tmp_path, FIG2)
    path.write_text(path.read_text(encoding="utf-8-sig").replace("ASBESTOS", "KRYPTONITE"),
                    encoding="utf-8")
    _fails("usgs_mcs2024_trends", tmp_path, rel, 3, "KRYPTONITE")


def test_value_under_unnamed_column(tmp_path: Path) -> None:
    rel = "usgs_mcs/mcs2024/world/mcs2024-galli_world.csv"
    (tmp_path / rel).parent.mkdir(parents=True)
    (tmp_path / rel).write_text("Source,Country,Type,Prod_kg_2022,\n"
                                "MCS2024,China,Primary production,600000,\n"
                                "MCS2024,Japan,Primary production,3000,7\n", encoding="utf-8")
    _fails("usgs_mcs2024_world", tmp_path, rel, 3, "unnamed column")


# --- small self-made fixtures ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("1,234", (1234.0, None, False, None)),
    ("e5,000", (5000.0, None, True, None)),
    ("W", (None, "W", False, None)),
    ("XX", (None, "NA", False, None)),
    (">130,000,000", (130e6, ">", False, None)),
    ("\u221284", (-84.0, None, False, None)),
    ("50–300", (175.0, "range", False, None)),
    ("Less than ½ unit.", (0.5, "<", False, "Less than ½ unit.")),
    ("Included with “Other countries.”",
     (None, "included-elsewhere", False, "Included with “Other countries.”")),
    ('Categorized as "large"', (None, "NA", False, 'Categorized as "large"')),
])
def test_cell(text: str, expected: tuple[object, ...]) -> None:
    assert usgs.cell(text) == expected


def test_cell_rejects_text() -> None:
    with pytest.raises(ValueError, match="not a number"):
        usgs.cell("about 40")


def test_stage_rule() -> None:
    types = pd.Series(["Mine production, lithium content", "Mine poduction, Kaolin",
                       "Refinery production, copper", "Primary production",
                       "Plant capacity, silicon carbide", "Clinker capacity, estimated",
                       "ulexite", None, "Soda ash, synthetic"])
    variable = pd.Series(["production"] * 8 + ["reserves"])
    out = usgs.classify(types, variable, "x", "lithium", "mining")
    assert out["stage"].tolist() == ["mining", "mining", "refining", "refining", "refining",
                                     "refining", "mining", "mining", "mining"]
    assert out["variable"].tolist()[3:6] == ["production", "capacity", "capacity"]


def test_country_names() -> None:
    assert usgs._country_name("Other countries6") == ("ROW", None, None)
    assert usgs._country_name("World total (rounded), excluding United States.") == \
        ("WLD", None, "excluding United States")
    assert usgs._country_name("Argentina, crude ore") == ("Argentina", "crude ore", None)
    assert usgs._country_name("India (ocher)") == ("India", "ocher", None)
    assert usgs._country_name("Congo (Kinshasa)") == ("Congo (Kinshasa)", None, None)
    assert usgs._country_name("Korea, Republic of") == ("Korea, Republic of", None, None)
    assert usgs._country_name("New Caledonia11") == ("New Caledonia", None, None)


@pytest.mark.parametrize(("header", "expected"), [
    ("USprod_Primary_kg", ("production", "Primary", "t", 1e-3)),
    ("USprod_Primarykg", ("production", "Primary", "t", 1e-3)),
    ("Price_High-puritydkg", ("price", "High-purity", "USD/kg", 1.0)),
    ("Price_LME_ctslb", ("price", "LME", "USD/lb", 0.01)),
    ("Consump_Reportedt", ("consumption", "Reported", "t", 1.0)),
    ("NIR_Refinedpct", ("net_import_reliance", "Refined", "pct", 1.0)),
    ("Employment_Mine_Mill_num", ("employment", "Mine_Mill", "count", 1.0)),
    ("Alumina_Refinery_kt", ("production", "Alumina_Refinery", "t", 1e3)),
    ("Extracted_mcm", ("production", "Extracted", "million m3", 1.0)),
    ("Shipments_Gov_t", None),
])
def test_salient_headers(header: str, expected: tuple[str, str, str, float] | None) -> None:
    assert salient_column(header, "x.csv") == expected


@pytest.mark.parametrize("header", ["Price_kg", "Stocks_", "Imports_Metal_oz", "Mystery_t"])
def test_salient_header_errors(header: str) -> None:
    with pytest.raises(SourceError) as err:
        salient_column(header, "x.csv")
    assert err.value.line == 1


def test_trend_names() -> None:
    names = pd.Series(["ARSENIC, all forms", "RARE EARTHS, compounds and metals",
                       "Aluminum (bauxite)", "Titanium (metal)", "NIOBIUM (COLUMBIUM)",
                       "MAGNESIUM COMPOUNDS"])
    out = trend_minerals(names, "x.csv", pd.Series(range(2, 8)))
    assert out.fillna("-").values.tolist() == [
        ["arsenic", "all forms"], ["rare_earths", "compounds and metals"], ["bauxite", "-"],
        ["titanium", "metal"], ["niobium", "-"], ["magnesite", "compounds"]]
