"""``minsec origin``: where an importer's supply of a mineral was mined, through the refiners."""

from __future__ import annotations

from typing import Annotated

import typer

from minsec.cli.common import ImporterOpt, OutOpt, Report, StoreOpt, emit, handled, out, progress
from minsec.countries import resolve
from minsec.errors import MinsecError
from minsec.render import print_table

origin_views = typer.Typer()


@origin_views.command("origin")
@handled
def origin_cmd(
    mineral: Annotated[str, typer.Argument(help="Mineral id or name.")],
    importer: ImporterOpt = "KOR",
    year: Annotated[int | None, typer.Option(help="Year (default: the latest with mine "
                    "production and trade).")] = None,
    fmt: Annotated[Report, typer.Option("--format")] = Report.table,
    out_path: OutOpt = None,
    store_path: StoreOpt = None,
) -> None:
    """First tier (who processed it) and look-through (where it was mined), side by side."""
    from minsec import lookthrough
    from minsec.reference import mineral_id
    from minsec.tables import minerals

    mid = mineral_id(mineral)
    catalogue = minerals(store_path)[["id", "group"]].dropna()
    group: dict[str, str] = dict(zip(catalogue["id"], catalogue["group"], strict=True))
    mid = "rare_earths" if group.get(mid) == "rare_earth" else mid
    code = resolve(importer)  # ISO3, a name or EU27
    with progress() as bar:
        bar.add_task("reading the store", total=None)
        tables = lookthrough.load(store_path)
    if code != "EU27" and not tables.mineral_trade["importer"].eq(code).any():
        raise MinsecError(f"no trade recorded for {code}")
    covered = lookthrough.years(tables, mid)
    if not covered:
        raise MinsecError(f"{mid}: no year with both mine production and trade")
    if year is not None and year not in covered:
        raise MinsecError(f"--year {year}: the origin model covers {mid} in "
                          f"{covered[0]}-{covered[-1]}")
    chosen = covered[-1] if year is None else year
    tables_ = lookthrough.report(tables, code, mid, chosen)
    title = f"origin-{mid}-{code}-{chosen}"
    if fmt is not Report.table:
        emit(tables_, fmt, out_path, title, store_path)
        return
    s = tables_["summary"].iloc[0]
    out.print(f"[bold]{mid}[/] · {code} · {chosen} · {s['imports_t']:,.0f} t contained "
              f"imported (all measured forms; {lookthrough.BASIS})")
    side = [("top country", s["ft_top_supplier"], s["lt_top_origin"]),
            ("its share", s["ft_top_share"], s["lt_top_origin_share"]),
            ("HHI (0-10 000)", s["ft_hhi"], s["lt_hhi"]),
            ("China's share", s["ft_china_share"], s["lt_china_share"]),
            ("import risk (0-1)", s["ft_import_risk"], s["lt_import_risk"]),
            ("unexplained share", float("nan"), s["lt_unexplained_share"])]
    import pandas as pd

    print_table(out, pd.DataFrame(side, columns=["measure", "first_tier", "look_through"])
                .astype({"first_tier": str, "look_through": str}).assign(
                    first_tier=[_fmt(r[1], r[0]) for r in side],
                    look_through=[_fmt(r[2], r[0]) for r in side]),
                "who processed it (first tier) vs where it was mined (look-through)")
    mined = tables_["mine_origin"].head(10)
    print_table(out, mined[["mine_country", "contained_t", "share", "note"]].fillna(""),
                "mined in (top 10; HHI leaves 'unexplained' out: a lower bound)")
    top = tables_["origin"].head(12)
    print_table(out, top[["processing_country", "mine_country", "unexplained_at", "contained_t",
                          "share", "basis"]].fillna(""),
                "through -> mined in (top 12 pairs)")
    for line in tables_["assumptions"]["assumption"].head(len(tables_["assumptions"])):
        out.print(f"· {line}", highlight=False, soft_wrap=True)


def _fmt(value: object, measure: str) -> str:
    if isinstance(value, str):
        return value
    number = float(value) if isinstance(value, (int, float)) else float("nan")
    if number != number:
        return "-"
    if "share" in measure:
        return f"{100 * number:.1f}%"
    return f"{number:,.0f}" if "HHI" in measure else f"{number:.3f}"
