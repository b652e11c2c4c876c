"""``minsec portfolio ...`` and ``minsec stockpile plan``: where the partnership acts next."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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

portfolio = typer.Typer(help="The MSP project portfolio: registry, gaps, the best next "
                        "projects.", no_args_is_help=True)


@portfolio.command("show")
@handled
def show_cmd(
    file: Annotated[Path | None, typer.Option("--file", help="A registry file (CSV, XLSX, "
                    "JSON) instead of the shipped one.")] = None,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
) -> None:
    """The named MSP projects and the official counts, each with its source."""
    from minsec.portfolio import registry

    projects = registry.read_projects(file) if file else registry.load_projects()
    table = registry.projects_frame(projects, registry.msp_regions())
    if fmt is Report.table:
        print_table(out, table, f"MSP projects ({len(projects)} named)")
    else:
        emit({"projects": table, "counts": registry.portfolio_stats()}, fmt, out_path,
             "portfolio", None)


@portfolio.command("gaps")
@handled
def gaps_cmd(
    importer: ImporterOpt = "KOR",
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """The portfolio by region beside the world's reserves and the importer's risks: the gaps."""
    from minsec.portfolio.report import gap_report

    with progress() as bar:
        bar.add_task("scoring the gaps", total=None)
        report = gap_report(resolve(importer), store=store_path)
    if fmt is Report.table:
        print_table(out, report["regions"], "MSP projects by region (Sept 2024)")
        print_table(out, report["gaps"], "gaps, ranked within each kind (score > 0: a gap)")
    else:
        emit(report, fmt, out_path, "portfolio-gaps", store_path)


@portfolio.command("import")
@handled
def import_cmd(
    file: Annotated[Path, typer.Argument(help="Projects as CSV, XLSX or JSON.")],
    to: Annotated[Path, typer.Option(help="Write the validated registry here.")],
) -> None:
    """Validate a registry file row by row; write it only if every row is good."""
    from minsec.portfolio import registry

    projects = registry.read_projects(file)
    registry.write_projects(projects, to)
    out.print(f"{len(projects)} projects validated and written to {to}")


@portfolio.command("export")
@handled
def export_cmd(
    to: Annotated[Path, typer.Argument(help="Target file: .csv, .xlsx or .json.")],
) -> None:
    """Write the shipped registry as CSV, XLSX or JSON."""
    from minsec.portfolio import registry

    projects = registry.load_projects()
    registry.write_projects(projects, to)
    out.print(f"{len(projects)} projects written to {to}")
