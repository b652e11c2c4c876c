"""``minsec outlook``, ``recycling``, ``targets`` and ``strategies``: are we on track."""

from __future__ import annotations

from typing import Annotated

import typer

from minsec.cli.common import (
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
        title += f" · {code} share {chosen.value:.1%}"
    if fmt is Report.table:
        wide = table.pivot_table(index="sector", columns="year", values="value_kt",
                                 sort=False).reset_index()
        wide.columns = [str(c) for c in wide.columns]
        print_table(out, wide, title)
        if "basis" in table:
            out.print(f"[dim]share: {table['basis'].iloc[0]}[/]")
        out.print("[dim]source: IEA (2024), Critical Minerals Data Explorer, CC BY 4.0[/]")
    else:
        emit({"outlook": table}, fmt, out_path, f"outlook-{mid}-{scenario}", store_path)



