"""A judge without a model, for tests and dry runs (``fake`` as a judge spec).

- ``fake`` (or ``fake:pixels``) scores pixel similarity: 1 - mean absolute difference of the
  two images at a small common size, so a fake generator's output still gets meaningful scores.
- ``fake:0.2,0.9,0.5`` returns those scripted scores in call order; running out is an error,
  so a test notices an unexpected extra call.
- ``FakeJudge(fn=...)`` scores with ``fn(original, candidate)`` (tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ...errors import BackendError, InputError
from ..base import Backend, BackendOptions

if TYPE_CHECKING:
    from PIL.Image import Image

_THUMB = (32, 32)


def pixel_similarity(original: Image, candidate: Image) -> float:
    """1 - mean absolute difference of the two images as 32x32 RGB, in 0..1 (1: same pixels)."""
    import numpy as np

    a = np.asarray(original.convert("RGB").resize(_THUMB), dtype=np.float64)
    b = np.asarray(candidate.convert("RGB").resize(_THUMB), dtype=np.float64)
    return 1.0 - float(np.abs(a - b).mean()) / 255.0


class FakeJudge(Backend):
    """Scripted scores, a scoring function, or pixel similarity (see the module docstring)."""

    provider = "fake"
    roles = frozenset({"judge"})
    default_model = "pixels"
    shared = False
    name = "fake"

    def __init__(self, model_id: str = "pixels", revision: str | None = None, options: BackendOptions | None = None,
                 *, fn: Callable[[Image, Image], float] | None = None) -> None:
        super().__init__("custom" if fn else model_id, revision, options or BackendOptions())
        self._fn = fn
        self._scores: list[float] | None = None
        if fn is None and model_id not in ("pixels", "fake", ""):
            try:
                self._scores = [float(s) for s in model_id.split(",")]
            except ValueError:
                raise InputError(f"fake judge scores are comma-separated numbers, not {model_id!r}") from None
        #: Number of ``score`` calls so far.
        self.calls = 0

    def score(self, original: Image, candidate: Image) -> float:
        """The next scripted score, ``fn``'s score, or pixel similarity."""
        self.calls += 1
        if self._scores is not None:
            if self.calls > len(self._scores):
                raise BackendError(f"the fake judge has only {len(self._scores)} scripted scores")
            return self._scores[self.calls - 1]
        return float((self._fn or pixel_similarity)(original, candidate))
