"""National critical-minerals strategies side by side (the seed's Table 1), as data.

``reference/data/strategies.csv`` is a tidy long table ``country, item, kind, value, year,
source_url, confidence``: list sizes (``list``), targets (``target``, ``item`` = the target id of
``targets.csv``) and instruments (``stockpile``, ``finance``, ``recycling``,
``domestic_mining``). Sources: the seed (CSIS, "The Minerals Security Partnership Under the
South Korean Leadership"), the fact pack and official texts; JPN only where sourced.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from minsec.errors import MinsecError

COLUMNS = ["country", "item", "kind", "value", "year", "source_url", "confidence"]
KINDS = ("list", "target", "stockpile", "finance", "recycling", "domestic_mining")


def load_strategies(path: Path | None = None) -> pd.DataFrame:
    """Read and check the strategies table (I/O); a bad row raises naming the field."""
    from minsec.reference import DATA

    frame = pd.read_csv(path or DATA / "strategies.csv", keep_default_na=False,
                        dtype={"year": "Int64"})
    missing = set(COLUMNS) - set(frame.columns)
    if missing:
        raise MinsecError(f"strategies: missing columns {sorted(missing)}")
    bad = frame.loc[~frame["kind"].isin(KINDS), "kind"]
    if len(bad):
        raise MinsecError(f"strategies: kind must be one of {', '.join(KINDS)}, not "
                          f"{bad.iloc[0]!r}")
    return frame[COLUMNS]


def _status(row: pd.Series) -> str:
    if pd.isna(row["today"]):
        return f"not measured: {row['note']}"
    text = f"{row['today']:.1f} {row['unit']} ({row['today_year']})"
    if pd.isna(row["projected"]):
        return f"{text}; no projection to {int(row['target_year'])}, gap {row['gap']:.1f}"
    on = "on track" if row["on_track"] else "off track"
    return (f"{text}; projected {row['projected']:.1f} in {int(row['target_year'])}: {on}, "
            f"gap {row['gap']:.1f}")


def status(measured: pd.DataFrame) -> pd.DataFrame:
    """One line per tracked target: ``country, item, status`` from :func:`targets.track`.

    E.g. ``67.1 % (2024); projected 95.1 in 2030: off track, gap 45.1`` (gap: shortfall in
    the target's unit, > 0 off track).
    """
    if measured.empty:
        return pd.DataFrame(columns=["country", "item", "status"])
    return pd.DataFrame({"country": measured["importer"], "item": measured["target"],
                         "status": measured.apply(_status, axis=1)})


def compare(strategies: pd.DataFrame, countries: Sequence[str],
            measured: pd.DataFrame | None = None) -> pd.DataFrame:
    """Countries side by side: one row per ``kind, item``, one column per country.

    A cell joins the country's values for the item (``value (year)``; several years: ``; ``).
    ``measured`` (the output of :func:`minsec.outlook.targets.track`, any importers) adds a
    ``<country> status`` column for each country that has tracked targets.
    """
    known = sorted(strategies["country"].unique())
    unknown = [c for c in countries if c not in known]
    if unknown or not countries:
        raise MinsecError(f"countries: unknown {', '.join(unknown) or '(none given)'} "
                          f"(known: {', '.join(known)})")
    rows = strategies[strategies["country"].isin(countries)].sort_values(["year"])
    year = rows["year"].astype("string").fillna("")
    rows = rows.assign(cell=rows["value"] + (" (" + year + ")").where(year != "", ""))
    table = rows.groupby(["kind", "item", "country"], sort=False)["cell"].agg("; ".join)
    wide = table.unstack("country").reindex(columns=list(countries))
    order = {kind: i for i, kind in enumerate(KINDS)}
    wide = wide.reset_index().sort_values(["kind", "item"], key=lambda c: c.map(order)
                                          if c.name == "kind" else c, ignore_index=True)
    if measured is not None and len(measured):
        found = status(measured)
        for country in countries:
            mine = found[found["country"].eq(country)].set_index("item")["status"]
            if len(mine):
                wide[f"{country} status"] = wide["item"].map(mine).where(
                    wide["kind"].eq("target"))
    return wide.fillna("")
