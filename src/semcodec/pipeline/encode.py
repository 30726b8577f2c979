"""Encode an image (or a given description) into a .smc file, top to bottom.

1. The header: coder, prior, the generator profile, the original's size, the seed.
2. The budget in bits for this size, and about how many words it holds.
3. The description: given, or the describer's (as long as the budget holds, when brief).
4. Without a search: rate control fits the description and the codec codes it. With one
   (reflection, seeds, variable rate): ``search`` renders and scores candidates and keeps the
   best, never a worse one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..codec import Encoded, compress
from ..codec.container import Header, header_bits
from ..codec.rate import word_target
from ..errors import InputError
from ..models.costs import CostRecorder
from . import steps
from .modelset import roles_used

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..models.profiles import Profile
    from .config import EncodeConfig
    from .modelset import ModelSet
    from .search import SearchResult


@dataclass
class EncodeResult:
    """What ``encode`` made: the file, the full description it came from, the search, notes."""

    encoded: Encoded
    description: str
    profile: Profile
    search: SearchResult | None = None
    costs: dict[str, Any] = field(default_factory=dict)
    #: Plain sentences for the user (what the search skipped, settings that depart from a profile).
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The JSON ``semcodec encode --json`` prints."""
        out = {**self.encoded.summary(), "generator": self.profile.name, "description": self.description,
               "costs": self.costs, "notes": list(self.notes)}
        if self.search is not None:
            out["search"] = self.search.summary()
        return out


def plan(models: ModelSet, config: EncodeConfig, width: int, height: int) -> tuple[Header, int | None, int | None]:
    """(header, budget in bits, words the budget holds) for an original of ``width`` x ``height``."""
    p, prior, lm_hash = models.profile, config.prior, None
    if config.coder == "lm":  # the language model names its prior (and a custom one its fingerprint)
        from ..codec.ids import LM_CUSTOM

        lm = models.lm()
        prior, lm_hash = lm.prior, (lm.fingerprint if lm.prior == LM_CUSTOM else None)
    try:
        header = Header(config.coder, prior, p.id, width, height, config.seed, p.custom_hash,
                        version=config.format_version - 1, lm_hash=lm_hash, check_bits=config.check_bits)
    except ValueError as e:
        raise InputError(f"invalid header settings: {e}") from None
    bits = config.budget.bits(width, height)
    return header, bits, word_target(bits, header_bits(header), config.coder)


def describe_for(models: ModelSet, image: Image, config: EncodeConfig) -> str:
    """The description the encoder codes: as long as the budget holds when ``brief``."""
    _, _, max_words = plan(models, config, *image.size)
    return steps.describe(models, image, max_words if config.describe == "brief" else None)


def encode(
    models: ModelSet,
    image: Image | str | os.PathLike[str] | None,
    config: EncodeConfig,
    *,
    text: str | None = None,
    size: tuple[int, int] | None = None,
    trace: str | os.PathLike[str] | None = None,
) -> EncodeResult:
    """Encode ``image`` (or the description ``text``; ``size`` then gives the original's size,
    default 1024x1024) into a .smc file under ``config``; write the search's trace to ``trace``."""
    image = _as_image(image)
    if image is None and text is None:
        raise InputError("give an image to encode, or a description")
    if config.searching and image is None:
        raise InputError("reflection, seed search and a quality target compare with the image, so give one")
    if trace is not None and not config.searching:
        raise InputError("a trace records a search: use it with reflect, seeds or quality_target",
                         params=("trace", "reflect", "seeds", "quality_target"))
    if text is not None and not text.strip():
        raise InputError("the description is empty; give a description with at least one word")
    width, height = image.size if image is not None else (size or (1024, 1024))
    header, budget, max_words = plan(models, config, width, height)
    models.check_installed(roles_used(config, describe=text is None, decode=False))
    costs = CostRecorder()

    if text is None:
        with costs.timed("describe"):
            description = steps.describe(models, image, max_words if config.describe == "brief" else None)
    else:
        description = text

    shortened: dict[tuple[str, int], str] = {}  # the search codes one source many times

    def shorten(t: str, words: int) -> str:
        if (t, words) not in shortened:
            with costs.timed("rewrite"):
                shortened[t, words] = steps.shorten(models, t, words)
        return shortened[t, words]

    def code(prompt: str, seed: int, bits: int | None) -> Encoded:
        return compress(prompt, replace(header, seed=seed), bits, strategy=config.strategy, shorten=shorten,
                        lm=models.lm() if header.coder == "lm" else None)

    result = None
    if config.searching:
        result = _search(models, image, description, config, code, budget, max_words, costs)
        enc, notes = result.encoded, list(result.notes)
        if trace is not None:
            from .trace import write_trace

            write_trace(result, trace)
    else:
        enc, notes = code(description, config.seed, budget), []
    # Rate control's own sentences (e.g. that the kept text names nothing to draw) come with the file.
    return EncodeResult(enc, description, models.profile, result, costs.as_dict(),
                        [*models.take_notes(), *notes, *enc.notes])


def _search(models: ModelSet, image: Image, description: str, config: EncodeConfig,
            code: Callable[[str, int, int | None], Encoded], budget: int | None, max_words: int | None,
            costs: CostRecorder) -> SearchResult:
    """Reflection, seed search and variable rate over ``code``, every candidate rendered as the
    decoder will render it; a progress bar of the candidates on stderr when asked."""
    from ..progress import bar
    from .search import search

    candidates = bar(None if config.quality_target else 1 + config.reflect + config.seeds - 1,
                     "semcodec search", enabled=models.runtime.progress, unit="candidate")

    def render(enc: Encoded) -> Image:
        rendered = steps.render(models, enc)
        candidates.update(1)
        return rendered

    with candidates:
        return search(
            image, description, encode=code, render=render, judge=models.get("judge"),
            describe=(lambda im: steps.describe(models, im)) if config.reflect else None,
            revise=(lambda *a: steps.revise(models, *a, max_words)) if config.reflect else None,
            reflect=config.reflect, patience=config.patience, seeds=config.seeds,
            deterministic=models.profile.deterministic, budget=budget, quality_target=config.quality_target,
            costs=costs,
        )


def _as_image(image: Any) -> Image | None:
    """A PIL image from a path, a PIL image, an HxWx3 uint8 array or a 3xHxW / HxWx3 tensor (as
    diffusers accepts them), or an InputError in one sentence."""
    from PIL import Image as PILImage

    if isinstance(image, (str, os.PathLike)):
        from ..imageio import load_image

        return load_image(image)
    if image is None or isinstance(image, PILImage.Image):
        return image
    if hasattr(image, "detach"):  # a torch tensor: values in 0..1 (float) or 0..255
        image = image.detach().cpu().numpy()
    if hasattr(image, "__array__"):
        import numpy as np

        a = np.asarray(image)
        if a.ndim == 3 and a.shape[0] in (1, 3) and a.shape[-1] not in (1, 3):
            a = a.transpose(1, 2, 0)  # channels first -> last
        if a.ndim == 3 and a.shape[-1] == 1:
            a = a[..., 0]
        if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] != 3) or a.size == 0:
            raise InputError(f"an image array must be HxW or HxWx3, not of shape {tuple(np.shape(image))}")
        if a.dtype.kind == "f":
            a = np.clip(np.rint(a * 255.0), 0, 255)
        return PILImage.fromarray(np.asarray(a, dtype=np.uint8)).convert("RGB")
    raise InputError(f"an image is a PIL image, a numpy array or a path, not {type(image).__name__}")
