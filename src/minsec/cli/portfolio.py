"""``minsec portfolio ...`` and ``minsec stockpile plan``: where the partnership acts next."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from minsec.cli.common import (
    ImporterOpt,
    OutOpt,
    Report,
    StoreOpt,
    VintageOpt,
    emit,
    handled,
    out,
    progress,
)
from minsec.countries import resolve
from minsec.errors import MinsecError
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
    governance_vintage: VintageOpt = None,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """The portfolio by region beside the world's reserves and the importer's risks: the gaps."""
    from minsec import assessment
    from minsec.portfolio.report import gap_report

    with progress() as bar:
        bar.add_task("scoring the gaps", total=None)
        inputs = assessment.with_governance_vintage(assessment.load(store_path),
                                                    governance_vintage)
        report = gap_report(resolve(importer), store=store_path, inputs=inputs)
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


DrawsOpt = Annotated[int, typer.Option(help="Monte Carlo draws of the scenarios.")]


def _budget(budget: float) -> None:
    if budget < 0:
        raise MinsecError(f"--budget: must be >= 0 (got {budget:g})")


def _draws(importer: str, draws: int, store: Path | None) -> Any:
    """The library's scenario draws for the importer, with a progress bar."""
    from minsec.portfolio.report import scenario_draws

    with progress() as bar:
        bar.add_task(f"{draws:,} draws of the scenarios", total=None)
        return scenario_draws(importer, draws, store)


@portfolio.command("optimise")
@handled
def optimise_cmd(
    budget: Annotated[float, typer.Option(help="Budget, USD.")],
    candidates: Annotated[Path, typer.Option(help="Candidate projects (CSV: name, country, "
                          "mineral, stage, capacity_t, capex_usd, status, source_url).")],
    importer: ImporterOpt = "KOR",
    draws: DrawsOpt = 1000,
    require: Annotated[list[str] | None, typer.Option(help="Quota, e.g. "
                       "region=southeast_asia:1.")] = None,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """The candidates that cut the importer's expected loss most for the budget (MILP)."""
    from minsec.portfolio import opportunities
    from minsec.portfolio.report import check_quotas, quotas, select_projects

    _budget(budget)
    region_min = quotas(require or [])
    found = opportunities.read_candidates(candidates)
    check_quotas(found, region_min, budget, store_path)
    sample = _draws(resolve(importer), draws, store_path)
    choice, summary = select_projects(found, budget, sample, region_min, store_path)
    if fmt is Report.table:
        print_table(out, summary.T.reset_index().set_axis(["", "value"], axis=1),
                    "project selection")
        print_table(out, choice.table, "candidates")
    else:
        emit({"selection": summary, "candidates": choice.table}, fmt, out_path,
             "portfolio-optimise", store_path)


@portfolio.command("what-if")
@handled
def what_if_cmd(
    project: Annotated[str, typer.Argument(help="A project id of the registry, e.g. mahenge.")],
    importer: ImporterOpt = "KOR",
    draws: DrawsOpt = 1000,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """The effect of adding one named project: dependence on China, unmet demand, loss."""
    from minsec.portfolio import registry
    from minsec.portfolio.report import registry_candidates, what_if_table

    code = resolve(importer)
    table = registry_candidates(registry.load_projects(), registry.msp_regions(store_path))
    rows = table[table["id"].eq(project)]
    if rows.empty:
        known = ", ".join(sorted(table["id"].unique()))
        raise MinsecError(f"project {project!r}: not in the registry with a capacity "
                          f"(projects with one: {known})")
    sample = _draws(code, draws, store_path)
    mineral = str(rows["mineral"].iloc[0])
    if mineral not in sample.minerals:
        raise MinsecError(f"project {project!r}: no scenario cuts {mineral}")
    result = what_if_table(rows, sample, code, store_path)
    if fmt is Report.table:
        print_table(out, result.T.reset_index().set_axis(["", "value"], axis=1), "what if")
    else:
        emit({"what_if": result}, fmt, out_path, f"what-if-{project}", store_path)


stockpile = typer.Typer(help="Stockpiles: what to hold for the money.", no_args_is_help=True)


@stockpile.command("plan")
@handled
def stockpile_plan_cmd(
    budget: Annotated[float, typer.Option(help="Budget, USD.")],
    importer: ImporterOpt = "KOR",
    draws: DrawsOpt = 1000,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """Tonnes of each mineral to hold (LP) beside a uniform 100-day target for the same money."""
    from minsec.portfolio import stockpile as lp

    _budget(budget)
    sample = _draws(resolve(importer), draws, store_path)
    result = lp.plan(sample.unmet, sample.value_at_risk, sample.minerals, sample.price,
                     sample.demand, budget)
    if fmt is Report.table:
        print_table(out, result.table, f"stockpile plan for {budget:,.0f} USD")
        out.print(f"expected loss: none {result.loss_none:,.0f} · plan {result.loss_plan:,.0f} · "
                  f"uniform 100 days {result.loss_uniform:,.0f} USD")
    else:
        emit({"plan": result.table}, fmt, out_path, "stockpile-plan", store_path)
