"""Back-test against the observed events: first-month fall, months to recovery, price multiple.

The observed figures are ``reference/data/event_observed.csv`` (each row with its source):

* **first-month fall** ``1 - exports_first_month / exports_baseline`` of the exporter's sales
  (the first whole month under the control against a month before it);
* **months to recovery** ``recovery_days / 30.44`` (first licences granted, or the first month
  reported partly restored);
* **ex-China price multiple** ``price_after / price_before`` (Rotterdam), or the reported
  ``price_multiple``.

The simulated figures come from the scenario's own draws (:func:`simulated`): the mean over
draws of the cut of the exporter's sales over the first 30 days, the mean days until the cut
eases, and the median price multiple of the engine. Where the scenario's magnitude or recovery
was set from these observations, the comparison is in-sample and says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from minsec.reference import DATA
from minsec.scenarios.baseline import BaselineInputs
from minsec.scenarios.model import NEVER, Baseline, Outcome, Shocks

MONTH = 30.44  # days
COLUMNS = ("scenario", "mineral", "importer", "measure", "simulated", "observed", "error",
           "within", "observed_basis", "source")
TOLERANCE = {"first_month_fall": ("points", 0.15), "months_to_recovery": ("months", None),
             "price_multiple": ("factor", 1.5)}  # issue 14's acceptance bounds


def observations() -> pd.DataFrame:
    """``event_observed.csv``: event, mineral, measure, period, value, unit, note, source_url."""
    return pd.read_csv(DATA / "event_observed.csv")


def observed(table: pd.DataFrame, event: str, mineral: str) -> dict[str, tuple[float, str, str]]:
    """Each observed figure of one event and mineral: ``measure -> (value, basis, source)``."""
    rows = table[table["event"].eq(event) & table["mineral"].eq(mineral)].set_index("measure")

    def row(measure: str) -> pd.Series | None:
        return rows.loc[[measure]].iloc[0] if measure in rows.index else None

    out: dict[str, tuple[float, str, str]] = {}
    base, first = row("exports_baseline"), row("exports_first_month")
    if base is not None and first is not None:
        out["first_month_fall"] = (
            1 - float(first["value"]) / float(base["value"]),
            f"exports {first['period']} {first['value']:g} vs {base['period']} {base['value']:g} "
            f"{base['unit']}", str(first["source_url"]))
    days = row("recovery_days")
    if days is not None:
        out["months_to_recovery"] = (float(days["value"]) / MONTH, str(days["note"]),
                                     str(days["source_url"]))
    before, after, multiple = row("price_before"), row("price_after"), row("price_multiple")
    if before is not None and after is not None:
        out["price_multiple"] = (
            float(after["value"]) / float(before["value"]),
            f"{after['period']} {after['value']:g} vs {before['period']} {before['value']:g} "
            f"{before['unit']}", str(after["source_url"]))
    elif multiple is not None:
        out["price_multiple"] = (float(multiple["value"]), str(multiple["note"]),
                                 str(multiple["source_url"]))
    return out


def first_month_fall(shocks: Shocks, exports: np.ndarray, m: int, days: int = 30) -> float:
    """Mean over draws of the cut of the cutters' sales over the event's first ``days``.

    Per supplier: the cut ``c (1 - leak)`` on the days before it eases, ``c (1 - leak)
    residual`` after, over the ``days`` from its start; weighted by the suppliers' exports.
    """
    cut = shocks.cut[:, m]  # (N, S)
    cutters = (cut > 0).any(axis=0)
    if not cutters.any() or exports[cutters].sum() <= 0:
        return float("nan")
    assert shocks.leakage is not None
    assert shocks.ease is not None
    assert shocks.residual is not None
    level = cut * (1 - shocks.leakage[:, m])
    eased = np.clip(np.ceil(shocks.ease[:, m]), 0, days) / days
    mean = level * (eased + (1 - eased) * shocks.residual[:, m])
    weights = np.where(cutters, exports, 0.0)
    return float((mean @ weights).mean() / weights.sum())


def months_to_recovery(shocks: Shocks, m: int) -> float:
    """Mean days (over the draws that ease) until the cutters' licences ease the cut, in months."""
    assert shocks.ease is not None
    cut = shocks.cut[:, m]
    ease = shocks.ease[:, m][(cut > 0) & (shocks.ease[:, m] < NEVER / 2)]
    return float(ease.mean() / MONTH) if ease.size else float("nan")


def simulated(baseline: Baseline, shocks: Shocks, outcome: Outcome, mineral: str
              ) -> dict[str, float]:
    """The three figures the engine gives for ``mineral`` (see the module docstring)."""
    m = baseline.minerals.index(mineral)
    return {"first_month_fall": first_month_fall(shocks, baseline.exports[m], m),
            "months_to_recovery": months_to_recovery(shocks, m),
            "price_multiple": float(np.nanmedian(outcome.price_jump[:, m]) + 1)}


def error(measure: str, sim: float, obs: float) -> tuple[float, bool | None]:
    """The error in the measure's own terms, and whether it is within issue 14's bound."""
    kind, bound = TOLERANCE[measure]
    if not (np.isfinite(sim) and np.isfinite(obs)):
        return float("nan"), None
    if kind == "factor":
        err = max(sim / obs, obs / sim) if sim > 0 and obs > 0 else float("inf")
        return err, bool(err <= bound) if bound else None
    err = sim - obs
    return err, bool(abs(err) <= bound) if bound else None


def compare(scenario: str, importer: str, baseline: Baseline, shocks: Shocks, outcome: Outcome,
            table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Simulated beside observed for every mineral of the event with observations."""
    table = observations() if table is None else table
    rows = []
    for mineral in sorted(set(table.loc[table["event"].eq(scenario), "mineral"])):
        if mineral not in baseline.minerals:
            continue
        m = baseline.minerals.index(mineral)
        sim = (simulated(baseline, shocks, outcome, mineral) if baseline.computed[m]
               else dict.fromkeys(TOLERANCE, float("nan")))
        seen = observed(table, scenario, mineral)
        for measure in TOLERANCE:
            obs, basis, source = seen.get(measure, (float("nan"), "not in the sources held", ""))
            err, within = error(measure, sim[measure], obs)
            rows.append({"scenario": scenario, "mineral": mineral, "importer": importer,
                         "measure": measure, "simulated": sim[measure], "observed": obs,
                         "error": err, "within": within, "observed_basis": basis,
                         "source": source})
    return pd.DataFrame(rows, columns=list(COLUMNS))



def backtest_event(scenario_id: str, importer: str, year: int,
                   inputs: BaselineInputs) -> pd.DataFrame:
    """Run a library scenario for ``importer`` from the ``year`` baseline; :func:`compare` it."""
    from minsec.scenarios import library, runner
    from minsec.scenarios.backtest import draws_of

    scenario = library.get(scenario_id).replace(importer=importer)
    result = runner.run(scenario, inputs, year)
    resolved = runner.resolve(scenario, result.baseline, set(inputs.partners), inputs)
    shocks = draws_of(resolved, scenario.draws, scenario.seed)
    return compare(scenario_id, importer, result.baseline, shocks, result.outcome).assign(
        year=year)
