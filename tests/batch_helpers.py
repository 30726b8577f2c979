"""Helpers for the batch and Ray tests: fake-model options, a task that kills its own worker
process once, a job that is interrupted (Ctrl-C) after some records, record comparison."""

from __future__ import annotations

import json
import os
import signal
from dataclasses import dataclass
from typing import Any

#: Fake models for every role, as encode-dir / decode-dir options.
FAKE_ARGS = ["--describer", "fake:x", "--generator", "fake:x", "--no-cache", "--quiet"]
#: Fields that differ between two runs of the same work (wall times, arrival order aside).
VOLATILE = {"timings", "costs", "describe_seconds", "encoding_time", "decoding_time"}


def comparable(records: list[dict[str, Any]]) -> list[str]:
    """Records as sorted JSON lines without their timings: equal for the same work in any order."""
    return sorted(json.dumps({k: v for k, v in r.items() if k not in VOLATILE}, sort_keys=True) for r in records)


@dataclass(frozen=True)
class DieOnce:
    """A task whose worker kills its own process (SIGKILL, as the OOM killer or a lost node
    would) the first time it is handed ``victim``; ``marker`` makes it happen once per run."""

    task: Any
    victim: str
    marker: str

    def start(self) -> Any:
        run = self.task.start()
        victim, marker = self.victim, self.marker

        def maybe_die(item: Any) -> Any:
            if item.id == victim:
                try:
                    os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                except FileExistsError:
                    pass
                else:
                    os.kill(os.getpid(), signal.SIGKILL)
            return run(item)

        return maybe_die


class InterruptAfter:
    """A job whose driver gets Ctrl-C (KeyboardInterrupt) when it is about to write record
    ``n + 1``; it notes the executor's actors at that moment."""

    def __init__(self, job: Any, n: int, executor: Any = None) -> None:
        self.job, self.n, self.executor, self.seen, self.actors = job, n, executor, 0, []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.job, name)

    def record(self, item: Any, result: Any) -> bool:
        if self.seen == self.n:
            self.actors = [s.actor for s in getattr(self.executor, "_slots", [])]
            raise KeyboardInterrupt
        self.seen += 1
        return self.job.record(item, result)
