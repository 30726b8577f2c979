"""Judges: how close a candidate image is to the original (see ``base.Judge``).

A judge is named by a spec string, ``kind:model``:

- ``clip:openai/clip-vit-base-patch32``, ``siglip:google/siglip-base-patch16-224``,
  ``dino:facebook/dinov2-small``, or ``clip:/local/dir``: cosine similarity of image embeddings;
- ``text:sentence-transformers/all-MiniLM-L6-v2``: similarity of the two images' descriptions
  (needs a ``describe`` callable);
- ``vlm:<describer spec>``: a chat vision model's 0-10 rating (needs an ``ask`` callable built
  from that describer);
- ``fake`` or ``fake:0.2,0.9``: no model (pixel similarity, or scripted scores).

A kind without a model (``clip``) uses the default model of that kind. Modules import torch and
transformers only when a model is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import InputError
from .base import Judge, SupportsScoreText
from .embedding import DEFAULT_MODELS, ImageEmbeddingJudge
from .fake import FakeJudge, parse_fake_spec
from .text import DEFAULT_TEXT_MODEL, TextJudge, text_similarity
from .vlm import VLMJudge

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = [
    "Judge", "SupportsScoreText", "ImageEmbeddingJudge", "TextJudge", "VLMJudge", "FakeJudge",
    "load_judge", "text_similarity", "JUDGE_KINDS", "DEFAULT_JUDGE",
]

JUDGE_KINDS = ("clip", "siglip", "dino", "text", "vlm", "fake")
DEFAULT_JUDGE = f"clip:{DEFAULT_MODELS['clip']}"


def load_judge(
    spec: str,
    *,
    describe: Callable[[Image], str] | None = None,
    reference: str | None = None,
    ask: Callable[[list[Image], str], str] | None = None,
    device: str | None = None,
    dtype: str | None = None,
    load: bool = True,
) -> Judge:
    """The judge named by ``spec`` (see the module docstring), its model loaded unless ``load``
    is False (loading early turns a missing model into an error before any expensive work).

    ``describe`` and ``reference`` serve the ``text`` judge, ``ask`` the ``vlm`` judge.
    Raises InputError for a bad spec or a missing callable, BackendError if the model cannot
    be loaded.
    """
    kind, _, arg = spec.partition(":")
    kind = kind.strip().lower()
    if kind in ("clip", "siglip", "dino"):
        image_judge = ImageEmbeddingJudge(arg or DEFAULT_MODELS[kind], name=kind, device=device, dtype=dtype)
        return image_judge.load() if load else image_judge
    if kind == "text":
        if describe is None:
            raise InputError("the text judge compares descriptions, so it needs a describer model")
        text_judge = TextJudge(describe, model_id=arg or DEFAULT_TEXT_MODEL, reference=reference, device=device, dtype=dtype)
        return text_judge.load() if load else text_judge
    if kind == "vlm":
        if ask is None:
            raise InputError(f"the judge {spec!r} needs a chat vision model to ask, and none was given")
        return VLMJudge(ask, model_id=arg or "custom")
    if kind == "fake":
        try:
            return parse_fake_spec(arg)
        except ValueError as e:
            raise InputError(str(e)) from e
    raise InputError(f"unknown judge {spec!r}; a judge spec starts with one of {', '.join(k + ':' for k in JUDGE_KINDS)}")
