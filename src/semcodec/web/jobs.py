"""One model job at a time per server process, behind a queue of bounded length.

Models are not thread-safe and a generator may hold most of a GPU, so every encode and decode
runs on one worker thread. A request that finds ``queue`` jobs already waiting is refused at
once with ``ServerBusy`` (503) instead of piling up; one that waits longer than the timeout
gets ``RequestTimeout`` (504), and its job is cancelled if it has not started (a running model
call cannot be interrupted; it finishes and its result is dropped). A job reports its stage
(``queued``, then what it is doing), which the demo page polls to show progress.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .errors import RequestTimeout, ServerBusy


@dataclass
class Job:
    """A model job: its future, deadline and the stage it reached."""

    id: str
    deadline: float
    created: float = field(default_factory=time.monotonic)
    future: Future = field(default_factory=Future, repr=False)
    stage: str = "queued"
    started: float | None = None
    finished: float | None = None

    def progress(self, stage: str) -> None:
        """Called by the job's function as it moves on (``"describing and coding"``...)."""
        self.stage = stage

    def expired(self) -> bool:
        return not self.future.done() and time.monotonic() > self.deadline


class Worker:
    """The model thread, its bounded queue, and the jobs kept for polling."""

    def __init__(self, queue: int, timeout: float, keep: int = 16, keep_seconds: float = 600.0) -> None:
        self.queue = queue
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="semcodec-model")
        self._lock = threading.Lock()
        self._active = 0  # the running job and those waiting: at most queue + 1
        self._pending: list[Job] = []
        self._kept: OrderedDict[str, Job] = OrderedDict()
        self._keep, self._keep_seconds = keep, keep_seconds

    def submit(self, fn: Callable[..., Any], *args: Any, keep: bool = False) -> Job:
        """Queue ``fn(job, *args)``; ``ServerBusy`` if the queue is full. ``keep``: remember the
        job for ``get`` (polling)."""
        with self._lock:
            if self._active > self.queue:
                raise ServerBusy(self.busy_message())
            self._active += 1
        job = Job(secrets.token_urlsafe(16), time.monotonic() + self.timeout)

        def run() -> Any:
            with self._lock:
                self._pending.remove(job)
            job.started = time.monotonic()
            job.stage = "starting"
            try:
                return fn(job, *args)
            finally:
                job.finished = time.monotonic()

        def done(_: Future) -> None:
            with self._lock:
                self._active -= 1
                if job in self._pending:  # cancelled before it ran
                    self._pending.remove(job)

        with self._lock:
            self._pending.append(job)
        try:
            job.future = self._pool.submit(run)
        except RuntimeError:  # the pool is shutting down
            done(job.future)
            raise ServerBusy("the server is shutting down; try again in a minute") from None
        job.future.add_done_callback(done)
        if keep:
            self._remember(job)
        return job

    def full(self) -> bool:
        """True when a new job would be refused (a hint for refusing before reading a body)."""
        with self._lock:
            return self._active > self.queue

    def busy_message(self) -> str:
        return f"the server is busy ({self.queue} jobs are waiting); try again in a minute"

    def position(self, job: Job) -> int:
        """How many jobs wait before ``job`` (0 when it is next or running)."""
        with self._lock:
            return self._pending.index(job) if job in self._pending else 0

    async def result(self, job: Job) -> Any:
        """Wait for ``job`` until its deadline; ``RequestTimeout`` after it."""
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(job.future)),
                                          max(0.0, job.deadline - time.monotonic()))
        except asyncio.TimeoutError:
            job.future.cancel()
            raise RequestTimeout(self.timeout_message()) from None

    def timeout_message(self) -> str:
        return f"the request took longer than the server's limit of {self.timeout:g} seconds; try a smaller search"

    def get(self, job_id: str) -> Job | None:
        """A kept job by id (None when unknown or forgotten); cancels one past its deadline."""
        with self._lock:
            job = self._kept.get(job_id)
        if job is not None and job.expired():
            job.future.cancel()
        return job

    def _remember(self, job: Job) -> None:
        """Keep ``job``; forget finished jobs past ``keep_seconds``, then the oldest finished ones
        beyond ``keep`` (unfinished jobs are at most ``queue + 1``)."""
        now = time.monotonic()
        with self._lock:
            self._kept[job.id] = job
            finished = [k for k, j in self._kept.items() if j.future.done()]
            for k in finished:
                if now - (self._kept[k].finished or self._kept[k].created) > self._keep_seconds or len(self._kept) > self._keep:
                    del self._kept[k]

    def shutdown(self) -> None:
        """Cancel the waiting jobs; the running one finishes in the background."""
        self._pool.shutdown(wait=False, cancel_futures=True)
