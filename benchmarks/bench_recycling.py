"""Benchmark: the recycling model, all 4 cohorts x 7 minerals, 2000-2050 (target <= 5 s).

Times :func:`minsec.outlook.recycling.run` end to end (inflows from the IEA demand, flodym's
system built and computed with its mass-balance check, the tidy tables), the median of
``--runs`` (>= 5) in one process after one warm-up run, on the defaults' copy of the IEA demand
and, with ``MINSEC_STORE`` pointing at a built store, on the store's (read once, timed apart).
Then the median of each step on the store's demand (or the defaults'), and each lifetime
distribution.

    MINSEC_STORE=/tmp/dev.duckdb .venv/bin/python benchmarks/bench_recycling.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from minsec.outlook import recycling as R
from minsec.outlook.recycling_config import default_demand, load_config

TARGET_S = 5.0


def timed(label: str, call: Callable[[], Any], runs: int) -> float:
    """Median seconds of ``runs`` calls of ``call`` (after one warm-up), printed."""
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"{label:<52} median {median * 1e3:8.1f} ms  (min {min(times) * 1e3:.1f}, "
          f"max {max(times) * 1e3:.1f}, n={runs})")
    return median


def store_demand() -> pd.DataFrame | None:
    """The store's IEA demand if ``MINSEC_STORE`` names a built store; timed once."""
    path = os.environ.get("MINSEC_STORE")
    if not path or not Path(path).is_file():
        print("(no store: set MINSEC_STORE to time the run on the store's demand)")
        return None
    start = time.perf_counter()
    demand = R.load_inputs(Path(path))
    print(f"{'load_inputs(store), once':<52} {(time.perf_counter() - start) * 1e3:8.1f} ms")
    return demand


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = max(parser.parse_args().runs, 5)
    config = load_config()
    years = config.last_year - config.first_year + 1
    print(f"cohorts x minerals x years = 4 x 7 x {years}; flodym cohort matrix "
          f"{years} x {years} x 4 x 7")
    worst = timed("run(), defaults' IEA demand", lambda: R.run(config), runs)
    demand = store_demand()
    if demand is not None:
        worst = max(worst, timed("run(config, load_inputs(store))", lambda: R.run(config, demand),
                                 runs))
    source = demand if demand is not None else default_demand()
    inflow = R.calc_inflow(source, config)
    mfa = R.build(config, inflow)
    timed("  calc_inflow", lambda: R.calc_inflow(source, config), runs)
    timed("  build (flodym: definition, reader, compute, check)", lambda: R.build(config, inflow),
          runs)
    timed("  tables (flows, secondary supply, share)", lambda: (
        R.flows_table(mfa, config), R.recycled_share(
            R.secondary_supply(mfa), R.calc_demand(demand, config, inflow))), runs)
    for name in ("foldednormal", "lognormal"):
        other = load_config(overrides={"lifetime_distribution": name})
        timed(f"run(), {name} lifetimes", lambda c=other: R.run(c, demand), runs)
    verdict = "OK" if worst <= TARGET_S else "OVER"
    print(f"slowest full run: {worst:.3f} s (target <= {TARGET_S:.0f} s): {verdict}")


if __name__ == "__main__":
    main()
