"""UN M49 (UN Statistics Division): the country list and its regions, plus our own groupings.

``UNSD-M49-en.csv`` is the official UNSD export (UTF-8 with BOM; codes are strings with
leading zeros). It yields the ``country`` table (ISO3, name, M49 code) and the ``region``
groupings ``m49_region``, ``m49_subregion``, ``m49_intermediate`` (only where M49 has one),
``msp_region`` (the MSP's four portfolio regions, from :func:`minsec.countries.msp_region`)
and the curated groupings of ``reference/data/country_group.csv`` (eu27, southeast_asia...).

Explicit cases: Antarctica has no region in M49 and gets none here; a row without an ISO3
code (Sark in some editions) is skipped only if listed in :data:`NO_ISO3`; Kosovo, which M49
does not list but other publishers report (WMD, WGI, Comtrade), is added as ``XKX`` with no
M49 code, in Europe for the MSP regions.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from minsec.countries import groups, msp_region, to_iso3
from minsec.errors import SourceError
from minsec.sources import Source
from minsec.sources._parse import first_row, read_table

FILE = "country_codes_m49/UNSD-M49-en.csv"
GROUPS_FILE = "reference/data/country_group.csv"
NO_ISO3 = {"Sark"}  # M49 680, part of the Bailiwick of Guernsey; no ISO 3166 code
EXTRA = pd.DataFrame({"iso3": ["XKX"], "name": ["Kosovo"], "m49": [None]})
EXTRA_MSP = {"XKX": "Europe"}
# M49 column -> grouping
LEVELS = {"Region Name": "m49_region", "Sub-region Name": "m49_subregion",
          "Intermediate Region Name": "m49_intermediate"}
GROUP_NAMES = {"eu27": "European Union (27)", "southeast_asia": "Southeast Asia"}


def _countries(raw: pd.DataFrame) -> pd.DataFrame:
    """Rows with an ISO3 code, checked; the unlisted ones without a code are errors."""
    iso = raw["ISO-alpha3 Code"].str.strip()
    blank = iso.eq("")
    unexpected = blank & ~raw["Country or Area"].isin(NO_ISO3)
    if unexpected.any():
        first = first_row(unexpected)
        raise SourceError(FILE, f"{raw['Country or Area'].iloc[first]!r} has no ISO3 code; "
                                "list it in m49.NO_ISO3 if it has none",
                          int(raw["line"].iloc[first]))
    raw = raw.loc[~blank]
    codes = to_iso3(raw["ISO-alpha3 Code"].str.strip(), FILE, raw["line"])
    dup = codes.duplicated()
    if dup.any():
        raise SourceError(FILE, f"ISO3 {codes[dup].iloc[0]} appears twice",
                          int(raw["line"].iloc[first_row(dup)]))
    return raw.assign(iso3=codes)


def _curated(known: set[str]) -> pd.DataFrame:
    """The project's groupings, with a readable region name; members must be countries."""
    curated = groups()
    unknown = ~curated["country"].isin(known)
    if unknown.any():
        first = first_row(unknown)
        raise SourceError(GROUPS_FILE, f"{curated['country'].iloc[first]!r} in grouping "
                                       f"{curated['grouping'].iloc[first]!r} is not an M49 "
                                       "country", first + 2)
    region = curated["grouping"].map(GROUP_NAMES).fillna(curated["grouping"])
    return curated.assign(region=region)[["country", "grouping", "region"]]


def read(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """M49 into ``country`` and ``region``."""
    raw = read_table(root / FILE, ["Country or Area", "M49 Code", "ISO-alpha3 Code", *LEVELS],
                     FILE)
    raw = _countries(raw)
    country = pd.concat([
        pd.DataFrame({"iso3": raw["iso3"], "name": raw["Country or Area"].str.strip(),
                      "m49": raw["M49 Code"].str.strip()}),
        EXTRA,
    ], ignore_index=True)
    parts = [pd.DataFrame({"country": raw["iso3"], "grouping": grouping,
                           "region": raw[column].str.strip()})
             for column, grouping in LEVELS.items()]
    msp = raw.loc[raw["Region Name"].str.strip() != ""]
    parts.append(pd.DataFrame({
        "country": msp["iso3"], "grouping": "msp_region",
        "region": [msp_region(r.strip(), s.strip())
                   for r, s in zip(msp["Region Name"], msp["Sub-region Name"], strict=True)],
    }))
    parts.append(pd.DataFrame({"country": list(EXTRA_MSP), "grouping": "msp_region",
                               "region": list(EXTRA_MSP.values())}))
    parts.append(_curated(set(country["iso3"])))
    region = pd.concat(parts, ignore_index=True)
    region = region.loc[region["region"].notna() & (region["region"] != "")]
    return {"country": country, "region": region.reset_index(drop=True)}


SOURCES = [
    Source(
        key="un_m49",
        publisher="UN Statistics Division (M49)",
        vintage="M49 via datasets/country-codes, UNSD-en.csv of 2024-09-25",
        files=(FILE,),
        read=read,
    )
]
