"""Scripted, deterministic stand-ins for real models (``fake:NAME``), for tests and dry runs.

No model library is imported. The describer returns a fixed text or one derived from the image's
mean colour; the generator paints a gradient whose colours come from a hash of (prompt, seed),
so equal inputs give equal pixels and different seeds give different ones; the expander and the
chat model echo, or play back scripted replies.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from typing import TYPE_CHECKING

from ..base import Backend, BackendOptions

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from ..registry import Spec

_COLOURS = {
    "black": (0, 0, 0), "white": (255, 255, 255), "red": (200, 30, 30), "green": (40, 160, 60),
    "blue": (40, 70, 200), "yellow": (230, 210, 40), "orange": (240, 140, 30), "purple": (130, 50, 160),
    "grey": (128, 128, 128), "brown": (120, 80, 40), "pink": (240, 150, 180), "cyan": (40, 200, 210),
}


def _colour_name(rgb: tuple[int, ...]) -> str:
    """The nearest of a dozen named colours."""
    return min(_COLOURS, key=lambda c: sum((a - b) ** 2 for a, b in zip(_COLOURS[c], rgb)))


class FakeOptions(BackendOptions):
    """Options of the fake backend."""

    #: Describer: always return this text (None: describe the image's mean colour and size).
    text: str | None = None
    #: Expander and complete(): replies played back in turn (empty: echo the input).
    replies: tuple[str, ...] = ()
    #: Describer: add the colour of each ninth of the image (a description about as long as a
    #: real describer's, so that a dry run exercises rate control). complete(): answer with the
    #: longest line of the request (the description it was asked to shorten or revise).
    detail: bool = False
    #: Seconds every call sleeps, standing for a real model's work (benchmarks, cluster dry runs).
    #: It changes no result, so it is neither in cache keys nor in a generator profile.
    delay: float = 0.0

    NOT_IN_CACHE_KEY = frozenset({"delay"})
    TRANSPORT = frozenset({"delay"})


class FakeBackend(Backend):
    """One scripted model that can describe, generate, expand and complete."""

    provider = "fake"
    roles = frozenset({"describer", "generator", "text", "expander"})
    Options = FakeOptions
    default_model = "fake"
    accepts_images = True
    deterministic = True

    def __init__(self, model_id: str, revision: str | None, options: FakeOptions) -> None:
        super().__init__(model_id, revision, options)
        self._replies = itertools.cycle(options.replies) if options.replies else None

    def _work(self) -> None:
        if self.options.delay > 0:
            time.sleep(self.options.delay)

    def describe(self, image: Image.Image, instruction: str) -> str:
        """The scripted text, or e.g. ``"a mostly blue image, wider than tall"``."""
        self._work()
        if self.options.text is not None:
            return self.options.text
        colour = _colour_name(image.convert("RGB").resize((1, 1)).getpixel((0, 0)))
        shape = "square" if image.width == image.height else ("wider than tall" if image.width > image.height else "taller than wide")
        if not self.options.detail:
            return f"a mostly {colour} image, {shape}"
        grid = image.convert("RGB").resize((3, 3))
        parts = [f"the {row} {col} is {_colour_name(grid.getpixel((x, y)))}"
                 for y, row in enumerate(("top", "middle", "bottom")) for x, col in enumerate(("left", "centre", "right"))]
        return f"A mostly {colour} image, {shape}. " + ", ".join(parts) + "."

    def generate(self, prompt: str, width: int, height: int, seed: int) -> Image.Image:
        """A horizontal gradient between two colours drawn from sha256(prompt, seed)."""
        from PIL import Image

        self._work()
        h = hashlib.sha256(f"{seed}\x00{prompt}".encode()).digest()
        left, right = h[0:3], h[3:6]
        ramp = Image.linear_gradient("L").rotate(90).resize((width, height))
        a = Image.new("RGB", (width, height), tuple(left))
        b = Image.new("RGB", (width, height), tuple(right))
        return Image.composite(a, b, ramp)

    def complete(self, system: str, user: str) -> str:
        """The next scripted reply, the request's longest line (``detail``), or ``user`` unchanged."""
        self._work()
        if self._replies:
            return next(self._replies)
        return max(user.splitlines() or [""], key=len).strip() if self.options.detail else user.strip()

    def expand(self, skeleton: str) -> str:
        """The next scripted reply, or ``skeleton`` unchanged."""
        self._work()
        return next(self._replies) if self._replies else skeleton.strip()


def backend_class(role: str, spec: Spec) -> type[Backend]:
    """The fake plays every role (the judge is its own class)."""
    if role == "judge":
        from ..judges.fake import FakeJudge

        return FakeJudge
    return FakeBackend
