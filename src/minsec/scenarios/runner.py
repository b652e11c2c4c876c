"""Run a scenario: its events resolved against the importer's baseline, drawn, summarised.

A :class:`Result` carries the spec (as YAML), the seed, the baseline's basis per mineral, the
tidy draws and the summary. Comparing stockpile policies reuses the baseline and the seed, so
the policies meet the same draws (common random numbers).

Resolution choices (ours): an event hits the stage the importer's trade is measured at (the
baseline's), whatever its own ``stage``; a quota becomes the cut ``1 - quota / exports`` of
the exporters together; ``targets``: ``all`` cuts the importer and every other buyer;
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
from minsec.scenarios import engine, results
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


def resolve(scenario: Scenario, baseline: Baseline, partners: set[str]) -> engine.EventArrays:
    """The scenario's events as the engine's arrays: one row per event and mineral."""
    rows: list[dict[str, object]] = []
    for event in scenario.events:
        mask = np.isin(np.array(baseline.suppliers), list(event.exporters))
        for mineral in event.minerals:
            m = baseline.minerals.index(mineral)
            exports = baseline.exports[m, mask]
            if event.magnitude is not None:
                low, high = event.magnitude.low, event.magnitude.high
            else:
                sold = float(exports.sum())
                low = high = max(0.0, 1 - float(event.quota_t or 0) / sold) if sold else 0.0
            to_importer, to_others = _targets(event, baseline.importer, partners, exports,
                                              baseline.partner_exports[m, mask])
            rows.append({"mineral": m, "suppliers": mask, "probability": event.probability,
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
        to_others=column("to_others"))


def prepare(scenario: Scenario, inputs: base.BaselineInputs, year: int) -> Baseline:
    """The importer's baseline for the scenario's minerals.

    A mineral without data is kept, with zero imports and its ``missing`` basis, never dropped.
    """
    elasticity = {m: scenario.elasticity_of(m) for m in scenario.minerals}
    return base.build_baseline(inputs, scenario.importer, scenario.minerals, year,
                               allow_missing=True, elasticity=elasticity,
                               value_at_risk=dict(scenario.value_at_risk))


def run(scenario: Scenario, inputs: base.BaselineInputs, year: int,
        dask: str | None = None, baseline: Baseline | None = None,
        progress: Callable[[int, int], None] | None = None) -> Result:
    """Run ``scenario`` (its draws, seed, horizon and stockpile) locally or on Dask.

    ``progress(done, total)``, locally, is called after each block of ``engine.BLOCK`` draws.
    """
    baseline = baseline or prepare(scenario, inputs, year)
    events = resolve(scenario, baseline, set(inputs.partners))
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
