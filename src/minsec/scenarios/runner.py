"""Run a scenario: its events resolved against the importer's baseline, drawn, summarised.

A :class:`Result` carries the spec (as YAML), the seed, the baseline's basis per mineral, the
tidy draws and the summary. Comparing stockpile policies reuses the baseline and the seed, so
the policies meet the same draws (common random numbers).

Resolution choices (ours): an event hits the stage the importer's trade is measured at (the
baseline's), whatever its own ``stage``; a quota becomes the cut ``1 - quota / exports`` of
the exporters together (exports capped at production by the baseline); a single rare earth
without trade of its own is the group ``rare_earths`` it is traded in, counted once
(:func:`commodity`); ``targets``: ``all`` cuts the importer and every other buyer;
``partners`` / ``non_partners`` cut the importer if it is (not) an MSP partner, and the others
in proportion to the exporters' sales to (non-)partners; a list of importers cuts those only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from minsec.errors import MinsecError
from minsec.scenarios import baseline as base
from minsec.scenarios import engine, results, through
from minsec.scenarios.model import Baseline, Outcome
from minsec.scenarios.spec import Event, Scenario, dump


@dataclass(frozen=True)
class Result:
    """A scenario run: what was asked (spec, seed), on what (baseline), and what came of it."""

    spec: str  # the scenario as YAML, with the run's draws, seed and policy
    seed: int
    draws: int
    baseline: Baseline
    outcome: Outcome

    def summary(self) -> pd.DataFrame:
        """Per mineral: P(shortfall), unmet (t, %, P95, CVaR95), days short, stock, price, loss."""
        return results.summary(self.outcome, self.baseline)

    def draws_table(self) -> pd.DataFrame:
        """One row per draw and mineral."""
        return results.draws_table(self.outcome, self.baseline)


def _targets(event: Event, importer: str, partners: set[str], exports: np.ndarray,
             partner_exports: np.ndarray) -> tuple[float, float]:
    """``(to_importer, to_others)`` of one event at its suppliers' sales."""
    total = exports.sum()
    partner_share = partner_exports.sum() / total if total > 0 else 0.0
    if event.targets == "all":
        return 1.0, 1.0
    if event.targets == "partners":
        return float(importer in partners), float(partner_share)
    if event.targets == "non_partners":
        return float(importer not in partners), float(1 - partner_share)
    return float(importer in event.targets), 0.0


GROUPS = {"rare_earth": "rare_earths"}  # catalogue group -> the commodity its trade is in


def commodity(mineral: str, inputs: base.BaselineInputs) -> str:
    """The engine's commodity: a group member without trade of its own is its group."""
    group = GROUPS.get(inputs.catalogue.get(mineral, ""))
    if group is None or group == mineral:
        return mineral
    return mineral if mineral in inputs.traded else group


def commodities(scenario: Scenario, inputs: base.BaselineInputs) -> dict[str, list[str]]:
    """Each commodity the scenario touches, with the minerals it stands for, in order."""
    out: dict[str, list[str]] = {}
    for mineral in scenario.minerals:
        out.setdefault(commodity(mineral, inputs), []).append(mineral)
    return out


def resolve(scenario: Scenario, baseline: Baseline, partners: set[str],
            inputs: base.BaselineInputs | None = None) -> engine.EventArrays:
    """The scenario's events as the engine's arrays: one row per event and commodity.

    An event that passes through the chain (:mod:`minsec.scenarios.through`) also cuts the
    other suppliers in proportion to the event's countries' ore in their sales.
    """
    rows: list[dict[str, object]] = []
    for event in scenario.events:
        own = np.isin(np.array(baseline.suppliers), list(event.exporters))
        named = [commodity(m, inputs) if inputs is not None else m for m in event.minerals]
        for mineral in dict.fromkeys(named):
            m = baseline.minerals.index(mineral)
            weight = np.where(own, 1.0, 0.0)
            if event.passes_through and inputs is not None and inputs.origin is not None:
                share, said = through.shares_for(inputs.origin, baseline.importer, mineral,
                                                 baseline.year, event.exporters)
                weight = through.weights(baseline.suppliers, event.exporters, share)
                baseline.sources[f"through:{event.id or mineral}:{mineral}"] = said
            mask = weight > 0
            exports = baseline.exports[m, own]
            if event.magnitude is not None:
                low, high = event.magnitude.low, event.magnitude.high
            else:
                sold = float(exports.sum())
                low = high = max(0.0, 1 - float(event.quota_t or 0) / sold) if sold else 0.0
            to_importer, to_others = _targets(event, baseline.importer, partners, exports,
                                              baseline.partner_exports[m, own])
            recovery = event.recovery
            rows.append({"mineral": m, "suppliers": mask, "weights": weight,
                         "probability": event.probability,
                         "ease_low": recovery.after_days.low if recovery else engine.NEVER,
                         "ease_high": recovery.after_days.high if recovery else engine.NEVER,
                         "residual_low": recovery.residual.low if recovery else 1.0,
                         "residual_high": recovery.residual.high if recovery else 1.0,
                         "leakage": event.leakage, "front_run": event.front_run_days,
                         "magnitude_low": low, "magnitude_high": high,
                         "duration_low": event.duration_days.low,
                         "duration_high": event.duration_days.high,
                         "start_low": event.start_day.low, "start_high": event.start_day.high,
                         "to_importer": to_importer, "to_others": to_others})
    def column(name: str) -> np.ndarray:
        return np.array([r[name] for r in rows], dtype=np.float64)
    return engine.EventArrays(
        n_minerals=len(baseline.minerals),
        mineral=np.array([r["mineral"] for r in rows], dtype=np.intp),
        suppliers=np.array([r["suppliers"] for r in rows], dtype=bool).reshape(
            len(rows), len(baseline.suppliers)),
        probability=column("probability"), magnitude_low=column("magnitude_low"),
        magnitude_high=column("magnitude_high"), duration_low=column("duration_low"),
        duration_high=column("duration_high"), start_low=column("start_low"),
        start_high=column("start_high"), to_importer=column("to_importer"),
        to_others=column("to_others"), ease_low=column("ease_low"),
        ease_high=column("ease_high"), residual_low=column("residual_low"),
        residual_high=column("residual_high"), leakage=column("leakage"),
        front_run=column("front_run"),
        weights=np.array([r["weights"] for r in rows], dtype=np.float64).reshape(
            len(rows), len(baseline.suppliers)))


def prepare(scenario: Scenario, inputs: base.BaselineInputs, year: int) -> Baseline:
    """The importer's baseline for the scenario's minerals.

    A mineral without data is kept, with zero imports and its ``missing`` basis, never dropped.
    """
    groups = commodities(scenario, inputs)
    given = {c: scenario.elasticity_of(ms[0]) for c, ms in groups.items()}
    elasticity = {c: e for c, e in given.items() if e is not None}
    at_risk = {commodity(m, inputs): v for m, v in scenario.value_at_risk.items()}
    baseline = base.build_baseline(inputs, scenario.importer, list(groups), year,
                                   allow_missing=True, elasticity=elasticity,
                                   value_at_risk=at_risk)
    for c, ms in groups.items():
        if ms != [c]:
            baseline.sources[f"stands_for:{c}"] = (
                f"{', '.join(ms)}: no trade of their own, counted once as {c} (the group's codes)")
    return baseline


def run(scenario: Scenario, inputs: base.BaselineInputs, year: int,
        dask: str | None = None, baseline: Baseline | None = None,
        progress: Callable[[int, int], None] | None = None) -> Result:
    """Run ``scenario`` (its draws, seed, horizon and stockpile) locally or on Dask.

    ``progress(done, total)``, locally, is called after each block of ``engine.BLOCK`` draws.
    """
    baseline = baseline or prepare(scenario, inputs, year)
    events = resolve(scenario, baseline, set(inputs.partners), inputs)
    policy = scenario.stockpile.policy(baseline.minerals)
    args = (baseline, events, policy, scenario.draws, scenario.seed, scenario.horizon_days)
    if dask:
        from minsec.scenarios.backends import run_dask

        outcome = run_dask(*args, address=dask)
    else:
        chunk = engine.BLOCK if progress else 10_000
        outcome = engine.run_local(*args, chunk=chunk, progress=progress)
    return Result(dump(scenario), scenario.seed, scenario.draws, baseline, outcome)


def compare(scenario: Scenario, inputs: base.BaselineInputs, year: int,
            days: Iterable[float], lags: Iterable[float]) -> pd.DataFrame:
    """The summary under every stockpile policy ``days x lags``, on the same draws."""
    baseline = prepare(scenario, inputs, year)
    frames = []
    for d in days:
        for lag in lags:
            if d < 0 or lag < 0:
                raise MinsecError(f"stockpile days and release lag must be >= 0 (got {d}, {lag})")
            result = run(scenario.with_policy(days=d, lag=lag), inputs, year, baseline=baseline)
            frames.append(result.summary().assign(days_of_cover=d, release_lag=lag))
    return pd.concat(frames, ignore_index=True)
