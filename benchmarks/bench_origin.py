"""The origin model over all importers x minerals x years (issue 16): median wall time.

Each repeat builds the network from the store's trade by form (``tables.mineral_trade``, read
once before timing), solves every mineral-year's chain (``origin.solve``) and computes the
first-tier and look-through HHI and the unexplained share of every importer (and the EU27)
(``origin.by_importer``, ``look_through.summary_all``). Prints the median of ``--repeat``
runs against the target of 10 s, and the size of the work. BLAS runs on one thread (the
machine is shared; small dense solves are slower threaded).

    MINSEC_STORE=/tmp/dev/store.duckdb .venv/bin/python benchmarks/bench_origin.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

from minsec import tables  # noqa: E402
from minsec.indicators import look_through, origin, origin_inputs  # noqa: E402

TARGET_S = 10.0


def run_all(trade: pd.DataFrame, supply: pd.DataFrame, forms: pd.DataFrame,
            shared: pd.DataFrame, eu27: list[str]) -> tuple[int, int, int]:
    """One pass: network, every chain, every importer's indicators. Returns the sizes."""
    net = origin_inputs.network(trade)
    production = origin_inputs.mine_production(supply)
    codes = origin_inputs.shared_ore_codes(forms)
    have = set(production.groupby(["mineral", "year"]).size().index)
    made = dict(iter(production.groupby(["mineral", "year"])))
    chains = rows = 0
    importers: set[str] = set()
    for (mineral, year), flows in net.groupby(["mineral", "year"]):
        if (mineral, year) not in have:
            continue
        chain, flows_, _, _ = origin_inputs._solved(flows, made[(mineral, year)],
                                                    codes.get(str(mineral)), shared, int(year))
        buyers, first, mined = origin.by_importer(chain, flows_, {"EU27": eu27})
        rows += len(look_through.summary_all(buyers, first, mined, chain.origins))
        importers |= set(buyers)
        chains += 1
    return chains, rows, len(importers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    trade, supply = tables.mineral_trade(args.store), tables.supply(args.store)
    forms, shared = tables.trade_forms(args.store), tables.shared_ore_trade(args.store)
    eu27 = tables.region_members("eu27", args.store)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        chains, rows, importers = run_all(trade, supply, forms, shared, eu27)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"origin model: {chains} mineral-years solved, {importers} importers, {rows:,} "
          f"importer x mineral x year rows")
    print(f"median wall time {median:.2f} s over {args.repeat} runs "
          f"(target < {TARGET_S:.0f} s): {'met' if median < TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    main()
