"""Scripted fakes for the encoder-side search tests (imported explicitly by test_search and
test_trace): a real raw-coder ``encode``, a ``render`` that tags its images with the decoded text
and seed, a judge scoring from a table, and describe/revise scripts that log their calls."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PIL import Image

from semcodec.codec import Encoded, compress_text
from semcodec.models.judges.fake import FakeJudge


class Fakes:
    """The callables a search takes, each logging its calls."""

    def __init__(self, score: Callable[[str, int], float], revisions: Iterable[str] = ()) -> None:
        self.encodes: list[tuple[str, int, int | None]] = []
        self.renders: list[tuple[str, int]] = []
        self.describes: list[str] = []
        self.revises: list[tuple[str, str, str]] = []
        self._revisions = list(revisions)
        self._score = score
        self.judge = FakeJudge(fn=lambda original, candidate: self._score(candidate.info["text"], candidate.info["seed"]))

    def encode(self, prompt: str, seed: int, budget: int | None) -> Encoded:
        self.encodes.append((prompt, seed, budget))
        return compress_text(prompt, coder="raw", seed=seed, max_bits=budget)

    def render(self, encoded: Encoded) -> Image.Image:
        self.renders.append((encoded.text, encoded.header.seed))
        shade = (len(self.renders) * 37) % 256
        image = Image.new("RGB", (16, 12), (shade, 255 - shade, 90))
        image.info.update(text=encoded.text, seed=encoded.header.seed)
        return image

    def describe(self, image: Image.Image) -> str:
        self.describes.append(image.info["text"])
        return f"an image of {image.info['text']}"

    def revise(self, original: str, generated: str, current: str) -> str:
        self.revises.append((original, generated, current))
        return self._revisions[len(self.revises) - 1]

    def kwargs(self) -> dict:
        """The callables as ``search`` keyword arguments."""
        return dict(encode=self.encode, render=self.render, judge=self.judge, describe=self.describe, revise=self.revise)


def by_text(table: dict[str, float]) -> Callable[[str, int], float]:
    """Score by the decoded text only."""
    return lambda text, seed: table[text]


def original_image() -> Image.Image:
    return Image.new("RGB", (16, 12), (10, 20, 30))
