"""Generator profiles: which text-to-image model and which decoding settings make an image,
and the one function that builds a generator from a profile.

A decoder must run the encoder's generator exactly (model, steps, guidance, scheduler, dtype,
size), or it paints a different picture. The container therefore stores a small integer **profile
id** from the hand-maintained table ``PROFILES`` below, and ``build_generator`` is the only place
a generator is built: it applies every setting the profile pins.

Rules of the table (the file format depends on them):

- An id, once released, is **never renumbered, reused or changed**. A new model or new settings
  get a new id at the end; a retired profile stays in the table (``retired=True``) so that old
  files still decode.
- Id 0 means "custom": a generator that is not in the table (``custom_profile``). The container
  then stores the 32-bit ``custom_profile_hash`` of its canonical spec and settings, and the
  decoder must be given the same spec and settings (the hash checks them).
- Small ids cost fewer header bits, so the most used profiles come first.

Each profile lists **resolution buckets**: sizes with about the same pixel count at several aspect
ratios, the sizes the model was trained for. The generator renders at the bucket nearest the
original's aspect ratio (``render_size``) and ``imageio.fit_to_size`` brings the result back to
the original width and height. A custom generator renders at the original size.

**Dtype policy.** A profile that pins a dtype renders in it on every machine that can run it, so
that a file decodes to the same pixels wherever the same hardware allows. A float16 profile on a
CPU (where diffusers does not run float16) renders in float32, and a user's ``--dtype`` that
departs from the profile is honoured; both with a note that the pixels will differ.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..codec.ids import CUSTOM_PROFILE, DEFAULT_PROFILE

if TYPE_CHECKING:  # pragma: no cover
    from .base import Generator

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
    #: Sizes the model renders at (about equal pixel counts, several aspect ratios); None: the
    #: original's size (custom generators).
    buckets: tuple[Size, ...] | None = None
    steps: int | None = None
    guidance: float | None = None
    #: diffusers scheduler class name; pinned so that a changed library default cannot change images.
    scheduler: str | None = None
    #: dtype the profile renders in (see the dtype policy in the module docstring).
    dtype: str | None = None
    #: Weight file variant to download (``fp16`` halves the download).
    variant: str | None = None
    #: Same (prompt, size, seed) -> same pixels (on the same hardware and software).
    deterministic: bool = True
    #: Custom generators only: the 32-bit hash the header stores.
    custom_hash: int | None = None
    #: Custom generators only: their other settings, as sorted (name, value) pairs.
    extra: tuple[tuple[str, Any], ...] = ()
    licence: str = ""
    memory: str = ""
    notes: str = ""
    retired: bool = False

    def settings(self) -> dict[str, Any]:
        """The generator options this profile fixes, besides the dtype."""
        pairs = (("steps", self.steps), ("guidance", self.guidance), ("scheduler", self.scheduler),
                 ("variant", self.variant), *self.extra)
        return {k: v for k, v in pairs if v is not None}

    @property
    def is_custom(self) -> bool:
        return self.id == CUSTOM_PROFILE

    def render_size(self, width: int, height: int) -> Size:
        """The size the generator is asked for, for an original of ``width`` x ``height``."""
        if self.buckets is None:
            return width, height
        from ..imageio import nearest_aspect

        return nearest_aspect(self.buckets, width, height)

    def describe_header(self) -> str:
        """How a file made with this profile names it: ``profile 1`` or a custom hash."""
        return f"a custom generator (hash {self.custom_hash:08x})" if self.is_custom else f"profile {self.id} ({self.name})"


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



def get_profile(profile_id: int) -> Profile:
    """The profile with ``profile_id``; an unknown id (a file from a newer semcodec) is an InputError."""
    try:
        return PROFILES[profile_id]
    except KeyError:
        raise InputError(
            f"Generator profile {profile_id} is unknown to this version of semcodec; upgrade semcodec or give a generator.",
            params=("generator",),
        ) from None


def profile_by_name(name: str) -> Profile:
    """The profile called ``name`` (e.g. ``sdxl``); InputError listing the names if there is none."""
    for p in PROFILES.values():
        if p.name == name:
            return p
    raise InputError(f"No generator profile named {name!r}; choose one of: {', '.join(p.name for p in PROFILES.values())}.")


def find_profile(spec: str, settings: dict[str, Any]) -> Profile | None:
    """The table profile with this generator spec and exactly these settings, or None (custom)."""
    wanted = {k: v for k, v in settings.items() if v is not None}
    for p in PROFILES.values():
        if p.generator == spec and p.settings() == wanted:
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


def custom_profile(spec: str, settings: dict[str, Any], *, deterministic: bool) -> Profile:
    """Profile 0 for a generator that is not in the table: rendered at the original's size."""
    settings = {k: v for k, v in settings.items() if v is not None}
    return Profile(CUSTOM_PROFILE, f"custom:{spec}", spec, None, deterministic=deterministic,
                   custom_hash=custom_profile_hash(spec, settings), extra=tuple(sorted(settings.items())))


def split_options(spec: str, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A generator's options split into (settings that change its pixels, transport options such
    as keys, servers and timeouts that do not), as its backend class declares (``TRANSPORT``)."""
    from .registry import backend_class

    transport = backend_class("generator", spec)[0].Options.TRANSPORT
    options = {k: v for k, v in options.items() if v is not None}
    return ({k: v for k, v in options.items() if k not in transport},
            {k: v for k, v in options.items() if k in transport})


def resolve_profile(value: str | int | None, options: dict[str, Any] | None = None,
                    default: int = DEFAULT_PROFILE) -> Profile:
    """A profile id (``1``), a profile name (``sdxl-turbo``) or a backend spec
    (``diffusers:org/model``, with ``options`` such as steps and guidance). A spec that matches
    a table profile exactly uses that profile; any other is a custom generator (profile 0),
    deterministic as its backend class declares. Transport options (keys, servers, timeouts)
    never change which profile it is."""
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InputError(f"a generator is a profile id, a profile name or a spec, not {value!r}")
    if isinstance(value, int) or ":" not in value:
        profile = get_profile(int(value)) if str(value).isdigit() else profile_by_name(str(value))
        if split_options(profile.generator, options or {})[0]:
            raise InputError("generator settings can only be given with a generator spec, not a profile")
        return profile
    settings, _ = split_options(value, options or {})
    profile = find_profile(value, settings)
    if profile is not None:
        return profile
    from .registry import backend_class

    cls, _ = backend_class("generator", value)
    return custom_profile(value, settings, deterministic=cls.deterministic)


def build_generator(profile: Profile, runtime: dict[str, Any]) -> tuple[Generator, list[str]]:
    """The generator of ``profile`` with every setting it pins (steps, guidance, scheduler,
    variant, dtype), plus the runtime options its backend accepts (device, dtype, cpu_offload,
    base_url), and notes on anything that departs from the profile."""
    from .registry import backend_class, load

    cls, _ = backend_class("generator", profile.generator)
    options = {k: v for k, v in runtime.items() if v not in (None, False) and cls.accepts_option(k)}
    notes = []
    if profile.dtype and cls.accepts_option("dtype"):
        asked = options.get("dtype")
        if asked is not None and asked != profile.dtype:
            notes.append(f"{profile.describe_header()} renders in {profile.dtype}; rendering in {asked} as asked "
                         "gives slightly different pixels than the encoder saw")
        elif asked is None and profile.dtype == "float16" and _on_cpu(options.get("device")):
            asked = "float32"
            notes.append(f"{profile.describe_header()} renders in float16, which diffusers does not run on the CPU; "
                         "rendering in float32 gives slightly different pixels than a GPU's")
        options["dtype"] = asked or profile.dtype
    return load("generator", profile.generator, **profile.settings(), **options), notes


def _on_cpu(device: str | None) -> bool:
    """Whether a local model asked to run on ``device`` (None: the best available) runs on the CPU."""
    from .local import resolve_device

    return resolve_device(device or "auto") == "cpu"
