"""``minsec data ...``: fill, build and inspect the store."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from minsec import checks, store
from minsec.cli.common import OutOpt, Report, StoreOpt, emit, handled, out, progress
from minsec.errors import MinsecError
from minsec.render import print_table

data = typer.Typer(help="Fill, build and inspect the store of official data.",
                   no_args_is_help=True)


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

    target = _target(to)
    total = len(select(catalogue(), only, restricted))
    with progress() as bar:
        task = bar.add_task("sync", total=total)
        done = sync(target, source, only, restricted, lambda e: bar.advance(task))
    fetched = sum(s == "fetched" for s in done.values())
    out.print(f"{len(done)} files verified in {target} ({fetched} fetched); "
              f"checksums in {target / 'SHA256SUMS'}")


def _target(to: Path | None) -> Path:
    target = to or (Path(p) if (p := os.environ.get("MINSEC_SOURCES")) else None)
    if target is None:
        raise MinsecError("where to? pass --to DIR or set MINSEC_SOURCES")
    return target


def _years(text: str) -> list[int]:
    """``2023,2024`` or ``2017-2021,2023`` as a sorted list of years."""
    years: set[int] = set()
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if not (first.isdigit() and len(first) == 4 and (not last or last.isdigit())):
            raise MinsecError(f"--years {text!r}: give years such as 2023,2024 or 2017-2021")
        years.update(range(int(first), int(last or first) + 1))
    return sorted(years)


def _reporters(text: str) -> list[int] | None:
    """``all`` -> None (every reporter); ``KOR,USA`` or names -> Comtrade reporter codes."""
    from minsec.countries import resolve
    from minsec.sources.comtrade import reporter_code

    if text.strip().lower() == "all":
        return None
    return [reporter_code(resolve(name.strip())) for name in text.split(",") if name.strip()]


fetch = typer.Typer(help="Pull records from a publisher's API with your own key.",
                    no_args_is_help=True)
data.add_typer(fetch, name="fetch")


@fetch.command("comtrade")
@handled
def fetch_comtrade(
    years: Annotated[str, typer.Option(help="Years: 2023,2024 or 2017-2021.")],
    reporters: Annotated[str, typer.Option(help="Reporters (ISO3 or names, comma-separated) "
                         "or all.")] = "all",
    key: Annotated[str | None, typer.Option(envvar="COMTRADE_KEY", show_default=False,
                   help="Your UN Comtrade API subscription key.")] = None,
    to: Annotated[Path | None, typer.Option(help="Sources directory (default $MINSEC_SOURCES).")]
    = None,
    api: Annotated[str | None, typer.Option(help="API base URL (default "
                   "https://comtradeapi.un.org).")] = None,
) -> None:
    """Pull the form concordance's HS codes, imports and exports, from the UN Comtrade API."""
    from minsec.sources import comtrade_api as ct

    target, wanted, who = _target(to), _years(years), _reporters(reporters)
    client = ct.Api(key=key or "", base=api or ct.API)
    with progress() as bar:
        task = bar.add_task("comtrade", total=sum(len(ct.batches(y, who)) for y in wanted))
        found = ct.fetch(target, wanted, client, who, lambda q: bar.update(
            task, advance=1, description=f"comtrade {q.year} {q.codes[0]}"))
    for year, count in found.items():
        path = target / ct.FILE.format(year=year)
        out.print(f"{year}: {count:,} records -> {path}" if count else
                  f"{year}: no records (not reported yet?); no file written")
    out.print("load them with `minsec data build --only comtrade_api`")


@data.command("build")
@handled
def data_build(
    sources: Annotated[Path | None, typer.Option(help="Sources directory (default "
                       "$MINSEC_SOURCES).")] = None,
    only: Annotated[list[str] | None, typer.Option(help="Load key(s) to build.")] = None,
    restricted: Annotated[bool, typer.Option(help="Also load the Comtrade extract.")] = False,
    accept_new: Annotated[bool, typer.Option("--accept-new", help="Load catalogued files "
                          "whose SHA-256 differs (and globs that lost files) as a new "
                          "vintage; recorded in the load table.")] = False,
    store_path: StoreOpt = None,
) -> None:
    """Verify and load every changed source into a new store file, renamed into place."""
    with progress() as bar:
        task = bar.add_task("reading sources", total=None)
        reports = store.build(store_path, sources, only, restricted,
                              lambda key: bar.update(task, description=f"reading {key}"),
                              accept_new=accept_new)
    for r in reports:
        out.print(f"{r.key:<24} {r.status:<9} {r.rows:>10,} rows  {r.files:>3} files")
    if extra := uncatalogued(reports):
        out.print(f"{len(extra)} file(s) read that the catalogue lacks (`data sync` cannot "
                  "fetch them; add rows to src/minsec/sources/catalogue.csv):")
        for path in extra:
            out.print(f"  {path}")
    out.print(f"store: {store_path or store.default_path()}")


def uncatalogued(reports: list[store.LoadReport]) -> list[str]:
    """Files a build read that have no row in the catalogue (``sources/catalogue.csv``)."""
    from minsec.sync import catalogue

    known = {entry.path for entry in catalogue()}
    return sorted({p for r in reports for p in r.paths} - known)


@data.command("status")
@handled
def data_status(
    files: Annotated[bool, typer.Option("--files", help="One row per file with its SHA-256.")]
    = False,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """Show what is loaded: source, vintage, files, rows and when (UTC)."""
    table = store.status(store_path, files)
    if fmt is Report.table:
        print_table(out, table, "Loads")
    else:
        emit({"loads": table}, fmt, out_path, "loads", store_path)


@data.command("check")
@handled
def data_check(
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """Run the named consistency checks and say how to fix what fails (exit 1 on a failure)."""
    results = checks.run_all(store_path)
    if fmt is Report.table:
        print_table(out, results, "Checks")
    else:
        emit({"checks": results}, fmt, out_path, "checks", store_path)
    if (results["status"] == "fail").any():
        raise typer.Exit(1)



@data.command("schema")
def data_schema() -> None:
    """Print the canonical tables as Markdown (the source of docs/schema.md)."""
    from minsec.schema import markdown

    sys.stdout.write(markdown())

