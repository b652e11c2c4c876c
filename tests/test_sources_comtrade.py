from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from minsec.errors import SourceError
from minsec.sources import comtrade


@pytest.fixture(scope="module")
def trade(shared: Path) -> pd.DataFrame:
    return comtrade.read(shared, comtrade.SOURCES[0].match(shared))["trade"]


def flow(trade: pd.DataFrame, year: int, exporter: str, importer: str, hs6: str) -> pd.Series:
    rows = trade.loc[(trade["year"] == year) & (trade["exporter"] == exporter)
                     & (trade["importer"] == importer) & (trade["hs6"] == hs6)]
    assert len(rows) == 1
    return rows.iloc[0]


# --- real extract ---------------------------------------------------------------------------

def test_source_is_not_default() -> None:
    assert comtrade.SOURCES[0].default is False  # UN Comtrade terms restrict redistribution


def test_us_cobalt_imports_2020(trade: pd.DataFrame) -> None:
    # cobalt_trade_data.csv line 4: 842 M from 0, 8105, netWgt 10,104,440 kg, 355,111,586 USD
    row = flow(trade, 2020, "WLD", "USA", "8105")
    assert row["value"] == pytest.approx(355_111.586)
    assert row["quantity"] == pytest.approx(10_104.44)
    assert row["hs_version"] == "HS2017"  # classificationCode H5
    # line 5: the US exports to the World
    assert flow(trade, 2020, "USA", "WLD", "8105")["value"] == pytest.approx(256_240.031)


def test_one_row_per_flow(trade: pd.DataFrame) -> None:
    assert not trade.duplicated(["year", "exporter", "importer", "hs6"]).any()
    # heavy_ree_ and light_ree_ files repeat the same 80 records: loaded once
    assert len(trade.loc[trade["hs6"] == "2846"]) <= 80


def test_transport_mode_rows_not_added(trade: pd.DataFrame) -> None:
    # lithium_trade_data.csv lines 36-38: Australia's 2023 imports of 253090 from China by
    # mode 2100 (357,194 USD), 1000 (16,019) and all modes (373,212.872): only the total
    assert flow(trade, 2023, "CHN", "AUS", "253090")["value"] == pytest.approx(373.212872)


def test_importer_record_preferred(trade: pd.DataFrame) -> None:
    # cobalt line 14: US imports of 8105 from China, 2020: 6,332,847 USD (the US record,
    # not China's export record of the same flow)
    assert flow(trade, 2020, "CHN", "USA", "8105")["value"] == pytest.approx(6_332.847)


def test_zero_weight_is_not_reported(trade: pd.DataFrame) -> None:
    # graphite line 22: US imports of 250410, 2020: netWgt 0 against 43.6 million USD
    assert pd.isna(flow(trade, 2020, "WLD", "USA", "250410")["quantity"])


# --- records_to_trade on API-shaped frames --------------------------------------------------

def records(**columns: list[object]) -> pd.DataFrame:
    base: dict[str, list[object]] = {
        "refYear": [2023], "reporterCode": [842], "flowCode": ["M"], "partnerCode": [0],
        "cmdCode": [283691], "netWgt": [1_000_000.0], "primaryValue": [5_000_000.0],
    }
    return pd.DataFrame(base | columns)


@pytest.mark.parametrize(("code", "iso3"), [(842, "USA"), (251, "FRA"), (699, "IND"),
                                            (757, "CHE"), (579, "NOR"), (410, "KOR"),
                                            (156, "CHN"), (490, "TWN")])
def test_comtrade_country_codes(code: int, iso3: str) -> None:
    assert comtrade.records_to_trade(records(reporterCode=[code]), "api")["importer"][0] == iso3


def test_import_and_export_directions() -> None:
    frame = records(flowCode=["M", "X"], reporterCode=[410, 410], partnerCode=[156, 0],
                    refYear=[2023, 2023], cmdCode=["250410", "8105"],
                    netWgt=[2000.0, None], primaryValue=[1500.0, 10.0])
    trade = comtrade.records_to_trade(frame, "api")
    assert trade[["exporter", "importer"]].values.tolist() == [["CHN", "KOR"], ["KOR", "WLD"]]
    assert trade["value"].tolist() == [1.5, 0.01]  # kUSD
    assert trade["quantity"].iloc[0] == 2.0 and pd.isna(trade["quantity"].iloc[1])  # t
    assert trade["hs6"].tolist() == ["250410", "8105"]
    assert set(trade["hs_version"]) == {"HS"}  # no classificationCode column


def test_numeric_commodity_code_padded() -> None:
    frame = records(cmdCode=[10110, 8105], refYear=[2023] * 2, reporterCode=[842] * 2,
                    flowCode=["M"] * 2, partnerCode=[0] * 2, netWgt=[1.0] * 2,
                    primaryValue=[1.0] * 2)
    assert comtrade.records_to_trade(frame, "api")["hs6"].tolist() == ["010110", "8105"]


def test_classification_and_breakdowns() -> None:
    frame = records(flowCode=["M", "M", "RX"], classificationCode=["H6", "H6", "H6"],
                    motCode=[0, 2100, 0], refYear=[2023] * 3, reporterCode=[842] * 3,
                    partnerCode=[0] * 3, cmdCode=["2846"] * 3, netWgt=[1.0] * 3,
                    primaryValue=[1.0] * 3)
    trade = comtrade.records_to_trade(frame, "api")
    assert len(trade) == 1 and trade["hs_version"][0] == "HS2022"


def test_unknown_partner_code() -> None:
    frame = records(partnerCode=[123_456]).assign(line=[7])
    with pytest.raises(SourceError, match="unknown Comtrade partnerCode") as info:
        comtrade.records_to_trade(frame, "extract.csv")
    assert (info.value.file, info.value.line) == ("extract.csv", 7)


def test_unknown_classification() -> None:
    with pytest.raises(SourceError, match="not an HS edition"):
        comtrade.records_to_trade(records(classificationCode=["S4"]), "api")


# --- damaged files --------------------------------------------------------------------------

COBALT = "un_comtrade_extract_pnnl/cobalt_trade_data.csv"


def damaged(shared: Path, tmp_path: Path, edit: object) -> Path:
    text = (shared / COBALT).read_text(encoding="utf-8")
    (tmp_path / COBALT).parent.mkdir(parents=True)
    (tmp_path / COBALT).write_text(edit(text) if callable(edit) else text, encoding="utf-8")
    return tmp_path


def test_text_in_value(shared: Path, tmp_path: Path) -> None:
    root = damaged(shared, tmp_path, lambda t: t.replace(",355111586.0,", ",355 million,"))
    with pytest.raises(SourceError, match="'355 million' in column") as info:
        comtrade.read(root, [COBALT])
    assert (info.value.file, info.value.line) == (COBALT, 4)


def test_truncated(shared: Path, tmp_path: Path) -> None:
    root = damaged(shared, tmp_path, lambda t: t[: t.index("\n", len(t) // 2) + 40])
    with pytest.raises(SourceError, match="fields") as info:
        comtrade.read(root, [COBALT])
    assert info.value.line is not None


def test_wrong_delimiter(shared: Path, tmp_path: Path) -> None:
    root = damaged(shared, tmp_path, lambda t: t.replace(",", "\t"))
    with pytest.raises(SourceError, match="delimiter") as info:
        comtrade.read(root, [COBALT])
    assert info.value.line == 1
