"""The embedded executor: one worker, in this process, one item at a time (the default; no Ray).

The worker is the task's own (``task.start()``), or one given ready-made, e.g. an evaluation
whose caller passed a ``ModelSet`` with models already loaded.
"""

from __future__ import annotations

from .driver import Outcome
from .items import Task, WorkItem, Worker


class LocalExecutor:
    """Computes each item when the driver waits for it; exceptions propagate as in a plain loop."""

    def __init__(self, worker: Worker | None = None) -> None:
        self.worker = worker
        self._item: WorkItem | None = None

    def start(self, task: Task) -> None:
        if self.worker is None:
            self.worker = task.start()

    def free(self) -> int:
        return 0 if self._item is not None else 1

    def submit(self, item: WorkItem) -> None:
        self._item = item

    def wait(self) -> list[Outcome]:
        item, self._item = self._item, None
        assert item is not None and self.worker is not None
        return [Outcome(item, self.worker(item))]

    def close(self, interrupted: bool = False) -> None:
        self._item = None

    def describe(self) -> str:
        return "1 in-process worker"
