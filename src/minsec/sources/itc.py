"""ITC Trade Map: bilateral tables of the battery minerals (Cheng et al. 2024), 2017-2021.

The file is the long reshape of the 1,674 Trade Map tables the authors downloaded:
``hs_code, product_label, flow, reporter, partner, year, measure, unit, value``. ``flow`` is
``import`` (the reporter's imports by supplying market) or ``export`` (its exports by
importing market); ``measure`` is ``quantity`` (unit ``Tons``) or, for a few tables,
``value`` (``USD thousand``). Codes are the national HS of the year (HS2017 for 2017-2021);
two are 4-digit headings (2510, 7502). Trade Map's quirks, handled here only:

* ``World`` rows are totals, not flows, and are not loaded;
* its unnamed areas (``Area Nes``, ``Free Zones``, ``Ship stores and bunkers`` ...) are
  ``ROW``;
* ``No Quantity`` cells and ``Mixed`` or ``unspecified`` units carry no tonnage: not loaded.

ITC's terms restrict redistribution, which decides what ``minsec data sync`` downloads, not
what the build reads.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from minsec.countries import to_iso3
from minsec.errors import SourceError
from minsec.sources import Source
from minsec.sources._parse import numbers, read_table

FILE = "itc_trademap_battery_minerals_cheng2024/trademap_bilateral_long.csv"
COLUMNS = ("hs_code", "flow", "reporter", "partner", "year", "measure", "unit", "value")
UNITS = {("quantity", "Tons"): "quantity", ("value", "USD thousand"): "value"}
AREAS = {"Area Nes", "Area Nes (Mirror)", "Asia not elsewhere specified", "Europe Othr. Nes",
         "European Union Nes", "Free Zones", "Ship stores and bunkers", "Special categories"}
FLOWS = {"import": "M", "export": "X"}


def _countries(names: pd.Series, lines: pd.Series) -> pd.Series:
    areas = names.isin(AREAS)
    known = to_iso3(names.mask(areas, "ROW"), FILE, lines)
    return known


def read(root: Path, files: list[str]) -> dict[str, pd.DataFrame]:
    """Trade Map's tables into ``trade``: quantity in t (gross), value in kUSD where given."""
    table = read_table(root / FILE, COLUMNS, FILE)
    bad_flow = ~table["flow"].isin(list(FLOWS))
    if bad_flow.any():
        line = int(table.loc[bad_flow, "line"].iloc[0])
        raise SourceError(FILE, f"flow {table.loc[bad_flow, 'flow'].iloc[0]!r} is neither "
                                "import nor export", line)
    kind = pd.Series(list(zip(table["measure"], table["unit"], strict=True)),
                     index=table.index).map(UNITS)
    table = table[kind.notna() & ~table["partner"].eq("World")].assign(kind=kind)
    lines = table["line"]
    table = table.assign(
        amount=numbers(table["value"], FILE, lines, "value", blank=("", "No Quantity")),
        year=numbers(table["year"], FILE, lines, "year", blank=()).astype("int64"),
        reporter=_countries(table["reporter"], lines),
        partner=_countries(table["partner"], lines),
        flow=table["flow"].map(FLOWS))
    if (table["amount"] < 0).any():
        line = int(table.loc[table["amount"] < 0, "line"].iloc[0])
        raise SourceError(FILE, "negative quantity or value", line)
    wide = table.pivot_table(index=["hs_code", "flow", "reporter", "partner", "year"],
                             columns="kind", values="amount", aggfunc="sum").reset_index()
    wide = wide.reindex(columns=[*wide.columns, *(c for c in ("quantity", "value")
                                                  if c not in wide.columns)])
    imports = wide["flow"].eq("M")
    trade = pd.DataFrame({
        "year": wide["year"],
        "exporter": wide["partner"].where(imports, wide["reporter"]),
        "importer": wide["reporter"].where(imports, wide["partner"]),
        "hs6": wide["hs_code"],
        "hs_version": "HS2017",
        "value": wide["value"],
        "quantity": wide["quantity"],
        "flow": wide["flow"],
    })
    return {"trade": trade[trade["exporter"].ne(trade["importer"])].reset_index(drop=True)}


SOURCES = [
    Source(
        key="itc_trademap",
        publisher="International Trade Centre (Trade Map)",
        vintage="Trade Map tables of battery minerals 2017-2021 (Cheng et al. 2024)",
        files=(FILE,),
        read=read,
    )
]
