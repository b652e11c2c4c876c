"""UN Comtrade (UN Statistics Division): annual records as the Comtrade API returns them.

:func:`records_to_trade` maps the API's records (``comtradeapicall``'s DataFrame, or the
same columns read from CSV) to ``trade`` rows. Two loads read the extracts a sources directory
may hold: ``comtrade_pnnl``, the PNNL "gold QA" extract (8 files, 2020-2024, HS H5/H6), and
``comtrade_cma``, an all-reporter extract of 31 HS2022 codes for 2022 and 2024 written with
short column names (``reporter, partner, cmd, flow, value, netwgt``; the 2024 file has no
year column, its year is in the file name ``comtrade_YYYY.csv.gz``). A third,
``comtrade_api``, reads what ``minsec data fetch comtrade`` pulled with the user's own key
(:mod:`minsec.sources.comtrade_api`): the API's records as CSV, one file per year. UN
Comtrade terms restrict redistribution, which decides what ``minsec data sync`` downloads,
not what the build reads.

Mapping rules: imports (``M``) have the reporter as importer and the partner as exporter,
exports (``X``) the other way round; re-exports and other flows are not loaded. ``flow``
says who declared the record (M the importer, X the exporter): the trade chain chooses one
declaration per flow, never both. Only the totals over the breakdowns are kept
(``partner2Code`` 0, ``customsCode`` C00, ``mosCode`` 0, ``motCode`` 0); where an extract
dropped those columns but kept the breakdown records (the CMA extract, e.g. Angola), the
largest record of a key is its total (breakdowns are non-negative parts of it). Partner
``World`` (0) records are totals, not flows, and are not loaded.
Values USD -> kUSD; ``netWgt`` kg -> t, with 0 kg against a positive value read as not
reported (Comtrade fills 0 there: e.g. US graphite imports 2020, 43.6 million USD).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from minsec.countries import _converter, to_iso3
from minsec.errors import MinsecError, SourceError
from minsec.sources import Source
from minsec.sources._parse import first_row, numbers, read_table

FILES = "un_comtrade_extract_pnnl/*_trade_data.csv"
REQUIRED = ("refYear", "reporterCode", "flowCode", "partnerCode", "cmdCode", "netWgt",
            "primaryValue")
TOTALS = {"partner2Code": "0", "customsCode": "C00", "mosCode": "0", "motCode": "0"}
FLOWS = ("M", "X")
HS_VERSIONS = {"H0": "HS92", "H1": "HS96", "H2": "HS2002", "H3": "HS2007", "H4": "HS2012",
               "H5": "HS2017", "H6": "HS2022"}
# Comtrade numeric codes that are not ISO 3166 numeric (or are aggregates).
CODES = {
    0: "WLD",  # World
    97: "EU27",  # European Union (as a partner aggregate)
    899: "ROW",  # Areas, not elsewhere specified
    527: "ROW", 568: "ROW", 577: "ROW", 636: "ROW",  # Oceania, Europe, Africa, America nes
    837: "ROW", 838: "ROW", 839: "ROW",  # Bunkers, Free Zones, Special Categories
    842: "USA", 251: "FRA", 699: "IND", 757: "CHE", 579: "NOR",
    490: "TWN",  # Other Asia, nes: Taiwan in practice
    58: "BEL",  # Belgium-Luxembourg (...1998)
    280: "DEU",  # Fed. Rep. of Germany (...1990)
    711: "ZAF",  # Southern African Customs Union (...1999)
    736: "SDN",  # Sudan (...2011)
    891: "SRB",  # Serbia and Montenegro (...2005)
    530: "ANT",  # Netherlands Antilles (...2010): kept, as in BACI and WGI
    849: "UMI",  # US Misc. Pacific Islands
}


# Where Comtrade reports a country under a code of its own (see CODES), the code to ask for.
REPORTERS = {"USA": 842, "FRA": 251, "IND": 699, "CHE": 757, "NOR": 579, "TWN": 490}


def reporter_code(iso3: str) -> int:
    """Comtrade's numeric reporter code for an ISO3 code: ``KOR`` -> 410, ``USA`` -> 842."""
    if iso3 in REPORTERS:
        return REPORTERS[iso3]
    data = _converter().data[["UNcode", "ISO3"]].dropna()
    found = data.loc[data["ISO3"] == iso3, "UNcode"]
    if found.empty:
        raise MinsecError(f"{iso3} has no Comtrade reporter code; name a country")
    return int(found.iloc[0])


@cache
def _un_codes() -> dict[int, str]:
    """ISO 3166 numeric -> ISO3 from country_converter, overridden by Comtrade's own codes."""
    data = _converter().data[["UNcode", "ISO3"]].dropna()  # the project's pandas-3-safe coco
    return {int(n): str(iso) for n, iso in zip(data["UNcode"], data["ISO3"], strict=True)} | CODES


def _text(column: pd.Series) -> pd.Series:
    """Codes as text whether the API gave numbers or strings: 842.0 -> '842'."""
    return column.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)


def _iso3(codes: pd.Series, file: str, lines: pd.Series | None, role: str) -> pd.Series:
    numeric = numbers(codes, file, lines, role, blank=())
    known = _un_codes()
    mapped = numeric.map(known)
    if mapped.isna().any():
        first = first_row(mapped.isna())
        line = int(lines.iloc[first]) if lines is not None else None
        raise SourceError(file, f"unknown Comtrade {role} {codes.iloc[first]!r}; add it to "
                                "comtrade.CODES", line)
    return to_iso3(mapped.astype("string"), file, lines)


def _commodity(codes: pd.Series) -> pd.Series:
    """``cmdCode`` as text; a code that came as a number gets back its leading zero."""
    text = _text(codes)
    odd = text.str.fullmatch(r"\d+") & (text.str.len() % 2 == 1)
    return text.mask(odd, "0" + text)


def _hs_version(frame: pd.DataFrame, file: str, lines: pd.Series | None) -> pd.Series | str:
    if "classificationCode" not in frame:
        return "HS"
    code = _text(frame["classificationCode"])
    unknown = ~code.isin(list(HS_VERSIONS))
    if unknown.any():
        first = first_row(unknown)
        line = int(lines.iloc[first]) if lines is not None else None
        raise SourceError(file, f"classification {code.iloc[first]!r} is not an HS edition",
                          line)
    return code.map(HS_VERSIONS)


def records(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """``trade`` columns plus ``flow`` (M/X) for the total import and export records."""
    missing = [c for c in REQUIRED if c not in frame]
    if missing:
        raise SourceError(file, f"lacks Comtrade column(s) {missing}; wrong file or "
                                "delimiter?", 1)
    keep = _text(frame["flowCode"]).isin(FLOWS)
    for column, total in TOTALS.items():
        if column in frame:
            keep &= _text(frame[column]).eq(total)
    frame = frame.loc[keep]
    lines = frame.get("line")
    flow = _text(frame["flowCode"])
    reporter = _iso3(frame["reporterCode"], file, lines, "reporterCode")
    partner = _iso3(frame["partnerCode"], file, lines, "partnerCode")
    imports = flow.eq("M")
    value = numbers(frame["primaryValue"], file, lines, "primaryValue") / 1000
    weight = numbers(frame["netWgt"], file, lines, "netWgt") / 1000
    return pd.DataFrame({
        "year": numbers(frame["refYear"], file, lines, "refYear", blank=()).astype("int64"),
        "exporter": partner.where(imports, reporter),
        "importer": reporter.where(imports, partner),
        "hs6": _commodity(frame["cmdCode"]),
        "hs_version": _hs_version(frame, file, lines),
        "value": value,
        "quantity": weight.mask(weight.eq(0) & value.gt(0)),
        "flow": flow,
    })


def records_to_trade(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """Map Comtrade API records to ``trade`` rows (see the module notes for the rules).

    ``frame`` has the API's columns (``refYear, reporterCode, flowCode, partnerCode, cmdCode,
    netWgt, primaryValue`` at least; a ``line`` column, if any, locates errors). ``hs6`` is
    ``cmdCode`` as given, so a 4-digit heading stays 4 digits.
    """
    return records(frame, file).drop(columns="flow")


def prefer_imports(trade: pd.DataFrame) -> pd.DataFrame:
    """One row per flow: where importer and exporter both report it, keep the import record.

    Mirror records (US imports from China, China's exports to the US) land on the same
    ``year, exporter, importer, hs6``; importers' records are the usual choice (customs
    check them for duty). Exact duplicates are dropped first.
    """
    key = ["year", "exporter", "importer", "hs6"]
    trade = trade.drop_duplicates()
    trade = trade.sort_values("flow", kind="stable")  # M before X
    clash = trade.duplicated(key + ["flow"], keep=False)
    if clash.any():
        row = trade.loc[clash].iloc[0]
        raise SourceError(FILES, f"two different records for {tuple(row[key])}")
    return trade.drop_duplicates(key).sort_index()


def read(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """The PNNL extract into ``trade``; the heavy and light REE files repeat the same flows."""
    frames = [records(read_table(root / rel, list(REQUIRED), rel), rel) for rel in files]
    trade = one_record_per_flow(pd.concat(frames, ignore_index=True), FILES)
    return {"trade": trade.reset_index(drop=True)}


def bilateral(trade: pd.DataFrame) -> pd.DataFrame:
    """Records between two countries.

    World (partner 0) records are totals, and a reporter's trade with itself (re-imports, 193
    records in the CMA extract) is not a flow.
    """
    return trade[~(trade["exporter"].eq("WLD") | trade["importer"].eq("WLD"))
                 & trade["exporter"].ne(trade["importer"])]


def one_record_per_flow(trade: pd.DataFrame, file: str) -> pd.DataFrame:
    """Drop exact duplicates; two different records of one flow and declarant are damage."""
    key = ["year", "exporter", "importer", "hs6", "flow"]
    trade = bilateral(trade).drop_duplicates()
    clash = trade.duplicated(key, keep=False)
    if clash.any():
        row = trade.loc[clash].iloc[0]
        raise SourceError(file, f"two different records for {tuple(row[key])}")
    return trade


CMA_FILES = "un_comtrade_extract_cma/comtrade_*.csv.gz"
CMA_COLUMNS = {"reporter": "reporterCode", "partner": "partnerCode", "cmd": "cmdCode",
               "flow": "flowCode", "value": "primaryValue", "netwgt": "netWgt"}
_CMA_YEAR = re.compile(r"comtrade_(\d{4})\.csv\.gz$")


def read_cma_file(path: Path, rel: str) -> pd.DataFrame:
    """One file of the CMA extract as API records (``refYear`` from the column or the name)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, compression="gzip")
    except (OSError, EOFError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SourceError(rel, f"not a readable gzip CSV ({exc})") from None
    missing = [c for c in CMA_COLUMNS if c not in frame]
    if missing:
        raise SourceError(rel, f"header lacks column(s) {missing}; wrong file?", 1)
    frame = frame.rename(columns=CMA_COLUMNS)
    if "year" in frame:
        frame = frame.rename(columns={"year": "refYear"})
    elif m := _CMA_YEAR.search(rel):
        frame["refYear"] = m.group(1)
    else:
        raise SourceError(rel, "no year column and no year in the file name (comtrade_YYYY)")
    frame["line"] = range(2, len(frame) + 2)
    frame["classificationCode"] = "H6"
    return frame


def read_cma(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """The CMA extract into ``trade``: per flow and declarant, the total record."""
    frames = [records(read_cma_file(root / rel, rel), rel) for rel in files]
    trade = bilateral(pd.concat(frames, ignore_index=True))
    key = ["year", "exporter", "importer", "hs6", "flow"]
    trade = (trade.sort_values("value", kind="stable", na_position="first")
             .drop_duplicates(key, keep="last").sort_index())
    return {"trade": trade.reset_index(drop=True)}


API_FILES = "un_comtrade_api/comtrade_api_*.csv"
API_COLUMNS = {*REQUIRED, *TOTALS, "classificationCode"}
KEYS = ("refYear", "reporterCode", "flowCode", "partnerCode", "cmdCode")  # never blank
_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def read_api_file(path: Path, rel: str) -> pd.DataFrame:
    """One year of API records as ``minsec data fetch comtrade`` wrote them.

    Returns the columns the mapping needs, as text, with a ``line`` column.
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False,
                            usecols=lambda c: c in API_COLUMNS)
    except pd.errors.ParserError as exc:
        m = _FIELDS.search(str(exc))
        raise SourceError(rel, f"malformed CSV ({exc})", int(m.group(2)) if m else None) from None
    except pd.errors.EmptyDataError:
        raise SourceError(rel, "file is empty", 1) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(rel, f"not a readable CSV ({exc})") from None
    frame["line"] = range(2, len(frame) + 2)
    empty = frame[[c for c in KEYS if c in frame]].isin([""])
    short = empty.any(axis=1)
    if short.any():
        first = first_row(short)
        raise SourceError(rel, f"row has an empty {empty.iloc[first].idxmax()} (truncated?)",
                          int(frame["line"].iloc[first]))
    return frame


def national(trade: pd.DataFrame) -> pd.DataFrame:
    """Drop the EU's own records (reporter 97, among the API's reporters).

    Its members report their trade themselves, and minsec builds the EU27 bloc from them.
    """
    reporter = trade["importer"].where(trade["flow"].eq("M"), trade["exporter"])
    return trade[reporter.ne("EU27")]


def read_api(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """The user's own API pull into ``trade``: per flow and declarant, the total record."""
    frames = [records(read_api_file(root / rel, rel), rel) for rel in files]
    trade = one_record_per_flow(national(pd.concat(frames, ignore_index=True)), API_FILES)
    return {"trade": trade.reset_index(drop=True)}


SOURCES = [
    Source(
        key="comtrade_pnnl",
        publisher="UN Statistics Division (UN Comtrade)",
        vintage="Comtrade API extract 2020-2024, collected 2025-12-28 (PNNL cmm-data)",
        files=(FILES,),
        read=read,
    ),
    Source(
        key="comtrade_cma",
        publisher="UN Statistics Division (UN Comtrade)",
        vintage="Comtrade API, all reporters, 31 HS2022 codes, 2022 and 2024 "
                "(critical-materials-atlas extract)",
        files=(CMA_FILES,),
        read=read_cma,
    ),
    Source(
        key="comtrade_api",
        publisher="UN Statistics Division (UN Comtrade)",
        vintage="Comtrade API, pulled by `minsec data fetch comtrade` with the user's key "
                "(the form concordance's codes)",
        files=(API_FILES,),
        read=read_api,
    ),
]
