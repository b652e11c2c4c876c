"""The jobs' work, run in the server's worker processes (so the pages stay fast).

:class:`minsec.web.jobs.Jobs` starts each worker with :func:`start` and runs every job as
``execute(job_id, stamp, work, args)``: ``work(*args, progress)`` is a function of this module
(or any function importable at module level), its arguments plain picklable values. The worker
reports ``(job_id, done, total)`` on the progress queue, which the server reads; the result (a
:class:`~minsec.briefing.Section`) or a one-line error comes back as the job's outcome.

A worker keeps its caches (the store's tables) between jobs, and drops them when the store
file was replaced (``stamp``: the store's device, inode and mtime as the server last saw them).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from minsec import briefing
from minsec.errors import MinsecError

log = logging.getLogger("minsec.web")
Progress = Callable[[int, int], None]
Stamp = tuple[Path | None, tuple[int, int, int] | None]
_queue: Any = None  # the progress queue, set by start()
_seen: tuple[int, int, int] | None = None  # the store as this worker last read it


def start(queue: Any, niceness: int = 0) -> None:
    """A worker's start: keep the progress queue, ignore Ctrl-C, follow the server's life.

    SIGINT from a terminal reaches the whole process group; the server decides and stops its
    workers, so a worker ignores it (no KeyboardInterrupt traceback per worker). A worker
    whose server died without stopping it (SIGKILL) exits within a second.
    """
    global _queue
    _queue = queue
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if niceness:
        os.nice(niceness)
    threading.Thread(target=_follow, args=(os.getppid(),), daemon=True,
                     name="minsec-follow").start()


def _follow(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _refresh(stamp: tuple[int, int, int] | None) -> None:
    """Drop this worker's caches when the store file changed since its last job."""
    global _seen
    if stamp != _seen:
        if _seen is not None:
            from minsec.web import views

            views.forget()
        _seen = stamp


def execute(job_id: str, stamp: Stamp, work: Callable[..., Any],
            args: tuple[Any, ...]) -> tuple[str, Any]:
    """Run one job: ``("done", result)`` or ``("failed", one line)``; never raises."""
    store, seen = stamp
    _refresh(seen)

    def progress(done: int, total: int) -> None:
        if _queue is not None:
            _queue.put((job_id, done, total))

    progress(0, 0)  # running
    try:
        return "done", work(*args, progress)
    except MinsecError as exc:
        message = str(exc)
        return "failed", message.replace(str(store), "the store") if store else message
    except Exception:  # a bug: logged with its traceback, the user sees one line
        log.exception("job %s (%s) failed", job_id, getattr(work, "__name__", work))
        return "failed", "internal error (logged on the server)"


def scenario_run(store: Path | None, importer: str, year: int | None, scenario: str,
                 draws: int, stock_days: float, lag_days: float, seed: int | None,
                 progress: Progress) -> briefing.Section:
    """One scenario run for the importer under a stockpile policy (the scenarios form)."""
    from minsec.web import views

    ctx = views.context(store, importer, year)
    return briefing.scenario_run(ctx, scenario, draws, stock_days, lag_days, seed,
                                 progress=progress)


def optimise(found: pd.DataFrame, budget: float, importer: str, draws: int,
             quotas: dict[str, int], store: Path | None,
             progress: Progress) -> briefing.Section:
    """The optimiser form: draw the scenarios, then choose the candidates for the budget."""
    from minsec.web import optimiser

    return optimiser.select(found, budget, importer, draws, quotas, store, progress)
