from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from minsec.errors import SourceError
from minsec.sources import comtrade


@pytest.fixture(scope="module")
def trade(shared: Path) -> pd.DataFrame:
    return comtrade.read(shared, comtrade.SOURCES[0].match(shared))["trade"]


def flow(trade: pd.DataFrame, year: int, exporter: str, importer: str, hs6: str,
         declared: str = "M") -> pd.Series:
    rows = trade.loc[(trade["year"] == year) & (trade["exporter"] == exporter)
                     & (trade["importer"] == importer) & (trade["hs6"] == hs6)
                     & (trade["flow"] == declared)]
    assert len(rows) == 1
    return rows.iloc[0]


# --- real extract ---------------------------------------------------------------------------

def test_sources_load_by_default() -> None:
    # the terms decide what `data sync` downloads, not what the build reads
    assert all(s.default for s in comtrade.SOURCES)


def test_us_cobalt_imports_from_china_2020(trade: pd.DataFrame) -> None:
    # cobalt_trade_data.csv line 14: US imports of 8105 from China, 2020: 6,332,847 USD
    row = flow(trade, 2020, "CHN", "USA", "8105")
    assert row["value"] == pytest.approx(6_332.847)
    assert row["hs_version"] == "HS2017"  # classificationCode H5


def test_world_totals_are_not_flows(trade: pd.DataFrame) -> None:
    # cobalt_trade_data.csv line 4: 842 M from 0 (World) is the US total, not a supplier
    assert not trade[["exporter", "importer"]].isin(["WLD"]).any().any()


def test_one_row_per_flow_and_declarant(trade: pd.DataFrame) -> None:
    assert not trade.duplicated(["year", "exporter", "importer", "hs6", "flow"]).any()
    # heavy_ree_ and light_ree_ files repeat the same records: loaded once
    assert set(trade["flow"]) <= {"M", "X"}


def test_transport_mode_rows_not_added(trade: pd.DataFrame) -> None:
    # lithium_trade_data.csv lines 36-38: Australia's 2023 imports of 253090 from China by
    # mode 2100 (357,194 USD), 1000 (16,019) and all modes (373,212.872): only the total
    assert flow(trade, 2023, "CHN", "AUS", "253090")["value"] == pytest.approx(373.212872)


def test_both_declarations_kept(trade: pd.DataFrame) -> None:
    # the US record of its 8105 imports from China and China's record of the same flow are
    # two declarations; the trade chain picks one basis per flow (indicators.form_imports)
    both = trade[(trade["year"] == 2020) & (trade["exporter"] == "CHN")
                 & (trade["importer"] == "USA") & (trade["hs6"] == "8105")]
    assert set(both["flow"]) <= {"M", "X"} and "M" in set(both["flow"])


# --- the all-reporter extract (CMA) ---------------------------------------------------------

@pytest.fixture(scope="module")
def cma(shared: Path) -> pd.DataFrame:
    source = comtrade.SOURCES[1]
    return comtrade.read_cma(shared, source.match(shared))["trade"]


def test_cma_years_from_column_and_file_name(cma: pd.DataFrame) -> None:
    # comtrade_2022.csv.gz has a year column; comtrade_2024.csv.gz has none (SOURCES.md §12)
    assert set(cma["year"]) == {2022, 2024}
    assert set(cma["hs_version"]) == {"HS2022"}


def test_cma_korea_magnets_2022(cma: pd.DataFrame) -> None:
    # Korea's own record (reporter 410, M) of its 850511 imports from China, 2022: China is
    # 87.7% of Korea's 554.9 M USD of metal permanent magnets (KITA: NdFeB 87.5%, fact pack)
    rows = cma[(cma["importer"] == "KOR") & (cma["hs6"] == "850511") & (cma["year"] == 2022)
               & (cma["flow"] == "M")]
    assert rows["value"].sum() == pytest.approx(554_869.938, rel=1e-6)
    china = rows.loc[rows["exporter"] == "CHN", "value"].sum() / rows["value"].sum()
    assert china == pytest.approx(0.877, abs=0.001)


def test_cma_breakdown_records_collapse_to_the_total(cma: pd.DataFrame) -> None:
    assert not cma.duplicated(["year", "exporter", "importer", "hs6", "flow"]).any()


def test_cma_file_without_year_needs_it_in_the_name(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "extract.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write("reporter,partner,cmd,flow,value,netwgt\n410,156,850511,M,1.0,1.0\n")
    with pytest.raises(SourceError, match="no year"):
        comtrade.read_cma(tmp_path, ["extract.csv.gz"])


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
