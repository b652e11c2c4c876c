"""The portfolio's views from the registry and the store: the regional table and the gaps.

One convenience (I/O: it reads the store and the registry) shared by the command line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from minsec import assessment, tables
from minsec.errors import MinsecError
from minsec.indicators.concentration import stage_concentration
from minsec.portfolio import gaps, optimise, registry
from minsec.portfolio.opportunities import P_PRODUCTION
from minsec.scenarios import baseline as base
from minsec.scenarios import library, runner

AS_OF = "2024-09-30"  # the Sept 2024 statement (New York, 2024-09-26): 32 projects


def gap_report(importer: str = "KOR", as_of: str = AS_OF, store: Path | None = None,
               inputs: assessment.Inputs | None = None,
               risk: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The regional table (with Southeast Asia) and the ranked gaps for ``importer``.

    ``inputs`` and ``risk`` (the importer's assessment), when the caller has them already.
    """
    stats = registry.portfolio_stats()
    projects = pd.DataFrame([{"country": p.country, "confidence": p.confidence}
                             for p in registry.load_projects()])
    regions = tables.query("SELECT * FROM region", store=store)
    table = gaps.region_table(stats, as_of, projects, regions)
    sea = table[table["region"].eq(gaps.SEA)].rename(columns={"region": "category"})
    counts = pd.concat([gaps.portfolio_counts(stats, as_of),
                        sea.assign(dimension="region")[["dimension", "category", "count"]]])
    inputs = inputs or assessment.load(store)
    if risk is None:
        risk = assessment.assess(inputs, importer, assessment.default_year(inputs))
    supply = inputs.supply
    scores = gaps.gap_scores(counts, gaps.world_distribution(supply, regions), risk,
                             stage_concentration(supply))
    return {"regions": table, "gaps": scores}


#: Library scenarios whose draws the optimisers weigh projects and stocks against: China's
#: controls since 2023 and the DRC's cobalt measures (each with its sources in the library).
SCENARIOS = ("CN-2023-GaGe", "CN-2023-graphite", "CN-2024-Sb", "CN-2025-WTeBiMoIn",
             "CN-2025-REE7", "CD-2025-Co-suspension")


@dataclass(frozen=True)
class Draws:
    """Unmet demand per draw and mineral, summed over the scenarios, with prices and demand."""

    minerals: list[str]
    unmet: np.ndarray  # (N, M) t over the horizon
    value_at_risk: np.ndarray  # (M,) USD/t
    price: np.ndarray  # (M,) USD/t
    demand: np.ndarray  # (M,) t/yr
    scenarios: tuple[str, ...]
    missing: dict[str, str] = field(default_factory=dict)  # mineral -> its ``missing:`` basis


def scenario_draws(importer: str, draws: int, store: Path | None = None,
                   scenarios: Iterable[str] = SCENARIOS, year: int = 2023) -> Draws:
    """Run the scenarios for ``importer`` on the same seeds and add their unmet demand.

    A mineral the baseline has no data for (basis ``missing: ...``: e.g. a single rare earth,
    whose trade is reported for the group ``rare_earths``) has no imports, price or unmet
    demand to weigh: it is left out of ``minerals`` and listed in ``missing``.
    """
    inputs = base.load_inputs(store)
    results = [runner.run(library.get(s).replace(draws=draws, importer=importer), inputs, year)
               for s in scenarios]
    basis = {m: b for r in results for m, b in zip(r.baseline.minerals, r.baseline.basis,
                                                    strict=True)}
    missing = {m: b for m, b in sorted(basis.items()) if b.startswith("missing")}
    minerals = sorted(set(basis) - set(missing))
    unmet = np.zeros((draws, len(minerals)))
    var, price, demand = (np.zeros(len(minerals)) for _ in range(3))
    for result in results:
        for j, mineral in enumerate(result.baseline.minerals):
            if mineral in missing:
                continue
            k = minerals.index(mineral)
            unmet[:, k] += result.outcome.unmet[:, j]
            var[k] = max(var[k], result.baseline.value_at_risk[j])
            price[k] = max(price[k], result.baseline.price[j])
            demand[k] = max(demand[k], result.baseline.demand[j])
    return Draws(minerals, unmet, var, price, demand, tuple(scenarios), missing)


def registry_candidates(projects: list[registry.Project], regions: pd.DataFrame) -> pd.DataFrame:
    """Named projects as optimiser candidates: one row per project and mineral with a capacity.

    ``p_production`` follows the project's stage gate (:data:`opportunities.P_PRODUCTION`,
    ours); a project of unknown status gets the feasibility gate's (ours). Capex unknown: 0.
    """
    region = regions.set_index("country")
    rows = []
    for p in projects:
        for mineral, capacity in p.capacity_t.items():
            rows.append({"id": p.id, "mineral": mineral, "capacity_t": capacity,
                         "capex_usd": p.capex_usd or 0.0,
                         "p_production": P_PRODUCTION.get(p.status, P_PRODUCTION["feasibility"]),
                         "region": "southeast_asia" if bool(region.loc[p.country, "southeast_asia"])
                         else region.loc[p.country, "msp_region"],
                         "stage": p.stages[0] if p.stages else "mining", "country": p.country})
    return pd.DataFrame(rows)


def import_row(importer: str, mineral: str, store: Path | None = None,
               inputs: assessment.Inputs | None = None) -> dict[str, float]:
    """The importer's yearly imports of the mineral (t) and China's part (value share x t)."""
    inputs = inputs or assessment.load(store)
    table = assessment.import_table(inputs, importer)
    rows = table[table["mineral"].eq(mineral) & table["stage"].eq("all")
                 & ~table["basis"].str.startswith(("curated", "missing"))]
    if rows.empty:
        raise MinsecError(f"no measured imports of {mineral} by {importer}")
    row = rows.sort_values(["year", "imports"], ascending=False).iloc[0]
    return {"imports_t": float(row["imports_t"]),
            "china_t": float(row["china_share"] * row["imports_t"])}


def what_if_table(candidates: pd.DataFrame, sample: Draws, importer: str,
                  store: Path | None = None,
                  inputs: assessment.Inputs | None = None) -> pd.DataFrame:
    """Each candidate's effect alone (:func:`optimise.what_if`) for ``importer``.

    Candidates of a mineral the scenarios do not cut are skipped; without measured imports of
    the mineral the change in dependence on China is left out (the unmet and loss changes stay).
    """
    rows = []
    for _, row in candidates[candidates["mineral"].isin(sample.minerals)].iterrows():
        try:
            imports: dict[str, float] | None = import_row(importer, str(row["mineral"]), store,
                                                          inputs)
        except MinsecError:
            imports = None
        effect = optimise.what_if(str(row["id"]), sample.unmet, sample.value_at_risk,
                                  sample.minerals, pd.DataFrame([row]).reset_index(drop=True),
                                  import_row=imports)
        rows.append({"project": row["id"], "mineral": row["mineral"], "importer": importer,
                     **effect})
    return pd.DataFrame(rows)


def quotas(items: Iterable[str]) -> dict[str, int]:
    """``["region=southeast_asia:1"]`` -> ``{"southeast_asia": 1}``; a bad one is an error."""
    found: dict[str, int] = {}
    for item in (x.strip() for x in items):
        if not item:
            continue
        kind, _, rest = item.partition("=")
        region, _, count = rest.partition(":")
        if kind != "region" or not region or not count.isdigit():
            raise MinsecError(f"quota {item!r}: write region=NAME:COUNT, "
                              "e.g. region=southeast_asia:1")
        found[region] = int(count)
    return found


def with_regions(candidates: pd.DataFrame, store: Path | None = None) -> pd.DataFrame:
    """Candidates with an ``id`` (their name) and their MSP region (Southeast Asia first)."""
    regions = registry.msp_regions(store).set_index("country")
    return candidates.assign(id=candidates["name"], region=[
        ("southeast_asia" if bool(regions.loc[c, "southeast_asia"])
         else regions.loc[c, "msp_region"]) if c in regions.index else "other"
        for c in candidates["country"]])


def check_quotas(candidates: pd.DataFrame, region_min: dict[str, int], budget: float,
                 store: Path | None = None) -> None:
    """Refuse at once (before any draw) a quota of an unknown region, or one no choice meets.

    Regions are the candidates' (:func:`with_regions`): the MSP's four, ``southeast_asia``
    and ``other``.
    """
    if not region_min:
        return
    found = with_regions(candidates, store)
    known = sorted(set(registry.msp_regions(store)["msp_region"]) | {"southeast_asia", "other"})
    for region in region_min:
        if region not in known:
            raise MinsecError(f"quota region={region}: unknown region; regions: "
                              f"{', '.join(known)}")
    optimise.check_quotas(found, "region", region_min, budget)


def left_out(candidates: pd.DataFrame, sample: Draws) -> pd.Series:
    """Why a candidate cannot be weighed against the draws (None: it can)."""
    from minsec.reference import minerals

    catalogue = minerals()
    rare_earth = set(catalogue.loc[catalogue["group"].eq("rare_earth"), "id"])

    def why(mineral: str) -> str | None:
        if mineral in sample.minerals:
            return None
        if mineral in rare_earth and "rare_earths" in sample.minerals:
            return (f"left out: the draws cut the rare earths as one group, not {mineral}: "
                    "give the candidate's mineral as rare_earths")
        if mineral in sample.missing:
            return f"left out: no baseline for {mineral} ({sample.missing[mineral]})"
        return f"left out: no scenario of the draws cuts {mineral}"
    return candidates["mineral"].map(why)


def select_projects(candidates: pd.DataFrame, budget: float, sample: Draws,
                    region_min: dict[str, int] | None = None,
                    store: Path | None = None) -> tuple[optimise.Selection, pd.DataFrame]:
    """Choose among ``candidates`` for ``budget`` against the scenario draws ``sample``.

    Returns the selection and a one-row summary (chosen, capex, expected loss before and
    after, risk cut per USD, the budget's shadow price, the MIP gap, scenarios and draws,
    candidates left out). Candidates of a mineral the scenarios do not cut cannot be weighed:
    they stay in the selection's table, not chosen, with the reason in ``left_out``; none
    left to weigh is an error.
    """
    found = with_regions(candidates, store)
    found = found.assign(left_out=left_out(found, sample))
    weighed = found[found["left_out"].isna()]
    if weighed.empty:
        raise MinsecError("no candidate is of a mineral the scenarios cut ("
                          f"{', '.join(sample.minerals)})")
    choice = optimise.optimise(sample.unmet, sample.value_at_risk, sample.minerals, weighed,
                               budget, region_min=region_min or None, mip_rel_gap=0.01)
    rest = found[found["left_out"].notna()].assign(chosen=False)
    table = pd.concat([choice.table, rest], ignore_index=True) if len(rest) else choice.table
    choice = replace(choice, table=table)
    summary = pd.DataFrame([{
        "chosen": ", ".join(choice.chosen), "capex_usd": choice.capex,
        "loss_before_usd": choice.loss_before, "loss_after_usd": choice.loss_after,
        "risk_cut_per_usd": choice.risk_cut_per_usd,
        "budget_shadow_price": choice.budget_shadow_price, "mip_gap": choice.mip_gap,
        "status": choice.status, "scenarios": ", ".join(sample.scenarios),
        "draws": len(sample.unmet), "weighed": len(weighed),
        "left_out": ", ".join(rest["id"].astype(str)) or "none"}])
    return choice, summary
