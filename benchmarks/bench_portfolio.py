"""Benchmark: project selection MILP, 200 candidates x 1,000 draws x Korea's 33 minerals.

Unmet demand: with ``MINSEC_STORE`` set, from library scenarios run on the real store for the
kr_critical_2023 minerals (each scenario's unmet added to the 33 columns, draws stacked until
1,000); otherwise (or if that fails) a seeded synthetic matrix (60 % of draws short for a
mineral, gamma-distributed). Candidates are synthetic and seeded: capacity 0.2-5 % of the
largest draw's unmet, capex 20-400 M USD, budget a fifth of the total capex.

Reported: median of ``--runs`` (>= 3) time and the gap reached at ``mip_rel_gap=0.01``
(target <= 60 s), the growth with candidates (50/100/200 at 1,000 draws) and draws
(250/500/1,000 at 200 candidates), and the extensive form at the full size once.

    MINSEC_STORE=/tmp/dev.duckdb .venv/bin/python benchmarks/bench_portfolio.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from minsec.portfolio import optimise as opt

DRAWS, CANDIDATES, SEED, YEAR = 1_000, 200, 2023, 2023
SCENARIOS = ("CN-2023-graphite", "CN-2023-GaGe", "HYP-CN-REE-ban", "ID-2020-Ni",
             "HYP-CL-Li-disruption", "CD-2025-Co-quota")


def korean_minerals() -> list[str]:
    """The kr_critical_2023 list from the reference catalogue."""
    from minsec import reference

    return list(reference.listed("kr_critical_2023"))


def store_unmet(minerals: list[str], draws: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Unmet (draws, 33) and VaR (33,) from library scenarios on ``MINSEC_STORE``."""
    from minsec.scenarios import baseline as base
    from minsec.scenarios import library, runner

    inputs = base.load_inputs(Path(os.environ["MINSEC_STORE"]))
    unmet, var = np.zeros((draws, len(minerals))), np.zeros(len(minerals))
    used = []
    for sid in SCENARIOS:
        scen = library.get(sid)
        scen = scen.model_copy(update={"draws": draws})
        result = runner.run(scen, inputs, YEAR)
        for j, m in enumerate(result.baseline.minerals):
            if m in minerals:
                k = minerals.index(m)
                unmet[:, k] += result.outcome.unmet[:, j]
                var[k] = max(var[k], result.baseline.value_at_risk[j])
        used.append(sid)
    var[var <= 0] = np.median(var[var > 0]) if (var > 0).any() else 1e4
    return unmet, var, f"store: {', '.join(used)}"


def synthetic_unmet(m: int, draws: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, str]:
    """Seeded stand-in: 60 % of draws short, gamma tonnes; VaR lognormal around 20k USD/t."""
    rng = np.random.default_rng(seed)
    unmet = rng.gamma(0.7, rng.lognormal(7, 1.5, m), (draws, m)) * (rng.random((draws, m)) < 0.6)
    return unmet, rng.lognormal(10, 1, m), "synthetic (seeded)"


def candidates(minerals: list[str], unmet: np.ndarray, n: int, seed: int = 7) -> pd.DataFrame:
    """Seeded candidates spread over the minerals with some unmet demand."""
    rng = np.random.default_rng(seed)
    short = [m for m, top in zip(minerals, unmet.max(axis=0), strict=True) if top > 0]
    mineral = rng.choice(short or minerals, n)
    top = pd.Series(unmet.max(axis=0), index=minerals)[mineral].to_numpy()
    return pd.DataFrame({
        "id": [f"C{i:03d}" for i in range(n)], "mineral": mineral,
        "capacity_t": np.maximum(top * rng.uniform(0.02, 0.5, n), 1.0),
        "capex_usd": rng.uniform(2e7, 4e8, n).round(-5), "p_production": rng.uniform(0.2, 0.9, n),
        "region": rng.choice(["africa", "americas", "asia_pacific", "europe",
                              "southeast_asia"], n),
        "stage": rng.choice(["mining", "processing", "recycling"], n),
        "country": rng.choice(["AUS", "BRA", "IDN", "TZA", "CAN", "VNM"], n)})


def timed(unmet: np.ndarray, var: np.ndarray, minerals: list[str], cands: pd.DataFrame,
          runs: int, form: str = "segments") -> tuple[float, float, str]:
    """Median seconds, largest gap reached, status over ``runs`` solves."""
    times, gaps = [], []
    budget = cands["capex_usd"].sum() / 5
    for _ in range(runs):
        t0 = time.perf_counter()
        sel = opt.optimise(unmet, var, minerals, cands, budget, mip_rel_gap=0.01,
                           region_min={"southeast_asia": 1}, form=form)
        times.append(time.perf_counter() - t0)
        gaps.append(sel.mip_gap)
    return statistics.median(times), max(gaps), sel.status


def main() -> None:
    """Run the benchmark and print one line per case."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    minerals = korean_minerals()
    source = ""
    if os.environ.get("MINSEC_STORE"):
        try:
            unmet, var, source = store_unmet(minerals, DRAWS)
        except Exception as exc:  # noqa: BLE001 - the benchmark must still run
            print(f"store unmet failed ({type(exc).__name__}: {exc}); using synthetic")
    if not source:
        unmet, var, source = synthetic_unmet(len(minerals), DRAWS)
    print(f"unmet: {source}; {unmet.shape[0]} draws x {len(minerals)} minerals, "
          f"{int((unmet.max(axis=0) > 0).sum())} minerals ever short")
    full = candidates(minerals, unmet, CANDIDATES)
    for n in (50, 100, 200):
        t, gap, status = timed(unmet, var, minerals, full.head(n), args.runs)
        print(f"candidates {n:>4} draws {DRAWS:>5}: {t:7.3f} s  gap {gap:.4%}  {status}")
    for d in (250, 500):
        t, gap, status = timed(unmet[:d], var, minerals, full, args.runs)
        print(f"candidates {CANDIDATES:>4} draws {d:>5}: {t:7.3f} s  gap {gap:.4%}  {status}")
    t, gap, status = timed(unmet, var, minerals, full, 1, form="extensive")
    print(f"extensive form, full size (1 run): {t:7.3f} s  gap {gap:.4%}  {status}")


if __name__ == "__main__":
    main()
