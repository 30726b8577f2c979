"""Generator profiles: which text-to-image model and which decoding settings made an image.

A decoder must run the encoder's generator exactly (model, steps, guidance, scheduler, size), or
it paints a different picture. The container therefore stores a small integer **profile id** from
the hand-maintained table ``PROFILES`` below.

Rules of the table (the file format depends on them):

- An id, once released, is **never renumbered, reused or changed**. A new model or new settings
  get a new id at the end; a retired profile stays in the table (``retired=True``) so that old
  files still decode.
- Id 0 means "custom": a generator that is not in the table. The container then stores the
  32-bit ``custom_profile_hash`` of its canonical spec and settings, and the decoder must be given
  the same spec and settings (the hash checks them).
- Small ids cost fewer header bits, so the most used profiles come first.

Each profile lists **resolution buckets**: sizes with about the same pixel count at several aspect
ratios, the sizes the model was trained for. The encoder picks the bucket nearest the original's
aspect ratio (``bucket_for``), the generator renders at that size, and ``fit_to_size`` brings the
result back to the original width and height.

This module imports no model library.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from .errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from .backends.base import Generator

Size = tuple[int, int]

#: SDXL's training buckets near one megapixel (from the SDXL paper's appendix), a subset.
SDXL_BUCKETS: tuple[Size, ...] = (
    (1024, 1024), (1152, 896), (896, 1152), (1216, 832), (832, 1216),
    (1344, 768), (768, 1344), (1536, 640), (640, 1536),
)
#: The same aspect ratios at about a quarter of a megapixel (512-pixel models).
SD512_BUCKETS: tuple[Size, ...] = (
    (512, 512), (576, 448), (448, 576), (608, 416), (416, 608), (672, 384), (384, 672),
)
#: One-megapixel buckets on a multiple of 16 (transformer models that pack 2x2 latent patches).
MP1_16_BUCKETS: tuple[Size, ...] = (
    (1024, 1024), (1152, 896), (896, 1152), (1248, 832), (832, 1248), (1344, 768), (768, 1344),
)


@dataclass(frozen=True)
class Profile:
    """A generator and the settings that make its output reproducible."""

    id: int
    name: str
    #: Backend spec of the generator (``diffusers:...``, ``openai:...``).
    generator: str
    #: Sizes the model renders at (about equal pixel counts, several aspect ratios).
    buckets: tuple[Size, ...]
    steps: int | None = None
    guidance: float | None = None
    #: diffusers scheduler class name; pinned so that a changed library default cannot change images.
    scheduler: str | None = None
    #: dtype the settings were chosen for (a hint: other dtypes give slightly different pixels).
    dtype: str | None = None
    #: Weight file variant to download (``fp16`` halves the download).
    variant: str | None = None
    #: Same (prompt, size, seed) -> same pixels (on the same hardware and software).
    deterministic: bool = True
    licence: str = ""
    memory: str = ""
    notes: str = ""
    retired: bool = False

    def settings(self) -> dict[str, Any]:
        """The generator options this profile fixes (for ``load_generator``)."""
        if self.generator.startswith("openai:"):
            return {}
        pairs = (("steps", self.steps), ("guidance", self.guidance), ("scheduler", self.scheduler), ("variant", self.variant))
        return {k: v for k, v in pairs if v is not None}

    def load(self, **options: Any) -> Generator:
        """The profile's generator, with ``options`` (device, dtype, offload) on top of its settings."""
        from .backends.spec import load_generator

        dtype = {"dtype": self.dtype} if self.dtype and "dtype" not in options else {}
        return load_generator(self.generator, **{**self.settings(), **dtype, **options})


#: The profile table. APPEND ONLY: never renumber, reuse or edit a released id (see above).
PROFILES: dict[int, Profile] = {
    p.id: p
    for p in (
        Profile(
            1, "sdxl", "diffusers:stabilityai/stable-diffusion-xl-base-1.0", SDXL_BUCKETS,
            steps=30, guidance=5.0, scheduler="EulerDiscreteScheduler", dtype="float16", variant="fp16",
            licence="CreativeML Open RAIL++-M", memory="~7 GB fp16 weights; ~10 GB GPU (~5 GB with cpu_offload)",
            notes="Default: open licence allowing commercial use, native 1024x1024 like the paper, plain diffusers.",
        ),
        Profile(
            2, "sdxl-turbo", "diffusers:stabilityai/sdxl-turbo", SD512_BUCKETS,
            steps=4, guidance=0.0, scheduler="EulerAncestralDiscreteScheduler", dtype="float16", variant="fp16",
            licence="Stability AI Community / non-commercial research licence (uncertain; check the model card)",
            memory="~7 GB fp16 weights; ~8 GB GPU",
            notes="Fast (1-4 steps) at 512x512.",
        ),
        Profile(
            3, "ssd-1b", "diffusers:segmind/SSD-1B", SDXL_BUCKETS,
            steps=30, guidance=5.0, scheduler="EulerDiscreteScheduler", dtype="float16", variant="fp16",
            licence="Apache-2.0", memory="~4.5 GB fp16 weights; ~6 GB GPU (uncertain)",
            notes="Distilled SDXL, 60% faster, smaller GPUs.",
        ),
        Profile(
            4, "flux-schnell", "diffusers:black-forest-labs/FLUX.1-schnell", MP1_16_BUCKETS,
            steps=4, guidance=0.0, scheduler=None, dtype="bfloat16",
            licence="Apache-2.0", memory="~34 GB bf16 weights with T5; ~24 GB GPU with cpu_offload (uncertain)",
            notes="Best open quality in this table; large.",
        ),
        Profile(
            5, "dall-e-3", "openai:dall-e-3", ((1024, 1024), (1792, 1024), (1024, 1792)),
            deterministic=False, licence="OpenAI API terms (hosted)", memory="none (hosted)",
            notes="The paper's decoder; cannot be seeded, so decoding gives a new image each time.",
        ),
        Profile(
            6, "gpt-image-1", "openai:gpt-image-1", ((1024, 1024), (1536, 1024), (1024, 1536)),
            deterministic=False, licence="OpenAI API terms (hosted)", memory="none (hosted)",
            notes="Cannot be seeded.",
        ),
    )
}

#: Id stored for a generator that is not in the table.
CUSTOM_PROFILE_ID = 0
#: The default profile (id 1 costs the fewest header bits).
DEFAULT_PROFILE_ID = 1


def get_profile(profile_id: int) -> Profile:
    """The profile with ``profile_id``; an unknown id (a file from a newer semcodec) is an InputError."""
    try:
        return PROFILES[profile_id]
    except KeyError:
        raise InputError(
            f"Generator profile {profile_id} is unknown to this version of semcodec; upgrade semcodec or pass --generator."
        ) from None


def profile_by_name(name: str) -> Profile:
    """The profile called ``name`` (e.g. ``sdxl``); InputError listing the names if there is none."""
    for p in PROFILES.values():
        if p.name == name:
            return p
    raise InputError(f"No generator profile named {name!r}; choose one of: {', '.join(p.name for p in PROFILES.values())}.")


def find_profile(spec: str, settings: dict[str, Any]) -> Profile | None:
    """The table profile with this generator spec and exactly these settings, or None (custom)."""
    for p in PROFILES.values():
        if p.generator == spec and p.settings() == {k: v for k, v in settings.items() if v is not None}:
            return p
    return None


def custom_profile_hash(spec: str, settings: dict[str, Any]) -> int:
    """32-bit identity of a custom generator: first 4 bytes (big-endian) of the sha256 of the
    canonical JSON of spec and settings (sorted keys, None values dropped, no spaces)."""
    canon = json.dumps(
        {"generator": spec.strip(), "settings": {k: v for k, v in settings.items() if v is not None}},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return int.from_bytes(hashlib.sha256(canon.encode("ascii")).digest()[:4], "big")


def nearest_aspect(sizes: Sequence[Size], width: int, height: int) -> Size:
    """The size in ``sizes`` whose aspect ratio is nearest (in log ratio) to width/height;
    ties go to the earlier entry."""
    if width <= 0 or height <= 0:
        raise InputError(f"Image size {width}x{height} is not positive; give a width and height of at least 1.")
    target = math.log(width / height)
    return min(sizes, key=lambda s: abs(math.log(s[0] / s[1]) - target))


def bucket_for(profile: Profile, width: int, height: int) -> Size:
    """The profile's resolution bucket for an original of ``width`` x ``height``."""
    return nearest_aspect(profile.buckets, width, height)


def fit_to_size(image: Image.Image, width: int, height: int) -> Image.Image:
    """Bring a generated image to exactly ``width`` x ``height``: scale it (Lanczos) so that it
    covers the target, keeping its aspect ratio, then crop the centre. Nothing is stretched; at
    most the overhang on two opposite sides (a few percent with a well-chosen bucket) is lost."""
    from PIL import ImageOps

    if image.size == (width, height):
        return image.copy()
    return ImageOps.fit(image.convert("RGB"), (width, height), method=3, centering=(0.5, 0.5))  # 3 = LANCZOS
