"""The ``minsec`` command line: a thin view over the library."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from minsec import checks, store
from minsec.countries import resolve
from minsec.errors import MinsecError
from minsec.profile import profile_many
from minsec.render import print_assessment, print_profile, print_table, to_csv, to_json
from minsec.scenario_cli import SUMMARY, _numbers, _spec, scenario

app = typer.Typer(help="Critical-minerals supply security from official data.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
data = typer.Typer(help="Fill, build and inspect the store of official data.",
                   no_args_is_help=True)
app.add_typer(data, name="data")
app.add_typer(scenario, name="scenario")
# A pipe or a log gets 120 columns (rich would assume 80); a terminal its own width.
out, err = Console(width=None if sys.stdout.isatty() else 120), Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


class Format(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"
    csv = "csv"


def handled(func: F) -> F:
    """Turn a user mistake (MinsecError) into one line on stderr and exit code 1."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MinsecError as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    return wrapper  # type: ignore[return-value]


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                    "{task.total}"), TimeElapsedColumn(), console=err, transient=True)


StoreOpt = Annotated[Path | None, typer.Option("--store", help="Store file (default "
                     "$MINSEC_STORE or the user data directory).", show_default=False)]


@data.command("sync")
@handled
def data_sync(
    source: Annotated[str | None, typer.Option("--from", help="Mirror directory or base URL.")]
    = None,
    to: Annotated[Path | None, typer.Option(help="Sources directory (default $MINSEC_SOURCES).")]
    = None,
    only: Annotated[list[str] | None, typer.Option(help="Glob(s) of catalogue paths.")] = None,
    restricted: Annotated[bool, typer.Option(help="Include Comtrade/ITC extracts.")] = False,
) -> None:
    """Download the official files listed in the catalogue and verify their SHA-256."""
    from minsec.sync import catalogue, select, sync

    target = to or (Path(p) if (p := os.environ.get("MINSEC_SOURCES")) else None)
    if target is None:
        raise MinsecError("where to? pass --to DIR or set MINSEC_SOURCES")
    total = len(select(catalogue(), only, restricted))
    with _progress() as bar:
        task = bar.add_task("sync", total=total)
        done = sync(target, source, only, restricted, lambda e: bar.advance(task))
    fetched = sum(s == "fetched" for s in done.values())
    out.print(f"{len(done)} files verified in {target} ({fetched} fetched); "
              f"checksums in {target / 'SHA256SUMS'}")


@data.command("build")
@handled
def data_build(
    sources: Annotated[Path | None, typer.Option(help="Sources directory (default "
                       "$MINSEC_SOURCES).")] = None,
    only: Annotated[list[str] | None, typer.Option(help="Load key(s) to build.")] = None,
    restricted: Annotated[bool, typer.Option(help="Also load the Comtrade extract.")] = False,
    store_path: StoreOpt = None,
) -> None:
    """Load every changed source into the store, each in one transaction."""
    with _progress() as bar:
        task = bar.add_task("reading sources", total=None)
        reports = store.build(store_path, sources, only, restricted,
                              lambda key: bar.update(task, description=f"reading {key}"))
    for r in reports:
        out.print(f"{r.key:<24} {r.status:<9} {r.rows:>10,} rows  {r.files:>3} files")
    out.print(f"store: {store_path or store.default_path()}")


@data.command("status")
@handled
def data_status(
    files: Annotated[bool, typer.Option("--files", help="One row per file with its SHA-256.")]
    = False,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    store_path: StoreOpt = None,
) -> None:
    """Show what is loaded: source, vintage, files, rows and when (UTC)."""
    table = store.status(store_path, files)
    if fmt is Format.json:
        sys.stdout.write(to_json({"loads": table}) + "\n")
    elif fmt is Format.csv:
        sys.stdout.write(table.to_csv(index=False))
    else:
        print_table(out, table, "Loads")


@data.command("check")
@handled
def data_check(store_path: StoreOpt = None) -> None:
    """Run the named consistency checks and say how to fix what fails."""
    results = checks.run_all(store_path)
    print_table(out, results, "Checks")
    if (results["status"] == "fail").any():
        raise typer.Exit(1)


@app.command("profile")
@handled
def profile_cmd(
    mineral: Annotated[list[str] | None, typer.Argument(help="Mineral id or name.")] = None,
    list_: Annotated[str | None, typer.Option("--list", help="A list id, e.g. "
                     "kr_strategic_2023.")] = None,
    year: Annotated[int | None, typer.Option(help="Data year (default: latest).")] = None,
    edition: Annotated[str, typer.Option(help="mcs2023, mcs2024, wmd2026 or iea2024.")]
    = "mcs2024",
    importer: Annotated[str | None, typer.Option(help="Show this country's import sources "
                        "(ISO3 or name).")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
    store_path: StoreOpt = None,
) -> None:
    """Supply profile: production and reserves by country, concentration, trade."""
    code = resolve(importer) if importer else None
    profiles = profile_many(mineral or [], list_, edition, year, store_path, code)
    if fmt is Format.json:
        docs = [p.document() for p in profiles]
        sys.stdout.write(to_json(docs[0] if len(docs) == 1 else {"profiles": docs}) + "\n")
    elif fmt is Format.csv:
        sys.stdout.write(to_csv({f"{p.mineral}:{name}": t.assign(mineral=p.mineral)
                                 for p in profiles for name, t in p.tables().items()}))
    else:
        for p in profiles:
            print_profile(out, p)


@data.command("schema")
def data_schema() -> None:
    """Print the canonical tables as Markdown (the source of docs/schema.md)."""
    from minsec.schema import markdown

    sys.stdout.write(markdown())


@app.command("minerals")
@handled
def minerals_cmd(
    list_: Annotated[str | None, typer.Option("--list", help="Only the members of a list.")]
    = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """The mineral catalogue: ids, names (English, Korean), groups and sources."""
    from minsec.reference import listed, minerals

    table = minerals()
    if list_:
        table = table[table["id"].isin(listed(list_))]
    if fmt is Format.json:
        sys.stdout.write(to_json({"minerals": table}) + "\n")
    elif fmt is Format.csv:
        sys.stdout.write(table.to_csv(index=False))
    else:
        print_table(out, table[["id", "name", "name_ko", "symbol", "group"]], "Minerals")


class Report(StrEnum):
    """Output formats of the assessment views."""

    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def _emit(tables: dict[str, Any], fmt: Report, out_path: Path | None, title: str,
          store_path: Path | None) -> None:
    """Write the views' tables in the chosen format (xlsx adds a sheet of sources)."""
    import pandas as pd

    from minsec.render import to_xlsx

    if fmt is Report.xlsx:
        path = out_path or Path(f"{title}.xlsx")
        to_xlsx({**tables, "sources": store.status(store_path, files=True)}, path)
        out.print(f"wrote {path}")
    elif fmt is Report.json:
        text = to_json(tables) + "\n"
        path_or_stdout(text, out_path)
    elif fmt is Report.csv:
        text = to_csv(tables) if len(tables) > 1 else next(iter(tables.values())).to_csv(
            index=False)
        path_or_stdout(text, out_path)
    else:
        for name, frame in tables.items():
            assert isinstance(frame, pd.DataFrame)
            print_table(out, frame, name)


def path_or_stdout(text: str, path: Path | None) -> None:
    """Write ``text`` to ``path``, or to standard output."""
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8")
        out.print(f"wrote {path}")


def _inputs(store_path: Path | None, importers: list[str]) -> tuple[Any, list[str]]:
    from minsec import assessment

    codes = [resolve(i) for i in importers]
    with _progress() as bar:
        bar.add_task("reading the store", total=None)
        inputs = assessment.load(store_path)
    known = set(inputs.mineral_trade["importer"]) | {"EU27"}
    if unknown := [c for c in codes if c not in known]:
        raise MinsecError(f"no imports recorded in BACI for {', '.join(unknown)}")
    return inputs, codes


def _year(inputs: Any, year: int | None) -> int:
    from minsec import assessment

    latest = assessment.default_year(inputs)
    if year is not None and not 1995 <= year <= latest:
        raise MinsecError(f"--year {year}: the trade data cover 1995-{latest}")
    return latest if year is None else year


ImporterOpt = Annotated[str, typer.Option(help="Importer: ISO3, a name, or EU27.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write to this file.")]


@app.command("assess")
@handled
def assess_cmd(
    importer: ImporterOpt = "KOR",
    year: Annotated[int | None, typer.Option(help="Year (default: latest trade year).")]
    = None,
    method: Annotated[list[str] | None, typer.Option(help="Indicator families (default all): "
                      "concentration, imports, geopolrisk, eu_crm, usgs, early_warning.")] = None,
    all_minerals: Annotated[bool, typer.Option("--all", help="Also unlisted minerals.")]
    = False,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """One row per mineral: every indicator, the lists it is on, data years, a ranking."""
    from minsec import assessment

    if unknown := sorted(set(method or []) - set(assessment.METHODS)):
        raise MinsecError(f"unknown --method {', '.join(unknown)}; choose from "
                          f"{', '.join(assessment.METHODS)}")
    inputs, (code,) = _inputs(store_path, [importer])
    chosen = _year(inputs, year)
    table = assessment.assess(inputs, code, chosen, method or assessment.METHODS,
                              listed_only=not all_minerals)
    title = f"assessment-{code}-{chosen}"
    if fmt is Report.table:
        print_assessment(out, table, f"{code} {chosen}: minerals ranked by risk_score "
                         "(json/csv/xlsx carry every column, data year and basis)")
    else:
        _emit({"assessment": table}, fmt, out_path, title, store_path)


@app.command("trend")
@handled
def trend_cmd(
    mineral: Annotated[str, typer.Argument(help="Mineral id or name.")],
    importer: ImporterOpt = "KOR",
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """The indicators of one mineral for one importer, year by year."""
    from minsec import assessment
    from minsec.reference import mineral_id

    mid = mineral_id(mineral)
    inputs, (code,) = _inputs(store_path, [importer])
    table = assessment.trend(inputs, mid, code)
    if table.empty:
        raise MinsecError(f"no indicator of {mid} for {code} in any year")
    if fmt is Report.table:
        cols = ["year", "mining_hhi", "refining_hhi", "top_supplier", "top_supplier_share",
                "china_share", "import_reliance", "gpr_score", "mbi", "band"]
        print_table(out, table.reindex(columns=cols), f"{mid} · {code}")
    else:
        _emit({"trend": table}, fmt, out_path, f"trend-{mid}-{code}", store_path)


@app.command("compare")
@handled
def compare_cmd(
    importers: Annotated[str, typer.Option(help="Comma-separated importers.")]
    = "KOR,JPN,USA,DEU",
    year: Annotated[int | None, typer.Option(help="Year (default: latest trade year).")]
    = None,
    mineral: Annotated[list[str] | None, typer.Option(help="Only these minerals.")] = None,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """Importers side by side, one row per importer and mineral."""
    from minsec import assessment
    from minsec.reference import mineral_id

    minerals = [mineral_id(m) for m in mineral or []]
    inputs, codes = _inputs(store_path, [i.strip() for i in importers.split(",") if i.strip()])
    chosen = _year(inputs, year)
    table = assessment.compare(inputs, codes, chosen, minerals or None)
    if fmt is Report.table:
        cols = ["mineral", "importer", "rank", "top_supplier", "top_supplier_share",
                "china_share", "import_reliance", "gpr_score", "risk_score"]
        print_table(out, table[cols], f"{' vs '.join(codes)} · {chosen}")
    else:
        _emit({"compare": table}, fmt, out_path, f"compare-{'-'.join(codes)}-{chosen}",
              store_path)


@scenario.command("list")
@handled
def scenario_list(fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """The scenario library: real export controls and hypothetical cuts, with sources."""
    from minsec.scenarios.library import list_scenarios

    table = list_scenarios()
    if fmt is Format.table:
        print_table(out, table, "Scenarios")
    else:
        _emit({"scenarios": table}, Report(fmt.value), None, "scenarios", None)


@scenario.command("show")
@handled
def scenario_show(id_or_file: Annotated[str, typer.Argument(help="Scenario id or YAML file.")]
                  ) -> None:
    """One scenario as YAML (every field, defaults included)."""
    from minsec.scenarios.spec import dump

    sys.stdout.write(dump(_spec(id_or_file)))


def _run_inputs(store_path: Path | None) -> Any:
    from minsec.scenarios.baseline import load_inputs

    with _progress() as bar:
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
    spec = spec.replace(**changes).with_policy(days=stockpile_days, lag=release_lag)
    inputs = _run_inputs(store_path)
    with _progress() as bar:
        bar.add_task(f"{spec.draws:,} draws of {spec.id}", total=None)
        result = runner.run(spec, inputs, year, dask=dask)
    summary = result.summary()
    if fmt is Report.table:
        print_table(out, summary[SUMMARY], f"{spec.id} · {spec.importer} · {spec.draws:,} "
                    f"draws · seed {spec.seed} · {spec.stockpile.days_of_cover} days, lag "
                    f"{spec.stockpile.release_lag_days}")
        for mineral, basis in zip(summary["mineral"], summary["basis"], strict=True):
            out.print(f"[dim]{mineral}: {basis}[/]")
    else:
        _emit({"summary": summary, "spec": {"yaml": result.spec, "seed": result.seed}}
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
    inputs = _run_inputs(store_path)
    table = runner.compare(spec, inputs, year, _numbers(days, "days"), _numbers(lags, "lags"))
    if fmt is Report.table:
        print_table(out, table[["days_of_cover", "release_lag", *SUMMARY]],
                    f"{spec.id} · {spec.importer} · stockpile policies")
    else:
        _emit({"compare": table}, fmt, out_path, f"scenario-compare-{spec.id}", store_path)
