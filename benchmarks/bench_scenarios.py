"""Benchmark: the scenario engine, 10,000 draws x 33 minerals x every supplier x 365 days.

Baseline: Korea's 33 critical minerals (kr_critical_2023). With ``MINSEC_STORE`` set and
``minsec.scenarios.baseline.build_baseline`` present, the real one from the store (2023,
minerals without import data kept at zero imports); otherwise
(or if that fails) a synthetic, seeded one: 60 suppliers, a dominant supplier per mineral,
the importer buying from ~15 of them. 2-3 events per mineral (the top supplier cuts to all,
the second to the importer only, sometimes a group of three to non-partners).

Reported: median of ``--runs`` (>= 3) in one process and throughput in draw.mineral.days/s
(target <= 5 s); a plain per-draw Python loop (draw, mineral, day, supplier) on 100 draws
and the ratio (target >= 50x), checked equal to the engine; the growth 1e3 -> 1e5 draws
(chunks of 10,000); a local Dask cluster (2 processes), with and without its start-up.

    MINSEC_STORE=/tmp/dev.duckdb .venv/bin/python benchmarks/bench_scenarios.py [--runs 3]
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import fields
from functools import partial
from pathlib import Path

import numpy as np

from minsec import reference
from minsec.scenarios import backends
from minsec.scenarios import engine as E
from minsec.scenarios.model import Baseline, Outcome, Policy, Shocks

DRAWS, HORIZON, SEED, N_SUPPLIERS, YEAR = 10_000, 365, 2023, 60, 2023


def synthetic_baseline(minerals: list[str], n_suppliers: int = N_SUPPLIERS,
                       seed: int = 7) -> Baseline:
    """A seeded stand-in for the store: lognormal exports, one dominant supplier a mineral."""
    rng = np.random.default_rng(seed)
    m, s = len(minerals), n_suppliers
    exports = rng.lognormal(6.0, 1.5, (m, s)) * (rng.random((m, s)) < 0.6)
    top = rng.integers(0, 5, m)  # a handful of countries dominate most minerals
    exports[np.arange(m), top] = exports.sum(axis=1) * rng.uniform(0.6, 3.0, m)
    buys = rng.random((m, s)) < 0.25
    buys[np.arange(m), top] = True
    imports = exports * buys * rng.uniform(0.01, 0.2, (m, s))
    spare = exports * rng.uniform(0.0, 0.15, (m, s))
    price = rng.lognormal(9.0, 1.5, m)
    return Baseline(
        importer="KOR", year=2023, minerals=tuple(minerals),
        suppliers=tuple(f"S{i:02d}" for i in range(s)), imports=imports, exports=exports,
        partner_exports=exports * 0.3, spare_capacity=spare,
        demand=imports.sum(axis=1) * rng.uniform(1.0, 1.3, m),
        world_supply=exports.sum(axis=1) * 1.3, price=price,
        elasticity=-rng.uniform(0.1, 0.5, m), value_at_risk=price * rng.uniform(5, 50, m),
        basis=("synthetic",) * m, sources={"all": "benchmarks/bench_scenarios.py, seeded"},
        ramp_days=rng.uniform(30, 180, m), supply_elasticity=rng.uniform(0.0, 0.5, m),
        price_cap=np.full(m, 5.0))


def store_baseline(minerals: list[str]) -> tuple[Baseline | None, str]:
    """The real Korean baseline from the store, if it builds; else the minerals that do."""
    store = os.environ.get("MINSEC_STORE")
    if not store:
        return None, "MINSEC_STORE not set"
    try:
        module = importlib.import_module("minsec.scenarios.baseline")
        inputs = module.load_inputs(Path(store))
    except Exception as exc:  # noqa: BLE001 - any failure means: use the synthetic one
        return None, f"{type(exc).__name__}: {exc}"

    def build(names: list[str]) -> Baseline:
        baseline: Baseline = module.build_baseline(inputs, "KOR", names, YEAR, allow_missing=True)
        return baseline

    try:
        return build(minerals), "complete"
    except Exception as exc:  # noqa: BLE001
        why = f"{type(exc).__name__}: {exc}"
    kept = []
    for mineral in minerals:
        try:
            build([mineral])
            kept.append(mineral)
        except Exception:  # noqa: BLE001 - a mineral that does not build is left out
            continue
    return (build(kept) if kept else None), why


def scenario_events(baseline: Baseline, seed: int = 11) -> E.EventArrays:
    """2-3 events a mineral: top supplier to all, second to the importer, a group of three."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[int, list[int], float, float, float, float, float]] = []
    for m in range(len(baseline.minerals)):
        order = np.argsort(-baseline.exports[m])
        rows.append((m, [int(order[0])], rng.uniform(0.1, 0.3), 0.3, 1.0, 1.0, 1.0))
        rows.append((m, [int(order[1])], rng.uniform(0.05, 0.1), 0.5, 1.0, 1.0, 0.0))
        if rng.random() < 0.5:
            rows.append((m, [int(i) for i in order[2:5]], 0.05, 0.2, 0.6, 0.0, 0.6))
    k, s = len(rows), len(baseline.suppliers)
    mask = np.zeros((k, s), dtype=bool)
    for i, row in enumerate(rows):
        mask[i, row[1]] = True
    col = np.array([[r[2], r[3], r[4], r[5], r[6]] for r in rows]).T
    return E.EventArrays(
        n_minerals=len(baseline.minerals), mineral=np.array([r[0] for r in rows]),
        suppliers=mask, probability=col[0], magnitude_low=col[1], magnitude_high=col[2],
        duration_low=np.full(k, 30.0), duration_high=np.full(k, 270.0),
        start_low=np.zeros(k), start_high=np.full(k, 300.0), to_importer=col[3],
        to_others=col[4], ease_low=np.full(k, 30.0), ease_high=np.full(k, 120.0),
        residual_low=np.full(k, 0.2), residual_high=np.full(k, 0.8), leakage=np.full(k, 0.05),
        front_run=np.full(k, 10.0))


def python_loop(b: Baseline, shocks: Shocks, policy: Policy, horizon: int) -> np.ndarray:
    """Unmet tonnes (N, M) by plain loops: draw, mineral, day, supplier; Python floats.

    The engine's physics (module docstring of :mod:`minsec.scenarios.engine`) written out.
    """
    imp, exp, spare = b.imports.tolist(), b.exports.tolist(), b.spare_capacity.tolist()
    sh = {f.name: getattr(shocks, f.name).tolist() for f in fields(Shocks)}
    lag, n_s, ramp = int(np.ceil(policy.release_lag)), len(b.suppliers), b.ramp.tolist()
    unmet = np.zeros(shocks.cut.shape[:2])
    for n in range(len(sh["cut"])):
        for m in range(len(b.minerals)):
            c, st, du = sh["cut"][n][m], sh["start"][n][m], sh["duration"][n][m]
            tim, tot, lk = sh["to_importer"][n][m], sh["to_others"][n][m], sh["leakage"][n][m]
            ez, res, ahead = sh["ease"][n][m], sh["residual"][n][m], sh["front_run"][n][m]
            i_m, q_m = sum(imp[m]), sum(exp[m])
            daily = b.demand[m] / 365
            per = [tim[s] * imp[m][s] + tot[s] * (exp[m][s] - imp[m][s]) for s in range(n_s)]
            live = [s for s in range(n_s) if c[s] > 0 and per[s] > 0
                    and math.ceil(st[s]) < math.ceil(st[s] + du[s])]
            first = min([math.ceil(st[s]) for s in live], default=horizon)
            stock = policy.days_of_cover[m] * daily + sum(ahead[s] * imp[m][s] / 365
                                                          for s in live)
            cap = policy.release_rate * daily
            steps = [first + math.ceil(k / E.RAMP_STEPS * ramp[m])
                     for k in range(1, E.RAMP_STEPS + 1)]
            for t in range(horizon):
                w = own = alone = idle = divert = 0.0
                for s in range(n_s):
                    if c[s] * (1 - lk[s]) > 0 and st[s] <= t < st[s] + du[s]:
                        lv = c[s] * (1 - lk[s]) * (res[s] if t >= st[s] + ez[s] else 1.0)
                        w += lv * per[s] / 365
                        own += lv * tim[s] * imp[m][s] / 365
                        alone += lv * tim[s] * (1 - tot[s]) * imp[m][s] / 365
                    else:
                        idle += spare[m][s] / 365
                        divert += (exp[m][s] - imp[m][s]) / 365
                theta = 1 - alone / w if w > 0 else 1.0
                arrived = sum(t >= x for x in steps) / E.RAMP_STEPS
                gap = w - min(arrived * (idle + (1 - theta) * divert), w)
                share = i_m / q_m if q_m > 0 else 0.0
                short = gap * (theta * share + (1 - theta) * (own / w if w > 0 else 0.0))
                release = min(short, cap, stock) if t >= first + lag else 0.0
                stock -= release
                unmet[n, m] += short - release
    return unmet


def timed(fn: Callable[[], Outcome], runs: int) -> tuple[float, list[float], Outcome]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    assert out is not None
    return statistics.median(times), times, out


def bench_engine(label: str, b: Baseline, runs: int) -> tuple[float, Outcome]:
    """Median seconds of DRAWS draws in one process, printed with the throughput."""
    ev = scenario_events(b)
    policy = Policy(np.full(len(b.minerals), 54.0), release_lag=8.0, release_rate=1.0)
    med, times, out = timed(lambda: E.run_local(b, ev, policy, DRAWS, SEED, HORIZON), runs)
    m, s = b.imports.shape
    print(f"{label}: {m} minerals x {s} suppliers, {len(ev.mineral)} events; policy 54 days, "
          f"lag 8, rate 1.0\n  engine, {DRAWS} draws, one process: {med:.3f} s median "
          f"({', '.join(f'{x:.3f}' for x in times)}); target <= 5 s\n"
          f"  throughput {DRAWS * m * HORIZON / med:.3g} draw.mineral.days/s; "
          f"P(short>0) {np.mean(out.unmet > 0):.3f}, mean unmet {out.unmet.mean():.2f} t")
    return med, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--loop-draws", type=int, default=100)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    runs = max(args.runs, 3)
    minerals = reference.listed("kr_critical_2023")
    real, why = store_baseline(minerals)
    complete = real is not None and len(real.minerals) == len(minerals)
    if real is not None and not complete:
        missing = sorted(set(minerals) - set(real.minerals))
        bench_engine(f"store baseline, partial (without {', '.join(missing)}: {why})", real,
                     runs)
    elif real is None:
        print(f"(store baseline unavailable: {why})")
    b = real if real is not None and complete else synthetic_baseline(minerals)
    med, out = bench_engine("store baseline" if b is real else "synthetic baseline", b, runs)
    ev = scenario_events(b)
    policy = Policy(np.full(len(b.minerals), 54.0), release_lag=8.0, release_rate=1.0)

    def run(draws: int) -> Outcome:
        return E.run_local(b, ev, policy, draws, SEED, HORIZON)

    n = args.loop_draws
    shocks = E.sample(np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(0,))), n, ev)
    t = time.perf_counter()
    looped = python_loop(b, shocks, policy, HORIZON)
    loop_s = time.perf_counter() - t
    same = np.allclose(looped, E.simulate(b, shocks, policy, HORIZON).unmet, rtol=1e-9, atol=1e-9)
    ratio = (loop_s / n) / (med / DRAWS)
    print(f"python loop, {n} draws: {loop_s:.2f} s = {loop_s / n * 1e3:.1f} ms/draw vs "
          f"{med / DRAWS * 1e3:.3f} ms/draw -> {ratio:.0f}x (target >= 50x); same unmet: {same}")

    for draws in (1_000, 10_000, 100_000):
        med_n, _, _ = timed(partial(run, draws), 1 if draws == 100_000 else 3)
        print(f"growth: {draws:>7} draws {med_n:8.3f} s  {med_n / draws * 1e6:6.1f} us/draw")

    if not args.no_dask:
        t = time.perf_counter()
        with backends.local_cluster() as cluster:
            start = time.perf_counter() - t
            med_d, times_d, out_d = timed(lambda: backends.run_dask(
                b, ev, policy, DRAWS, SEED, HORIZON, cluster.scheduler_address), runs)
        same_d = all(np.array_equal(getattr(out, f.name), getattr(out_d, f.name), equal_nan=True)
                     for f in fields(Outcome))
        t = time.perf_counter()
        backends.run_dask(b, ev, policy, DRAWS, SEED, HORIZON, "local")
        full = time.perf_counter() - t
        print(f"dask LocalCluster (2 processes x 1 thread), {DRAWS} draws: {med_d:.3f} s "
              f"median ({', '.join(f'{x:.3f}' for x in times_d)}), cluster start {start:.2f} s; "
              f"address='local' incl. start/stop {full:.2f} s; bit-identical: {same_d}")


if __name__ == "__main__":
    main()
