"""Benchmark: GeoPolRisk, and the import structure by form, for all importers x years.

minsec against geopolrisk-py 2.0.1, in the same run.

minsec: ``load_inputs`` (the store reads) and ``compute`` (everything else) timed apart,
medians of ``--runs``. The peer, when a Python with geopolrisk-py 2.0.1 is found (``--peer``,
default /tmp/venv-gpr/bin/python), runs in a subprocess: its import (which reads its three
SQLite databases), then ``gprs_calc`` on 4 countries x 5 materials x 4 years, of which its
trade-mapping step (``mapped_baci``, redone inside every call) is also timed alone.
Targets: minsec load + compute <= 3 s; >= 1000x faster per combination.

    MINSEC_STORE=/tmp/dev.duckdb python benchmarks/bench_geopolrisk.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from minsec import tables
from minsec.indicators import geopolrisk as G
from minsec.indicators import trade_forms

PEER_PYTHON = "/tmp/venv-gpr/bin/python"
PEER_CALL = ([2021, 2022, 2023, 2024], ["Rep. of Korea", "USA", "Japan", "Germany"],
             ["Cobalt", "Lithium", "Nickel", "Graphite", "Rare earth"])
PEER_CODE = """
import json, sys, time
t0 = time.perf_counter()
from geopolrisk.assessment import utils
from geopolrisk.assessment.main import gprs_calc
load = time.perf_counter() - t0
years, countries, materials = json.loads(sys.argv[1])
mapping, calc = [], []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter(); utils.mapped_baci(); mapping.append(time.perf_counter() - t)
    t = time.perf_counter(); out = gprs_calc(years, countries, materials)
    calc.append(time.perf_counter() - t)
print(json.dumps({"load": load, "mapping": mapping, "calc": calc, "rows": len(out)}))
"""


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def listed(xs: list[float], digits: int = 3) -> str:
    return ", ".join(f"{x:.{digits}f}" for x in xs)


def bench_minsec(store: Path, runs: int) -> tuple[float, float, int]:
    """Median load and compute seconds, and the number of results."""
    load, compute, rows = [], [], 0
    for _ in range(runs):
        t = time.perf_counter()
        inputs = G.load_inputs(store)
        load.append(time.perf_counter() - t)
        t = time.perf_counter()
        rows = len(G.compute(inputs))
        compute.append(time.perf_counter() - t)
    print(f"minsec load_inputs : {median(load):7.3f} s   runs {listed(load)}")
    print(f"minsec compute     : {median(compute):7.3f} s   runs {listed(compute)}")
    print(f"minsec total       : {median(load) + median(compute):7.3f} s   (target <= 3 s) for "
          f"{rows} importer x material x year results (regions included)")
    return median(load), median(compute), rows


def bench_imports(store: Path, runs: int) -> tuple[float, float, int]:
    """Median load and compute seconds of the import structure of every importer.

    Load: the store's trade records of every source joined to the form concordance, one
    basis per flow (``tables.mineral_trade``, its cache cleared each run). Compute:
    ``trade_forms.structure`` for every importer x mineral x form x year (and the minerals'
    scopes). Target: compute < 3 s (issue 11).
    """
    load, compute, rows = [], [], 0
    for _ in range(runs):
        tables._flows.cache_clear()
        t = time.perf_counter()
        trade, members = tables.mineral_trade(store), tables.membership(store)
        load.append(time.perf_counter() - t)
        t = time.perf_counter()
        rows = len(trade_forms.structure(trade, members))
        compute.append(time.perf_counter() - t)
    print(f"imports load       : {median(load):7.3f} s   runs {listed(load)} "
          f"({len(trade):,} flows of every form, one basis each)")
    print(f"imports compute    : {median(compute):7.3f} s   runs {listed(compute)} for {rows:,} "
          "importer x mineral x form (and scope) x year rows (target < 3 s)")
    return median(load), median(compute), rows


def bench_peer(python: str, runs: int) -> dict | None:
    """The peer's timings from a subprocess, or None when it cannot run."""
    if not Path(python).exists():
        print(f"peer: {python} not found; skipped (see tests/data/make_geopolrisk_sample.py)")
        return None
    with tempfile.TemporaryDirectory() as home:  # the peer writes under ~/Documents
        done = subprocess.run([python, "-c", PEER_CODE, json.dumps(PEER_CALL), str(runs)],
                              env=os.environ | {"HOME": home}, capture_output=True, text=True,
                              check=False)
    if done.returncode:
        print(f"peer failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    result: dict = json.loads(done.stdout.strip().splitlines()[-1])
    n = result["rows"]
    calc, mapping = median(result["calc"]), median(result["mapping"])
    print(f"peer import (load) : {result['load']:7.3f} s")
    years, countries, materials = (len(x) for x in PEER_CALL)
    print(f"peer gprs_calc     : {calc:7.3f} s   runs {listed(result['calc'], 2)} for {n} "
          f"combinations ({countries} countries x {materials} materials x {years} years)")
    print(f"  of which mapping : {mapping:7.3f} s   (mapped_baci, redone by every call)")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--peer", default=PEER_PYTHON, help="a Python with geopolrisk-py")
    parser.add_argument("--peer-runs", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("MINSEC_STORE"):
        sys.exit("set MINSEC_STORE to a built store (e.g. /tmp/dev.duckdb)")
    store = Path(os.environ["MINSEC_STORE"])
    print(f"cpus={os.cpu_count()} store={store} (medians)")
    load, compute, rows = bench_minsec(store, args.runs)
    i_load, i_compute, _ = bench_imports(store, args.runs)
    print(f"GeoPolRisk + imports, load + compute: {load + compute + i_load + i_compute:.3f} s "
          "(target <= 3 s)")
    peer = bench_peer(args.peer, args.peer_runs)
    if peer is None:
        return
    n = peer["rows"]
    ours = compute / rows
    theirs, loop = median(peer["calc"]) / n, (median(peer["calc"]) - median(peer["mapping"])) / n
    print(f"per combination    : minsec {ours * 1e6:8.1f} us   peer {theirs * 1e3:8.1f} ms   "
          f"ratio {theirs / ours:8.0f}x (target >= 1000x)")
    print(f"  peer loop only   : {loop * 1e3:8.1f} ms   ratio {loop / ours:8.0f}x "
          "(gprs_calc without its mapped_baci step)")
    with_load = ((peer["load"] + median(peer["calc"])) / n) / ((load + compute) / rows)
    print(f"  with loading     : ratio {with_load:8.0f}x (each side's load + compute)")


if __name__ == "__main__":
    main()
