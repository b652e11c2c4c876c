"""Benchmark: ``minsec report`` end to end (HTML, PDF, XLSX) on a built store.

Each run is a fresh subprocess writing into a temporary directory; prints the median wall time.
Target (issue 7): <= 60 s end to end on a built store.

    MINSEC_STORE=/tmp/dev.duckdb python benchmarks/bench_report.py [--runs 3] [--importer KOR]
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

TARGET_S = 60.0


def run_report(importer: str, draws: int) -> float:
    """Wall seconds of one ``minsec report`` in its own process (exits on failure)."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", "from minsec.cli import app; app()",
                                 "report", "--importer", importer, "--out", tmp,
                                 "--draws", str(draws)],
                                capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        if result.returncode:
            sys.exit(f"report failed: {(result.stderr or result.stdout).strip()}")
        written = sorted(p.suffix for p in Path(tmp).iterdir())
        if written != [".html", ".pdf", ".xlsx"]:
            sys.exit(f"report wrote {written}, not HTML, PDF and XLSX")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--importer", default="KOR")
    parser.add_argument("--draws", type=int, default=2000)
    args = parser.parse_args()
    if not os.environ.get("MINSEC_STORE"):
        sys.exit("set MINSEC_STORE to a built store (minsec data build)")
    runs = [run_report(args.importer, args.draws) for _ in range(args.runs)]
    median = statistics.median(runs)
    print(f"cpus={os.cpu_count()} runs={args.runs} importer={args.importer} "
          f"draws={args.draws} (each run a fresh process)")
    print(f"minsec report   : {median:6.1f} s   (target <= {TARGET_S:.0f} s: "
          f"{'met' if median <= TARGET_S else 'MISSED'})  "
          f"runs {', '.join(f'{x:.1f}' for x in runs)}")


if __name__ == "__main__":
    main()
