"""Back-test of the 2023-2024 export controls: simulated against observed, with draws per second.

For each event (Ga/Ge Aug 2023, graphite Dec 2023, antimony Sep 2024; baseline: the year
before the event) and importer (Korea; the USA, whose germanium imports USGS publishes): the
simulated first-month fall of China's targeted exports, the months until licences ease the
cut and the ex-China price multiple, beside what was observed
(``reference/data/event_observed.csv``; :mod:`minsec.scenarios.events`). ``within``: the fall
within 15 points, the multiple within a factor of 1.5 (issue 14's bounds). The magnitudes and
recoveries of these scenarios were set from the same observations, so the falls and recoveries
are in-sample checks of the engine's plumbing; the price multiples are the test of the market.

    MINSEC_STORE=/tmp/dev/store.duckdb .venv/bin/python benchmarks/backtest_events.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

from minsec.scenarios import events, library, runner
from minsec.scenarios.baseline import BaselineInputs, load_inputs

EVENTS = {"CN-2023-GaGe": 2022, "CN-2023-graphite": 2022, "CN-2024-Sb": 2023}
IMPORTERS = ("KOR", "USA")
REPEATS = 3


def speed(scenario_id: str, importer: str, year: int, inputs: BaselineInputs) -> float:
    """The engine's draws per second on one event (median of :data:`REPEATS` runs)."""
    scenario = library.get(scenario_id).replace(importer=importer)
    baseline = runner.prepare(scenario, inputs, year)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        runner.run(scenario, inputs, year, baseline=baseline)
        times.append(time.perf_counter() - start)
    return scenario.draws / statistics.median(times)


def main() -> None:
    """Print the back-test table and the draws per second."""
    store = os.environ.get("MINSEC_STORE")
    if not store:
        sys.exit("set MINSEC_STORE to a built store (e.g. /tmp/dev/store.duckdb)")
    inputs = load_inputs(Path(store))
    tables, rates = [], []
    for scenario_id, year in EVENTS.items():
        for importer in IMPORTERS:
            tables.append(events.backtest_event(scenario_id, importer, year, inputs))
            rates.append((scenario_id, importer, speed(scenario_id, importer, year, inputs)))
    table = pd.concat(tables, ignore_index=True)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 48)
    shown = table[["scenario", "mineral", "importer", "year", "measure", "simulated", "observed",
                   "error", "within", "observed_basis"]]
    print(shown.to_string(index=False, float_format=lambda x: f"{x:,.2f}", na_rep="-"))
    print("\nengine speed (median of 3 runs, the scenario's draws):")
    for scenario_id, importer, per_s in rates:
        print(f"  {scenario_id} {importer}: {per_s:,.0f} draws/s")
    held = table["within"].dropna()
    print(f"\nwithin bounds: {int(held.sum())} of {len(held)} comparisons")


if __name__ == "__main__":
    main()
