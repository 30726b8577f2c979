"""The driver: hands out a job's items to an executor and alone records the results.

Exactly once: an item id is recorded at most once per run (a second result for it, e.g. from a
retry of an item whose first worker died after finishing, is dropped), and an item whose worker
died is handed out again, up to ``max_attempts`` times, then recorded as failed. Records are
written in the order results arrive; the job's records are fsynced, so an interrupted driver
(Ctrl-C, a kill) loses at most the item in progress and a rerun does only what is missing.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..progress import bar as progress_bar
from .items import ItemFailed, Job, Task, WorkItem

log = logging.getLogger(__name__)

#: Hand-outs of one item before it is recorded as failed (its workers kept dying on it).
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    """What an executor reports for an item: its result, or ``lost`` (why its worker died);
    ``running`` says whether the item was being computed then (not merely queued)."""

    item: WorkItem
    result: Any = None
    lost: str | None = None
    running: bool = True


class Executor(Protocol):
    """Runs a task's items on one or more workers."""

    def start(self, task: Task) -> None:
        """Start the workers (each builds the task's models once)."""

    def free(self) -> int:
        """How many more items it takes now (0 while no worker has started)."""

    def submit(self, item: WorkItem) -> None:
        """Hand out one prepared item."""

    def wait(self) -> list[Outcome]:
        """Block until at least one item is done (or lost), or a worker has started; return every
        finished item (none when only workers started)."""

    def close(self, interrupted: bool = False) -> None:
        """Stop the workers (at once, dropping work in flight, when ``interrupted``)."""

    def describe(self) -> str:
        """Where the work ran, for the summary (``in-process``, ``2 Ray workers``)."""


@dataclass
class Stats:
    """What a run did: items recorded (ok and failed), already done before, retried, time."""

    total: int = 0
    skipped: int = 0
    ok: int = 0
    failed: int = 0
    retried: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    where: str = ""
    attempts: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def done(self) -> int:
        """Items recorded in this run."""
        return self.ok + self.failed

    def line(self, noun: str = "items") -> str:
        """One sentence for the end of a run."""
        rate = f" ({self.done / self.seconds:.2f}/s)" if self.seconds > 0 and self.done else ""
        extra = f", {self.retried} handed out again after a worker died" if self.retried else ""
        return (f"{self.done} {noun} done ({self.ok} ok, {self.failed} failed), {self.skipped} already done, "
                f"in {self.seconds:.1f} s{rate} on {self.where}{extra}")


def drive(job: Job, executor: Executor, *, desc: str = "semcodec", unit: str = "file", progress: bool = True,
          max_attempts: int = MAX_ATTEMPTS) -> Stats:
    """Run every item ``job`` plans on ``executor``; record each result once; return the stats."""
    items, total = job.plan()
    stats = Stats(total=total, skipped=total - len(items), where=executor.describe())
    start = time.perf_counter()
    interrupted = True
    try:
        with progress_bar(total, desc, enabled=progress, unit=unit, initial=stats.skipped) as bar:
            if items:
                executor.start(job.task)
                stats.where = executor.describe()
                _loop(job, executor, deque(items), stats, bar, max_attempts)
        interrupted = False
    finally:
        stats.seconds = time.perf_counter() - start
        executor.close(interrupted=interrupted)
    return stats


def _loop(job: Job, executor: Executor, todo: deque[WorkItem], stats: Stats, bar: Any, max_attempts: int) -> None:
    recorded: set[str] = set()
    in_flight: dict[str, WorkItem] = {}
    again: deque[WorkItem] = deque()  # prepared items whose worker died, handed out first

    def finish(item: WorkItem, ok: bool) -> None:
        recorded.add(item.id)
        stats.ok += ok
        stats.failed += not ok
        bar.update(1)

    while todo or again or in_flight:
        while executor.free() > 0 and (again or todo):
            item = again.popleft() if again else _next_ready(job, todo, finish)
            if item is None:
                break
            in_flight[item.id] = item
            bar.set_postfix_str(item.label, refresh=False)
            executor.submit(item)
        if not in_flight and executor.free() > 0:
            if todo:  # every remaining item waits on one that is not in flight: a job bug
                raise RuntimeError(f"{len(todo)} items wait for work that is not running")
            continue
        for out in executor.wait():
            in_flight.pop(out.item.id, None)
            if out.item.id in recorded:
                stats.duplicates += 1
                log.debug("dropped a second result for %s", out.item.id)
            elif out.lost is None:
                finish(out.item, job.record(out.item, out.result))
            else:
                _lost(job, out, stats, again, finish, max_attempts)


def _next_ready(job: Job, todo: deque[WorkItem], finish: Any) -> WorkItem | None:
    """The first item of ``todo`` that can be handed out now (taken out of ``todo``); items whose
    input cannot be read are recorded as failed on the way."""
    i = 0
    while i < len(todo):
        item = todo[i]
        try:
            ready = job.prepare(item)
        except ItemFailed as e:
            del todo[i]
            job.give_up(item, str(e))
            finish(item, False)
            continue
        if ready is not None:
            del todo[i]
            return ready
        i += 1
    return None


def _lost(job: Job, out: Outcome, stats: Stats, again: deque[WorkItem], finish: Any, max_attempts: int) -> None:
    """A worker died with ``out.item``: hand it out again, or give up after ``max_attempts``."""
    item = out.item
    if out.running:
        stats.attempts[item.id] = stats.attempts.get(item.id, 0) + 1
    if stats.attempts.get(item.id, 0) >= max_attempts:
        job.give_up(item, f"the worker died {max_attempts} times while computing it (last: {out.lost})")
        finish(item, False)
        return
    log.warning("a worker died with %s (%s); handing it out again", item.label, out.lost)
    stats.retried += 1
    again.append(item)
