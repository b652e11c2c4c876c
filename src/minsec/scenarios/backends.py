"""Where the draws run: this process (``engine.run_local``) or a Dask cluster.

Every task is a whole number of blocks of ``engine.BLOCK`` draws with their own random
streams (``engine.run_blocks``), so a cluster returns the local run's arrays bit for bit.
Workers must be able to import ``minsec`` (same environment). Dask's nannies start workers
with ``MALLOC_TRIM_THRESHOLD_=65536``, which makes glibc map and unmap every large temporary
array: the engine then runs ~1.7x slower per core. The local cluster started here unsets it;
for a remote cluster, start the workers with ``distributed.nanny.pre-spawn-environ``
``MALLOC_TRIM_THRESHOLD_: null`` (or a large value) for the same speed.
"""

from __future__ import annotations

import math
from typing import Any

from minsec.scenarios.engine import BLOCK, EventArrays, block_ranges, concat, run_blocks
from minsec.scenarios.model import Baseline, Outcome, Policy

TASKS_PER_THREAD = 2  # default chunking: about two tasks per worker thread


def local_cluster(n_workers: int = 2) -> Any:
    """A ``LocalCluster`` of single-threaded worker processes, glibc's malloc left as is."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        return LocalCluster(processes=True, n_workers=n_workers, threads_per_worker=1,
                            dashboard_address=":0")


def _client(address: str) -> Any:
    """A client of the scheduler at ``address``, or one line saying why there is none."""
    from distributed import Client

    from minsec.errors import MinsecError

    try:
        return Client(address, timeout=10)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc)
        raise MinsecError(f"--dask {address}: no scheduler reachable ({reason})") from None


def run_dask(baseline: Baseline, events: EventArrays, policy: Policy, draws: int, seed: int,
             horizon: int = 365, address: str | None = None,
             chunk: int | None = None) -> Outcome:
    """Run the draws on Dask: one task per chunk of blocks, gathered in order.

    Parameters
    ----------
    address
        ``"local"`` (or ``None``) starts a ``LocalCluster`` of two single-threaded processes
        and closes it afterwards; anything else is a scheduler address for ``Client``.
    chunk
        Draws per task, a multiple of ``BLOCK``; default: about two tasks per worker thread.
    """
    from distributed import Client

    cluster = None
    if address in (None, "local"):
        cluster = local_cluster()
        client = Client(cluster)
    else:
        client = _client(address)
    try:
        if chunk is None:
            threads = max(sum(client.nthreads().values()), 1)
            blocks = math.ceil(math.ceil(draws / BLOCK) / (TASKS_PER_THREAD * threads))
            chunk = max(blocks, 1) * BLOCK
        shared = client.scatter([baseline, events, policy], broadcast=True)
        futures = [client.submit(run_blocks, *shared, draws, seed, horizon, a, b, pure=False)
                   for a, b in block_ranges(draws, chunk)]
        return concat(client.gather(futures))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
