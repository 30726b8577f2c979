"""A judge without a model, for tests and dry runs.

- ``FakeJudge(scores=[...])`` returns scripted scores in call order (``fake:0.2,0.9,0.5``);
  running out is an error, so a test notices an unexpected extra call.
- ``FakeJudge(fn)`` scores with ``fn(original, candidate)``.
- ``FakeJudge()`` (``fake``) scores pixel similarity: 1 - mean absolute difference of the two
  images at a small common size, so a fake generator's output still gets meaningful scores.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..errors import BackendError

if TYPE_CHECKING:
    from PIL.Image import Image

_THUMB = (32, 32)


def pixel_similarity(original: Image, candidate: Image) -> float:
    """1 - mean absolute difference of the two images as 32x32 RGB, in 0..1 (1: same pixels)."""
    import numpy as np

    a = np.asarray(original.convert("RGB").resize(_THUMB), dtype=np.float64)
    b = np.asarray(candidate.convert("RGB").resize(_THUMB), dtype=np.float64)
    return 1.0 - float(np.abs(a - b).mean()) / 255.0


class FakeJudge:
    """Scripted scores, a scoring function, or pixel similarity (see the module docstring)."""

    name = "fake"

    def __init__(self, fn: Callable[[Image, Image], float] | None = None, *, scores: Sequence[float] | None = None) -> None:
        if fn is not None and scores is not None:
            raise ValueError("give a scoring function or scripted scores, not both")
        self._fn = fn
        self._scores = list(scores) if scores is not None else None
        self.model_id = "scripted" if scores is not None else ("custom" if fn else "pixels")
        #: Number of ``score`` calls so far.
        self.calls = 0

    def score(self, original: Image, candidate: Image) -> float:
        """The next scripted score, ``fn``'s score, or pixel similarity."""
        self.calls += 1
        if self._scores is not None:
            if self.calls > len(self._scores):
                raise BackendError(f"the fake judge has only {len(self._scores)} scripted scores")
            return float(self._scores[self.calls - 1])
        return float((self._fn or pixel_similarity)(original, candidate))


def parse_fake_spec(arg: str) -> FakeJudge:
    """``""`` -> pixel similarity; ``"0.2,0.9"`` -> those scripted scores."""
    if not arg:
        return FakeJudge()
    try:
        return FakeJudge(scores=[float(s) for s in arg.split(",")])
    except ValueError as e:
        raise ValueError(f"fake judge scores are comma-separated numbers, not {arg!r}") from e
