"""Long computations as jobs: worker processes, a bounded queue, bounded results.

A job runs ``work(*args, progress)`` (a function importable at module level, e.g. of
:mod:`minsec.web.tasks`, with picklable arguments) in one of ``workers`` worker processes
(``spawn``: a fresh interpreter, no threads or locks inherited from the server), so a
20,000-draw run does not hold the server's interpreter while pages are served. The workers
report ``progress(done, total)`` on a queue that a thread of the server reads into what
``GET /jobs/{id}`` shows. When ``workers + queue`` jobs are already waiting or running,
:meth:`Jobs.submit` raises :class:`Busy` (the app answers 429). Finished jobs are kept in
least-recently-used order, at most ``keep`` of them. The processes start with the first job;
:meth:`Jobs.shutdown` stops them at once.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from minsec.web import tasks

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
    """The pool: ``workers`` processes, up to ``queue`` jobs waiting, ``keep`` results kept.

    ``niceness``: added to the workers' scheduling niceness (0: none), so that on a machine
    with few cores the server's own requests come first.
    """

    def __init__(self, workers: int = 2, queue: int = 8, keep: int = 32,
                 niceness: int = 0) -> None:
        self.workers, self.queue, self.keep, self.niceness = workers, queue, keep, niceness
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("spawn")
        self._pool: ProcessPoolExecutor | None = None
        self._progress: Any = None
        self._listener: threading.Thread | None = None
        self._closed = False

    def pending(self) -> int:
        """Jobs queued or running."""
        return sum(j.status in ("queued", "running") for j in self._jobs.values())

    def submit(self, kind: str, params: dict[str, Any], work: Callable[..., Any],
               *args: Any, stamp: tasks.Stamp = (None, None)) -> Job:
        """Queue ``work(*args, progress)``; :class:`Busy` when ``workers + queue`` are pending.

        ``stamp``: the store and its identity as the server saw it (a worker that saw another
        drops its caches first).
        """
        with self._lock:
            if self._closed:
                raise Busy("the server is stopping")
            if self.pending() >= self.workers + self.queue:
                raise Busy(f"{self.pending()} jobs are queued or running (the limit is "
                           f"{self.workers + self.queue}); try again shortly")
            job = Job(secrets.token_hex(8), kind, params)
            self._jobs[job.id] = job
            self._trim()
            future = self._submit(job.id, stamp, work, args)
        future.add_done_callback(functools.partial(self._finished, job))
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

    def processes(self) -> list[int]:
        """The worker processes' ids (none before the first job)."""
        pool = self._pool
        procs = getattr(pool, "_processes", None) or {}
        return [p.pid for p in list(procs.values()) if p.pid is not None]

    def shutdown(self) -> None:
        """Stop taking jobs and stop the workers at once (running jobs are lost)."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            procs = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.join(2)
                if proc.is_alive():
                    proc.kill()
                    proc.join(1)
        queue, self._progress = self._progress, None
        if queue is not None:  # released here, so that its semaphores are unlinked now
            queue.put(None)
            if self._listener is not None:
                self._listener.join(2)
            queue.close()
            queue.join_thread()
            del queue

    def _submit(self, job_id: str, stamp: tasks.Stamp, work: Callable[..., Any],
                args: tuple[Any, ...]) -> Future[tuple[str, Any]]:
        """Hand the job to the pool (started, or started again after a worker died)."""
        if self._progress is None:
            self._progress = self._context.Queue()
            self._listener = threading.Thread(target=self._listen, args=(self._progress,),
                                              daemon=True, name="minsec-progress")
            self._listener.start()
        for _ in range(2):
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.workers, mp_context=self._context, initializer=tasks.start,
                    initargs=(self._progress, self.niceness))
            try:
                return self._pool.submit(tasks.execute, job_id, stamp, work, args)
            except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
        raise Busy("the job workers cannot start; try again shortly")

    def _listen(self, queue: Any) -> None:
        """Read the workers' progress into the jobs, until :meth:`shutdown`."""
        while (message := queue.get()) is not None:
            job_id, done, total = message
            with self._lock:
                job = self._jobs.get(job_id)
                if job is not None and job.status in ("queued", "running"):
                    job.status, job.done, job.total = "running", done, total

    def _finished(self, job: Job, future: Future[tuple[str, Any]]) -> None:
        if future.cancelled():
            status, value = "failed", "cancelled: the server stopped"
        elif isinstance(error := future.exception(), BrokenProcessPool):
            status, value = "failed", ("the job's worker process stopped (killed or out of "
                                       "memory); try again")
        elif error is not None:  # e.g. arguments that cannot be sent to a process: a bug
            log.error("job %s (%s) failed: %r", job.id, job.kind, error)
            status, value = "failed", "internal error (logged on the server)"
        else:
            status, value = future.result()
        with self._lock:
            if status == "done":
                job.result, job.done = value, max(job.done, job.total)
            else:
                job.error = value
            job.status, job.finished = status, time.time()
            self._trim()

    def _trim(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.status in ("done", "failed")]
        for key in finished[: max(0, len(finished) - self.keep)]:
            del self._jobs[key]
