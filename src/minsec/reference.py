"""The project's curated reference data (``reference/data/*.csv``), each row with its source.

Minerals are named by canonical id; users may also give a name, symbol or Korean name.
"""

from __future__ import annotations

from difflib import get_close_matches
from functools import cache
from importlib.resources import files
from pathlib import Path

import pandas as pd

from minsec.errors import MinsecError, SourceError

DATA = Path(str(files("minsec").joinpath("reference", "data")))


@cache
def frame(name: str) -> pd.DataFrame:
    """A curated table (``mineral``, ``mineral_list``, ...) as strings."""
    return pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False).replace("", None)


def minerals() -> pd.DataFrame:
    """The mineral catalogue."""
    return frame("mineral")


@cache
def _lookup() -> dict[str, str]:
    table = minerals()
    keys: dict[str, str] = {}
    for col in ("name_ko", "symbol", "name", "id"):
        for key, mid in zip(table[col], table["id"], strict=True):
            if key:
                keys[str(key).casefold()] = mid
                keys[str(key).casefold().replace(" ", "_")] = mid
    return keys


def mineral_id(name: str) -> str:
    """Canonical id for a mineral named by id, English name, symbol or Korean name."""
    mid = _lookup().get(name.strip().casefold())
    if mid is None:
        near = get_close_matches(name.strip().casefold(), list(_lookup()), n=3, cutoff=0.6)
        hint = (f"did you mean {', '.join(dict.fromkeys(_lookup()[n] for n in near))}?"
                if near else "try an id such as gallium, nickel or rare_earths")
        raise MinsecError(f"unknown mineral {name!r}; {hint} (`minsec minerals` lists them)")
    return mid


def check_minerals(ids: pd.Series, file: str, lines: pd.Series | None = None) -> None:
    """Raise naming file and line if an adapter produced an id missing from the catalogue."""
    known = set(minerals()["id"])
    bad = (~ids.isin(known)).to_numpy()
    if bad.any():
        first = int(bad.argmax())
        line = int(lines.iloc[first]) if lines is not None else None
        raise SourceError(file, f"mineral id {ids.iloc[first]!r} is not in the catalogue", line)


def listed(list_id: str) -> list[str]:
    """Mineral ids on a list, e.g. ``kr_strategic_2023``."""
    table = frame("mineral_list")
    ids = table.loc[table["list"] == list_id, "mineral"].drop_duplicates().tolist()
    if not ids:
        raise MinsecError(f"unknown list {list_id!r}; known: "
                          f"{', '.join(sorted(table['list'].unique()))}")
    return ids


def hs_codes(edition: str) -> list[str]:
    """Every code the form concordance (``forms.csv``) gives in one edition's column.

    ``edition`` is ``hs92``, ``hs2017`` or ``hs2022``; the codes are the distinct 6-digit
    subheadings of that column, sorted (excluded and grouped codes too: minsec reports them).
    """
    return sorted(frame("forms")[edition].dropna().unique())
