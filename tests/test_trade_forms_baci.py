"""BACI loaded twice (the HS92 subset and release zips): one load and revision per form-year."""

from __future__ import annotations

import pandas as pd

from minsec import schema
from minsec.indicators.trade_forms import BASES, flows_by_form
from minsec.reference import DATA
from minsec.sources import reference

COLUMNS = ["source", "year", "exporter", "importer", "hs6", "hs_version", "value", "quantity",
           "flow"]


def forms() -> pd.DataFrame:
    return schema.conform("trade_form", reference.read(DATA, [])["trade_form"])


def flows(*rows: tuple[object, ...]) -> pd.DataFrame:
    return flows_by_form(pd.DataFrame(rows, columns=COLUMNS), forms())


def lithium_hydroxide(out: pd.DataFrame, year: int) -> pd.DataFrame:
    return out[(out["form"] == "hydroxide") & (out["mineral"] == "lithium")
               & (out["year"] == year)]


def test_subset_first_then_the_newest_revision() -> None:
    # Chile's lithium hydroxide (282520 in every edition) to Korea in three BACI loads
    out = flows(
        ("baci_hs92", 2023, "CHL", "KOR", "282520", "HS92", 100.0, 10.0, None),
        ("baci_release", 2023, "CHL", "KOR", "282520", "HS2022", 101.0, 10.0, None),
        ("baci_release", 2023, "CHL", "KOR", "282520", "HS2017", 102.0, 10.0, None),
        ("baci_release", 2025, "CHL", "KOR", "282520", "HS2022", 201.0, 20.0, None),
        ("baci_release", 2025, "CHL", "KOR", "282520", "HS2017", 202.0, 20.0, None),
        ("comtrade_api", 2023, "CHL", "KOR", "282520", "HS2022", 99.0, 9.0, "M"),
    )
    y2023, y2025 = lithium_hydroxide(out, 2023), lithium_hydroxide(out, 2025)
    assert y2023[["source", "value"]].values.tolist() == [["baci_hs92", 100.0]]
    assert y2025[["source", "value"]].values.tolist() == [["baci_release", 201.0]]
    assert set(out["basis"]) == {BASES[1]}  # BACI has the form-year: no Comtrade row


def test_one_revision_per_form_year_even_when_codes_differ() -> None:
    # cobalt, unwrought: HS92 810510, HS2007+ 810520; the subset's code stands for 2023
    out = flows(
        ("baci_hs92", 2023, "COD", "KOR", "810510", "HS92", 50.0, 2.0, None),
        ("baci_release", 2023, "COD", "KOR", "810520", "HS2022", 51.0, 2.0, None),
        ("baci_release", 2023, "FIN", "KOR", "810520", "HS2022", 30.0, 1.0, None),
    )
    unwrought = out[(out["mineral"] == "cobalt") & (out["form"] == "unwrought")]
    assert unwrought[["exporter", "hs6", "value"]].values.tolist() == [["COD", "810510", 50.0]]


def test_the_release_alone_fills_what_the_subset_lacks() -> None:
    out = flows(
        ("baci_hs92", 2023, "CHN", "KOR", "250410", "HS92", 10.0, 5.0, None),
        ("baci_release", 2023, "CHL", "KOR", "282520", "HS2022", 101.0, 10.0, None),
    )
    assert lithium_hydroxide(out, 2023)["source"].tolist() == ["baci_release"]
    assert out.loc[out["form"] == "natural_flake", "source"].tolist() == ["baci_hs92"]
