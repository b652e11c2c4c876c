"""Benchmark: a full ``minsec data build`` from scratch, and a rebuild with nothing changed.

Runs each in a fresh subprocess (so peak RSS is the build's own) and prints medians.
Targets (issue 2): full build <= 60 s and <= 2 GB peak RSS on 2 cores; no-op rebuild <= 2 s;
the two largest readers (the WGI workbook, BACI's HS92 subset) each <= 5 s.

    python benchmarks/bench_build.py [--runs 3]      # MINSEC_SOURCES must name the files
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_build(store: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``minsec data build`` in its own process."""
    env = os.environ | {"MINSEC_STORE": str(store)}
    code = "import minsec.store as s; s.build()"
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code + "\nimport resource;"
                             "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
                            env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"build failed: {result.stderr.strip().splitlines()[-1]}")
    return wall, int(result.stdout.split()[-1]) / 1024


def read_seconds(runs: int) -> dict[str, float]:
    """Median seconds of the largest readers, each read whole from the sources directory."""
    from minsec.sources import baci, wgi

    root = Path(os.environ["MINSEC_SOURCES"])
    readers = {"WGI 2024 workbook": lambda: wgi.read_2024(root, []),
               "BACI HS92 subset": lambda: baci.read(root, [])}
    out = {}
    for name, read in readers.items():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            read()
            times.append(time.perf_counter() - started)
        out[name] = statistics.median(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("MINSEC_SOURCES"):
        sys.exit("set MINSEC_SOURCES to the directory of official files (e.g. ../shared/data)")
    full, rss, noop, size = [], [], [], 0.0
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            store = Path(tmp) / "bench.duckdb"
            wall, peak = run_build(store)
            full.append(wall)
            rss.append(peak)
            size = store.stat().st_size / 2**20
            noop.append(run_build(store)[0])
    print(f"cpus={os.cpu_count()} runs={args.runs} (medians; each run a fresh process)")
    print(f"full build      : {statistics.median(full):6.1f} s   (target <= 60 s)  "
          f"runs {', '.join(f'{x:.1f}' for x in full)}")
    print(f"peak RSS        : {statistics.median(rss):6.0f} MiB (target <= 2048 MiB)")
    print(f"store size      : {size:6.1f} MiB")
    print(f"no-op rebuild   : {statistics.median(noop):6.2f} s   (target <= 2 s; includes "
          f"Python start-up and hashing every file)  runs {', '.join(f'{x:.2f}' for x in noop)}")
    for name, seconds in read_seconds(args.runs).items():
        print(f"read {name:17s}: {seconds:6.2f} s   (target <= 5 s)")


if __name__ == "__main__":
    main()
