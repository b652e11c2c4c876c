"""One way to name a country: ISO3, through ``country_converter`` plus explicit aliases.

Aggregates get reserved codes: ``WLD`` (world total), ``ROW`` (the publisher's "other
countries"), ``EU27`` (the European Union as a bloc). A name that cannot be mapped is an error
naming the file and line, never a silent drop.
"""

from __future__ import annotations

import csv
import logging
import re
from difflib import get_close_matches
from functools import cache
from importlib.resources import files
from pathlib import Path

import pandas as pd

from minsec.errors import MinsecError, SourceError

AGGREGATES = {"WLD": "World", "ROW": "Rest of world", "EU27": "European Union (27)"}
_NOT_FOUND = "\x00"  # coco returns the input for a falsy not_found
_FOOTNOTE = re.compile(r"^(.*?[a-z)])(\d+|[a-z])$")


def _reference(name: str) -> list[dict[str, str]]:
    text = files("minsec").joinpath("reference", "data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def _aliases() -> dict[str, str]:
    return {row["alias"].strip().casefold(): row["iso3"] for row in _reference("country_alias.csv")}


@cache
def _converter():  # type: ignore[no-untyped-def]
    """country_converter with its own table, read so that Namibia's ISO2 "NA" stays a string.

    coco 1.3 reads its table with pandas' default NA strings, which under pandas 3 turns "NA"
    into a missing regex and fails at start-up; reading it ourselves avoids that.
    """
    import country_converter as coco
    from country_converter.country_converter import COUNTRY_DATA_FILE

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    table = pd.read_csv(COUNTRY_DATA_FILE, sep="\t", encoding="utf-8", dtype=str,
                        keep_default_na=False).replace("", None)
    return coco.CountryConverter(country_data=table)


@cache
def _iso3_codes() -> frozenset[str]:
    return frozenset(_converter().data["ISO3"].dropna())


@cache
def iso3(name: str) -> str | None:
    """ISO3 code for a country name or code, or ``None`` when it cannot be mapped.

    Tries the explicit aliases, then an ISO3 code as given, then country_converter's regexes,
    then the name without a footnote glued to its end (``"New Caledonia11"``, ``"Japane"``).
    """
    text = " ".join(str(name).split())
    if not text:
        return None
    if (alias := _aliases().get(text.casefold())) is not None:
        return alias
    if text.upper() in AGGREGATES or (len(text) == 3 and text.isupper() and text in _iso3_codes()):
        return text.upper()
    found = _converter().convert(text, src="regex", to="ISO3", not_found=_NOT_FOUND)
    if isinstance(found, str) and found != _NOT_FOUND:
        return found
    if m := _FOOTNOTE.match(text):
        return iso3(m.group(1))
    return None


def to_iso3(names: pd.Series, file: str | Path, lines: pd.Series | None = None) -> pd.Series:
    """Map a column of country names to ISO3; an unknown name raises with file and line."""
    mapped = {name: iso3(name) for name in names.dropna().unique()}
    unknown = [n for n, code in mapped.items() if code is None]
    if unknown or names.isna().any():
        first = int((names.isna() | names.isin(unknown)).to_numpy().argmax())
        line = int(lines.iloc[first]) if lines is not None else None
        raise SourceError(file, f"unknown country {names.iloc[first]!r}; add it to "
                                "reference/data/country_alias.csv if it is real", line)
    return names.map(mapped).astype("string")


def resolve(name: str) -> str:
    """ISO3 for a name given by a user (e.g. on the command line), or a clear error."""
    code = iso3(name)
    if code is None:
        names = _converter().data["name_short"].dropna().tolist()
        near = get_close_matches(name.strip().title(), names, n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(near)}?" if near else "give an ISO3 code such as KOR"
        raise MinsecError(f"unknown country {name!r}: {hint}")
    return code


def groups() -> pd.DataFrame:
    """The project's curated groupings (EU27, Southeast Asia) as ``grouping, country``."""
    return pd.DataFrame(_reference("country_group.csv"))[["grouping", "country"]]


@cache
def members(grouping: str) -> tuple[str, ...]:
    """ISO3 members of a curated grouping, e.g. ``eu27`` (``reference/data/country_group.csv``)."""
    found = tuple(row["country"] for row in _reference("country_group.csv")
                  if row["grouping"] == grouping)
    if not found:
        raise MinsecError(f"unknown country grouping {grouping!r}")
    return found


def msp_region(m49_region: str, m49_subregion: str) -> str:
    """The MSP's portfolio regions from UN M49: Africa, Americas, Europe, Asia-Pacific.

    The MSP reports its projects in four regions (statement of Sept 2024); we read them as
    the M49 regions, with Asia and Oceania together as Asia-Pacific.
    """
    return {"Asia": "Asia-Pacific", "Oceania": "Asia-Pacific"}.get(m49_region, m49_region)
