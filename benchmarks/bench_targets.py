"""Benchmark: the full targets report for KOR and EU27.

One run = the store read (``assessment.load``), the recycling model's base run (when
``minsec.outlook.recycling`` is there), every measure and ``track`` for KOR and EU27, and the
levers with the real recycling model re-run for collection and recovery (no stub); without
the recycling module, the levers run without it (stockpile and MSP rows only). The parts are
timed apart; reported: medians of ``--runs`` (>= 3) in one process. Target: <= 10 s.

    MINSEC_STORE=/tmp/dev.duckdb .venv/bin/python benchmarks/bench_targets.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from minsec import assessment
from minsec.outlook import targets as T

IMPORTERS = ("KOR", "EU27")
TARGET_S = 10.0


def _recycling() -> tuple[Any, Callable[[], pd.DataFrame]] | None:
    try:
        from minsec.outlook import recycling
    except ImportError:
        return None
    return recycling, lambda: recycling.load_inputs()


def report(timings: dict[str, list[float]]) -> dict[str, pd.DataFrame]:
    """One full report; each part's seconds are appended to ``timings``."""
    def timed(name: str, call: Callable[[], Any]) -> Any:
        t0 = time.perf_counter()
        value = call()
        timings.setdefault(name, []).append(time.perf_counter() - t0)
        return value

    start = time.perf_counter()
    inputs = timed("store read", assessment.load)
    targets = T.load_targets()
    found = _recycling()
    recycled, rerun = None, None
    if found is not None:
        recycling, load = found
        demand = timed("recycling inputs", load)
        recycled = timed("recycling run", lambda: recycling.run(demand=demand).recycled_share)
        rerun = T.recycling_rerun(demand=demand)
    out = {}
    for importer in IMPORTERS:
        tracked = timed(f"measures + track {importer}",
                        lambda i=importer: T.tracker(inputs, i, recycled=recycled,
                                                     targets=targets))
        mine = targets[targets["importer"].eq(importer)]
        scopes = {s: T.scope_minerals(s, aggregates=True) for s in set(mine["scope"])
                  if s.startswith(("kr_", "eu_"))}
        lever = timed(f"levers {importer}",
                      lambda m=mine, t=tracked, s=scopes: T.levers(m, t, s, recycled, rerun))
        out[importer], out[f"{importer} levers"] = tracked, lever
    timings.setdefault("total", []).append(time.perf_counter() - start)
    return out


def main() -> None:
    """Run the report ``--runs`` times and print the medians and the last tables."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = max(3, parser.parse_args().runs)
    timings: dict[str, list[float]] = {}
    for _ in range(runs):
        tables = report(timings)
    with pd.option_context("display.width", 200, "display.max_columns", 20,
                           "display.max_colwidth", 60):
        for name, table in tables.items():
            shown = table.drop(columns=["source", "note"], errors="ignore")
            print(f"\n{name}\n{shown.round(2).to_string(index=False)}")
    print(f"\nmedians of {runs} runs (one process):")
    for name, seconds in timings.items():
        print(f"  {name:<24} {statistics.median(seconds):7.3f} s")
    total = statistics.median(timings["total"])
    levers = "with the recycling model" if _recycling() else "without the recycling model"
    print(f"full targets report KOR + EU27, levers {levers}: {total:.2f} s "
          f"(target <= {TARGET_S:.0f} s: {'met' if total <= TARGET_S else 'NOT met'})")


if __name__ == "__main__":
    main()
