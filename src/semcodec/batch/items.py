"""The contracts of batch work: what an item is, what a worker runs, what the driver records.

A run is split in two halves that meet only through picklable values:

- the **driver** side (a ``Job``): plans the items not yet recorded, prepares each one's payload
  just before it is handed out (so that only the items in flight are held in memory), and writes
  every result (files, then one record) itself. It is the only writer of the run's directory.
- the **worker** side (a ``Task``): configuration objects only (``ModelsConfig``,
  ``EncodeConfig``, ``RuntimeConfig``...), so that it pickles to a Ray actor; ``start()`` builds
  the worker's models once and returns the function that computes one item. Inputs arrive and
  results leave as bytes and plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

from ..codec.rate import Budget
from ..errors import SemcodecError


@dataclass(frozen=True)
class WorkItem:
    """One unit of work: an input at a budget (None where there is none, e.g. decoding). ``id``
    is unique within a run; the driver records each id exactly once. ``payload`` (bytes, an
    array, a description...) is filled in by ``Job.prepare`` when the item is handed out."""

    id: str
    input: str
    budget: Budget | None = None
    payload: Any = None

    @property
    def label(self) -> str:
        """A short name for progress output."""
        return f"{self.input} {self.budget.label}" if self.budget is not None else self.input


class ItemFailed(SemcodecError):
    """An item cannot be done (its input is unreadable...); it is recorded as failed, and the
    run goes on."""


#: What a started task computes: an item in, a picklable result out.
Worker = Callable[[WorkItem], Any]


class Task(Protocol):
    """The worker side of a run. It must pickle: it holds configuration objects, never models."""

    def start(self) -> Worker:
        """Build this worker's models (once per worker) and return its per-item function."""


class Job(Protocol):
    """The driver side of a run."""

    #: What the workers run.
    task: Task

    def plan(self) -> tuple[list[WorkItem], int]:
        """(the items not yet recorded, in order; the number of items in the whole run)."""

    def prepare(self, item: WorkItem) -> WorkItem | None:
        """``item`` with its payload, ready to hand out; None while it must wait for an item in
        flight (e.g. the one whose description it reuses). Raise ``ItemFailed`` for an input
        that cannot be read: it is recorded as failed."""

    def record(self, item: WorkItem, result: Any) -> bool:
        """Write ``item``'s files and record (durably); True when it succeeded."""

    def give_up(self, item: WorkItem, reason: str) -> None:
        """Record ``item`` as failed with the sentence ``reason``."""
