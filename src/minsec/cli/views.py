"""The views: a mineral's profile, the catalogue, the assessment, trends and comparisons."""

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
    VintageOpt,
    emit,
    handled,
    out,
    path_or_stdout,
    progress,
)
from minsec.countries import resolve
from minsec.errors import MinsecError
from minsec.profile import profile_many
from minsec.render import print_assessment, print_profile, print_table, to_json

views = typer.Typer()


@views.command("profile")
@handled
def profile_cmd(
    mineral: Annotated[list[str] | None, typer.Argument(help="Mineral id or name.")] = None,
    list_: Annotated[str | None, typer.Option("--list", help="A list id, e.g. "
                     "kr_strategic_2023.")] = None,
    year: Annotated[int | None, typer.Option(help="Data year (default: latest).")] = None,
    edition: Annotated[str | None, typer.Option(help="An edition in the store (mcsYYYY, "
                       "wmdYYYY, iea2024; `minsec data status`). Default: the newest USGS MCS "
                       "with the mineral.")] = None,
    importer: Annotated[str | None, typer.Option(help="Show this country's import sources "
                        "(ISO3 or name).")] = None,
    compare_editions: Annotated[bool, typer.Option(
        "--compare-editions", help="Every USGS MCS edition side by side: one row per stage, "
        "kind, country and year, a column per edition and the change (USGS revises earlier "
        "years).")] = False,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """Supply profile: production and reserves by country, concentration, trade."""
    if compare_editions:
        _compare_editions(mineral or [], list_, fmt, out_path, store_path)
        return
    code = resolve(importer) if importer else None
    profiles = profile_many(mineral or [], list_, edition, year, store_path, code)
    if fmt is Report.json:
        docs = [p.document() for p in profiles]
        path_or_stdout(to_json(docs[0] if len(docs) == 1 else {"profiles": docs}) + "\n",
                       out_path)
    elif fmt is Report.table:
        for p in profiles:
            print_profile(out, p)
    else:
        # one table per kind, the minerals stacked (a sheet each in xlsx)
        kinds: dict[str, list[pd.DataFrame]] = {}
        for p in profiles:
            for name, t in p.tables().items():
                kinds.setdefault(name, []).append(t.assign(mineral=p.mineral))
        tables = {name: pd.concat(parts, ignore_index=True) for name, parts in kinds.items()}
        emit(tables, fmt, out_path, "profile", store_path)



def _compare_editions(names: list[str], list_id: str | None, fmt: Report,
                      out_path: Path | None, store_path: Path | None) -> None:
    from minsec.render import print_revisions
    from minsec.revisions import compare_many

    found = compare_many(names, list_id, store_path)
    if fmt is Report.table:
        for mineral, table in found.items():
            print_revisions(out, table, mineral)
    else:
        emit({"editions": pd.concat(found.values(), ignore_index=True)}, fmt, out_path,
             f"editions-{'-'.join(found)}", store_path)


@views.command("minerals")
@handled
def minerals_cmd(
    list_: Annotated[str | None, typer.Option("--list", help="Only the members of a list.")]
    = None,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
) -> None:
    """The mineral catalogue: ids, names (English, Korean), groups and sources."""
    from minsec.reference import listed, minerals

    table = minerals()
    if list_:
        table = table[table["id"].isin(listed(list_))]
    if fmt is Report.table:
        print_table(out, table[["id", "name", "name_ko", "symbol", "group"]], "Minerals")
    else:
        emit({"minerals": table}, fmt, out_path, "minerals", None)



def _inputs(store_path: Path | None, importers: list[str],
            vintage: str | None = None) -> tuple[Any, list[str]]:
    from minsec import assessment

    codes = [resolve(i) for i in importers]
    with progress() as bar:
        bar.add_task("reading the store", total=None)
        inputs = assessment.with_governance_vintage(assessment.load(store_path), vintage)
    known = set(inputs.mineral_trade["importer"]) | {"EU27"}
    if unknown := [c for c in codes if c not in known]:
        raise MinsecError(f"no trade recorded for {', '.join(unknown)}")
    return inputs, codes


def _year(inputs: Any, year: int | None) -> int:
    from minsec import assessment

    latest = assessment.default_year(inputs)
    if year is not None and not 1995 <= year <= latest:
        raise MinsecError(f"--year {year}: the trade data cover 1995-{latest}")
    return latest if year is None else year



@views.command("assess")
@handled
def assess_cmd(
    importer: ImporterOpt = "KOR",
    year: Annotated[int | None, typer.Option(help="Year (default: latest trade year).")]
    = None,
    method: Annotated[list[str] | None, typer.Option(help="Indicator families (default all): "
                      "concentration, imports, geopolrisk, eu_crm, usgs, early_warning, "
                      "origin.")] = None,
    all_minerals: Annotated[bool, typer.Option("--all", help="Also unlisted minerals.")]
    = False,
    governance_vintage: VintageOpt = None,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """One row per mineral: every indicator, the lists it is on, data years, a ranking."""
    from minsec import assessment

    if unknown := sorted(set(method or []) - set(assessment.METHODS)):
        raise MinsecError(f"unknown --method {', '.join(unknown)}; choose from "
                          f"{', '.join(assessment.METHODS)}")
    inputs, (code,) = _inputs(store_path, [importer], governance_vintage)
    chosen = _year(inputs, year)
    table = assessment.assess(inputs, code, chosen, method or assessment.METHODS,
                              listed_only=not all_minerals)
    title = f"assessment-{code}-{chosen}"
    if fmt is Report.table:
        print_assessment(out, table, f"{code} {chosen}: minerals ranked by risk_score "
                         "(json/csv/xlsx carry every column, data year and basis)")
    else:
        emit({"assessment": table}, fmt, out_path, title, store_path)


@views.command("trend")
@handled
def trend_cmd(
    mineral: Annotated[str, typer.Argument(help="Mineral id or name.")],
    importer: ImporterOpt = "KOR",
    governance_vintage: VintageOpt = None,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """The indicators of one mineral for one importer, year by year."""
    from minsec import assessment
    from minsec.reference import mineral_id

    mid = mineral_id(mineral)
    inputs, (code,) = _inputs(store_path, [importer], governance_vintage)
    table = assessment.trend(inputs, mid, code)
    if table.empty:
        raise MinsecError(f"no indicator of {mid} for {code} in any year")
    if fmt is Report.table:
        cols = ["year", "mining_hhi", "refining_hhi", "top_supplier", "top_supplier_share",
                "china_share", "import_reliance", "gpr_score", "mbi", "band"]
        print_table(out, table.reindex(columns=cols), f"{mid} · {code}")
    else:
        emit({"trend": table}, fmt, out_path, f"trend-{mid}-{code}", store_path)


@views.command("compare")
@handled
def compare_cmd(
    importers: Annotated[str, typer.Option(help="Comma-separated importers.")]
    = "KOR,JPN,USA,DEU",
    year: Annotated[int | None, typer.Option(help="Year (default: latest trade year).")]
    = None,
    mineral: Annotated[list[str] | None, typer.Option(help="Only these minerals.")] = None,
    governance_vintage: VintageOpt = None,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """Importers side by side, one row per importer and mineral."""
    from minsec import assessment
    from minsec.reference import mineral_id

    minerals = [mineral_id(m) for m in mineral or []]
    named = [i.strip() for i in importers.split(",") if i.strip()]
    if not named:
        raise MinsecError(f"--importers {importers!r}: name at least one importer, e.g. "
                          "KOR,JPN")
    inputs, codes = _inputs(store_path, named, governance_vintage)
    chosen = _year(inputs, year)
    table = assessment.compare(inputs, codes, chosen, minerals or None)
    if fmt is Report.table:
        cols = ["mineral", "importer", "rank", "top_supplier", "top_supplier_share",
                "china_share", "import_reliance", "gpr_score", "risk_score"]
        print_table(out, table[cols], f"{' vs '.join(codes)} · {chosen}")
    else:
        emit({"compare": table}, fmt, out_path, f"compare-{'-'.join(codes)}-{chosen}",
              store_path)

