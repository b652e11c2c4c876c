"""Latency of the JSON twins while a 20,000-draw scenario job runs (issue 13).

Starts ``minsec serve`` (store from ``MINSEC_STORE`` or ``--store``) on a free loopback port,
warms the twins, then runs ``--clients`` clients over the twins for ``--seconds`` twice: with
no job, and while a ``--draws`` scenario job runs (resubmitted whenever it finishes, so a job
runs for the whole phase). Prints p50, p95, p99 of each phase against the target: with a job,
p95 < 100 ms and p99 < 300 ms.

``--threads`` runs the same job phase with the job in a thread of the server instead (the
behaviour before jobs moved to worker processes), for comparison.

    MINSEC_STORE=/tmp/dev/store.duckdb .venv/bin/python benchmarks/bench_load.py --threads
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
from bench_serve import TWINS, free_port, load, wait_ready, warm

TARGET_P95, TARGET_P99 = 100.0, 300.0
JOB = {"scenario": "CN-2023-GaGe", "draws": "20000"}


def start(store: Path, port: int, threads: bool) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "MINSEC_TOKEN"}
    code = ("import sys; from minsec.cli import app; sys.argv = ['minsec', *sys.argv[1:]]; "
            "app()")
    if threads:  # the job in a thread of the server: run its work in place of a worker
        code = ("import threading\nfrom minsec.web import jobs\n"
                "from minsec.web.jobs import Jobs\n"
                "def submit(self, kind, params, work, *args, stamp=(None, None)):\n"
                "    job = jobs.Job('%016x' % len(self._jobs), kind, params)\n"
                "    self._jobs[job.id] = job\n"
                "    def run():\n"
                "        from minsec.web import tasks\n"
                "        status, value = tasks.execute(job.id, stamp, work, args)\n"
                "        job.status, job.result = status, value\n"
                "    job.status = 'running'; threading.Thread(target=run, daemon=True).start()\n"
                "    return job\n"
                "Jobs.submit = submit\n" + code)
    return subprocess.Popen([sys.executable, "-c", code, "serve", "--port", str(port),
                             "--store", str(store), "--warm", ""], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def keep_a_job_running(base: str, stop: threading.Event, runs: list[float]) -> None:
    while not stop.is_set():
        began = time.perf_counter()
        job = httpx.post(base + "/scenarios/run", data=JOB, timeout=120).json()["id"]
        while not stop.is_set():
            state = httpx.get(f"{base}/jobs/{job}.json", timeout=30).json()
            if state["status"] in ("done", "failed"):
                runs.append(time.perf_counter() - began)
                break
            time.sleep(0.5)


def phase(base: str, clients: int, seconds: float, job: bool) -> tuple[np.ndarray, int, int]:
    stop, runs = threading.Event(), []
    worker = threading.Thread(target=keep_a_job_running, args=(base, stop, runs))
    if job:
        worker.start()
        time.sleep(3)  # the job is running (its worker has loaded the store)
    latencies, errors = asyncio.run(load(base, clients, seconds))
    stop.set()
    if job:
        worker.join()
    return np.array(latencies) * 1000, len(errors), len(runs)


def report(name: str, ms: np.ndarray, errors: int, seconds: float) -> tuple[float, float]:
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    print(f"{name:<22} requests {len(ms):>6}  {len(ms) / seconds:>5.0f} req/s  p50 {p50:6.1f}"
          f"  p95 {p95:6.1f}  p99 {p99:6.1f}  max {ms.max():7.1f} ms  errors {errors}")
    return float(p95), float(p99)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=os.environ.get("MINSEC_STORE"))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", action="store_true", help="also the thread-pool server")
    args = parser.parse_args()
    if args.store is None or not Path(args.store).is_file():
        raise SystemExit("give a built store: --store FILE or MINSEC_STORE")
    print(f"{args.clients} clients x {args.seconds:.0f} s over {len(TWINS)} JSON twins; job: "
          f"{JOB['scenario']}, {int(JOB['draws']):,} draws; {os.cpu_count()} CPUs")
    results = {}
    for threads in ([False, True] if args.threads else [False]):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start(Path(args.store), port, threads)
        try:
            wait_ready(base, proc)
            warm(base)
            kind = "thread" if threads else "process"
            if not threads:
                ms, errors, _ = phase(base, args.clients, args.seconds, job=False)
                results["no job"] = report("no job", ms, errors, args.seconds)
            ms, errors, runs = phase(base, args.clients, args.seconds, job=True)
            results[kind] = report(f"job in a {kind}", ms, errors, args.seconds)
            print(f"{'':<22} ({runs} job(s) finished during the phase)")
        finally:
            proc.terminate()
            proc.wait(15)
    p95, p99 = results["process"]
    ok = p95 < TARGET_P95 and p99 < TARGET_P99
    print(f"target with a job: p95 < {TARGET_P95:.0f} ms, p99 < {TARGET_P99:.0f} ms -> "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
