"""Long computations as jobs: a bounded worker pool, a bounded queue, bounded results.

A job runs a function ``work(progress)`` in a thread of a fixed-size pool; ``progress(done,
total)`` updates what ``GET /jobs/{id}`` reports. When ``workers + queue`` jobs are already
waiting or running, :meth:`Jobs.submit` raises :class:`Busy` (the app answers 429). Finished
jobs are kept in least-recently-used order, at most ``keep`` of them.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from minsec.errors import MinsecError

log = logging.getLogger("minsec.web")
Progress = Callable[[int, int], None]


class Busy(Exception):
    """The queue is full: try again later."""


@dataclass
class Job:
    """One computation: what it is, how far it got, and what came of it."""

    id: str
    kind: str
    params: dict[str, Any]
    status: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    error: str | None = None
    result: Any = None
    created: float = field(default_factory=time.time)
    finished: float | None = None

    @property
    def progress(self) -> float:
        """Share of the work done, 0-1 (1 once finished)."""
        if self.status in ("done", "failed"):
            return 1.0
        return self.done / self.total if self.total else 0.0

    def state(self) -> dict[str, Any]:
        """What the status endpoint shows (without the result)."""
        return {"id": self.id, "kind": self.kind, "params": self.params, "status": self.status,
                "progress": round(self.progress, 4), "done": self.done, "total": self.total,
                "error": self.error, "seconds": round((self.finished or time.time())
                                                      - self.created, 3)}


class Jobs:
    """The pool: ``workers`` threads, up to ``queue`` jobs waiting, ``keep`` results kept."""

    def __init__(self, workers: int = 2, queue: int = 8, keep: int = 32) -> None:
        self.workers, self.queue, self.keep = workers, queue, keep
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="minsec-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def pending(self) -> int:
        """Jobs queued or running."""
        return sum(j.status in ("queued", "running") for j in self._jobs.values())

    def submit(self, kind: str, params: dict[str, Any], work: Callable[[Progress], Any]) -> Job:
        """Queue ``work``; :class:`Busy` when ``workers + queue`` jobs are pending."""
        with self._lock:
            if self.pending() >= self.workers + self.queue:
                raise Busy(f"{self.pending()} jobs are queued or running (the limit is "
                           f"{self.workers + self.queue}); try again shortly")
            job = Job(secrets.token_hex(8), kind, params)
            self._jobs[job.id] = job
            self._trim()
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job:
        """A job by id (refreshing its place in the LRU), or ``NotFound`` (404)."""
        from minsec.web.views import NotFound

        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise NotFound(f"no job {job_id!r} (the server keeps the last {self.keep} "
                               "finished jobs)")
            self._jobs.move_to_end(job_id)
            return job

    def shutdown(self) -> None:
        """Stop taking jobs; running ones finish."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _trim(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.status in ("done", "failed")]
        for key in finished[: max(0, len(finished) - self.keep)]:
            del self._jobs[key]

    def _run(self, job: Job, work: Callable[[Progress], Any]) -> None:
        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        job.status = "running"
        try:
            job.result = work(progress)
            job.status = "done"
        except MinsecError as exc:
            job.error, job.status = str(exc), "failed"
        except Exception:  # a bug: logged with its traceback, the user sees one line
            log.exception("job %s (%s) failed", job.id, job.kind)
            job.error, job.status = "internal error (logged on the server)", "failed"
        finally:
            job.finished = time.time()
            with self._lock:
                self._trim()
