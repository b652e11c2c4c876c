"""``minsec scenario ...``: list, show, run and compare disruption scenarios."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from typing import Annotated, Any

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
from minsec.errors import MinsecError
from minsec.render import print_table

scenario = typer.Typer(help="Disruption scenarios: export controls and stockpiles, as Monte "
                       "Carlo.", no_args_is_help=True)
SUMMARY = {"mineral": "mineral", "p_shortfall": "P(short)", "unmet_mean_t": "unmet t",
           "unmet_p95_pct": "unmet P95 %", "days_short_mean": "days short",
           "min_stock_p5_t": "stock P5 t", "price_jump_median": "price x",
           "loss_mean_usd": "loss USD m", "loss_p95_usd": "P95 USD m"}


NOT_COMPUTED = {"P(short)": "not computed"}  # the reason is printed under the table


def _shown(summary: Any) -> Any:
    """The summary as a person reads it: losses in USD million, the price as a multiple."""
    shown = summary[list(SUMMARY)].copy()
    shown[["loss_mean_usd", "loss_p95_usd"]] = shown[["loss_mean_usd", "loss_p95_usd"]] / 1e6
    shown["price_jump_median"] = shown["price_jump_median"] + 1
    return shown.rename(columns=SUMMARY)


def _spec(id_or_file: str):  # type: ignore[no-untyped-def]
    from minsec.scenarios import library, spec

    path = Path(id_or_file)
    return spec.load(path) if path.suffix in {".yaml", ".yml"} or path.is_file() else (
        library.get(id_or_file))


def _numbers(text: str, what: str) -> list[float]:
    try:
        numbers = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        numbers = []
    if not numbers or not all(math.isfinite(n) for n in numbers):
        raise MinsecError(f"--{what} {text[:40]!r}: give finite numbers separated by commas")
    return numbers


def _finite(value: float | None, option: str) -> float | None:
    if value is not None and not math.isfinite(value):
        raise MinsecError(f"--{option} {value}: give a finite number")
    return value


def _check_year(inputs: Any, year: int) -> None:
    years = inputs.mineral_trade["year"]
    first, last = int(years.min()), int(years.max())
    if not first <= year <= last:
        raise MinsecError(f"--year {year}: the trade data cover {first}-{last}")


DASK = re.compile(r"^(local|(tcp|tls|ucx|inproc)://[\w.\-\[\]:]+|[\w.\-]+:\d{1,5})$")


def _dask(address: str | None) -> str | None:
    if address is not None and not DASK.match(address):
        raise MinsecError(f"--dask {address[:60]!r}: give 'local' or a scheduler address "
                          "such as tcp://127.0.0.1:8786")
    return address


@scenario.command("list")
@handled
def scenario_list(fmt: Annotated[Report, typer.Option("--format")] = Report.table,
                  out_path: OutOpt = None) -> None:
    """The scenario library: real export controls and hypothetical cuts, with sources."""
    from minsec.scenarios.library import list_scenarios

    table = list_scenarios()
    if fmt is Report.table:
        print_table(out, table, "Scenarios")
    else:
        emit({"scenarios": table}, fmt, out_path, "scenarios", None)


@scenario.command("show")
@handled
def scenario_show(id_or_file: Annotated[str, typer.Argument(help="Scenario id or YAML file.")]
                  ) -> None:
    """One scenario as YAML (every field, defaults included)."""
    from minsec.scenarios.spec import dump

    sys.stdout.write(dump(_spec(id_or_file)))


def _run_inputs(store_path: Path | None) -> Any:
    from minsec.scenarios.baseline import load_inputs

    with progress() as bar:
        bar.add_task("reading the store", total=None)
        return load_inputs(store_path)


@scenario.command("run")
@handled
def scenario_run(
    id_or_file: Annotated[str, typer.Argument(help="Scenario id or YAML file.")],
    importer: Annotated[str | None, typer.Option(help="Importer (default: the spec's).")]
    = None,
    draws: Annotated[int | None, typer.Option(help="Monte Carlo draws.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    stockpile_days: Annotated[float | None, typer.Option(help="Days of cover.")] = None,
    release_lag: Annotated[float | None, typer.Option(help="Days before release.")] = None,
    year: Annotated[int, typer.Option(help="Baseline year (trade and production).")] = 2023,
    dask: Annotated[str | None, typer.Option(help="Dask scheduler address, or 'local'.")]
    = None,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """Run a scenario: shortfall, days short, stock, price jump and loss per mineral."""
    from minsec.scenarios import runner

    spec = _spec(id_or_file)
    changes: dict[str, object] = {k: v for k, v in {"draws": draws, "seed": seed}.items()
                                  if v is not None}
    if importer:
        changes["importer"] = resolve(importer)
    spec = spec.replace(**changes).with_policy(days=_finite(stockpile_days, "stockpile-days"),
                                               lag=_finite(release_lag, "release-lag"))
    dask = _dask(dask)
    inputs = _run_inputs(store_path)
    _check_year(inputs, year)
    with progress() as bar:
        bar.add_task(f"{spec.draws:,} draws of {spec.id}", total=None)
        result = runner.run(spec, inputs, year, dask=dask)
    summary = result.summary()
    if fmt is Report.table:
        print_table(out, _shown(summary), f"{spec.id} · {spec.importer} · {spec.draws:,} "
                    f"draws · seed {spec.seed} · {spec.stockpile.days_of_cover} days, lag "
                    f"{spec.stockpile.release_lag_days}", missing=NOT_COMPUTED)
        for row in summary.to_dict("records"):
            out.print(f"[yellow]{row['mineral']}: not computed: {row['not_computed']}[/]"
                      if row["not_computed"] else f"[dim]{row['mineral']}: {row['basis']}[/]")
    else:
        emit({"summary": summary, "spec": {"yaml": result.spec, "seed": result.seed}}
              if fmt is Report.json else {"summary": summary}, fmt, out_path,
              f"scenario-{spec.id}", store_path)


@scenario.command("compare")
@handled
def scenario_compare(
    id_or_file: Annotated[str, typer.Argument(help="Scenario id or YAML file.")],
    days: Annotated[str, typer.Option(help="Days of cover to compare.")] = "54,100",
    lags: Annotated[str, typer.Option(help="Release lags to compare.")] = "8,30,60",
    draws: Annotated[int | None, typer.Option(help="Monte Carlo draws.")] = None,
    year: Annotated[int, typer.Option(help="Baseline year.")] = 2023,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """The same draws under several stockpile policies (days of cover x release lag)."""
    from minsec.scenarios import runner

    spec = _spec(id_or_file)
    spec = spec.replace(draws=draws) if draws else spec
    policies = _numbers(days, "days"), _numbers(lags, "lags")
    inputs = _run_inputs(store_path)
    _check_year(inputs, year)
    table = runner.compare(spec, inputs, year, *policies)
    if fmt is Report.table:
        print_table(out, table[["days_of_cover", "release_lag"]].join(_shown(table)),
                    f"{spec.id} · {spec.importer} · stockpile policies", missing=NOT_COMPUTED)
    else:
        emit({"compare": table}, fmt, out_path, f"scenario-compare-{spec.id}", store_path)



RANKED = {"loss_mean_usd": "expected loss", "loss_p95_usd": "P95", "loss_cvar95_usd": "CVaR95",
          "extra_cost_mean_usd": "extra cost", "lost_value_added_mean_usd": "value added lost"}


@scenario.command("rank")
@handled
def scenario_rank(
    importer: Annotated[str, typer.Option(help="Importer (ISO3, name or EU27).")] = "KOR",
    year: Annotated[int, typer.Option(help="Baseline year (trade and production).")] = 2023,
    draws: Annotated[int | None, typer.Option(min=100, max=100_000,
                                              help="Draws per scenario (default: each spec's).")]
    = None,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """The importer's minerals ranked by expected loss over the scenario library, with inputs."""
    from minsec.scenarios import library, rank

    who = resolve(importer)
    inputs = _run_inputs(store_path)
    _check_year(inputs, year)
    with progress() as bar:
        task = bar.add_task("scenarios", total=len(library.ids()))
        losses = rank.scenario_losses(inputs, who, year, draws=draws, progress=lambda sid: (
            bar.update(task, advance=1, description=sid)))
    table = rank.rank(losses)
    if fmt is Report.table:
        shown = table[["rank", "mineral", "scenario", *RANKED]].copy()
        shown[list(RANKED)] = shown[list(RANKED)] / 1e6
        shown["price x"] = table["price_jump_median"] + 1
        print_table(out, shown.rename(columns=RANKED), f"Expected loss by mineral, USD million · "
                    f"{who} · baseline {year} · the largest over the library's scenarios",
                    missing={RANKED["loss_mean_usd"]: "not computed"})
        for r in table.to_dict("records"):
            if r["not_computed"]:
                out.print(f"[yellow]{r['mineral']}: not computed: {r['not_computed']}[/]")
            else:
                out.print(f"[dim]{r['mineral']}: {r['basis']}; value added "
                          f"{r['value_at_risk_usd_per_t']:,.0f} USD/t "
                          f"({r['value_at_risk_source']});"
                          f" price {r['price_usd_per_t']:,.0f} USD/t ({r['price_source']})[/]")
    else:
        emit({"rank": table, "by_scenario": losses}, fmt, out_path, f"scenario-rank-{who}",
             store_path)
