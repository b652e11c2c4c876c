"""The importer's normal year, from the store: the :class:`~minsec.scenarios.model.Baseline`.

:func:`load_inputs` reads the store once (I/O); :func:`build_baseline` is pure;
:func:`observed_change` gives the BACI numbers a back-test sets beside the simulation.
Quantities are t/yr in what the basis measures: BACI **gross weight** of the stage's codes
(ores, compounds, metal as traded), or the curated figure's measure (gallium: metal).
Choices that are ours, each recorded in ``Baseline.sources``:

* **Stage** ``auto``: of the stages BACI codes, the one with the larger import value in the
  latest year <= ``year`` with flows (as :mod:`minsec.assessment`). A code shared by several
  minerals (280530 rare-earth metals...) counts in full for each. BACI flows older than
  ``max_age`` years (811230 germanium: none since 2016) count as no BACI.
* **No BACI code** (``tables.trade_gaps``): the shares of a user structure, else of the curated
  ``import_structure.csv``, times the importer's total imports (``import_totals``, else
  :data:`GAP_IMPORTS`); the unnamed rest is supplier ``ROW``. Only the importer's own flows
  are known, so a supplier's exports are its sales to the importer. Nothing: a
  :class:`MinsecError` naming the mineral, or with ``allow_missing`` zero imports and basis
  ``missing: <note>``.
* **Missing BACI quantities** (0.01-1% of the value): value x the code-year's world t/kUSD.
* **Demand** = production + imports - exports (USGS MCS apparent consumption, stock changes
  left out), floored at imports: re-exported material still passes through the importer's
  firms, and the engine measures shortfalls against imports (unmet could exceed demand).
* **World supply** is at least the BACI world exports of the codes: world production counts
  metal content, BACI gross weight (nickel ore: 37 Mt exported, 3.6 Mt Ni mined); the floor
  keeps what a supplier can withhold below the world's supply.
* **Price**: Pink Sheet annual mean, else the USGS salient price (median of its forms), else
  the BACI unit value of the imports; a market price more than :data:`MEASURE_TOLERANCE` times
  off that unit value is for another measure (nickel: LME metal against ore) and gives way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from minsec import tables
from minsec.assessment import EDITIONS, _production_for_reliance
from minsec.errors import MinsecError
from minsec.indicators import imports as structures
from minsec.reference import DATA
from minsec.scenarios.model import Baseline

REST = "ROW"  # the suppliers a published share does not name
DEFAULT_ELASTICITY = -0.3
DEFAULT_VAR_MULTIPLE = 10.0  # value at risk = 10 x price where the file has no row (ours)
MEASURE_TOLERANCE = 3.0
WORLD_EDITIONS = (*EDITIONS, "iea2024")
# USD per unit -> USD per tonne. mtu: a metric ton unit is 10 kg of the contained oxide/metal.
TO_USD_PER_T = {"USD/t": 1.0, "USD/kg": 1e3, "USD/g": 1e6, "USD/lb": 2204.62262185,
                "USD/troy oz": 32150.7466, "USD/short ton": 1.10231131, "USD/mtu": 100.0}
# Single rare earths priced as an oxide in the USGS rare-earths salient table.
REE_OXIDE = {"cerium": "CeO2", "dysprosium": "Dy2O3", "europium": "Eu2O3",
             "lanthanum": "La2O3", "neodymium": "Nd2O3", "terbium": "TbO2"}
# Total imports (t/yr) that scale a curated structure where BACI has no code: source, figures.
GAP_IMPORTS: dict[tuple[str, str], tuple[str, dict[int, float]]] = {
    ("KOR", "gallium"): (
        "Korea Customs Service trade statistics via Hankyoreh 2023-07-04 (http://herstory.hani."
        "co.kr/arti/international/international_general/1098603.html)",
        {2019: 5.7, 2020: 13.4, 2021: 3.5, 2022: 3.3}),
}


SOURCES = {
    "imports": "t/yr the importer buys by supplier: BACI HS92 quantities (gross weight) or a "
               "curated/user structure x total imports; see basis and imports:<mineral>",
    "exports": "each supplier's BACI exports of the same codes to the world, importer included "
               "(curated/user structure: its sales to the importer only)",
    "partner_exports": "exports to MSP partners (tables.membership, EU27 expanded)",
    "demand": "production + imports - exports (USGS MCS apparent consumption), >= imports",
    "world_supply": "WLD production of the stage (MCS 2024, 2023, WMD, IEA), >= BACI world exports",
    "price": "Pink Sheet annual mean, else USGS salient price, else BACI unit value (USD/t)",
    "elasticity": f"{DEFAULT_ELASTICITY} (ours): short-run price elasticity of metal demand; the "
                  "USGS 2025 method uses demand elasticities (methods.md §2.3), values unpublished",
    "value_at_risk": "reference/data/value_at_risk.csv, else "
                     f"{DEFAULT_VAR_MULTIPLE:g} x price (ours)"}


@dataclass(frozen=True)
class BaselineInputs:
    """The store's tables a baseline is built from, read once by :func:`load_inputs`."""

    mineral_trade: pd.DataFrame
    supply: pd.DataFrame
    prices: pd.DataFrame
    us_statistics: pd.DataFrame
    partners: frozenset[str]  # MSP partners, EU27 expanded
    curated: pd.DataFrame  # reference/data/import_structure.csv
    gaps: pd.DataFrame  # mineral, stage, note where no BACI code covers the stage
    value_at_risk: pd.DataFrame  # reference/data/value_at_risk.csv
    catalogue: Mapping[str, str] = field(default_factory=dict)  # mineral id -> group


def load_inputs(store: Path | None = None) -> BaselineInputs:
    """Read the tables a baseline needs (I/O)."""
    members = tables.membership(store)
    return BaselineInputs(
        tables.mineral_trade(store), tables.supply(store), tables.prices(store),
        tables.us_statistics(store, "price"),
        frozenset(members.loc[members["role"].eq("partner"), "country"]),
        structures.load_curated(), tables.trade_gaps(store), load_value_at_risk(),
        dict(tables.minerals(store)[["id", "group"]].itertuples(index=False)))


def load_value_at_risk(path: Path | None = None) -> pd.DataFrame:
    """Read ``reference/data/value_at_risk.csv`` (I/O)."""
    return pd.read_csv(path or DATA / "value_at_risk.csv", keep_default_na=False)


@dataclass(frozen=True)
class _Flows:
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
    """Fill missing BACI quantities: ``q = v * sum(q) / sum(v)`` over the code-year's flows.

    Units: ``value`` kUSD, ``quantity`` t. Flows of a code-year without any quantity stay 0.
    """
    known = trade["quantity"].notna()
    ratio = (trade["quantity"].where(known).groupby([trade["hs6"], trade["year"]]).transform("sum")
             / trade["value"].where(known).groupby([trade["hs6"], trade["year"]]).transform("sum"))
    return trade.assign(quantity=trade["quantity"].fillna(trade["value"] * ratio).fillna(0.0))


def _baci_flows(trade: pd.DataFrame, importer: str, partners: frozenset[str], stage: str,
                year: int, max_age: int) -> _Flows | None:
    """The stage's flows in the latest year <= ``year``; None where BACI has none or too old."""
    if stage != "auto":
        trade = trade[trade["stage"].eq(stage)]
    if trade.empty or year - int(trade["year"].max()) > max_age:
        return None
    data_year = int(trade["year"].max())
    now = trade[trade["year"].eq(data_year)]
    bought = now[now["importer"].eq(importer)].groupby("stage")["value"].sum()
    traded = now.groupby("stage")["value"].sum()
    rank = pd.DataFrame({"bought": bought, "traded": traded}).fillna(0.0)
    chosen = str(rank.sort_values(["bought", "traded"], ascending=False).index[0])
    codes = ", ".join(sorted(trade.loc[trade["stage"].eq(chosen), "hs6"].unique()))
    now = now[now["stage"].eq(chosen)]
    inflow = now[now["importer"].eq(importer)]
    sellers = now[now["exporter"].ne(importer)]
    quantity = float(inflow["quantity"].sum())
    return _Flows(
        chosen, data_year, f"BACI HS92 {codes} {data_year}",
        inflow.groupby("exporter")["quantity"].sum(),
        sellers.groupby("exporter")["quantity"].sum(),
        sellers[sellers["importer"].isin(partners)].groupby("exporter")["quantity"].sum(),
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


def _gap_total(importer: str, mineral: str, year: int,
               import_totals: Mapping[str, float]) -> tuple[int, float, str] | None:
    """The importer's total imports (t) of a mineral BACI does not code: latest <= ``year``."""
    if mineral in import_totals:
        return year, float(import_totals[mineral]), "user: import_totals"
    if (importer, mineral) not in GAP_IMPORTS:
        return None
    source, figures = GAP_IMPORTS[(importer, mineral)]
    when = max((y for y in figures if y <= year), default=min(figures))
    return when, figures[when], source


def _structure_flows(inputs: BaselineInputs, importer: str, mineral: str, stage: str,
                     year: int, user: pd.DataFrame | None, partner: bool,
                     import_totals: Mapping[str, float]) -> _Flows | str:
    """Flows from a user or curated structure; else the reason why there are none."""
    gaps = inputs.gaps[inputs.gaps["mineral"].eq(mineral)]
    gap_stages = [s for s in ("refining", "mining") if s in set(gaps["stage"])]
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
            notes = "; ".join(gaps["note"].str.removeprefix("GAP: ")) or "no BACI code"
            return f"no import data for {mineral} ({notes})"
        rows = _pick_structure(rows, year)
        chosen = rows["stage"].iloc[0] if rows["stage"].iloc[0] != "all" else gap_stages[0]
        basis = "curated: " + str(rows["source_url"].iloc[0])
    total = _gap_total(importer, mineral, year, import_totals)
    if total is None:
        return (f"{basis} gives shares for {mineral} but no total imports to scale them "
                f"(pass import_totals={{{mineral!r}: t}})")
    bought = _shares(rows, f"import structure of {importer} {mineral}") * total[1]
    return _Flows(str(chosen), total[0], basis, bought, bought, bought * partner,
                  note=f"total imports {total[1]:g} t ({total[0]}): {total[2]}")


def _missing(reason: str, stage: str, year: int) -> _Flows:
    empty = pd.Series(dtype=float)
    return _Flows("refining" if stage == "auto" else stage, year, "missing: " + reason,
                  empty, empty, empty)


def world_supply(supply: pd.DataFrame, minerals: Iterable[str], stage: str,
                 year: int) -> tuple[float, str]:
    """World production (t) of the stage, latest year <= ``year``; MCS 2024, 2023, WMD, IEA.

    Several forms in one edition and year: the largest. Tries the other stage, then the next
    of ``minerals`` (a single rare earth, then ``rare_earths``). NaN where none has a figure.
    """
    rows = supply[supply["country"].eq("WLD") & supply["variable"].eq("production")
                  & (supply["year"] <= year) & supply["value"].gt(0) & supply["unit"].eq("t")
                  & supply["edition"].isin(WORLD_EDITIONS)]
    rank = {e: i for i, e in enumerate(WORLD_EDITIONS)}
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

    Latest year <= ``year``, MCS 2024 before 2023; countries without both figures are left out.
    """
    rows = supply[supply["mineral"].eq(mineral) & supply["stage"].eq(stage)
                  & supply["edition"].isin(EDITIONS[:2]) & (supply["year"] <= year)
                  & ~supply["country"].eq("WLD")]
    keys = ["edition", "country", "year"]
    cap = rows[rows["variable"].eq("capacity")].groupby(keys)["value"].max()
    made = rows[rows["variable"].eq("production")].groupby(keys)["value"].max()
    both = pd.DataFrame({"cap": cap, "made": made}).dropna().reset_index()
    if both.empty:
        return pd.Series(dtype=float)
    both["_r"] = both["edition"].map({e: i for i, e in enumerate(EDITIONS)})
    both = both.sort_values(["year", "_r"], ascending=[False, True]).drop_duplicates("country")
    return (both["cap"] - both["made"]).clip(lower=0).set_axis(both["country"])


def importer_production(supply: pd.DataFrame, known: pd.DataFrame, importer: str,
                        mineral: str, stage: str, year: int) -> tuple[float, str]:
    """The importer's production (t) of the stage in ``year``.

    ``known`` (MCS 2024, 2023, then WMD: :func:`minsec.indicators.imports.production_t`), else
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


def market_price(prices: pd.DataFrame, us_statistics: pd.DataFrame, mineral: str,
                 year: int) -> tuple[float, str]:
    """USD/t: Pink Sheet mean of the latest year <= ``year``, else the USGS salient price.

    USGS: the latest year <= ``year``, newest edition, median over the price forms (single
    rare earths: their oxide in the rare-earths table), converted by :data:`TO_USD_PER_T`.
    """
    pink = prices[prices["mineral"].eq(mineral) & prices["unit"].isin(list(TO_USD_PER_T))]
    pink = pink.assign(year=pd.to_datetime(pink["period"]).dt.year)
    pink = pink[pink["year"] <= year]
    if not pink.empty:
        last = pink[pink["year"].eq(pink["year"].max())]
        mean = (last["value"] * last["unit"].map(TO_USD_PER_T)).mean()
        return float(mean), (f"World Bank Pink Sheet {last['commodity'].iloc[0]} "
                            f"{last['year'].iloc[0]} mean of {len(last)} months")
    us = us_statistics[us_statistics["variable"].eq("price")]
    if mineral in REE_OXIDE:
        us = us[us["mineral"].eq("rare_earths") & us["form"].eq(REE_OXIDE[mineral])]
    else:
        us = us[us["mineral"].eq(mineral)]
    us = us[us["unit"].isin(list(TO_USD_PER_T)) & us["value"].gt(0) & (us["year"] <= year)]
    if us.empty:
        return float("nan"), "none"
    us = us[us["year"].eq(us["year"].max())]
    us = us[us["edition"].eq(us["edition"].max())]
    usd = (us["value"] * us["unit"].map(TO_USD_PER_T)).groupby(us["form"].fillna("")).mean()
    forms = ", ".join(f for f in usd.index if f) or "one series"
    return float(usd.median()), (f"USGS {us['edition'].iloc[0]} salient price "
                                 f"{us['year'].iloc[0]} (median of: {forms})")


def baseline_price(market: tuple[float, str], unit_value: float) -> tuple[float, str]:
    """The market price, unless the BACI unit value (USD/t) shows another measure.

    Kept when ``1/k <= market / unit_value <= k`` (k = :data:`MEASURE_TOLERANCE`) or when
    there is no unit value; else the unit value, which prices the quantities BACI counts.
    """
    price, label = market
    if not np.isfinite(unit_value):
        return price, label
    if np.isfinite(price) and 1 / MEASURE_TOLERANCE <= price / unit_value <= MEASURE_TOLERANCE:
        return price, label
    why = f" ({label}: {price:,.0f} USD/t is for another measure)" if np.isfinite(price) else ""
    return unit_value, "BACI unit value of the importer's imports" + why


def _value_at_risk(table: pd.DataFrame, mineral: str, price: float) -> tuple[float, str]:
    row = table[table["mineral"].eq(mineral)]
    if not row.empty:
        top = row.iloc[0]
        return float(top["usd_per_t"]), f"value_at_risk.csv: {top['use']}; {top['basis']}"
    return (DEFAULT_VAR_MULTIPLE * price,
            f"multiple of price (ours): {DEFAULT_VAR_MULTIPLE:g} x price")


def _check(inputs: BaselineInputs, importer: str, minerals: tuple[str, ...], stage: str) -> None:
    if not minerals or len(set(minerals)) < len(minerals):
        raise MinsecError(f"minerals must be given once each, got {list(minerals)}")
    unknown = [m for m in minerals if inputs.catalogue and m not in inputs.catalogue]
    if unknown:
        raise MinsecError(f"unknown mineral {unknown[0]!r} (`minsec minerals` lists them)")
    if stage not in ("auto", "mining", "refining"):
        raise MinsecError(f"stage must be auto, mining or refining, not {stage!r}")
    trade = inputs.mineral_trade
    if not (trade["importer"].eq(importer).any() or trade["exporter"].eq(importer).any()):
        raise MinsecError(f"unknown importer {importer!r}: no BACI flows (use ISO3, e.g. KOR)")


def _flows(inputs: BaselineInputs, trade: pd.DataFrame, importer: str, mineral: str,
           stage: str, year: int, opts: dict) -> _Flows:
    found = _baci_flows(trade[trade["mineral"].eq(mineral)], importer, inputs.partners, stage,
                        year, opts["max_age"])
    if found is not None:
        return found
    got = _structure_flows(inputs, importer, mineral, stage, year, opts["structure"],
                           importer in inputs.partners, opts["import_totals"])
    if isinstance(got, _Flows):
        return got
    stale = inputs.mineral_trade[inputs.mineral_trade["mineral"].eq(mineral)
                                 & (inputs.mineral_trade["year"] <= year)]
    if not stale.empty:
        got = (f"BACI HS92 {', '.join(sorted(stale['hs6'].unique()))} has no flows since "
               f"{stale['year'].max()}; {got}")
    if not opts["allow_missing"]:
        raise MinsecError(f"{got}: pass a structure (importer, mineral, supplier, share, "
                          "source) or allow_missing=True")
    return _missing(got, stage, year)


def build_baseline(inputs: BaselineInputs, importer: str, minerals: Iterable[str], year: int,
                   stage: str = "auto", *, structure: pd.DataFrame | None = None,
                   import_totals: Mapping[str, float] | None = None,
                   allow_missing: bool = False, default_spare: float = 0.1,
                   elasticity: Mapping[str, float] | None = None,
                   value_at_risk: Mapping[str, float] | None = None,
                   max_age: int = 3) -> Baseline:
    """The importer's normal year for ``minerals`` (pure: all data comes in ``inputs``).

    Parameters
    ----------
    structure
        User import shares ``importer, mineral, supplier, share, source`` (optional
        ``stage``) for minerals BACI does not code; they come before the curated shares.
    import_totals
        Total imports (t/yr) per mineral that scale a user or curated structure.
    allow_missing
        Keep a mineral without any import data with zero imports (basis ``missing: ...``).
    default_spare
        Spare capacity as a fraction of a supplier's exports where USGS gives no capacity (ours:
        the USGS 2025 scenarios use "available excess production capacity", methods.md §2.3,
        without a published default).
    elasticity, value_at_risk
        Per-mineral overrides of :data:`DEFAULT_ELASTICITY` (negative) and of
        ``value_at_risk.csv`` (USD per tonne unmet).
    max_age
        BACI flows older than this many years before ``year`` count as no BACI.
    """
    minerals = tuple(minerals)
    _check(inputs, importer, minerals, stage)
    over = dict(elasticity or {})
    if any(not v < 0 for v in over.values()):
        raise MinsecError(f"elasticities must be negative, got {over}")
    for name, given in (("value_at_risk", value_at_risk or {}),
                        ("import_totals", import_totals or {}),
                        ("default_spare", {"all": default_spare})):
        if any(not v >= 0 for v in given.values()):
            raise MinsecError(f"{name} must be >= 0, got {dict(given)}")
    opts = {"structure": structure, "import_totals": dict(import_totals or {}),
            "allow_missing": allow_missing, "max_age": max_age}
    trade = inputs.mineral_trade
    trade = with_quantities(trade[trade["mineral"].isin(minerals) & (trade["year"] <= year)
                                  & (trade["year"] >= year - max_age)])
    flows = [_flows(inputs, trade, importer, m, stage, year, opts) for m in minerals]
    spare_cap = [capacity_spare(inputs.supply, m, f.stage, year).drop(importer, errors="ignore")
                 for m, f in zip(minerals, flows, strict=True)]
    names = {s for f, c in zip(flows, spare_cap, strict=True)
             for part in (f.imports, f.exports, c) for s in part.index}
    suppliers = tuple(sorted(names - {importer, "WLD"}))

    def matrix(parts: Iterable[pd.Series]) -> np.ndarray:
        return np.array([p.reindex(suppliers).fillna(0.0).to_numpy(float) for p in parts])

    imports, exports = matrix(f.imports for f in flows), matrix(f.exports for f in flows)
    known = np.array([c.reindex(suppliers).notna().to_numpy() for c in spare_cap])
    spare = np.where(known, matrix(spare_cap), default_spare * exports)
    columns = _columns(inputs, importer, minerals, flows, imports, exports, year)
    sources = {**SOURCES, "spare_capacity": (
        f"USGS capacity - production where given, else {default_spare:g} x exports (ours; "
        "the USGS 2025 method uses excess capacity without a default: methods.md §2.3)")}
    for i, (m, f) in enumerate(zip(minerals, flows, strict=True)):
        if value_at_risk and m in value_at_risk:
            columns["value_at_risk"][0][i] = float(value_at_risk[m])
            columns["value_at_risk"][1][i] = "user"
        sources[f"imports:{m}"] = f"{f.basis} ({f.stage}){'; ' + f.note if f.note else ''}"
        sources[f"spare_capacity:{m}"] = ("USGS capacity - production: " + ", ".join(
            spare_cap[i].index) if len(spare_cap[i]) else "default")
        sources |= {f"{name}:{m}": labels[i] for name, (_, labels) in columns.items()}
    return Baseline(
        importer, year, minerals, suppliers, imports, exports,
        matrix(f.partner_exports for f in flows), spare, columns["demand"][0],
        columns["world_supply"][0], columns["price"][0],
        np.array([over.get(m, DEFAULT_ELASTICITY) for m in minerals], dtype=float),
        columns["value_at_risk"][0], tuple(f.basis for f in flows), sources)


def _columns(inputs: BaselineInputs, importer: str, minerals: tuple[str, ...],
             flows: list[_Flows], imports: np.ndarray, exports: np.ndarray,
             year: int) -> dict[str, tuple[np.ndarray, list[str]]]:
    """Demand, world supply, price and value at risk per mineral, each with its source."""
    known = structures.production_t(inputs.supply, EDITIONS)
    known = known[known["country"].eq(importer)]
    out: dict[str, tuple[np.ndarray, list[str]]] = {
        name: (np.zeros(len(minerals)), [""] * len(minerals))
        for name in ("demand", "world_supply", "price", "value_at_risk")}
    for i, (m, f) in enumerate(zip(minerals, flows, strict=True)):
        missing = f.basis.startswith("missing")
        made, made_label = importer_production(inputs.supply, known, importer, m, f.stage, f.year)
        bought = float(imports[i].sum())
        demand = max(made + bought - f.importer_exports, bought)
        family = [m, "rare_earths"] if inputs.catalogue.get(m) == "rare_earth" else [m]
        world, world_label = world_supply(inputs.supply, family, f.stage, year)
        traded = float(exports[i].sum()) if f.basis.startswith("BACI") else 0.0
        if not world >= traded:
            world, world_label = traded, f"BACI world exports ({world_label} is smaller)"
        if not world > 0 and missing:
            world, world_label = 1.0, "placeholder 1 t: no figure, no trade (missing mineral)"
        if not world > 0:
            raise MinsecError(f"no world supply figure for {m}")
        price, price_label = baseline_price(
            market_price(inputs.prices, inputs.us_statistics, m, year), f.unit_value)
        if not price > 0:
            if not missing:
                raise MinsecError(f"no price for {m}: none in the Pink Sheet, USGS or BACI")
            price, price_label = 0.0, "missing"
        at_risk, at_risk_label = _value_at_risk(inputs.value_at_risk, m, price)
        found = {"demand": (demand, f"production {made:g} t ({made_label}) + imports "
                                    f"{bought:g} - exports {f.importer_exports:g}"),
                 "world_supply": (world, world_label), "price": (price, price_label),
                 "value_at_risk": (at_risk, at_risk_label)}
        for name, (value, label) in found.items():
            out[name][0][i], out[name][1][i] = value, label
    return out


# Why a BACI HS92 code falls silent (HS 2007 deleted 8112.30 and merged germanium into
# 8112.92/8112.99 with Ga, Hf, In, Nb, Re, V: the flows drop in 2007 and end in 2016).
SILENT = {"811230": "HS 2007 merged germanium into 8112.92/8112.99 with Ga, Hf, In, Nb, Re, V"}


def observed_change(mineral_trade: pd.DataFrame, exporter: str, importer: str,
                    minerals: Iterable[str], before: int = 2022,
                    after: Iterable[int] = (2023, 2024), *,
                    gaps: pd.DataFrame | None = None) -> pd.DataFrame:
    """The observed BACI change of three flows per mineral and code, for a back-test.

    Flows: the exporter's exports to the world and to the importer, and the importer's imports
    from the world (quantities as reported, t; values kUSD; no flow = 0). ``change_t`` =
    ``quantity_t / quantity_t[before] - 1`` (NaN where ``before`` is 0); ``change_value``
    likewise. ``note`` says what BACI cannot show: a mineral without a BACI code (one row, no
    code), a code without flows in the years compared, and the ``gaps`` of other stages.
    """
    years = [before, *after]
    out = []
    for mineral in minerals:
        rows = mineral_trade[mineral_trade["mineral"].eq(mineral)]
        mine = pd.DataFrame() if gaps is None else gaps[gaps["mineral"].eq(mineral)]
        gap = "; ".join(f"{stage}: {str(note).removeprefix('GAP: ')}"
                        for stage, note in zip(mine.get("stage", []), mine.get("note", []),
                                               strict=True))
        if rows.empty:
            out.append(pd.DataFrame({"mineral": [mineral], "note": [
                f"no BACI HS92 code for {mineral}" + (f" ({gap})" if gap else "")]}))
            continue
        for hs6, code in rows.groupby("hs6"):
            last = int(code["year"].max())
            now = code[code["year"].isin(years)]
            picks = {"exports_to_world": now["exporter"].eq(exporter),
                     "exports_to_importer": now["exporter"].eq(exporter)
                     & now["importer"].eq(importer),
                     "imports_from_world": now["importer"].eq(importer)}
            note = (f"{hs6} has no flows after {last} in BACI HS92"
                    + (f" ({SILENT[str(hs6)]})" if str(hs6) in SILENT else "")
                    if last < before else "")
            note = "; ".join(n for n in (note, f"not in BACI: {gap}" if gap else "") if n)
            for flow, pick in picks.items():
                sums = now[pick].groupby("year")[["quantity", "value"]].sum().reindex(
                    years, fill_value=0.0)
                base = sums.loc[before]
                out.append(pd.DataFrame({
                    "mineral": mineral, "hs6": hs6, "flow": flow, "exporter": exporter,
                    "importer": importer, "year": years, "quantity_t": sums["quantity"].values,
                    "value_kusd": sums["value"].values,
                    "change_t": (sums["quantity"] / base["quantity"] - 1).values
                    if base["quantity"] > 0 else np.nan,
                    "change_value": (sums["value"] / base["value"] - 1).values
                    if base["value"] > 0 else np.nan,
                    "note": note}))
    table = pd.concat(out, ignore_index=True)
    return table.astype({"year": "Int64"})
