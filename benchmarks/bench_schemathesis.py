"""A longer schemathesis run against a live ``minsec serve`` (issue 13), outside ``make test``.

Starts the server on a free loopback port (store from ``MINSEC_STORE`` or ``--store``), warms
its pages, then runs the schemathesis CLI over the OpenAPI document with every phase
(examples, coverage, fuzzing, stateful) and these checks: no 5xx, status codes, content types
and response bodies conforming to the document. Prints the cases run, the failures by check
and the wall time; exits non-zero if any check failed.

    MINSEC_STORE=/tmp/dev/store.duckdb .venv/bin/python benchmarks/bench_schemathesis.py -n 30
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench_serve import free_port, start, wait_ready, warm

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance")


def tally(ndjson: Path) -> tuple[int, Counter[str]]:
    """``(cases, failures by check)`` from schemathesis' NDJSON event stream."""
    cases, failed = 0, Counter[str]()
    for line in ndjson.read_text(encoding="utf-8").splitlines():
        recorder = (json.loads(line).get("ScenarioFinished") or {}).get("recorder") or {}
        cases += len(recorder.get("cases", {}))
        for checks in recorder.get("checks", {}).values():
            failed.update(c["name"] for c in checks if str(c["status"]).lower() == "failure")
    return cases, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=os.environ.get("MINSEC_STORE"))
    parser.add_argument("-n", "--max-examples", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20230801)
    args = parser.parse_args()
    if args.store is None:
        raise SystemExit("give --store or set MINSEC_STORE")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(args.store, port)
    try:
        wait_ready(base, proc)
        print(f"warm: {warm(base):.1f} s")
        exe = Path(sys.executable).parent / "schemathesis"
        with tempfile.TemporaryDirectory() as tmp:
            events = Path(tmp) / "events.ndjson"
            began = time.perf_counter()
            run = subprocess.run(
                [str(exe), "run", f"{base}/openapi.json", "--checks", CHECKS,
                 "--max-examples", str(args.max_examples), "--seed", str(args.seed),
                 "--request-timeout", "120", "--continue-on-failure", "--no-color",
                 "--report", "ndjson", "--report-ndjson-path", str(events)],
                capture_output=True, text=True, check=False)
            seconds = time.perf_counter() - began
            cases, failed = tally(events)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    print("\n".join(run.stdout.splitlines()[-25:]))
    print(f"schemathesis: {cases:,} cases in {seconds:.0f} s, max {args.max_examples} examples "
          f"per operation, seed {args.seed}")
    for check in CHECKS.split(","):
        print(f"  {check:28s} {failed.get(check, 0):5d} failed")
    sys.exit(run.returncode)


if __name__ == "__main__":
    main()
