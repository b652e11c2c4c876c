"""One mineral: its supply profile (map, stages, import sources, trend) and demand outlook."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import pandas as pd

from minsec import assessment, charts, lookthrough
from minsec.briefing.core import Context, Section, strategic_list, strategic_minerals
from minsec.briefing.overview import TRADE
from minsec.errors import MinsecError
from minsec.outlook import demand, recycling
from minsec.profile import default_edition, profile, reported_as
from minsec.reference import listed, mineral_id
from minsec.render import import_label
from minsec.tables import edition_label

TREND = ["year", "import_stage", "import_basis", "imports", "top_supplier", "top_supplier_share",
         "china_share", "import_reliance", "mining_hhi", "refining_hhi", "gpr_score", "mbi"]
IEA = ("IEA, Global Critical Minerals Outlook 2024, Critical Minerals Data Explorer (May 2024)")


@lru_cache(maxsize=16)
def indicators(ctx: Context) -> dict[str, pd.DataFrame]:
    """The importer's indicator families over all years, computed once per context."""
    return assessment.indicators(ctx.inputs, ctx.importer, assessment.TREND_METHODS)


def _name(ctx: Context, mineral: str) -> str:
    names = ctx.inputs.minerals.set_index("id")["name"]
    return str(names.get(mineral, mineral))


def _edition(ctx: Context, mineral: str) -> str:
    """The production edition the assessment used for this mineral (else the store's newest)."""
    row = ctx.assessment[ctx.assessment["mineral"].eq(mineral)]
    for stage in ("mining", "refining"):
        if not row.empty and isinstance(row[f"{stage}_source"].iloc[0], str):
            return str(row[f"{stage}_source"].iloc[0])
    return default_edition(mineral, ctx.store)


def _map_rows(supply: pd.DataFrame) -> pd.DataFrame:
    """Country production rows of the first production stage (mining before refining)."""
    rows = supply[supply["variable"].eq("production") & ~supply["country"].isin(["WLD", "ROW"])]
    stages = [s for s in ("mining", "refining") if s in set(rows["stage"])]
    return rows[rows["stage"].eq(stages[0])] if stages else rows.iloc[:0]


def published(ctx: Context, mineral: str) -> pd.DataFrame:
    """Published import figures of the importer for this mineral (curated, with their source)."""
    curated = ctx.inputs.curated
    rows = curated[curated["importer"].eq(ctx.importer) & curated["mineral"].eq(mineral)]
    return rows[["mineral", "stage", "year", "supplier", "share", "data_owner", "basis",
                 "source_url"]].rename(columns={"source_url": "source"})


def profiled(ctx: Context) -> list[tuple[str, list[str]]]:
    """The strategic minerals to profile, each with the others its production data stand for.

    USGS and WMD report the rare earths as one group: the first element (in risk order)
    gets the section, the others are named in it.
    """
    groups: dict[str, list[str]] = {}
    for mineral in strategic_minerals(ctx):
        groups.setdefault(reported_as(mineral, _edition(ctx, mineral), ctx.store)[0],
                          []).append(mineral)
    traded = assessment.group_members(ctx.inputs.forms)
    listed_ids = listed(strategic_list(ctx) or "") if strategic_list(ctx) else []
    return [(members[0], [*members[1:], *(m for m in listed_ids if traded.get(m) == members[0])])
            for members in groups.values()]


def material_forms(imports: pd.DataFrame, floor: float = 0.05) -> pd.DataFrame:
    """The three largest suppliers of each form carrying ``floor`` of the contained imports.

    An immaterial form is never a headline (docs/imports.md); the profile's own export keeps
    every form.
    """
    totals = imports.groupby("form")["contained_t"].sum()
    kept = totals[totals >= floor * totals.sum()].index
    rows = imports[imports["form"].isin(kept)]
    return rows[rows["rank"].le(3)]  # the three largest suppliers of each


def mineral_profile(ctx: Context, mineral: str, also: Sequence[str] = ()) -> Section:
    """Production map, stages, import sources and the importer's trend for one mineral.

    ``also``: other minerals whose production the same group figures stand for (named).
    """
    mineral = mineral_id(mineral)
    name, edition = _name(ctx, mineral), _edition(ctx, mineral)
    shown, grouped = reported_as(mineral, edition, ctx.store)
    if also:
        grouped = (f"{grouped}; the group's figures also stand for "
                   f"{', '.join(_name(ctx, m) for m in also)}")
    found = profile(shown, edition, None, ctx.store, importer=None if ctx.importer == "EU27"
                    else ctx.importer)
    label = edition_label(edition)
    rows = _map_rows(found.supply)
    tables = {"production": found.supply, "stages": found.concentration}
    figures = {}
    notes = [grouped] if grouped else []
    if not rows.empty:
        stage = str(rows["stage"].iloc[0])
        figures["map"] = charts.world_map(
            rows.assign(label=rows["country"] + ": " + (100 * rows["share"]).round(1).astype(str)
                        + "%"), "share", f"{name}: share of world {stage} production "
            f"{found.year} ({label})", text="label", colorbar="share")
        lead = rows.sort_values("share", ascending=False).head(3)
        notes.append(f"World {stage} of {shown.replace('_', ' ')} in {found.year} ({label}): "
                     + ", ".join(f"{c} {100 * s:.1f}%" for c, s in zip(
                         lead["country"], lead["share"], strict=True)) + ".")
    if found.imports is not None and not found.imports.empty:
        material = material_forms(found.imports)
        tables["import_sources"] = material
        imp = material.sort_values("share", ascending=False)
        figures["import_sources"] = charts.bars(
            imp, "country", "share", f"{ctx.importer}'s import sources of {name}, by form "
            "(each form's share of value, or of contained tonnes where a flow has no value)",
            color="form", percent=True)
        leads = [f"{form} {year} ({basis}): {part['country'].iloc[0]} "
                 f"{100 * part['share'].iloc[0]:.0f}%" for (form, year, basis), part in
                 imp.groupby(["form_name", "year", "basis"], sort=False)]
        notes.append(f"{ctx.importer}'s largest supplier of each form it buys: "
                     + "; ".join(leads) + ".")
    notes += _look_through(ctx, shown, name, figures)
    trend = assessment.trend(ctx.inputs, mineral, ctx.importer, indicators(ctx)).reindex(
        columns=TREND)
    if not trend.empty:
        trend["import_basis"] = [import_label(b, y) for b, y in zip(
            trend["import_basis"], trend["year"], strict=True)]
        tables["trend"] = trend.assign(mineral=mineral, source="minsec assessment: trade by "
                                       "form (BACI HS92, UN Comtrade, ITC Trade Map), contained "
                                       "tonnes; USGS MCS / WMD concentration")
        long = trend.melt("year", ["china_share", "top_supplier_share", "import_reliance"],
                          var_name="measure").dropna(subset=["value"])
        figures["trend"] = charts.lines(long, "year", "value", f"{ctx.importer}: {name} "
                                        "imports over time", color="measure", percent=True)
        last = trend.dropna(subset=["china_share"]).tail(2)
        if not last.empty:
            notes.append(f"China's share of {ctx.importer}'s {name} imports: " + ", ".join(
                f"{100 * s:.1f}% in {int(y)}" for y, s in zip(last["year"], last["china_share"],
                                                             strict=True))
                + " (all forms, contained tonnes or the official figure: the headline's basis).")
    if not (pub := published(ctx, mineral)).empty:
        # the official figures, newest first, each with its owner and source (the four latest:
        # all of them are in reference/data/import_structure.csv)
        pub = pub.sort_values("year", ascending=False, kind="stable").head(4)
        tables["published"] = pub
        latest = pub.iloc[0]
        notes.append(f"Published: {latest['data_owner']} put {latest['supplier']}'s share of "
                     f"{ctx.importer}'s {name} imports at {100 * latest['share']:.0f}% in "
                     f"{latest['year']} (the latest official figures are in the table below).")
    notes += found.notes
    sources = sorted(set(found.supply["source"].str.split(",").str[0])) + [
        f"{TRADE} (import sources, trend)"] + sorted(set(pub["source"]))
    return Section(f"profile-{mineral}", f"{name}: supply profile", tables, figures, notes,
                   sources)


def _look_through(ctx: Context, mineral: str, name: str,
                  figures: dict[str, dict[str, object]]) -> list[str]:
    """The origin model's part of a profile: a Sankey whose title sets the tiers side by side.

    The figures go in the chart's title (its caption in the PDF), not in a note: the profile
    stays within its two pages.
    """
    try:
        found = lookthrough.report(ctx.inputs.origin, ctx.importer, mineral, ctx.year)
    except MinsecError as exc:
        return [f"Look-through not computed: {exc}."]
    s = found["summary"].iloc[0]
    named = found["mine_origin"][found["mine_origin"]["mine_country"].ne("unexplained")]
    top = ", ".join(f"{c} {100 * v:.0f}%" for c, v in zip(
        named["mine_country"].head(2), named["share"].head(2), strict=True))
    figures["origin"] = charts.sankey(found["origin"], (
        f"{name} to {ctx.importer} {ctx.year}, t: via {s['ft_top_supplier']} "
        f"{100 * s['ft_top_share']:.0f}%; mined {top} (HHI {s['lt_hhi']:,.0f}); "
        f"unexplained {100 * s['lt_unexplained_share']:.0f}%"))
    return []


def world_demand(name: str, totals: pd.DataFrame) -> str:
    """The sentence on world demand: the IEA's own total, first and last year, what it covers."""
    order = list(demand.AGGREGATES.values())  # the widest total the IEA gives
    covers = max(totals["covers"], key=order.index)
    rows = totals[totals["covers"].eq(covers)].sort_values("year")
    first, last = rows.iloc[0], rows.iloc[-1]
    what = "" if covers == "all uses" else (" (clean technologies only: the IEA gives no total "
                                            "for all uses)")
    return (f"World demand for {name} in the IEA's Announced Pledges Scenario{what}: "
            f"{first['value_kt']:,.0f} kt in {first['year']}, {last['value_kt']:,.0f} kt in "
            f"{last['year']} ({IEA}).")


def outlook(ctx: Context, mineral: str) -> Section:
    """The IEA demand outlook (APS, by sector) and the recycled share of demand for a mineral."""
    mineral = mineral_id(mineral)
    name = _name(ctx, mineral)
    table = demand.outlook(demand.load_demand(ctx.store), mineral, "APS")
    totals = demand.outlook_totals(demand.load_totals(ctx.store), mineral, "APS")
    tables = {"demand": table.assign(source=IEA), "demand_totals": totals.assign(source=IEA)}
    figures = {"demand": charts.bars(table, "year", "value_kt", f"{name}: world demand by "
                                     "sector, IEA APS (kt)", color="sector", y_title="kt")}
    notes = [world_demand(name, totals)]
    try:
        share = demand.importer_share(demand.load_shares(ctx.store, ctx.importer), mineral)
        mine = demand.importer_outlook(table, share)
        tables["importer_demand"] = mine.assign(source=share.basis)
        notes.append(f"{ctx.importer}'s share of world consumption: {100 * share.value:.1f}% "
                     f"({share.basis}).")
    except MinsecError as exc:
        notes.append(f"No {ctx.importer} share of world consumption: {exc}.")
    result = recycling.run(demand=recycling.load_inputs(ctx.store)).recycled_share
    recycled = result[result["mineral"].eq(mineral)]
    if not recycled.empty:
        tables["recycled_share"] = recycled.assign(
            source="minsec recycling model (flodym), outlook/recycling.yaml")
        figures["recycled_share"] = charts.lines(recycled, "year", "share", f"{name}: recycled "
                                                 "share of demand", percent=True)
    return Section(f"outlook-{mineral}", f"{name}: demand outlook and recycling", tables,
                   figures, notes, [IEA, "minsec recycling model (outlook/recycling.yaml)"])
