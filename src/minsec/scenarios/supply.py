"""Who supplies the importer, in tonnes: its flows by supplier, production, world supply, spare.

Quantities are t/yr of **contained** content (``tables.mineral_trade``: every traded form of
the stage, each flow on one basis, times its content factor), or the curated figure's measure
(gallium: metal). All pure.
Choices that are ours, each recorded in ``Baseline.sources``:

* **Stage** ``auto``: of the primary stages (mining, refining, product; scrap only when
  asked), the one with the larger import value, each form in its latest year in
  ``[year - max_age, year]`` with flows (as :mod:`minsec.indicators.trade_forms`: BACI's
  latest year where BACI has the form, an importer without a flow that year bought none;
  else the declared flows' latest year). A code shared by several minerals is one group's
  (``rare_earths``, ``hs_811292``): its members have no flows of their own. Flows older than
  ``max_age`` years (811230 germanium: none since 2016) count as none.
* **No traded form** (``tables.trade_gaps``): the shares of a user structure, else of the
  curated ``import_structure.csv``, times the importer's total imports (``import_totals``,
  else :data:`GAP_IMPORTS`); the unnamed rest is supplier ``ROW``. Only the importer's own
  flows are known, so a supplier's exports are its sales to the importer. Nothing: a
  :class:`MinsecError` naming the mineral, or with ``allow_missing`` zero imports and basis
  ``missing: <note>``.
* **Missing quantities**: ``tables.mineral_trade`` fills them (value x the source's t/kUSD
  for the code and year); :func:`with_quantities` fills any left the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from minsec.assessment import _production_for_reliance
from minsec.errors import MinsecError
from minsec.indicators import imports as structures
from minsec.tables import editions

if TYPE_CHECKING:
    from minsec.scenarios.baseline import BaselineInputs

REST = "ROW"  # the suppliers a published share does not name
STAGES = ("mining", "refining", "product", "scrap")  # of reference/data/forms.csv
AUTO_STAGES = ("mining", "refining", "product")  # primary supply: scrap only when asked
# Total imports (t/yr) that scale a curated structure where no form is traded: source, figures.
GAP_IMPORTS: dict[tuple[str, str], tuple[str, dict[int, float]]] = {
    ("KOR", "gallium"): (
        "Korea Customs Service trade statistics via Hankyoreh 2023-07-04 (http://herstory.hani."
        "co.kr/arti/international/international_general/1098603.html)",
        {2019: 5.7, 2020: 13.4, 2021: 3.5, 2022: 3.3}),
}
# A producer's exports (t/yr) where no traded form measures them, else its production stands in.
GAP_EXPORTS: dict[tuple[str, str], tuple[str, dict[int, float]]] = {
    ("CHN", "gallium"): (
        "China customs via rawmaterials.net: 5,611 kg of gallium in Nov 2022, x 12 (ours: one "
        "month annualised; https://rawmaterials.net/gallium-and-germanium-exports-rise-remain-"
        "below-last-years-level/)", {2022: 67.3}),
    ("CHN", "germanium"): (
        "China customs via TODAY/Reuters: 8.63 t of germanium in Jul 2023, double a usual month, "
        "so 4.315 t x 12 (ours: one month halved and annualised; https://www.todayonline.com/"
        "world/china-exported-no-germanium-gallium-aug-curbs-went-effect-2259151)", {2023: 51.8}),
}
US_IMPORT_FORMS = ("metal", "metals", "unwrought")  # USGS salient forms counted as imports


@dataclass(frozen=True)
class Flows:
    """One mineral's flows: per supplier (t/yr) and the importer's totals."""

    stage: str
    year: int
    basis: str
    imports: pd.Series
    exports: pd.Series
    partner_exports: pd.Series
    importer_exports: float = 0.0
    unit_value: float = float("nan")  # USD/t of the importer's imports
    note: str = ""


def with_quantities(trade: pd.DataFrame) -> pd.DataFrame:
    """Fill missing quantities: ``q = v * sum(q) / sum(v)`` over the code-year's flows.

    The sums run over the flows of the code, year (and source, where given) that have both.
    Units: ``value`` kUSD, ``quantity`` t. A flow whose code-year has no flow with both (ITC
    rows give a quantity or a value) stays 0.
    """
    keys = [trade[c] for c in ("source", "hs6", "year") if c in trade]
    both = trade["quantity"].notna() & trade["value"].gt(0)
    quantity = trade["quantity"].where(both).groupby(keys, observed=True).transform("sum")
    value = trade["value"].where(both).groupby(keys, observed=True).transform("sum")
    ratio = quantity / value.where(value > 0)
    return trade.assign(quantity=trade["quantity"].fillna(trade["value"] * ratio).fillna(0.0))


def _trade_flows(trade: pd.DataFrame, importer: str, partners: frozenset[str], stage: str,
                 year: int, max_age: int) -> Flows | None:
    """The stage's flows, each form in its latest year in ``[year - max_age, year]``.

    None where no form of the stage has flows in the window. ``auto``: of the primary stages
    (:data:`AUTO_STAGES`), the one the importer buys most of by value.
    """
    wanted = AUTO_STAGES if stage == "auto" else (stage,)
    trade = trade[trade["stage"].isin(wanted) & trade["year"].between(year - max_age, year)]
    if trade.empty:
        return None
    # each form's latest year with flows (BACI: its latest BACI year; an importer without a
    # flow that year bought none), as the assessment takes them (docs/imports.md)
    latest = trade.groupby("form", observed=True)["year"].transform("max")
    now = trade[trade["year"].eq(latest)]
    bought = now[now["importer"].eq(importer)].groupby("stage", observed=True)["value"].sum()
    traded = now.groupby("stage", observed=True)["value"].sum()
    rank = pd.DataFrame({"bought": bought, "traded": traded}).fillna(0.0)
    chosen = str(rank.sort_values(["bought", "traded"], ascending=False).index[0])
    now = now[now["stage"].astype(str).eq(chosen)]
    data_year = int(now["year"].max())
    codes = now.groupby("year")["hs6"].agg(lambda c: ", ".join(sorted(map(str, set(c)))))
    where = "; ".join(f"HS {c} {y}" for y, c in sorted(codes.items(), reverse=True))
    bases = "; ".join(sorted(map(str, now["basis"].unique())))
    inflow = now[now["importer"].eq(importer)]
    sellers = now[now["exporter"].ne(importer)]
    quantity = float(inflow["quantity"].sum())
    return Flows(
        chosen, data_year, f"{bases}: {where}, contained t",
        inflow.groupby("exporter", observed=True)["quantity"].sum(),
        sellers.groupby("exporter", observed=True)["quantity"].sum(),
        sellers[sellers["importer"].isin(partners)].groupby(
            "exporter", observed=True)["quantity"].sum(),
        float(now.loc[now["exporter"].eq(importer), "quantity"].sum()),
        1000 * float(inflow["value"].sum()) / quantity if quantity > 0 else float("nan"))


def _pick_structure(rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """One publication's rows: exact stage over ``all``, confidence, then the nearest year."""
    rows = rows.assign(_all=rows["stage"].eq("all"),
                       _conf=rows["confidence"].map(structures.CONFIDENCE_ORDER).fillna(3),
                       _dist=(rows["year"] - year).abs() + (rows["year"] > year))
    best = rows.sort_values(["_all", "_conf", "_dist"], kind="stable").iloc[0]
    same = ["stage", "year", "source_url"]
    return rows[(rows[same] == best[same]).all(axis=1)]


def _shares(rows: pd.DataFrame, what: str) -> pd.Series:
    share = pd.to_numeric(rows["share"]).groupby(rows["supplier"]).sum()
    if (share < 0).any() or share.sum() > 1 + 1e-6:
        raise MinsecError(f"{what}: shares must be 0..1 and sum to at most 1, got "
                          f"{share.round(3).to_dict()}")
    rest = 1.0 - float(share.sum())
    return pd.concat([share, pd.Series({REST: rest})]) if rest > 1e-6 else share


def _latest(figures: Mapping[int, float], year: int) -> int:
    return max((y for y in figures if y <= year), default=min(figures))


def us_imports(us_statistics: pd.DataFrame, mineral: str, year: int) -> tuple[int, float] | None:
    """US imports for consumption (t) of the metal forms, USGS MCS salient, latest <= ``year``."""
    rows = us_statistics[us_statistics["mineral"].eq(mineral)
                         & us_statistics["variable"].eq("imports") & us_statistics["unit"].eq("t")
                         & us_statistics["form"].fillna("").str.casefold().isin(US_IMPORT_FORMS)
                         & us_statistics["value"].gt(0) & (us_statistics["year"] <= year)]
    if rows.empty:
        return None
    rows = rows[rows["year"].eq(rows["year"].max())]
    rows = rows[rows["edition"].eq(rows["edition"].max())]
    return int(rows["year"].iloc[0]), float(rows["value"].sum())


def _gap_total(importer: str, mineral: str, year: int, import_totals: Mapping[str, float],
               us_statistics: pd.DataFrame) -> tuple[int, float, str] | None:
    """The importer's total imports (t) of a mineral no form measures: latest <= ``year``.

    A user's total, else :data:`GAP_IMPORTS`, else (USA) the USGS salient imports.
    """
    if mineral in import_totals:
        return year, float(import_totals[mineral]), "user: import_totals"
    if (importer, mineral) in GAP_IMPORTS:
        source, figures = GAP_IMPORTS[(importer, mineral)]
        when = _latest(figures, year)
        return when, figures[when], source
    found = us_imports(us_statistics, mineral, year) if importer == "USA" else None
    if found is None:
        return None
    return (*found, f"USGS MCS salient statistics: US imports for consumption ({mineral}, "
                    f"{'/'.join(US_IMPORT_FORMS)} forms)")


def producers(supply: pd.DataFrame, mineral: str, stage: str, year: int) -> pd.Series:
    """Each country's production (t) of the stage, latest year <= ``year`` (MCS newest, WMD)."""
    made = structures.production_t(supply)
    made = made[made["mineral"].eq(mineral) & made["stage"].eq(stage) & (made["year"] <= year)
                & made["value"].gt(0)]
    made = made.sort_values("year").drop_duplicates("country", keep="last")
    return made.set_index("country")["value"].astype(float)


def _market(supply: pd.DataFrame, importer: str, mineral: str, stage: str, year: int,
            bought: pd.Series) -> tuple[pd.Series, str]:
    """Exports where no form is traded: :data:`GAP_EXPORTS`, else production, else sales to us."""
    made = producers(supply, mineral, stage, year).drop(importer, errors="ignore")
    notes = []
    for (country, m), (source, figures) in GAP_EXPORTS.items():
        if m == mineral and country != importer:
            made[country] = figures[_latest(figures, year)]
            notes.append(f"{country} exports {made[country]:g} t: {source}")
    exports = pd.concat([made, bought]).groupby(level=0).max()
    return exports, "; ".join(["others' exports: their production (MCS/WMD, ours)", *notes])


def _structure_flows(inputs: BaselineInputs, importer: str, mineral: str, stage: str,
                     year: int, user: pd.DataFrame | None, partner: bool,
                     import_totals: Mapping[str, float]) -> Flows | str:
    """Flows from a user or curated structure; else the reason why there are none."""
    gaps = inputs.gaps[inputs.gaps["mineral"].eq(mineral)]
    # No trade found (mineral_flows): a stage whose forms are stale counts as a gap too
    gap_stages = [s for s in ("refining", "mining") if s in set(gaps["stage"])] or [
        "refining", "mining"]
    if stage != "auto":
        gap_stages = [s for s in gap_stages if s == stage]
    rows = (user[user["importer"].eq(importer) & user["mineral"].eq(mineral)]
            if user is not None else pd.DataFrame())
    if not rows.empty:
        chosen = (stage if stage != "auto" else
                  str(rows["stage"].iloc[0]) if "stage" in rows else "refining")
        basis = "user: " + "; ".join(dict.fromkeys(rows["source"].astype(str)))
    else:
        curated = inputs.curated
        rows = curated[curated["importer"].eq(importer) & curated["mineral"].eq(mineral)
                       & curated["stage"].isin([*gap_stages, "all"])]
        if rows.empty or not gap_stages:
            notes = ("; ".join(gaps["note"].str.removeprefix("GAP: "))
                     or "no traded form in forms.csv")
            return f"no import data for {mineral} ({notes})"
        rows = _pick_structure(rows, year)
        chosen = rows["stage"].iloc[0] if rows["stage"].iloc[0] != "all" else gap_stages[0]
        basis = "curated: " + str(rows["source_url"].iloc[0])
    total = _gap_total(importer, mineral, year, import_totals, inputs.us_statistics)
    if total is None:
        return (f"{basis} gives shares for {mineral} but no total imports to scale them "
                f"(pass import_totals={{{mineral!r}: t}})")
    bought = _shares(rows, f"import structure of {importer} {mineral}") * total[1]
    exports, market = _market(inputs.supply, importer, mineral, str(chosen), year, bought)
    return Flows(str(chosen), total[0], basis, bought, exports,
                 exports * 0.0 + bought.reindex(exports.index).fillna(0.0) * partner,
                 note=f"total imports {total[1]:g} t ({total[0]}): {total[2]}; {market}")


def _missing(reason: str, stage: str, year: int) -> Flows:
    empty = pd.Series(dtype=float)
    return Flows("refining" if stage == "auto" else stage, year, "missing: " + reason,
                 empty, empty, empty)


def mineral_flows(inputs: BaselineInputs, trade: pd.DataFrame, importer: str, mineral: str,
                  stage: str, year: int, opts: Mapping[str, Any]) -> Flows:
    """One mineral's flows: trade, else a user or curated structure, else missing (or an error).

    ``opts``: ``max_age``, ``structure``, ``import_totals`` and ``allow_missing`` of
    :func:`minsec.scenarios.baseline.build_baseline`.
    """
    found = _trade_flows(trade[trade["mineral"].eq(mineral)], importer, inputs.partners, stage,
                        year, opts["max_age"])
    if found is not None:
        return found
    got = _structure_flows(inputs, importer, mineral, stage, year, opts["structure"],
                           importer in inputs.partners, opts["import_totals"])
    if isinstance(got, Flows):
        return got
    stale = inputs.mineral_trade[inputs.mineral_trade["mineral"].eq(mineral)
                                 & (inputs.mineral_trade["year"] <= year)]
    if not stale.empty:
        got = (f"HS {', '.join(sorted(map(str, stale['hs6'].unique())))} has no flows since "
               f"{stale['year'].max()}; {got}")
    if not opts["allow_missing"]:
        raise MinsecError(f"{got}: pass a structure (importer, mineral, supplier, share, "
                          "source) or allow_missing=True")
    return _missing(got, stage, year)


def world_supply(supply: pd.DataFrame, minerals: Iterable[str], stage: str,
                 year: int) -> tuple[float, str]:
    """World production (t) of the stage, latest year <= ``year``; MCS (newest first), WMD, IEA.

    Several forms in one edition and year: the largest. Tries the other stage, then the next
    of ``minerals`` (a single rare earth, then ``rare_earths``). NaN where none has a figure.
    """
    rows = supply[supply["country"].eq("WLD") & supply["variable"].eq("production")
                  & (supply["year"] <= year) & supply["value"].gt(0) & supply["unit"].eq("t")
                  & supply["edition"].isin(editions(supply))]
    rank = {e: i for i, e in enumerate(editions(supply))}
    for mineral in minerals:
        for wanted in (stage, "mining" if stage == "refining" else "refining"):
            found = rows[rows["mineral"].eq(mineral) & rows["stage"].eq(wanted)]
            if not found.empty:
                top = found.assign(_r=found["edition"].map(rank)).sort_values(
                    ["year", "_r", "value"], ascending=[False, True, False]).iloc[0]
                return float(top["value"]), f"{top['edition']} WLD {mineral} {wanted} {top['year']}"
    return float("nan"), "none"


def capacity_spare(supply: pd.DataFrame, mineral: str, stage: str, year: int) -> pd.Series:
    """Spare capacity (t) per country = USGS capacity - production (same edition, year), >= 0.

    Latest year <= ``year``, newer MCS first; countries without both figures are left out.
    """
    rows = supply[supply["mineral"].eq(mineral) & supply["stage"].eq(stage)
                  & supply["edition"].isin(editions(supply, ["mcs"])) & (supply["year"] <= year)
                  & ~supply["country"].eq("WLD")]
    keys = ["edition", "country", "year"]
    cap = rows[rows["variable"].eq("capacity")].groupby(keys)["value"].max()
    made = rows[rows["variable"].eq("production")].groupby(keys)["value"].max()
    both = pd.DataFrame({"cap": cap, "made": made}).dropna().reset_index()
    if both.empty:
        return pd.Series(dtype=float)
    both["_r"] = both["edition"].map({e: i for i, e in enumerate(editions(supply, ["mcs"]))})
    both = both.sort_values(["year", "_r"], ascending=[False, True]).drop_duplicates("country")
    return (both["cap"] - both["made"]).clip(lower=0).set_axis(both["country"])


def importer_production(supply: pd.DataFrame, known: pd.DataFrame, importer: str,
                        mineral: str, stage: str, year: int) -> tuple[float, str]:
    """The importer's production (t) of the stage in ``year``.

    ``known`` (MCS newest first, then WMD: :func:`minsec.indicators.imports.production_t`), else
    0 where WMD lists no producer (the rule of :mod:`minsec.assessment`), else 0 marked unknown.
    """
    row = known[known["country"].eq(importer) & known["mineral"].eq(mineral)
                & known["stage"].eq(stage) & known["year"].eq(year)]
    if not row.empty:
        return float(row["value"].iloc[0]), f"{row['edition'].iloc[0]} {year}"
    grid = pd.DataFrame({"importer": [importer], "mineral": [mineral], "stage": [stage],
                         "year": [year]})
    wmd = _production_for_reliance(supply, grid)["value"].iloc[0]
    return (0.0, f"0: WMD lists no {mineral} production for {importer}" if pd.notna(wmd)
            else "0: unknown (not in USGS MCS or WMD)")
