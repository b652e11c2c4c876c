"""Recycling as a secondary supply: a dynamic stock-flow model on flodym.

New products carry minerals into use; flodym's inflow-driven dynamic stock model retires each
year's cohort along a lifetime distribution; part of the end-of-life flow is collected, and
recyclers recover a share of each mineral from it and from imported scrap or black mass::

    sysenv -new_products-> use [in_use] -end_of_life-> collection -collected-> recycling
    collection -uncollected-> sysenv;  sysenv -scrap_imports-> recycling
    recycling -recovered, recovered_imports (the secondary supply), recycling_losses-> sysenv

Dimensions year ``t``, cohort ``p``, mineral ``e``; flows in t/yr of contained mineral. As in
flodym, definition (:func:`definition`), data (:class:`ConfigReader`) and computation
(:meth:`RecyclingMFA.compute`) are apart; :func:`run` joins them into tidy tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

import flodym as fd
import numpy as np
import pandas as pd
from flodym.lifetime_models import StandardDeviationLifetimeModel

from minsec.errors import MinsecError
from minsec.outlook.recycling_config import (
    COHORTS,
    MINERALS,
    RecyclingConfig,
    default_demand,
    load_config,
    path_values,
)
from minsec.store import query

TOTALS = ("Total", "Total clean technologies")  # the demand a recycled share is taken of
LIFETIMES: dict[str, type[StandardDeviationLifetimeModel]] = {"normal": fd.NormalLifetime,
    "foldednormal": fd.FoldedNormalLifetime, "lognormal": fd.LogNormalLifetime}
FLOWS = {  # name: from-process to-process dimensions
    "new_products": "sysenv use tpe", "end_of_life": "use collection tpe",
    "collected": "collection recycling tpe", "uncollected": "collection sysenv tpe",
    "scrap_imports": "sysenv recycling te", "recovered": "recycling sysenv tpe",
    "recovered_imports": "recycling sysenv te", "recycling_losses": "recycling sysenv te"}
PARAMETERS = {"inflow": "tpe", "lifetime_mean": "p", "lifetime_sd": "p", "collection_rate": "tp",
              "recovery_rate": "e", "scrap_imports": "te"}


def definition(config: RecyclingConfig) -> fd.MFADefinition:
    """The processes, flows, in-use stock and parameters (flodym's definition step)."""
    dims = [("year", "t", int), ("cohort", "p", str), ("mineral", "e", str)]
    lifetime = LIFETIMES[config.lifetime_distribution]
    return fd.MFADefinition(
        dimensions=[fd.DimensionDefinition(name=n, letter=x, dtype=d) for n, x, d in dims],
        processes=["sysenv", "use", "collection", "recycling"],
        flows=[fd.FlowDefinition(from_process_name=a, to_process_name=b, dim_letters=tuple(d),
                                 name_override=name)
               for name, (a, b, d) in ((n, f.split()) for n, f in FLOWS.items())],
        stocks=[fd.StockDefinition(name="in_use", process_name="use", dim_letters=("t", "p", "e"),
                                   subclass=fd.InflowDrivenDSM, lifetime_model_class=lifetime)],
        parameters=[fd.ParameterDefinition(name=n, dim_letters=tuple(d))
                    for n, d in PARAMETERS.items()])


class ConfigReader(fd.DataReader):
    """flodym's data step: the dimension items and parameter values of one run."""

    def __init__(self, config: RecyclingConfig, inflow: pd.DataFrame) -> None:
        years, cohorts = config.years, [config.cohorts[c] for c in COHORTS]
        self.items = {"t": years.tolist(), "p": list(COHORTS), "e": list(MINERALS)}
        cube = inflow.set_index(["year", "cohort", "mineral"])["t"].reindex(
            pd.MultiIndex.from_product(list(self.items.values())), fill_value=0.0)
        rates = [path_values(c.collection_rate, years) for c in cohorts]
        imports = [path_values(config.scrap_imports.get(m, 0.0), years) for m in MINERALS]
        self.values = {
            "inflow": cube.to_numpy().reshape(len(years), len(COHORTS), len(MINERALS)),
            "lifetime_mean": np.array([c.lifetime.mean for c in cohorts]),
            "lifetime_sd": np.array([c.lifetime.sd for c in cohorts]),
            "collection_rate": np.stack(rates, 1), "scrap_imports": np.stack(imports, 1),
            "recovery_rate": np.array([config.recovery.get(m, 0.0) for m in MINERALS])}

    def read_dimension(self, definition: fd.DimensionDefinition) -> fd.Dimension:
        """The items of one dimension."""
        return fd.Dimension(name=definition.name, letter=definition.letter,
                            items=self.items[definition.letter], dtype=definition.dtype)

    def read_parameter_values(self, parameter_name: str, dims: fd.DimensionSet) -> fd.Parameter:
        """The values of one parameter."""
        return fd.Parameter(dims=dims, values=self.values[parameter_name], name=parameter_name)


class RecyclingMFA(fd.MFASystem):
    """The recycling system; :meth:`compute` fills its flows and stock."""

    @property
    def in_use(self) -> fd.InflowDrivenDSM:
        """Products in use: flodym's inflow-driven dynamic stock model."""
        return cast(fd.InflowDrivenDSM, self.stocks["in_use"])

    def compute(self) -> None:
        """Retire the cohorts (flodym's survival), then collect and recover.

        ``collected = EoL × c_p(t)``, ``uncollected = EoL × (1 - c_p(t))``, ``recovered =
        collected × η_e``, ``recovered_imports = imports × η_e``, ``recycling_losses =
        (Σ_p collected + imports) × (1 - η_e)``; EoL is flodym's outflow of the in-use stock.
        """
        prm, flows, stock = self.parameters, self.flows, self.in_use
        lifetime = cast(StandardDeviationLifetimeModel, stock.lifetime_model)
        lifetime.mean, lifetime.std = prm["lifetime_mean"], prm["lifetime_sd"]
        inflow, outflow = cast(fd.StockArray, stock.inflow), cast(fd.StockArray, stock.outflow)
        inflow[...] = prm["inflow"]
        stock.compute()
        flows["new_products"][...] = inflow
        flows["end_of_life"][...] = outflow
        flows["collected"][...] = outflow * prm["collection_rate"]
        flows["uncollected"][...] = outflow * (1 - prm["collection_rate"])
        flows["scrap_imports"][...] = prm["scrap_imports"]
        flows["recovered"][...] = flows["collected"] * prm["recovery_rate"]
        flows["recovered_imports"][...] = prm["scrap_imports"] * prm["recovery_rate"]
        flows["recycling_losses"][...] = (flows["collected"] + prm["scrap_imports"]) * (
            1 - prm["recovery_rate"])


@dataclass(frozen=True)
class RecyclingResult:
    """One run's tidy tables and the configuration that made them.

    ``flows``: ``year, cohort, mineral, inflow, outflow, collected, uncollected, recovered,
    stock`` (t/yr; stock in t at year end), for the cohort-mineral pairs with a content share.
    ``secondary_supply``: ``year, mineral, end_of_life_t, imports_t, t``.
    ``recycled_share``: ``year, mineral, secondary_t, demand_t, share, demand_basis``.
    """

    flows: pd.DataFrame
    secondary_supply: pd.DataFrame
    recycled_share: pd.DataFrame
    config: RecyclingConfig


def load_inputs(store: str | Path | None = None) -> pd.DataFrame:
    """The store's IEA demand outlook for the model's minerals (kt), as :func:`run` takes it."""
    marks = ", ".join("?" * len(MINERALS))
    return query("SELECT mineral, scenario, sector, year, value FROM demand_outlook "
                 f"WHERE mineral IN ({marks}) ORDER BY ALL", list(MINERALS),
                 Path(store) if store is not None else None)


def run(config: RecyclingConfig | None = None,
        demand: pd.DataFrame | None = None) -> RecyclingResult:
    """Run the model on ``demand`` from :func:`load_inputs` (else the defaults' IEA copy).

    With ``demand`` the recycled share is taken of the IEA's total demand; without it, of the
    modelled inflow (``demand_basis`` says which).
    """
    config = config if config is not None else load_config()
    inflow = calc_inflow(default_demand() if demand is None else demand, config)
    mfa = build(config, inflow)
    secondary = secondary_supply(mfa)
    share = recycled_share(secondary, calc_demand(demand, config, inflow))
    return RecyclingResult(flows_table(mfa, config), secondary, share, config)


def build(config: RecyclingConfig, inflow: pd.DataFrame) -> RecyclingMFA:
    """The computed flodym system of one run; flodym checks its mass balance."""
    mfa = RecyclingMFA.from_data_reader(definition(config), ConfigReader(config, inflow))
    mfa.compute()
    mfa.check_mass_balance()
    return mfa


def calc_inflow(demand: pd.DataFrame, config: RecyclingConfig) -> pd.DataFrame:
    """Mineral content of new products, ``year, cohort, mineral, t`` (t/yr).

    ``I[y, c, m] = s[c, m] × D[m, sector_c, y] × demand_share``: ``s`` the content share, ``D``
    the IEA demand (kt → t) linear between its years, and before its first year ``y0`` (2023)
    ``D[m, sector_c, y0] × h_c(y)``, ``h_c`` the cohort's history index.
    """
    rows, years, parts = _scenario(demand, config.scenario), config.years, []
    pairs = [(c, p, m) for c, p in config.cohorts.items()
             for m, share in p.content_share.items() if share > 0]
    for cohort, params, mineral in pairs:
        series = rows[(rows["mineral"] == mineral) & (rows["sector"] == params.sector)]
        if series.empty:
            raise MinsecError(f"cohorts.{cohort}.content_share.{mineral}: the demand has no "
                              f"{params.sector!r} series for {mineral} ({config.scenario})")
        t = _interp(series, years) * params.content_share[mineral] * config.demand_share
        first = int(series["year"].min())
        anchors = {y: h for y, h in params.history.items() if y < first} | {first: 1.0}
        early, known = years < first, sorted(anchors)
        t[early] = t[~early][0] * np.interp(years[early], known, [anchors[y] for y in known])
        parts.append(pd.DataFrame({"year": years, "cohort": cohort, "mineral": mineral, "t": t}))
    return pd.concat(parts, ignore_index=True)


def calc_demand(demand: pd.DataFrame | None, config: RecyclingConfig,
                inflow: pd.DataFrame) -> pd.DataFrame:
    """Demand the recycled share is taken of, ``year, mineral, demand_t, demand_basis``.

    The IEA's ``Total`` demand of the mineral, else its ``Total clean technologies`` (the IEA
    gives no total for manganese or the magnet rare earths), × ``demand_share``, from the IEA's
    first year; without ``demand``, or for a mineral with neither, the modelled inflow
    ``Σ_c I[y, c, m]`` (every year).
    """
    own = inflow.groupby(["year", "mineral"])["t"].sum().reset_index(name="demand_t")
    own["demand_basis"] = "inflow"
    rows = _scenario(demand, config.scenario) if demand is not None else demand
    parts = []
    for mineral in MINERALS:
        found = [] if rows is None else [
            (s, rows[(rows["mineral"] == mineral) & (rows["sector"] == s)]) for s in TOTALS]
        sector, series = next(((s, x) for s, x in found if not x.empty), ("inflow", None))
        if series is None:
            parts.append(own[own["mineral"] == mineral])
            continue
        years = config.years[config.years >= series["year"].min()]
        parts.append(pd.DataFrame({"year": years, "mineral": mineral, "demand_basis": sector,
                                   "demand_t": _interp(series, years) * config.demand_share}))
    return pd.concat(parts, ignore_index=True)[["year", "mineral", "demand_t", "demand_basis"]]


def flows_table(mfa: RecyclingMFA, config: RecyclingConfig) -> pd.DataFrame:
    """The flows by year, cohort and mineral, for the pairs with a content share."""
    stock, flows = mfa.in_use, mfa.flows
    arrays = {"inflow": stock.inflow, "outflow": stock.outflow, "collected": flows["collected"],
              "uncollected": flows["uncollected"], "recovered": flows["recovered"],
              "stock": stock.stock}
    index = pd.MultiIndex.from_product([d.items for d in stock.dims], names=stock.dims.names)
    table = pd.DataFrame({k: cast(fd.FlodymArray, a).values.ravel() for k, a in arrays.items()},
                         index=index).reset_index()
    pairs = {(c, m) for c, p in config.cohorts.items() for m, s in p.content_share.items() if s > 0}
    keep = [pair in pairs for pair in zip(table["cohort"], table["mineral"], strict=True)]
    return table[keep].reset_index(drop=True)


def secondary_supply(mfa: RecyclingMFA) -> pd.DataFrame:
    """Recovered mineral by year: ``year, mineral, end_of_life_t, imports_t, t``."""
    index = pd.MultiIndex.from_product([mfa.dims["t"].items, mfa.dims["e"].items],
                                       names=["year", "mineral"])
    table = pd.DataFrame(
        {"end_of_life_t": mfa.flows["recovered"].sum_to(("t", "e")).values.ravel(),
         "imports_t": mfa.flows["recovered_imports"].values.ravel()}, index)
    return table.assign(t=table["end_of_life_t"] + table["imports_t"]).reset_index()


def recycled_share(secondary: pd.DataFrame, demand: pd.DataFrame) -> pd.DataFrame:
    """``share = secondary_t / demand_t`` (NaN where demand is 0), the years with a demand."""
    table = demand.merge(secondary[["year", "mineral", "t"]], on=["year", "mineral"])
    table = table.rename(columns={"t": "secondary_t"})
    table["share"] = table["secondary_t"] / table["demand_t"].where(table["demand_t"] > 0)
    return table[["year", "mineral", "secondary_t", "demand_t", "share", "demand_basis"]]


def _scenario(demand: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """One scenario's rows with the actuals (``baseline``), one per mineral, sector and year."""
    rows = demand[demand["scenario"].isin(["baseline", scenario]) & demand["value"].notna()]
    if not (rows["scenario"] == scenario).any():
        raise MinsecError(f"scenario: the demand table has no {scenario} rows")
    rows = rows.sort_values("scenario", key=lambda s: s == scenario)  # the scenario's rows last
    return rows.drop_duplicates(["mineral", "sector", "year"], keep="last")


def _interp(series: pd.DataFrame, years: np.ndarray) -> np.ndarray:
    """Demand in kt by year as t/yr on ``years``, linear between known years, flat beyond."""
    series = series.sort_values("year")
    return np.interp(years, series["year"], series["value"].astype(float) * 1000.0)
