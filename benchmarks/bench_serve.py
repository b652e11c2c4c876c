"""Load test of ``minsec serve``: concurrent clients over the JSON twins of the pages.

Starts ``minsec serve`` in a subprocess on a free loopback port (store from ``MINSEC_STORE``
or ``--store``), warms every twin once, then runs ``--clients`` concurrent clients for
``--seconds`` over the twins in turn, and prints p50, p95, throughput and errors against the
target (issue 7): p95 <= 300 ms with no errors, 16 clients for 30 s.

    MINSEC_STORE=/tmp/dev.duckdb .venv/bin/python benchmarks/bench_serve.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

TWINS = ["/index.json", "/index.json?importer=JPN", "/minerals/gallium.json",
         "/minerals/lithium.json", "/scenarios.json", "/portfolio.json", "/outlook.json",
         "/targets.json", "/data.json"]
TARGET_P95_MS = 300.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start(store: Path, port: int) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).parent / "minsec"
    env = {k: v for k, v in os.environ.items() if k != "MINSEC_TOKEN"}
    return subprocess.Popen([str(exe), "serve", "--port", str(port), "--store", str(store)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_ready(base: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(base + "/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("server did not answer within 60 s")


def warm(base: str) -> float:
    start_time = time.perf_counter()
    for url in TWINS:
        r = httpx.get(base + url, timeout=300)
        r.raise_for_status()
    return time.perf_counter() - start_time


async def client(base: str, offset: int, until: float, latencies: list[float],
                 errors: list[str]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        i = offset
        while time.perf_counter() < until:
            url = TWINS[i % len(TWINS)]
            i += 1
            t0 = time.perf_counter()
            try:
                r = await http.get(url)
                if r.status_code != 200:
                    errors.append(f"{url}: {r.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"{url}: {exc!r}")
            latencies.append(time.perf_counter() - t0)


async def load(base: str, clients: int, seconds: float) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    until = time.perf_counter() + seconds
    await asyncio.gather(*(client(base, n, until, latencies, errors) for n in range(clients)))
    return latencies, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=os.environ.get("MINSEC_STORE"))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    if args.store is None or not Path(args.store).is_file():
        raise SystemExit("give a built store: --store FILE or MINSEC_STORE")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(Path(args.store), port)
    try:
        wait_ready(base, proc)
        warmup = warm(base)
        began = time.perf_counter()
        latencies, errors = asyncio.run(load(base, args.clients, args.seconds))
        elapsed = time.perf_counter() - began
    finally:
        proc.terminate()
        proc.wait(10)
    ms = np.array(latencies) * 1000
    p50, p95 = np.percentile(ms, 50), np.percentile(ms, 95)
    ok = p95 <= TARGET_P95_MS and not errors
    print(f"minsec serve: {args.clients} clients x {args.seconds:.0f} s over {len(TWINS)} "
          f"JSON twins (warm-up {warmup:.1f} s)")
    print(f"requests {len(ms)}  throughput {len(ms) / elapsed:.0f} req/s  p50 {p50:.1f} ms  "
          f"p95 {p95:.1f} ms  max {ms.max():.1f} ms  errors {len(errors)}")
    print(f"target: p95 <= {TARGET_P95_MS:.0f} ms, no errors -> {'met' if ok else 'MISSED'}")
    for error in sorted(set(errors))[:5]:
        print(f"  error: {error}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
