"""Editions side by side: how a figure moved from one USGS MCS edition to the next.

USGS revises earlier years in each new Mineral Commodity Summaries: MCS 2023 raised
Mozambique's 2021 graphite from 30,000 t (MCS 2022) to 72,000 t, MCS 2024 lowered its 2022
graphite from 170,000 t (MCS 2023, estimated) to 166,000 t. One row per stage, kind
(production, capacity, reserves), country and year; one column per edition; the change from
the oldest to the newest edition holding the figure.

Rules (ours): each edition contributes the one measure per mineral, stage, kind and year that
the concentration uses (:func:`minsec.indicators.concentration.primary`; titanium: ilmenite
or rutile, not both), so a form renamed between editions still lines up. Reserves are each
edition's own latest estimate (MCS 2023: 2022, MCS 2024: 2023, ...): their row has no year,
and the change is between estimates, not a revision of one year. A country listed twice in
one measure (USGS's US helium and abrasives rows) is its rows' sum.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from minsec.errors import MinsecError
from minsec.indicators.concentration import primary
from minsec.tables import edition_label, editions

KEYS = ["stage", "variable", "unit", "country", "year"]
ORDER = {"production": 0, "capacity": 1, "reserves": 2}


def side_by_side(supply: pd.DataFrame) -> pd.DataFrame:
    """One mineral's figures across editions, one column per edition, and the change.

    Columns ``KEYS, form, <edition>..., change, change_pct, from_edition, to_edition,
    editions, estimated_in, source`` (``estimated_in``: the editions that mark the figure
    estimated; ``source``: each edition's file and line).

    ``supply``: the store's supply rows of one mineral and several editions (any publisher:
    the columns follow :func:`minsec.tables.editions`, oldest first). ``change`` = newest -
    oldest value of the editions with a figure (same unit), ``change_pct`` = change / oldest
    x 100 (NaN from 0); one edition only: no change (``editions`` = 1).
    """
    names = editions(supply)[::-1]
    if not names:
        raise MinsecError("no edition with supply figures to compare")
    rows = pd.concat([primary(part) for _, part in supply[supply["edition"].isin(names)]
                      .groupby("variable")], ignore_index=True)
    rows = rows.assign(year=rows["year"].astype("Int64").mask(rows["variable"].eq("reserves")))
    rows["cite"] = (rows["edition"].map(edition_label) + ", " + rows["file"] + ":"
                    + rows["line"].astype("string").fillna(""))
    grouped = rows.groupby([*KEYS, "edition"], dropna=False)
    cells = grouped["value"].sum(min_count=1).unstack("edition").reindex(columns=names)
    order = {e: i for i, e in enumerate(names)}
    latest = rows.assign(_o=rows["edition"].map(order)).sort_values("_o").groupby(
        KEYS, dropna=False)
    out = cells.reset_index()
    marked = rows[rows["estimated"].astype(bool)].groupby(KEYS, dropna=False)["edition"]
    meta = pd.DataFrame({"form": latest["form"].last(),
                         "source": latest["cite"].agg(lambda c: "; ".join(dict.fromkeys(c)))})
    meta["estimated_in"] = marked.agg(lambda e: " ".join(sorted(set(e))))
    out = out.merge(meta.reset_index(), on=KEYS, how="left")
    present = out[names].notna()
    first = out[names].bfill(axis=1).iloc[:, 0]
    last = out[names].ffill(axis=1).iloc[:, -1]
    out["editions"] = present.sum(axis=1)
    several = out["editions"].ge(2)
    out["change"] = (last - first).where(several)
    out["change_pct"] = (100 * out["change"] / first.where(first != 0)).where(several)
    out["from_edition"] = present.idxmax(axis=1).where(several)
    out["to_edition"] = present.iloc[:, ::-1].idxmax(axis=1).where(several)
    out = out.sort_values(["variable", "stage", "country", "year"], key=lambda c: c.map(
        ORDER) if c.name == "variable" else c, na_position="last", ignore_index=True)
    return out[[*KEYS, "form", *names, "change", "change_pct", "from_edition", "to_edition",
                "editions", "estimated_in", "source"]]


def compare_editions(mineral: str, store: Path | None = None,
                     publisher: str = "mcs") -> pd.DataFrame:
    """:func:`side_by_side` of one mineral's editions of ``publisher`` in the store.

    A mineral the editions report only as a group (a single rare earth) is compared as its
    group (``mineral`` says which).
    """
    from minsec.profile import reported_as
    from minsec.store import query

    held = editions(query("SELECT DISTINCT edition FROM supply", store=store), [publisher])
    shown = reported_as(mineral, held[0], store)[0] if held else mineral
    rows = query("SELECT * FROM supply WHERE mineral = ? AND edition IN (SELECT unnest(?))",
                 [shown, held], store)
    if rows.empty:
        raise MinsecError(f"no {', '.join(held) or publisher} supply figures for {mineral}")
    return side_by_side(rows).assign(mineral=shown)


def compare_many(names: list[str], list_id: str | None,
                 store: Path | None = None) -> dict[str, pd.DataFrame]:
    """:func:`compare_editions` for the named minerals and a list's members, each once."""
    from minsec.reference import listed, mineral_id

    ids = [mineral_id(n) for n in names] + (listed(list_id) if list_id else [])
    if not ids:
        raise MinsecError("name a mineral (e.g. graphite) or a list (--list kr_strategic_2023)")
    found: dict[str, pd.DataFrame] = {}
    for mid in ids:
        table = compare_editions(mid, store)
        found.setdefault(str(table["mineral"].iloc[0]), table)
    return found
