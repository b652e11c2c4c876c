"""The importer's normal year, from the store: the :class:`~minsec.scenarios.model.Baseline`.

:func:`load_inputs` reads the store once (I/O); :func:`build_baseline` is pure. It takes the
flows, production, world supply and spare capacity from :mod:`minsec.scenarios.supply` (t/yr,
contained tonnes of the mineral, or what a curated figure measures; the choices that are ours
are listed there) and the price from :mod:`minsec.scenarios.prices`;
:mod:`minsec.scenarios.backtest` sets the simulation beside BACI. Choices that are ours here,
each recorded in ``Baseline.sources``:

* **Demand** = production + imports - exports (USGS MCS apparent consumption, stock changes
  left out), floored at imports: re-exported material still passes through the importer's
  firms, and the engine measures shortfalls against imports (unmet could exceed demand).
* **World supply** is at least the world exports of the stage's forms (contained t): the
  floor keeps what a supplier can withhold below the world's supply where world production
  is of a narrower stage or an older year.
* **Price**: :func:`~minsec.scenarios.prices.market_price`, unless the unit value of the
  importer's imports (USD per contained t) shows it is for another measure, e.g. a price of
  lithium carbonate against tonnes of lithium (:func:`~minsec.scenarios.prices.baseline_price`).
* **Exports** of a traded form are capped at the exporter's production of the mineral (mine or
  refinery, the larger; never below what the importer buys from it): a country cannot sell
  more content than it makes, where the content factor of a code overstates it (the DRC's
  810510 at metal content).
* **Market response** (elasticities, the ramp-up of idle capacity, the price cap):
  ``reference/data/market_response.csv`` per mineral, each row with its basis.
* **Value added lost per tonne not bought**: the importer's own row of
  ``reference/data/value_at_risk.csv``, else :data:`DEFAULT_VAR_MULTIPLE` x the importer's
  own price (ours), never another importer's figure.
* **A bloc** (``EU27``) imports as one: members' flows summed, flows between members dropped,
  members' production summed (:func:`as_bloc`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from minsec import lookthrough, tables
from minsec.assessment import PRODUCTION
from minsec.errors import MinsecError
from minsec.indicators import imports as structures
from minsec.reference import DATA
from minsec.scenarios.model import Baseline
from minsec.scenarios.prices import baseline_price, market_price
from minsec.scenarios.supply import (
    STAGES,
    Flows,
    capacity_spare,
    importer_production,
    mineral_flows,
    producers,
    with_quantities,
    world_supply,
)

DEFAULT_ELASTICITY = -0.3
DEFAULT_VAR_MULTIPLE = 10.0  # value added lost = 10 x price where the file has no row (ours)


SOURCES = {
    "imports": "t/yr the importer buys by supplier: contained tonnes of every traded form or a "
               "curated/user structure x total imports; see basis and imports:<mineral>",
    "exports": "each supplier's exports of the same forms to the world, importer included "
               "(curated/user structure: its sales to the importer only)",
    "partner_exports": "exports to MSP partners (tables.membership, EU27 expanded)",
    "demand": "production + imports - exports (USGS MCS apparent consumption), >= imports",
    "world_supply": "WLD production of the stage (MCS newest first, WMD, IEA), >= world exports",
    "price": "Pink Sheet annual mean, else USGS salient price, else the imports' unit value "
             "(USD per contained t)",
    "elasticity": "reference/data/market_response.csv (demand elasticity; basis per row)",
    "value_at_risk": "value added lost per t not bought: the importer's row of "
                     f"reference/data/value_at_risk.csv, else {DEFAULT_VAR_MULTIPLE:g} x its "
                     "own price (ours)"}


@dataclass(frozen=True)
class BaselineInputs:
    """The store's tables a baseline is built from, read once by :func:`load_inputs`."""

    mineral_trade: pd.DataFrame
    supply: pd.DataFrame
    prices: pd.DataFrame
    us_statistics: pd.DataFrame
    partners: frozenset[str]  # MSP partners, EU27 expanded
    curated: pd.DataFrame  # reference/data/import_structure.csv
    gaps: pd.DataFrame  # mineral, stage, note where no form of the stage has flows
    value_at_risk: pd.DataFrame  # reference/data/value_at_risk.csv
    catalogue: Mapping[str, str] = field(default_factory=dict)  # mineral id -> group
    blocs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # EU27 -> members
    market: pd.DataFrame = field(default_factory=lambda: load_market_response())
    origin: lookthrough.Tables | None = None  # the origin model (events through the chain)

    @cached_property
    def traded(self) -> frozenset[str]:
        """The minerals with trade of their own (scanned once: the table has every flow)."""
        return frozenset(self.mineral_trade["mineral"].dropna().unique())


def load_inputs(store: Path | None = None) -> BaselineInputs:
    """Read the tables a baseline needs (I/O)."""
    members = tables.membership(store)
    return BaselineInputs(
        tables.mineral_trade(store), tables.supply(store), tables.prices(store),
        tables.us_statistics(store),
        frozenset(members.loc[members["role"].eq("partner"), "country"]),
        structures.load_curated(), tables.trade_gaps(store), load_value_at_risk(),
        dict(tables.minerals(store)[["id", "group"]].itertuples(index=False)),
        {"EU27": tuple(tables.region_members("eu27", store))},
        origin=lookthrough.load(store))


def load_value_at_risk(path: Path | None = None) -> pd.DataFrame:
    """Read ``reference/data/value_at_risk.csv`` (I/O)."""
    return pd.read_csv(path or DATA / "value_at_risk.csv", keep_default_na=False)



def load_market_response(path: Path | None = None) -> pd.DataFrame:
    """Read ``reference/data/market_response.csv`` (I/O)."""
    return pd.read_csv(path or DATA / "market_response.csv", keep_default_na=False)


def market_response(table: pd.DataFrame, mineral: str) -> dict[str, object]:
    """The mineral's row of ``market_response.csv``, else its ``default`` row."""
    rows = table[table["mineral"].eq(mineral)]
    row = (rows if not rows.empty else table[table["mineral"].eq("default")]).iloc[0]
    return {**{str(k): v for k, v in row.items()}, "row": row["mineral"]}


def as_bloc(inputs: BaselineInputs, bloc: str) -> BaselineInputs:
    """The inputs with the bloc's members as one country: intra-bloc flows gone, output summed."""
    members = set(inputs.blocs[bloc])
    trade = inputs.mineral_trade
    inside = trade["importer"].isin(members) & trade["exporter"].isin(members)
    trade = trade[~inside].assign(
        importer=trade["importer"].where(~trade["importer"].isin(members), bloc),
        exporter=trade["exporter"].where(~trade["exporter"].isin(members), bloc))
    supply = inputs.supply
    own = supply["country"].isin(members) & supply["variable"].eq("production")
    keys = [str(c) for c in supply.columns if c not in ("value", "file", "line")]
    summed = pd.DataFrame(supply[own].assign(country=bloc).groupby(
        keys, dropna=False, observed=True, as_index=False)["value"].sum(min_count=1))
    rest: pd.DataFrame = supply[~supply["country"].isin(members)]
    return replace(inputs, mineral_trade=trade, supply=pd.concat([rest, summed],
                                                                 ignore_index=True))


def _value_at_risk(table: pd.DataFrame, importer: str, mineral: str,
                   price: float) -> tuple[float, str]:
    row = table[table["importer"].eq(importer) & table["mineral"].eq(mineral)]
    if not row.empty:
        top = row.iloc[0]
        return float(top["usd_per_t"]), f"value_at_risk.csv: {top['use']}; {top['basis']}"
    return (DEFAULT_VAR_MULTIPLE * price,
            f"ours: {DEFAULT_VAR_MULTIPLE:g} x {importer}'s price (a 10% cost share in what it "
            f"goes into; no value added per t of {mineral} found for {importer})")


def cap_at_production(supply: pd.DataFrame, mineral: str, year: int, exports: pd.Series,
                      imports: pd.Series) -> tuple[pd.Series, list[str]]:
    """Exports capped at each exporter's production (mine or refinery, the larger), >= imports."""
    made = pd.concat([producers(supply, mineral, stage, year) for stage in ("mining", "refining")])
    made = made.groupby(level=0).max()
    cap = made.reindex(exports.index)
    limit = np.maximum(cap, imports.reindex(exports.index).fillna(0.0))
    over = cap.notna() & (exports > limit)
    return (exports.where(~over, limit),
            [f"{c} {exports[c]:,.0f} -> {limit[c]:,.0f} t" for c in exports.index[over]])


def _check(inputs: BaselineInputs, importer: str, minerals: tuple[str, ...], stage: str) -> None:
    if not minerals or len(set(minerals)) < len(minerals):
        raise MinsecError(f"minerals must be given once each, got {list(minerals)}")
    unknown = [m for m in minerals if inputs.catalogue and m not in inputs.catalogue]
    if unknown:
        raise MinsecError(f"unknown mineral {unknown[0]!r} (`minsec minerals` lists them)")
    if stage not in ("auto", *STAGES):
        raise MinsecError(f"stage must be auto or one of {', '.join(STAGES)}, not {stage!r}")
    trade = inputs.mineral_trade
    if importer in inputs.blocs:
        return
    if not (trade["importer"].eq(importer).any() or trade["exporter"].eq(importer).any()):
        raise MinsecError(f"unknown importer {importer!r}: no trade flows (use ISO3, e.g. KOR, "
                          f"or a bloc: {', '.join(inputs.blocs) or 'none'})")


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
        ``stage``) for minerals no traded form measures; they come before the curated shares.
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
        Flows older than this many years before ``year`` count as none.
    """
    minerals = tuple(minerals)
    _check(inputs, importer, minerals, stage)
    if importer in inputs.blocs:
        inputs = as_bloc(inputs, importer)
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
    flows = [_capped(inputs, m, year, mineral_flows(inputs, trade, importer, m, stage, year,
                                                     opts)) for m in minerals]
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
    response = [market_response(inputs.market, m) for m in minerals]
    for m, r in zip(minerals, response, strict=True):
        sources[f"market_response:{m}"] = (
            f"market_response.csv row {r['row']}: demand {r['demand_elasticity']}, supply "
            f"{r['supply_elasticity']}, ramp {r['ramp_days']} days, cap x{r['price_cap']}; "
            f"{r['basis']} ({r['source_url']})" + (" (demand elasticity: user)" if m in over
                                                   else ""))

    def column(name: str) -> np.ndarray:
        return np.array([float(str(r[name])) for r in response], dtype=float)

    return Baseline(
        importer, year, minerals, suppliers, imports, exports,
        matrix(f.partner_exports for f in flows), spare, columns["demand"][0],
        columns["world_supply"][0], columns["price"][0],
        np.array([over.get(m, e) for m, e in zip(minerals, column("demand_elasticity"),
                                                 strict=True)], dtype=float),
        columns["value_at_risk"][0], tuple(f.basis for f in flows), sources,
        ramp_days=column("ramp_days"), supply_elasticity=column("supply_elasticity"),
        price_cap=column("price_cap"))


def _capped(inputs: BaselineInputs, mineral: str, year: int, flows: Flows) -> Flows:
    """Traded flows with each exporter's exports capped at its production (module docstring)."""
    if flows.basis.startswith(("curated", "user", "missing")):
        return flows
    exports, capped = cap_at_production(inputs.supply, mineral, year, flows.exports,
                                        flows.imports)
    if not capped:
        return flows
    note = "exports capped at production: " + ", ".join(capped)
    return replace(flows, exports=exports,
                   partner_exports=flows.partner_exports.clip(
                       upper=exports.reindex(flows.partner_exports.index)),
                   note="; ".join(x for x in (flows.note, note) if x))


def _columns(inputs: BaselineInputs, importer: str, minerals: tuple[str, ...],
             flows: list[Flows], imports: np.ndarray, exports: np.ndarray,
             year: int) -> dict[str, tuple[np.ndarray, list[str]]]:
    """Demand, world supply, price and value at risk per mineral, each with its source."""
    known = structures.production_t(inputs.supply, tables.editions(inputs.supply, PRODUCTION))
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
        traded = (0.0 if f.basis.startswith(("curated", "user", "missing"))
                  else float(exports[i].sum()))
        if not world >= traded:
            world, world_label = traded, f"world exports of the forms ({world_label} is smaller)"
        if not world > 0 and missing:
            world, world_label = 1.0, "placeholder 1 t: no figure, no trade (missing mineral)"
        if not world > 0:
            raise MinsecError(f"no world supply figure for {m}")
        price, price_label = baseline_price(
            market_price(inputs.prices, inputs.us_statistics, m, year), f.unit_value)
        if not price > 0:
            if not missing:
                raise MinsecError(f"no price for {m}: none in the Pink Sheet, USGS or the "
                                  "trade values")
            price, price_label = 0.0, "missing"
        at_risk, at_risk_label = _value_at_risk(inputs.value_at_risk, importer, m, price)
        found = {"demand": (demand, f"production {made:g} t ({made_label}) + imports "
                                    f"{bought:g} - exports {f.importer_exports:g}"),
                 "world_supply": (world, world_label), "price": (price, price_label),
                 "value_at_risk": (at_risk, at_risk_label)}
        for name, (value, label) in found.items():
            out[name][0][i], out[name][1][i] = value, label
    return out
