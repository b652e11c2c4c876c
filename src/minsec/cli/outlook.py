"""``minsec outlook``, ``recycling``, ``targets`` and ``strategies``: are we on track."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from minsec.cli.common import (
    ImporterOpt,
    OutOpt,
    Report,
    StoreOpt,
    emit,
    handled,
    out,
    progress,
)
from minsec.countries import resolve
from minsec.render import print_table

outlook_views = typer.Typer()


@outlook_views.command("outlook")
@handled
def outlook_cmd(
    mineral: Annotated[str, typer.Argument(help="Mineral id or name (IEA's minerals).")],
    scenario: Annotated[str, typer.Option(help="IEA scenario: STEPS, APS or NZE.")] = "APS",
    importer: Annotated[str | None, typer.Option(help="Scale to this importer's share of "
                        "world consumption (ISO3, name or EU27).")] = None,
    share: Annotated[float | None, typer.Option(help="Your own share of world demand "
                     "(0-1), instead of the computed one.")] = None,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """Demand to 2050 by technology from the IEA 2024 Data Explorer, world or one importer."""
    from minsec.outlook import demand
    from minsec.reference import mineral_id

    mid = mineral_id(mineral)
    table = demand.outlook(demand.load_demand(store_path), mid, scenario)
    totals = demand.outlook_totals(demand.load_totals(store_path), mid, scenario)
    title = f"{mid} · {scenario.upper()} · kt"
    if importer or share is not None:
        code = resolve(importer or "KOR")
        if share is not None:
            chosen = demand.user_share(share, code, mid, "--share on the command line")
        else:
            with progress() as bar:
                bar.add_task("computing the consumption share", total=None)
                chosen = demand.importer_share(demand.load_shares(store_path, code), mid)
        table = demand.importer_outlook(table, chosen)
        totals = demand.importer_outlook(totals, chosen)
        title += f" · {code} share {chosen.value:.1%}"
    if fmt is Report.table:
        shown = pd.concat([table, totals.assign(sector=totals["sector"] + " (IEA)")])
        wide = shown.pivot_table(index="sector", columns="year", values="value_kt",
                                 sort=False).reset_index()
        wide.columns = [str(c) for c in wide.columns]
        print_table(out, wide, title)
        if "basis" in table:
            out.print(f"[dim]share: {table['basis'].iloc[0]}[/]")
        out.print("[dim]the sectors add up to the IEA's totals (all uses; clean technologies: "
                  "all but Other uses); source: IEA (2024), Critical Minerals Data Explorer, "
                  "CC BY 4.0[/]")
    else:
        emit({"outlook": table, "totals": totals}, fmt, out_path, f"outlook-{mid}-{scenario}",
             store_path)


@outlook_views.command("recycling")
@handled
def recycling_cmd(
    config: Annotated[Path | None, typer.Option(help="YAML file overriding the defaults "
                      "(outlook/recycling.yaml).")] = None,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """Secondary supply from end-of-life batteries, electronics and magnets, to 2050."""
    from minsec.outlook import recycling

    settings = recycling.load_config(config)
    result = recycling.run(settings, recycling.load_inputs(store_path))
    share = result.recycled_share
    if fmt is Report.table:
        years = [y for y in (2023, 2030, 2035, 2040, 2050) if y in set(share["year"])]
        wide = share[share["year"].isin(years)].pivot_table(
            index="mineral", columns="year", values="share").reset_index()
        wide.columns = [str(c) for c in wide.columns]
        print_table(out, wide, "recycled share of demand (secondary / demand)")
        out.print("[dim]defaults and their sources: minsec/outlook/recycling.yaml; "
                  "--format csv|json for the flows and secondary supply[/]")
    else:
        emit({"recycled_share": share, "secondary_supply": result.secondary_supply,
              "flows": result.flows}, fmt, out_path, "recycling", store_path)


targets_app = typer.Typer(help="National targets: measured, projected, on or off track.",
                          invoke_without_command=True)


@targets_app.callback()
@handled
def targets_cmd(
    ctx: typer.Context,
    importer: ImporterOpt = "KOR",
    stock_days: Annotated[float, typer.Option(help="Current stockpile, days of demand "
                          "(default 54: KOMIR, Feb 2023 strategy).")] = 54.0,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """The importer's targets: baseline, today, projection, on track, gap."""
    ctx.obj = {"importer": importer, "stock_days": stock_days, "fmt": fmt,
               "out_path": out_path, "store_path": store_path}
    if ctx.invoked_subcommand is None:
        report = _report(ctx.obj)
        _show(report.tracked, ctx.obj, f"targets · {report.importer}", "targets")


@targets_app.command("levers")
@handled
def levers_cmd(
    ctx: typer.Context,
    importer: Annotated[str | None, typer.Option(help="Importer (as for targets).")] = None,
    stock_days: Annotated[float | None, typer.Option(help="Current stockpile days.")] = None,
    fmt: Annotated[Report | None, typer.Option("--format")] = None,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """How far each lever (collection, recovery, stockpile days, a project) moves each target."""
    given = {"importer": importer, "stock_days": stock_days, "fmt": fmt, "out_path": out_path,
             "store_path": store_path}
    options = ctx.obj | {k: v for k, v in given.items() if v is not None}
    report = _report(options)
    _show(report.levers, options, f"levers · {report.importer}", "levers")


def _report(options: dict[str, Any]) -> Any:
    from minsec.outlook.report import targets_report

    with progress() as bar:
        bar.add_task("measuring the targets", total=None)
        return targets_report(resolve(options["importer"]), options["store_path"],
                              options["stock_days"])


TERMINAL = {"targets": ["target", "baseline", "baseline_year", "today", "today_year",
                        "target_value", "target_year", "projected", "on_track", "gap", "unit"],
            "levers": ["lever", "target", "change", "effect", "unit", "gap_after", "note"]}


def _show(table: Any, options: dict[str, Any], title: str, name: str) -> None:
    if options["fmt"] is Report.table:
        print_table(out, table[TERMINAL[name]], title + " (json/csv/xlsx: sources and notes)")
    else:
        emit({name: table}, options["fmt"], options["out_path"], name, options["store_path"])


@outlook_views.command("strategies")
@handled
def strategies_cmd(
    compare: Annotated[str, typer.Option("--compare", help="Countries side by side.")]
    = "KOR,USA,JPN,EU27",
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """National strategies side by side: lists, targets, instruments, measured status."""
    from minsec.outlook import strategies
    from minsec.outlook.report import targets_report

    countries = [c.strip().upper() for c in compare.split(",") if c.strip()]
    table = strategies.load_strategies()
    known = set(table["country"])
    tracked = [targets_report(c, store_path).tracked for c in countries
               if c in {"KOR", "EU27"} and c in known]
    measured = None
    if tracked:
        import pandas as pd

        measured = pd.concat(tracked, ignore_index=True)
    wide = strategies.compare(table, countries, measured)
    if fmt is Report.table:
        print_table(out, wide, "national strategies")
    else:
        emit({"strategies": wide}, fmt, out_path, "strategies", store_path)
