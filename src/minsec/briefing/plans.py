"""Policy: the MSP portfolio gaps with the recommended next projects, and the targets."""

from __future__ import annotations

import pandas as pd

from minsec import charts, tables
from minsec.briefing.core import Context, Section
from minsec.errors import MinsecError
from minsec.outlook import targets as T
from minsec.outlook.report import targets_report
from minsec.portfolio import opportunities, registry
from minsec.portfolio.report import (
    gap_report,
    registry_candidates,
    scenario_draws,
    what_if_table,
)

MSP = ("Minerals Security Partnership statements (portfolio counts as of 2024-09-26; "
       "minsec reference/data/msp_portfolio_stats.csv, msp_projects.csv)")
GAPS = "minsec gap score (portfolio/gaps.py): share of need minus share of MSP projects"
SCAN = ("minsec opportunity scan (portfolio/opportunities.py): MSP partner, forum or Southeast "
        "Asian countries with >= 2% of world reserves or production of a mineral with risk "
        "score >= 0.5 and no MSP project there, ranked by risk score x share")
WHAT_IF = ("minsec what-if (portfolio/optimise.py) over the library's China and DRC scenarios "
           "(portfolio/report.py SCENARIOS), {draws:,} draws")
DRAWS = 1000


def _projects(store: object) -> pd.DataFrame:
    projects = registry.load_projects()
    urls = {p.id: str(p.source_url) for p in projects}
    frame = registry.projects_frame(projects, registry.msp_regions(store))  # type: ignore[arg-type]
    return frame.assign(source=frame["project"].map(urls))


def recommended(ctx: Context, projects: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The opportunity scan's best candidates for the importer (countries x minerals)."""
    covered = set(zip(projects["country"], projects["mineral"], strict=True))
    regions = tables.query("SELECT country, grouping FROM region", store=ctx.store)
    found = opportunities.scan(opportunities.country_shares(ctx.inputs.supply),
                               ctx.inputs.membership, regions, covered,
                               ctx.assessment[["mineral", "risk_score"]])
    return found.head(top).assign(source=SCAN)


def what_if(ctx: Context, draws: int = DRAWS) -> pd.DataFrame:
    """The effect of each registry project with a stated capacity on the importer's risks."""
    candidates = registry_candidates(registry.load_projects(), registry.msp_regions(ctx.store))
    sample = scenario_draws(ctx.importer, draws, ctx.store, year=ctx.year)
    effect = what_if_table(candidates, sample, ctx.importer, ctx.store, ctx.inputs)
    return effect.assign(source=WHAT_IF.format(draws=draws))


def portfolio(ctx: Context) -> Section:
    """MSP gaps (region, mineral, stage), the project map and the recommended next projects."""
    report = gap_report(ctx.importer, store=ctx.store, inputs=ctx.inputs, risk=ctx.assessment)
    gaps = report["gaps"].assign(source=GAPS)
    projects = _projects(ctx.store)
    per_country = projects.drop_duplicates("project").groupby("country", as_index=False).agg(
        projects=("project", "size"), names=("name", "; ".join))
    best = recommended(ctx, projects)
    try:
        effect, why_not = what_if(ctx), ""
    except MinsecError as exc:  # e.g. the scenarios cannot run for an aggregate (EU27)
        effect, why_not = pd.DataFrame(), f"What-if of the registry's projects not computed: {exc}."
    figures = {
        "gaps": charts.heatmap(gaps, "kind", "key", "score", f"MSP portfolio gaps for "
                               f"{ctx.importer} (share of need - share of projects; > 0: a gap)"),
        "projects": charts.world_map(per_country.assign(label=per_country["country"] + ": "
                                                        + per_country["names"]),
                                     "projects", "Named MSP projects by country", text="label",
                                     colorscale="Blues", colorbar="projects")}
    top = gaps[gaps["score"].gt(0)].sort_values("score", ascending=False).head(3)
    notes = [f"The MSP counted {int(report['regions']['count'].sum())} projects by region "
             f"({MSP}); {projects['project'].nunique()} are named publicly."]
    notes.append("Largest gaps for " + ctx.importer + ": " + "; ".join(top["reason"]) + ".")
    notes += [f"Recommended: {r['reason']}." for _, r in best.head(5).iterrows()]
    for _, r in effect.iterrows():
        text = (f"What-if {r['project']} ({r['mineral']}, the registry's one project with a "
                f"stated capacity): expected unmet demand {r['delta_unmet_t']:+,.0f} t and "
                f"expected loss {r['delta_loss_usd']:+,.0f} USD over the scenario draws")
        if "delta_china_points" in r and pd.notna(r["delta_china_points"]):
            text += (f"; China's share of imports {100 * r['china_share_before']:.1f}% -> "
                     f"{100 * r['china_share_after']:.1f}% if its output all went to "
                     f"{ctx.importer}")
        notes.append(text + ".")
    notes += [why_not] if why_not else []
    tables_ = {"regions": report["regions"].assign(source=MSP), "gaps": gaps,
               "projects": projects, "recommended": best}
    if not effect.empty:
        tables_["what_if"] = effect
    return Section("portfolio", "MSP portfolio: gaps and next projects", tables_, figures, notes,
                   [MSP, GAPS, SCAN, WHAT_IF.format(draws=DRAWS)])


def target_importers() -> list[str]:
    """The importers with curated targets in ``reference/data/targets.csv``."""
    return sorted(T.load_targets()["importer"].unique())


def targets(ctx: Context) -> Section:
    """The importer's strategy targets and where it stands (``MinsecError`` without targets)."""
    if ctx.importer not in (have := target_importers()):
        raise MinsecError(f"no curated national targets for {ctx.importer} "
                          f"(reference/data/targets.csv covers {', '.join(have)})")
    report = targets_report(ctx.importer, ctx.store, inputs=ctx.inputs)
    tracked = report.tracked
    figures = {}
    for _, r in tracked.iterrows():
        points = pd.DataFrame({
            "point": [f"baseline {r['baseline_year']}", f"today {r['today_year']}",
                      f"projected {r['target_year']}", f"target {r['target_year']}"],
            "value": [r["baseline"], r["today"], r["projected"], r["target_value"]]})
        figures[f"target-{r['target']}"] = charts.bars(
            points.dropna(), "point", "value", f"{ctx.importer} {r['target']} ({r['unit']})",
            y_title=str(r["unit"]))
    notes = [f"{r['target']}: {r['today']:.1f} {r['unit']} in {r['today_year']} against a "
             f"target of {r['target_value']:g} {r['unit']} by {r['target_year']}"
             + ("" if pd.isna(r["on_track"]) else
                f"; {'on track' if r['on_track'] else 'off track'} (projected "
                f"{r['projected']:.1f})") + f" — {r['note']}." for _, r in tracked.iterrows()]
    return Section("targets", "Targets", {"targets": tracked, "levers": report.levers},
                   figures, notes,
                   sorted({u for s in tracked["source"] for u in str(s).split(" | ")}))
