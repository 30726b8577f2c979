"""The image pipeline: image -> description -> .smc file -> regenerated image.

``Pipeline`` holds the models (loaded on first use, then reused for every image) and runs the
two directions of the codec:

- ``encode``: describe the image (or take a given description), fit it to the bit budget,
  optionally search over reflection revisions and seeds (``semcodec.search``), code it;
- ``decode``: read the file, restore consonant text if needed, and render the text with the
  file's generator profile, at the profile's resolution bucket nearest the original aspect ratio,
  then scale and centre-crop back to the original width and height (``profiles.fit_to_size``).

The encoder's search renders each candidate exactly as ``decode`` would (same function), so the
score it keeps is the score of the image a decoder will see (on the same hardware, for a
deterministic generator).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .codec import Encoded, compress_text, decompress
from .codec.container import CUSTOM_PROFILE, Header, header_bits
from .costs import CostRecorder
from .errors import BackendError, BudgetError, InputError
from .presets import DEFAULT_PRESET, get_preset
from .profiles import PROFILES, Profile, custom_profile_hash, find_profile, fit_to_size, get_profile, profile_by_name
from .prompts import DESCRIBE, DESCRIBE_BRIEF, REVISE, SHORTEN, parse_revision
from .codec.rate import Budget, normalize, word_target

if TYPE_CHECKING:
    from PIL.Image import Image

    from .search import SearchResult

#: The offline expander for consonant text: Viterbi over the shipped n-gram prior.
NGRAM_EXPANDER = "ngram"


@dataclass(frozen=True)
class GeneratorChoice:
    """Which generator renders, with which settings, and how the header names it."""

    spec: str
    settings: dict[str, Any]
    profile_id: int
    custom_hash: int | None
    #: Render sizes (the profile's buckets); None for a custom generator: render at the original size.
    buckets: tuple[tuple[int, int], ...] | None
    deterministic: bool

    @classmethod
    def from_profile(cls, p: Profile) -> "GeneratorChoice":
        return cls(p.generator, p.settings(), p.id, None, p.buckets, p.deterministic)

    @classmethod
    def resolve(cls, value: str | int | None, preset: str = DEFAULT_PRESET, **settings: Any) -> "GeneratorChoice":
        """A profile id (``1``), a profile name (``sdxl-turbo``) or a backend spec
        (``diffusers:org/model``, with ``settings`` such as steps and guidance). A spec that matches
        a table profile exactly uses that profile; any other is a custom generator (profile 0)."""
        settings = {k: v for k, v in settings.items() if v is not None}
        if value is None:
            value = get_preset(preset).profile_id
        if isinstance(value, int) or str(value).isdigit():
            if settings:
                raise InputError("generator settings can only be given with a generator spec, not a profile")
            return cls.from_profile(get_profile(int(value)))
        if ":" not in str(value):
            if settings:
                raise InputError("generator settings can only be given with a generator spec, not a profile")
            return cls.from_profile(profile_by_name(str(value)))
        profile = find_profile(str(value), settings)
        if profile is not None:
            return cls.from_profile(profile)
        spec = str(value)
        return cls(spec, settings, CUSTOM_PROFILE, custom_profile_hash(spec, settings), None,
                   not spec.startswith("openai:"))

    def render_size(self, width: int, height: int) -> tuple[int, int]:
        """The size the generator is asked for, for an original of ``width`` x ``height``."""
        if self.buckets is None:
            return width, height
        from .profiles import nearest_aspect

        return nearest_aspect(self.buckets, width, height)

    @property
    def name(self) -> str:
        return PROFILES[self.profile_id].name if self.profile_id in PROFILES else f"custom:{self.spec}"


@dataclass
class EncodeResult:
    """What ``Pipeline.encode`` made: the file, the full description it came from, the search."""

    encoded: Encoded
    description: str
    generator: GeneratorChoice
    search: SearchResult | None = None
    costs: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The JSON ``semcodec encode --json`` prints."""
        out = {**self.encoded.summary(), "generator": self.generator.name, "description": self.description,
               "costs": self.costs}
        if self.search is not None:
            out["search"] = self.search.summary()
        return out


@dataclass
class DecodeResult:
    """What ``Pipeline.decode`` made: the image and the text it was rendered from."""

    image: Image
    encoded: Encoded
    #: The text handed to the generator (for consonant files: the restored text).
    prompt: str
    generator: GeneratorChoice
    costs: dict[str, Any] = field(default_factory=dict)


class Pipeline:
    """Models for encoding and decoding images, each loaded once on first use.

    Any model can be given as a backend spec; otherwise the preset's model is used (``open``:
    local Hugging Face models; ``paper``: the OpenAI API). ``device``/``dtype``/``cpu_offload``
    go to the local backends and ``base_url`` (an OpenAI-compatible server) to the ``openai``
    ones; none of them changes which generator profile a file names. With ``brief`` (the
    default) the describer is asked for a description about as long as the budget holds
    (``word_target``); otherwise for a full description, which rate control then cuts.
    """

    def __init__(
        self,
        *,
        preset: str = DEFAULT_PRESET,
        describer: str | None = None,
        generator: str | int | None = None,
        generator_settings: dict[str, Any] | None = None,
        expander: str | None = None,
        text_model: str | None = None,
        judge: str | None = None,
        cache: bool = True,
        device: str | None = None,
        dtype: str | None = None,
        cpu_offload: bool = False,
        base_url: str | None = None,
        brief: bool = True,
    ) -> None:
        self.preset = get_preset(preset)
        self.describer_spec = describer or self.preset.describer
        self.generator = GeneratorChoice.resolve(generator, preset, **(generator_settings or {}))
        self.expander_spec = expander or NGRAM_EXPANDER
        self.text_model_spec = text_model or self.preset.text_model
        self.judge_spec = judge
        self.local_options = {k: v for k, v in (("device", device), ("dtype", dtype)) if v is not None}
        self.cpu_offload = cpu_offload
        self.api_options = {"base_url": base_url} if base_url else {}
        self.brief = brief
        self._cache = None
        if cache:
            from .cache import ResultCache

            self._cache = ResultCache()
        self._models: dict[str, Any] = {}

    # -- models, loaded on first use ------------------------------------------------------------
    def _options_for(self, spec: str) -> dict[str, Any]:
        provider = spec.split(":", 1)[0]
        if provider in ("hf", "diffusers"):
            return dict(self.local_options)
        return dict(self.api_options) if provider == "openai" else {}

    def _cached(self, backend: Any) -> Any:
        return self._cache.wrap(backend) if self._cache is not None else backend

    def _model(self, role: str) -> Any:
        """The describer, text model or expander, loaded (and put behind the cache) on first use."""
        if role not in self._models:
            self._models[role] = self._load(role)
        return self._models[role]

    def _load(self, role: str) -> Any:
        if role == "expander" and self.expander_spec == NGRAM_EXPANDER:
            from .codec.text.expand import NgramExpander

            return NgramExpander()  # offline and fast: nothing worth caching
        from . import backends

        load, spec = {
            "describer": (backends.load_describer, self.describer_spec),
            "text_model": (backends.load_text_model, self.text_model_spec),
            "expander": (backends.load_expander, self.expander_spec),
        }[role]
        return self._cached(load(spec, **self._options_for(spec)))

    def loaded_models(self) -> dict[str, str]:
        """The models loaded so far, by role, each with its exact identity (backend, model,
        revision, options: ``cache_key()``), for results' metadata."""
        return {role: m.cache_key() for role, m in self._models.items() if hasattr(m, "cache_key")}

    def generator_model(self, choice: GeneratorChoice | None = None) -> Any:
        """The generator backend of ``choice`` (default: this pipeline's generator)."""
        choice = choice or self.generator
        key = f"generator:{choice.spec}:{sorted(choice.settings.items())}"
        if key not in self._models:
            from .backends import load_generator

            options = {**choice.settings, **self._options_for(choice.spec)}
            if self.cpu_offload and choice.spec.startswith("diffusers:"):
                options["cpu_offload"] = True
            self._models[key] = self._cached(load_generator(choice.spec, **options))
        return self._models[key]

    def judge(self) -> Any:
        """The search's judge (default: CLIP image similarity), loaded on first use."""
        if "judge" not in self._models:
            from .judges import DEFAULT_JUDGE, load_judge

            spec = self.judge_spec or DEFAULT_JUDGE
            kwargs: dict[str, Any] = {}
            if spec.startswith("text"):
                kwargs["describe"] = self.describe
            if spec.startswith("vlm"):
                kwargs["ask"] = self._ask
            self._models["judge"] = load_judge(spec, **kwargs, **self.local_options)
        return self._models["judge"]

    def _ask(self, images: list[Image], question: str) -> str:
        """Ask the describer about several images at once, shown side by side in one picture."""
        from PIL import Image as PILImage

        height = max(im.height for im in images)
        strip = PILImage.new("RGB", (sum(im.width for im in images), height), "white")
        x = 0
        for im in images:
            strip.paste(im.convert("RGB"), (x, 0))
            x += im.width
        return self._model("describer").describe(strip, question)

    # -- the steps ----------------------------------------------------------------------------
    def describe(self, image: Image, max_words: int | None = None) -> str:
        """The describer's description of ``image`` (in at most ``max_words`` words, if given),
        white space normalised."""
        instruction = DESCRIBE_BRIEF.instruction(max_words=max_words) if max_words else DESCRIBE.instruction()
        text = normalize(self._model("describer").describe(image, instruction))
        if not text:
            raise BackendError(f"the describer {self.describer_spec} returned an empty description")
        return text

    def restore(self, text: str, coder: str) -> str:
        """The text a generator should get: consonant skeletons are expanded back to words."""
        return self._model("expander").expand(text) if coder == "consonant" and text else text

    def render(self, enc: Encoded, generator: GeneratorChoice | None = None) -> Image:
        """The decoder's image for a file: its (restored) text rendered at the bucket nearest the
        original aspect ratio, then fitted to the original size."""
        return self._generate(self.restore(enc.text, enc.header.coder), enc, generator or self.generator)

    def _generate(self, prompt: str, enc: Encoded, choice: GeneratorChoice) -> Image:
        h = enc.header
        width, height = choice.render_size(h.width, h.height)
        image = self.generator_model(choice).generate(prompt, width, height, h.seed)
        return fit_to_size(image, h.width, h.height)

    def word_target(self, budget: int | None, coder: str, width: int, height: int) -> int | None:
        """About how many words of a description fit ``budget`` bits (None: no budget), for the
        prompts that ask a model for a description of a given length. At least 2."""
        if budget is None:
            return None
        g = self.generator
        header = header_bits(Header(coder=coder, profile=g.profile_id, custom_hash=g.custom_hash, width=width,
                                    height=height))
        return word_target(budget, header, coder)

    def _rewrite(self, description: str, max_words: int, fits: Any) -> str:
        """Ask the text model for a shorter description when the full one does not fit."""
        if fits(description):
            return description
        system, user = SHORTEN.render(max_words=max_words, description=description)
        return normalize(self._model("text_model").complete(system, user)) or description

    def _revise(self, max_words: int | None):
        def revise(target: str, generated: str, prompt: str) -> str:
            system, user = REVISE.render(target=target, prompt=prompt, generated=generated,
                                         max_words=max_words or 200)
            return normalize(parse_revision(self._model("text_model").complete(system, user))[1]) or prompt

        return revise

    # -- the two directions -------------------------------------------------------------------
    def encode(
        self,
        image: Image | str | os.PathLike[str] | None = None,
        *,
        text: str | None = None,
        size: tuple[int, int] | None = None,
        coder: str = "ngram",
        max_bits: int | None = None,
        ubpp: float | None = None,
        strategy: str = "truncate",
        seed: int = 0,
        reflect: int = 0,
        seeds: int = 1,
        patience: int = 1,
        quality_target: float | None = None,
        trace: str | os.PathLike[str] | None = None,
    ) -> EncodeResult:
        """Encode an image (or a given description) into a .smc file.

        ``text`` skips the describer; without an image, ``size`` gives the original size. A
        search (``reflect`` > 0, ``seeds`` > 1 or ``quality_target``) needs an image, a judge and
        the generator; it keeps the best-scoring file and never a worse one.
        """
        if isinstance(image, (str, os.PathLike)):
            from .imageio import load_image

            image = load_image(image)
        if image is None and text is None:
            raise InputError("give an image to encode, or a description")
        width, height = image.size if image is not None else (size or (1024, 1024))
        costs = CostRecorder()
        budget = Budget(ubpp=ubpp, max_bits=max_bits).bits(width, height)
        max_words = self.word_target(budget, coder, width, height)
        if text is None:
            with costs.timed("describe"):
                description = self.describe(image, max_words if self.brief else None)
        else:
            description = text
        searching = reflect > 0 or seeds > 1 or quality_target is not None
        if searching and image is None:
            raise InputError("reflection, seed search and a quality target compare with the image, so give one")
        if quality_target is not None and budget is None:
            raise InputError("a quality target needs an upper bound on the rate: give --max-bits or --ubpp")
        fit_strategy = "select" if strategy == "rewrite" else strategy
        choice = self.generator

        def encode_fn(prompt: str, seed_: int, budget_: int | None) -> Encoded:
            return compress_text(prompt, coder=coder, width=width, height=height, seed=seed_,
                                 profile=choice.profile_id, custom_hash=choice.custom_hash,
                                 max_bits=budget_, strategy=fit_strategy)

        if strategy == "rewrite" and budget is not None:
            def fits(t: str) -> bool:
                try:
                    return encode_fn(t, seed, None).file_bits <= budget
                except BudgetError:
                    return False

            with costs.timed("rewrite"):
                description_to_code = self._rewrite(description, max_words, fits)
        else:
            description_to_code = description

        result = None
        if searching:
            from .search import search

            result = search(
                image, description_to_code, encode=encode_fn, render=self.render, judge=self.judge(),
                describe=self.describe if reflect else None, revise=self._revise(max_words) if reflect else None,
                reflect=reflect, patience=patience, seeds=seeds, deterministic=choice.deterministic,
                budget=budget, quality_target=quality_target, costs=costs,
            )
            enc = result.encoded
            for note in result.notes:
                print(f"semcodec: note: {note}", file=sys.stderr)
        else:
            enc = encode_fn(description_to_code, seed, budget)
        if trace is not None:
            if result is None:
                raise InputError("--trace records a search: use it with --reflect, --seeds or --quality-target")
            from .trace import write_trace

            write_trace(result, trace)
        return EncodeResult(enc, description, choice, result, costs.as_dict())

    def decode(self, data: bytes | Encoded, *, generator: str | int | None = None,
               generator_settings: dict[str, Any] | None = None) -> DecodeResult:
        """Regenerate the image of a .smc file with the generator its header names.

        A file made with a custom generator (profile 0) needs that generator given here; its
        settings hash is checked. Overriding a table profile is allowed and noted on stderr.
        """
        enc = data if isinstance(data, Encoded) else decompress(data)
        h = enc.header
        if generator is not None:
            choice = GeneratorChoice.resolve(generator, self.preset.name, **(generator_settings or {}))
            if (choice.profile_id, choice.custom_hash) != (h.profile, h.custom_hash):
                made_with = f"profile {h.profile}" if h.profile else f"a custom generator (hash {h.custom_hash:08x})"
                print(f"semcodec: note: the file was made for {made_with}; decoding with {choice.name} "
                      "gives a different image than the encoder saw", file=sys.stderr)
        elif h.profile == CUSTOM_PROFILE:
            raise InputError(
                f"this file was made with a custom generator (settings hash {h.custom_hash:08x}); "
                "pass the same --generator spec and settings to decode it"
            )
        else:
            choice = GeneratorChoice.from_profile(get_profile(h.profile))
        costs = CostRecorder()
        with costs.timed("expand"):
            prompt = self.restore(enc.text, h.coder)
        with costs.timed("generate"):
            image = self._generate(prompt, enc, choice)
        return DecodeResult(image, enc, prompt, choice, costs.as_dict())
