"""Demand outlook: IEA demand by mineral, sector and scenario to 2050, and an importer's part.

Source: IEA, Global Critical Minerals Outlook 2024, Critical Minerals Data Explorer (May 2024),
https://www.iea.org/data-and-statistics/data-tools/critical-minerals-data-explorer, loaded
into the store's ``demand_outlook`` table (kt; lithium as Li content, magnet rare earths as
Pr+Nd+Tb+Dy, graphite all grades). 2023 is one actual (scenario ``baseline``), shared by every
scenario; 2030-2050 are the STEPS, APS and NZE projections in 5-year steps.

The IEA publishes its totals beside the sectors: ``Total`` (all uses) is the sum of the
sectors, ``Total clean technologies`` the sum of the sectors other than ``Other uses``. The two
are kept apart here so that no view adds a total to its parts: :func:`load_demand` gives the
sectors only (:func:`sector_parts`), :func:`load_totals` the published totals
(:func:`published_totals`).

An importer's outlook is the world outlook times the importer's share of world consumption,
held at its latest measured value (ours: the share does not move with the scenario):

* :func:`consumption_shares`: ``share = C_i / P_w`` per mineral, stage and year, where ``C_i``
  is the importer's apparent consumption (production + imports - exports, t) as
  :func:`minsec.assessment.import_table` computes it (every traded form in **contained
  tonnes**, the measure USGS reports production in: :mod:`minsec.indicators.trade_forms`;
  WMD production) and ``P_w`` world production at the **same stage** and year (WMD, else
  USGS MCS, else the IEA's 2023 refining figure). Limits: stock changes are left out; the
  importer's production is unknown (no share) where WMD does not cover the mineral; a
  rare-earth element has no trade of its own (the group is traded as one).
* :func:`importer_share` picks one per mineral: refining first (the IEA's demand is the use of
  refined material), else mining; the latest year with a share.
* :func:`user_share` and :func:`user_series` take the user's own share or demand series.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from minsec import assessment, tables
from minsec.errors import MinsecError
from minsec.store import query

COLUMNS = ["mineral", "scenario", "sector", "year", "value_kt"]
# the IEA's totals and what each covers; the finest first (the one kept where no sector is)
AGGREGATES = {"Total clean technologies": "clean technologies", "Total": "all uses"}
BASELINE, BASE_YEAR, HORIZON = "baseline", 2023, 2050
PERIODS = ((2023, 2030), (2030, 2040), (2040, 2050))
WORLD_PUBLISHERS = ("wmd", "mcs", "iea")  # WMD first: as the importer's production
STAGES = ("refining", "mining")  # preference of importer_share
SHARE_KEYS = ["importer", "mineral", "stage", "year"]


@dataclass(frozen=True)
class Share:
    """An importer's share (0-1) of world consumption of a mineral, and how it was obtained."""

    importer: str
    mineral: str
    value: float
    basis: str
    stage: str | None = None
    year: int | None = None


def _pick(field: str, value: str, available: Iterable[str], where: str) -> str:
    """``value`` if it is one of ``available``, else a MinsecError with the closest names."""
    names = sorted(set(available))
    if value in names:
        return value
    close = difflib.get_close_matches(value, names, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
    listed = ", ".join(names) if len(names) <= 50 else f"{len(names)} names"
    raise MinsecError(f"{field} {value!r} is not in {where}{hint} (available: {listed})")


def sector_parts(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows that add up: the IEA's sectors, never its totals (:data:`AGGREGATES`).

    Where the IEA gives no sector for a mineral, scenario and year (gallium, the single rare
    earths: only ``Total clean technologies``), that total is the one part, named for what it
    covers: ``Clean technologies (not split by the IEA)``.
    """
    keys = ["mineral", "scenario", "year"]
    total = rows["sector"].isin(list(AGGREGATES))
    split = rows.loc[~total, keys].drop_duplicates()
    whole = rows[total].merge(split, on=keys, how="left", indicator=True)
    whole = whole[whole["_merge"].eq("left_only")].drop(columns="_merge")
    order = {name: i for i, name in enumerate(AGGREGATES)}
    whole = whole.sort_values("sector", key=lambda c: c.map(order)).drop_duplicates(keys)
    whole["sector"] = whole["sector"].map(AGGREGATES).str.capitalize() + " (not split by the IEA)"
    out = pd.concat([rows[~total], whole], ignore_index=True)
    return out.sort_values([*keys, "sector"], ignore_index=True)


def published_totals(rows: pd.DataFrame) -> pd.DataFrame:
    """The IEA's own totals among ``rows``, with what each ``covers``.

    ``all uses`` (``Total``) or ``clean technologies``: what its sectors add up to.
    """
    out = rows[rows["sector"].isin(list(AGGREGATES))]
    return out.assign(covers=out["sector"].map(AGGREGATES)).reset_index(drop=True)


def _published(store: Path | None) -> pd.DataFrame:
    frame = query("SELECT mineral, scenario, sector, year, value AS value_kt FROM demand_outlook "
                  "WHERE unit = 'kt' ORDER BY ALL", store=store)
    if frame.empty:
        raise MinsecError("the store has no demand outlook: load the IEA Critical Minerals Data "
                          "Explorer (`minsec data build`)")
    return frame


def load_demand(store: Path | None = None) -> pd.DataFrame:
    """The IEA's demand by sector, ``mineral, scenario, sector, year, value_kt`` (I/O).

    The sectors only (:func:`sector_parts`): they add up; the totals are :func:`load_totals`.
    """
    return sector_parts(_published(store))


def load_totals(store: Path | None = None) -> pd.DataFrame:
    """The IEA's published totals, as :func:`load_demand` plus ``covers`` (I/O)."""
    return published_totals(_published(store))


def outlook(demand: pd.DataFrame, mineral: str, scenario: str = "APS") -> pd.DataFrame:
    """Demand for one mineral and scenario by sector, 2023 actuals first, to 2050 (kt).

    ``demand`` as from :func:`load_demand`; any IEA total in it is left out
    (:func:`sector_parts`), so the rows add up. The 2023 rows carry the scenario asked for;
    they are the IEA's one 2023 estimate. Scenario names are case-insensitive.
    """
    return _select(sector_parts(demand), mineral, scenario)


def outlook_totals(totals: pd.DataFrame, mineral: str, scenario: str = "APS") -> pd.DataFrame:
    """The IEA's totals for one mineral and scenario (``totals`` from :func:`load_totals`)."""
    return _select(totals, mineral, scenario, [*COLUMNS, "covers"])


def _select(demand: pd.DataFrame, mineral: str, scenario: str,
            columns: list[str] = COLUMNS) -> pd.DataFrame:
    mineral = _pick("mineral", mineral, demand["mineral"], "the demand outlook")
    rows = demand[demand["mineral"].eq(mineral)]
    named = {s.casefold(): s for s in rows["scenario"] if s != BASELINE}
    scenario = _pick("scenario", named.get(scenario.casefold(), scenario), named.values(),
                     f"the demand outlook of {mineral}")
    rows = rows[rows["scenario"].isin([BASELINE, scenario]) & rows["year"].le(HORIZON)]
    out = rows.assign(scenario=scenario)[columns].sort_values(["sector", "year"])
    return out.reset_index(drop=True)


def user_series(series: pd.DataFrame, mineral: str, sector: str = "all uses",
                scenario: str = "user") -> pd.DataFrame:
    """The user's own demand series (``year, value_kt``) as an outlook frame, checked."""
    missing = {"year", "value_kt"} - set(series.columns)
    if missing:
        raise MinsecError(f"series: missing column(s) {', '.join(sorted(missing))}; "
                          "expected year, value_kt")
    years = pd.to_numeric(series["year"], errors="coerce")
    values = pd.to_numeric(series["value_kt"], errors="coerce")
    if years.isna().any() or (years % 1).ne(0).any() or years.duplicated().any():
        raise MinsecError("series: year must hold whole, distinct years")
    if values.isna().any() or values.lt(0).any():
        raise MinsecError("series: value_kt must be a number >= 0 in every year")
    out = pd.DataFrame({"mineral": mineral, "scenario": scenario, "sector": sector,
                        "year": years.astype("int64"), "value_kt": values.astype(float)})
    return out.sort_values("year", ignore_index=True)


def cagr(start: pd.Series, end: pd.Series, years: int) -> pd.Series:
    """Compound annual growth rate ``(end / start) ** (1 / years) - 1``; NaN where start <= 0."""
    ratio = end / start.where(start > 0)
    return ratio.where(ratio >= 0) ** (1.0 / years) - 1.0


def growth(outlook: pd.DataFrame,
           periods: Iterable[tuple[int, int]] = PERIODS) -> pd.DataFrame:
    """Per mineral, scenario and sector: ``cagr_<a>_<b>`` for each period (fraction per year)."""
    wide = outlook.pivot_table(index=["mineral", "scenario", "sector"], columns="year",
                               values="value_kt", aggfunc="first")
    out = pd.DataFrame(index=wide.index)
    for a, b in periods:
        if a not in wide.columns or b not in wide.columns or b <= a:
            raise MinsecError(f"periods: ({a}, {b}) needs two years of the outlook, the first "
                              f"earlier (years: {', '.join(map(str, wide.columns))})")
        out[f"cagr_{a}_{b}"] = cagr(wide[a], wide[b], b - a)
    return out.reset_index()


def world_production(supply: pd.DataFrame,
                     editions: Iterable[str] | None = None) -> pd.DataFrame:
    """World production (t) per ``mineral, stage, year``: the first of ``editions`` that has it.

    Default: the store's editions, WMD then USGS MCS then IEA, each newest first.

    From the ``supply`` table's WLD rows; the IEA's projections are left out (only actuals).
    Returns ``mineral, stage, year, world_t, world_edition, world_form``.
    """
    order = tables.editions(supply, WORLD_PUBLISHERS) if editions is None else editions
    rank = {edition: i for i, edition in enumerate(order)}
    rows = supply[supply["variable"].eq("production") & supply["country"].eq("WLD")
                  & supply["unit"].eq("t") & supply["value"].notna()
                  & supply["edition"].isin(list(rank))
                  & ~supply["note"].fillna("").str.startswith("projection")]
    rows = rows.assign(_rank=rows["edition"].map(rank)).sort_values("_rank")
    rows = rows.drop_duplicates(["mineral", "stage", "year"])
    return rows.rename(columns={"value": "world_t", "edition": "world_edition",
                                "form": "world_form"})[
        ["mineral", "stage", "year", "world_t", "world_edition", "world_form"]].reset_index(
        drop=True)


def consumption_shares(consumption: pd.DataFrame, world: pd.DataFrame,
                       content: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Importer's share of world consumption ``C_i * f / P_w`` per mineral, stage and year.

    ``consumption``: :func:`minsec.assessment.import_table` rows (``imports_t``,
    ``production``, ``apparent_consumption``, contained t); ``world``:
    :func:`world_production`. ``content`` maps a mineral to a further factor ``f`` (default 1:
    the contained tonnes as they are). ``reason`` says why a share is missing.
    """
    rows = consumption[[*SHARE_KEYS, "imports_t", "production", "apparent_consumption"]].merge(
        world, on=["mineral", "stage", "year"], how="left")
    factor = rows["mineral"].map(dict(content or {})).astype(float)
    rows["measure"] = np.where(factor.notna(), "content x" + factor.astype(str),
                               "contained tonnes")
    used = rows["apparent_consumption"] * factor.fillna(1.0)
    rows["share"] = used.where(used > 0) / rows["world_t"].where(rows["world_t"] > 0)
    rows["reason"] = np.select(
        [rows["imports_t"].isna(), rows["production"].isna(), rows["world_t"].isna(),
         used.le(0)],
        ["no BACI quantity at this stage", "the importer's production is unknown (not in WMD)",
         "no world production at this stage and year", "apparent consumption <= 0"], "")
    return rows.sort_values(SHARE_KEYS, ignore_index=True)


def importer_share(shares: pd.DataFrame, mineral: str, stage: str | None = None,
                   year: int | None = None) -> Share:
    """The share for one mineral: refining before mining, then the latest year (or as given)."""
    mineral = _pick("mineral", mineral, shares["mineral"], "the consumption shares")
    rows = shares[shares["mineral"].eq(mineral)]
    if stage is not None:
        rows = rows[rows["stage"].eq(_pick("stage", stage, rows["stage"], mineral))]
    if year is not None:
        rows = rows[rows["year"].eq(year)]
    found = rows[rows["share"].notna()]
    importer = str(shares["importer"].iloc[0])
    if found.empty:
        latest = rows[rows["year"].eq(rows["year"].max())]
        why = "; ".join(sorted(set(latest["reason"]) - {""})) or f"no rows for year {year}"
        raise MinsecError(f"mineral {mineral!r}: no consumption share for {importer} ({why}); "
                          "pass your own with user_share")
    row = found.assign(_rank=found["stage"].map({s: i for i, s in enumerate(STAGES)})).sort_values(
        ["_rank", "year"], ascending=[True, False]).iloc[0]
    basis = (f"{importer} apparent consumption / world production, {row['stage']} "
             f"{int(row['year'])}: {row['apparent_consumption']:,.0f} t ({row['measure']}; P+I-E, "
             f"trade by form) / {row['world_t']:,.0f} t ({row['world_edition']}: "
             f"{row['world_form']})")
    return Share(importer, mineral, float(row["share"]), basis, str(row["stage"]),
                 int(row["year"]))


def user_share(value: float, importer: str, mineral: str, source: str) -> Share:
    """A share the user supplies (0 < value <= 1), with where it comes from."""
    share = Share(importer, mineral, float(value), f"user-supplied: {source}")
    _check(share)
    return share


def _check(share: Share) -> None:
    if not 0 < share.value <= 1:
        raise MinsecError(f"share: {share.value:g} for {share.mineral} is not in (0, 1]; a share "
                          "above 1 usually means gross weight over content (give user_share)")


def importer_outlook(outlook: pd.DataFrame, share: Share) -> pd.DataFrame:
    """``outlook`` times the importer's share (held constant), with ``importer, share, basis``."""
    _check(share)
    minerals = set(outlook["mineral"])
    if minerals != {share.mineral}:
        raise MinsecError(f"share: it is for {share.mineral}, the outlook is for "
                          f"{', '.join(sorted(minerals))}")
    out = outlook.assign(value_kt=outlook["value_kt"] * share.value)
    return out.assign(importer=share.importer, share=share.value, basis=share.basis)


def load_shares(store: Path | None, importer: str,
                content: Mapping[str, float] | None = None) -> pd.DataFrame:
    """:func:`consumption_shares` of ``importer`` from the store (I/O)."""
    inputs = assessment.load(store)
    known = {*inputs.mineral_trade["importer"], *inputs.mineral_trade["exporter"], "EU27"}
    importer = _pick("importer", importer, known, "the trade data (ISO3 or EU27)")
    return consumption_shares(assessment.import_table(inputs, importer),
                              world_production(inputs.supply), content)
