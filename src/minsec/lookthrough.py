"""Look-through dependence of one importer in one year: the origin model on the store's tables.

The views (the assessment's ``lt_*`` columns, ``minsec origin``, the web's mineral page, the
briefing) read these; :mod:`minsec.indicators.origin` holds the model and
:mod:`minsec.indicators.look_through` the indicators. Pure given the tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from minsec.errors import MinsecError
from minsec.indicators import look_through, origin, origin_inputs

LT_COLUMNS = ["lt_top_origin", "lt_top_origin_share", "lt_hhi", "lt_china_share",
              "lt_unexplained_share", "lt_import_risk", "lt_ft_hhi", "lt_ft_import_risk",
              "lt_year", "lt_basis"]
BASIS = ("origin model: imports of every measured form traced to the mine in proportion "
         "(contained t; docs/origin.md)")


@dataclass
class Tables:
    """What the origin model reads, with the chains solved so far (per mineral and year)."""

    mineral_trade: pd.DataFrame
    supply: pd.DataFrame
    forms: pd.DataFrame
    shared_ore: pd.DataFrame  # records of the shared ore codes (tables.shared_ore_trade)
    governance: pd.DataFrame  # WGI PV, country, year, estimate
    eu27: list[str]
    solved: dict[tuple[str, int], origin_inputs.Solved] = field(default_factory=dict)
    production: pd.DataFrame | None = None


def rows(tables: Tables, importer: str, year: int,
         minerals: Iterable[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The importer's look-through rows and the notes of the year (``origin_inputs.ROWS``)."""
    if tables.production is None:
        tables.production = origin_inputs.mine_production(tables.supply)
    wanted = list(minerals) if minerals is not None else None
    todo = [m for m in (wanted or []) if (m, year) not in tables.solved]
    trade = tables.mineral_trade
    if wanted is None or todo:
        pick = trade["year"].eq(year)
        if todo:
            pick &= trade["mineral"].isin(todo)
        net = origin_inputs.network(trade[pick])
    else:
        net = pd.DataFrame({"mineral": wanted, "year": year})
    said = origin_inputs.bases(trade[trade["year"].eq(year)], importer,
                               tables.eu27 if importer == "EU27" else ())
    return origin_inputs.origins(net, tables.production, tables.shared_ore, tables.forms,
                                 wanted, [year], {"EU27": tables.eu27}, [importer],
                                 tables.solved, said)


def not_computed(tables: Tables, mineral: str, year: int) -> str:
    """Why the origin model has no figure for a mineral and year."""
    production = tables.production if tables.production is not None else \
        origin_inputs.mine_production(tables.supply)
    if not production[production["mineral"].eq(mineral) & production["year"].eq(year)].size:
        return (f"not computed: no mine production of {mineral} for {year} in USGS MCS or "
                "World Mining Data")
    return f"not computed: no measured trade of {mineral} for the importer in {year}"


def columns(tables: Tables, importer: str, year: int, minerals: Iterable[str],
            groups: dict[str, str] | None = None) -> pd.DataFrame:
    """The assessment's look-through columns (:data:`LT_COLUMNS`), one row per mineral.

    ``groups``: a member traded only in its group (mineral -> group) says so.
    """
    minerals, groups = list(minerals), groups or {}
    found, _ = rows(tables, importer, year)
    frame = pd.DataFrame(index=pd.Index(minerals, name="mineral"), columns=LT_COLUMNS)
    if len(found):
        summary = look_through.summary(found).set_index("mineral")
        risk = look_through.import_risk(found, tables.governance, tables.production
                                        if tables.production is not None else
                                        origin_inputs.mine_production(tables.supply),
                                        {"EU27": tables.eu27}).set_index("mineral")
        got = pd.DataFrame({
            "lt_top_origin": summary["lt_top_origin"],
            "lt_top_origin_share": summary["lt_top_origin_share"],
            "lt_hhi": summary["lt_hhi"], "lt_china_share": summary["lt_china_share"],
            "lt_unexplained_share": summary["lt_unexplained_share"],
            "lt_import_risk": risk["lt_import_risk"].reindex(summary.index),
            "lt_ft_hhi": summary["ft_hhi"],
            "lt_ft_import_risk": risk["ft_import_risk"].reindex(summary.index),
            "lt_year": year, "lt_basis": BASIS})
        frame.update(got.reindex(frame.index))
    missing = frame["lt_basis"].isna()
    frame.loc[missing, "lt_basis"] = [
        f"group: counted once for {groups[m]}" if m in groups else not_computed(tables, m, year)
        for m in frame.index[missing]]
    numeric = [c for c in LT_COLUMNS if c not in ("lt_top_origin", "lt_basis", "lt_year")]
    return frame.astype({**dict.fromkeys(numeric, "float64"), "lt_year": "Int64"})


def load(store: Path | None = None) -> Tables:
    """Read what the origin model needs from the store (I/O; the trade is cached per file)."""
    from minsec import tables as read

    governance = read.governance(store)
    governance = governance[governance["indicator"].eq("pv")].sort_values(
        ["source", "country", "year"])
    return Tables(read.mineral_trade(store), read.supply(store), read.trade_forms(store),
                  read.shared_ore_trade(store), governance, read.region_members("eu27", store))


def years(tables: Tables, mineral: str) -> list[int]:
    """The years the origin model covers for a mineral: mine production and trade both."""
    if tables.production is None:
        tables.production = origin_inputs.mine_production(tables.supply)
    made = set(tables.production.loc[tables.production["mineral"].eq(mineral), "year"])
    traded = set(tables.mineral_trade.loc[tables.mineral_trade["mineral"].eq(mineral), "year"])
    return sorted(int(y) for y in made & traded)


def report(tables: Tables, importer: str, mineral: str, year: int) -> dict[str, pd.DataFrame]:
    """One importer, mineral and year: the tables every view shows, each with its basis.

    ``summary`` (first tier and look-through side by side), ``mine_origin`` (shares by mine
    country), ``exposure`` (two tiers), ``origin`` (every first-tier supplier x mine country
    row) and ``assumptions`` (the model's, then the year's notes: implied ore, closed loops).
    Raises :class:`MinsecError` where the model has no figure, saying why.
    """
    found, notes = rows(tables, importer, year, [mineral])
    if found.empty:
        reason = not_computed(tables, mineral, year).removeprefix("not computed: ")
        raise MinsecError(f"no look-through for {importer} {mineral} {year}: {reason}")
    summary = look_through.summary(found)
    risk = look_through.import_risk(found, tables.governance, tables.production
                                    if tables.production is not None else
                                    origin_inputs.mine_production(tables.supply),
                                    {"EU27": tables.eu27})
    summary = summary.merge(risk, on=look_through.KEY, how="left").assign(
        unit="t contained", basis=BASIS)
    mined = look_through.mine_shares(found)
    where = found[found["mine_country"].eq(origin.UNEXPLAINED)].groupby("unexplained_at")[
        "share"].sum().sort_values(ascending=False)
    big = where[where >= 0.0005]
    located = ", ".join(f"{c} {100 * s:.1f}%" for c, s in big.items()) + (
        f" and {len(where) - len(big)} more under 0.05% each" if len(where) > len(big) else "")
    mined = mined.assign(note=mined["mine_country"].map(
        {origin.UNEXPLAINED: f"exports beyond inputs, arising at {located}"}))
    said = [*origin.ASSUMPTIONS, *notes["note"]]
    return {"summary": summary, "mine_origin": mined,
            "exposure": look_through.exposure(found),
            "origin": found.sort_values("contained_t", ascending=False, ignore_index=True),
            "assumptions": pd.DataFrame({"assumption": said})}
