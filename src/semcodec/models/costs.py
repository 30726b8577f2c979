"""Cost accounting: how many model calls each stage of an encode made, how long they took, and
for API backends how many tokens and images they used.

The encoder's search calls a describer, a generator, a judge and a reviser many times; what that
costs (seconds on a GPU, tokens on a bill) is part of an honest report, so ``semcodec encode
--json`` includes ``CostRecorder.as_dict()``.

Two ways to record:

- ``recorder.wrap(stage, fn)`` (or ``with recorder.timed(stage):``) counts one call and its wall
  time. While the call runs, a backend may report its usage with the module-level
  ``report_usage(tokens_in=..., tokens_out=..., images=...)``; it is added to the stage of the
  call in progress and is a no-op when nothing is being recorded, so backends need no reference
  to a recorder.
- ``recorder.record(stage, seconds, tokens_in=0, tokens_out=0, images=0)`` adds a call directly.

Wrapped calls may nest (a text judge describes the candidate image): the inner stage counts its
own call and time, and the outer stage's time includes it.
"""

from __future__ import annotations

import contextvars
import functools
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

#: The stages of an encode, in the order they are reported. Other stage names are accepted too.
STAGES = ("describe", "revise", "rewrite", "expand", "generate", "judge")

_STAGE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_ACTIVE: contextvars.ContextVar[tuple[CostRecorder, str] | None] = contextvars.ContextVar(
    "semcodec_active_cost_stage", default=None
)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class StageCost:
    """Totals of one stage."""

    calls: int = 0
    seconds: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    images: int = 0


class CostRecorder:
    """Per-stage totals of model calls: count, wall time, tokens in/out, images."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._stages: dict[str, StageCost] = {}

    def _stage(self, stage: str) -> StageCost:
        if not isinstance(stage, str) or not _STAGE_NAME.match(stage):
            raise ValueError(f"a cost stage is a lower-case identifier, not {stage!r}")
        return self._stages.setdefault(stage, StageCost())

    def record(self, stage: str, seconds: float, tokens_in: int = 0, tokens_out: int = 0, images: int = 0) -> None:
        """Add one call of ``stage`` that took ``seconds`` and used the given tokens and images."""
        cost = self._stage(stage)
        cost.calls += 1
        cost.seconds += float(seconds)
        self.add_usage(stage, tokens_in=tokens_in, tokens_out=tokens_out, images=images)

    def add_usage(self, stage: str, tokens_in: int = 0, tokens_out: int = 0, images: int = 0) -> None:
        """Add tokens and images to ``stage`` without counting a call."""
        if min(tokens_in, tokens_out, images) < 0:
            raise ValueError("token and image counts cannot be negative")
        cost = self._stage(stage)
        cost.tokens_in += int(tokens_in)
        cost.tokens_out += int(tokens_out)
        cost.images += int(images)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Count the enclosed block as one call of ``stage``, with its wall time; usage reported
        with ``report_usage`` inside the block goes to ``stage``. Counted even if it raises."""
        self._stage(stage)  # validate before running anything
        token = _ACTIVE.set((self, stage))
        start = self._clock()
        try:
            yield
        finally:
            _ACTIVE.reset(token)
            self.record(stage, self._clock() - start)

    def wrap(self, stage: str, fn: F) -> F:
        """``fn`` with every call recorded under ``stage``."""

        @functools.wraps(fn)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            with self.timed(stage):
                return fn(*args, **kwargs)

        return recorded  # type: ignore[return-value]

    def calls(self, stage: str) -> int:
        """Number of calls recorded for ``stage`` (0 if none)."""
        cost = self._stages.get(stage)
        return cost.calls if cost else 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready totals: ``{"stages": {stage: {...}}, "total": {...}}``.

        The known stages are always listed (with zeros), in pipeline order, then any others.
        Seconds are rounded to milliseconds. The total's seconds double-count nested calls.
        """
        names = list(STAGES) + sorted(set(self._stages) - set(STAGES))
        stages = {name: self._stages.get(name, StageCost()) for name in names}
        total = StageCost()
        for cost in stages.values():
            for field, value in asdict(cost).items():
                setattr(total, field, getattr(total, field) + value)

        def row(cost: StageCost) -> dict[str, Any]:
            return {**asdict(cost), "seconds": round(cost.seconds, 3)}

        return {"stages": {name: row(cost) for name, cost in stages.items()}, "total": row(total)}


def report_usage(tokens_in: int = 0, tokens_out: int = 0, images: int = 0) -> None:
    """For backends: add usage to the stage of the recorded call in progress (no-op if none)."""
    active = _ACTIVE.get()
    if active is not None:
        recorder, stage = active
        recorder.add_usage(stage, tokens_in=tokens_in, tokens_out=tokens_out, images=images)
