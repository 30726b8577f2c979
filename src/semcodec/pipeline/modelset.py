"""The set of models one pipeline uses, each loaded on first use and then reused.

``ModelSet`` resolves a ``ModelsConfig`` against its preset (which spec plays each role), the
generator profile (the profile table builds the generator), and a ``RuntimeConfig`` (the device,
dtype, offloading and server options each backend class says it accepts), and puts the models
whose results are worth keeping behind the persistent result cache.

In a dry run (``ModelsConfig.dry_run``) scripted fakes stand in for the describer, the text
model, the judge and the generator, and the offline n-gram expander restores consonant text; the
generator profile stays the one the configuration names, so a file's header costs what it costs
with the real generator (8 bits at the defaults, not the 41 of a custom ``fake:`` generator), and
images are rendered at that profile's sizes. Nothing of a dry run enters the result cache.
"""

from __future__ import annotations

from typing import Any

from ..codec.container import Header
from ..codec.ids import CUSTOM_PROFILE
from ..errors import InputError
from ..models.presets import get_preset
from ..models.profiles import Profile, build_generator, get_profile, resolve_profile, split_options
from .config import EncodeConfig, ModelsConfig, RuntimeConfig

#: Roles whose calls go through the result cache (judges score in-process; nothing to keep).
_CACHED_ROLES = ("describer", "generator", "text", "expander")
#: ModelsConfig field -> registry role.
_ROLE = {"describer": "describer", "text_model": "text", "expander": "expander", "judge": "judge"}
#: A dry run's stand-ins (the n-gram expander is real, offline and free) and their options.
DRY_RUN_SPECS = {"describer": "fake:dry-run", "text_model": "fake:dry-run", "expander": "ngram", "judge": "fake"}
DRY_RUN_OPTIONS = {"describer": {"detail": True}, "text_model": {"detail": True}}
DRY_RUN_GENERATOR = "fake:dry-run"


def roles_used(encode: EncodeConfig | None, *, describe: bool, decode: bool) -> tuple[str, ...]:
    """The models an encode under ``encode`` (None: no encode), with a description to make
    (``describe``), and a decode of its file (``decode``) run, in role order."""
    used = set()
    if describe:
        used.add("describer")
    if encode is not None:
        if encode.reflect:
            used |= {"describer", "text_model"}
        if encode.strategy == "rewrite":
            used.add("text_model")
        if encode.searching:
            used |= {"judge", "generator"}
    if decode:
        used.add("generator")
    if encode is not None and encode.coder == "consonant" and "generator" in used:
        used.add("expander")
    return tuple(r for r in ("describer", "text_model", "expander", "judge", "generator") if r in used)


class ModelSet:
    """The describer, text model, expander, judge and generators of one configuration."""

    def __init__(self, models: ModelsConfig | None = None, runtime: RuntimeConfig | None = None) -> None:
        self.config = models or ModelsConfig()
        self.runtime = runtime or RuntimeConfig()
        preset = get_preset(self.config.preset)
        self.specs = dict(DRY_RUN_SPECS) if self.config.dry_run else {
            "describer": self.config.describer or preset.describer,
            "text_model": self.config.text_model or preset.text_model,
            "expander": self.config.expander or preset.expander,
            "judge": self.config.judge or preset.judge,
        }
        #: The generator profile files are encoded for (a table profile or a custom generator).
        self.profile = resolve_profile(self.config.generator, self.config.options_for("generator"),
                                       default=preset.profile_id)
        self.cache = None
        if self.runtime.cache and not self.config.dry_run:
            from ..models.cache import ResultCache

            self.cache = ResultCache()
        self._loaded: dict[str, Any] = {}
        #: Sentences about settings that depart from a profile, gathered as generators are built.
        self.notes: list[str] = []
        if self.config.dry_run:
            self.notes.append(f"dry run: scripted fakes stand in for the models; files carry the header of "
                              f"{self.profile.describe_header()}, but their text and images are placeholders")

    @property
    def dry_run(self) -> bool:
        """True when fakes stand in for the models (see the module docstring)."""
        return self.config.dry_run

    def check_installed(self, names: tuple[str, ...], profile: Profile | None = None) -> None:
        """MissingDependency, naming the extra to install, unless the libraries of the models
        ``names`` (``describer``, ``generator``...; the generator of ``profile``, default this
        set's) are installed. Imports no model library: a command calls it before any work."""
        from ..models.registry import backend_class

        for name in names:
            if name == "generator":
                spec = DRY_RUN_GENERATOR if self.dry_run else (profile or self.profile).generator
                backend_class("generator", spec)[0].check_installed()
            else:
                backend_class(_ROLE[name], self.specs[name])[0].check_installed()

    def get(self, name: str) -> Any:
        """The model for ``name`` (``describer``, ``text_model``, ``expander``, ``judge``)."""
        if name not in self._loaded:
            from ..models.registry import backend_class, load

            role, spec = _ROLE[name], self.specs[name]
            cls, _ = backend_class(role, spec)
            runtime = {k: v for k, v in self.runtime.backend_options().items() if cls.accepts_option(k)}
            uses = {r: self.get(r) for r in cls.uses}
            options = DRY_RUN_OPTIONS.get(name, {}) if self.dry_run else self.config.options_for(name)
            model = load(role, spec, uses=uses, **{**runtime, **options})
            self._loaded[name] = self._cached(role, model)
        return self._loaded[name]

    def _cached(self, role: str, model: Any) -> Any:
        if self.cache is None or role not in _CACHED_ROLES or not model.cacheable:
            return model
        return self.cache.wrap(model)

    def lm(self) -> Any:
        """The integer-exact language model of the ``lm`` text coder (``ModelsConfig.lm``, else
        the LM table's default), loaded once per process."""
        from ..models.lm import load_model
        from ..models.lm.table import DEFAULT

        return load_model(self.config.lm or DEFAULT)

    def generator(self, profile: Profile | None = None) -> Any:
        """The generator of ``profile`` (default: this set's), built by the profile table."""
        profile = profile or self.profile
        key = f"generator:{profile.id}:{profile.generator}:{profile.custom_hash}"
        if key not in self._loaded:
            if self.dry_run:  # a fake standing in for the profile's generator, at the profile's sizes
                from ..models.registry import load

                self._loaded[key] = load("generator", DRY_RUN_GENERATOR)
                return self._loaded[key]
            _, transport = split_options(profile.generator, self.config.options_for("generator"))
            generator, notes = build_generator(profile, {**self.runtime.backend_options(), **transport})
            self.notes.extend(notes)
            self._loaded[key] = self._cached("generator", generator)
        return self._loaded[key]

    def take_notes(self) -> list[str]:
        """The notes gathered since the last call (each is reported once)."""
        notes, self.notes = self.notes, []
        return notes

    def profile_for(self, header: Header) -> tuple[Profile, list[str]]:
        """The profile that renders a file with ``header``, and a note when it is not the one
        the file names. A generator given in the configuration is used (an explicit choice);
        otherwise the file's profile; a custom file needs its generator given."""
        mine = self.profile
        matches = (mine.id, mine.custom_hash) == (header.profile, header.custom_hash)
        if self.config.generator is not None or matches:
            if matches:
                return mine, []
            made_with = (f"a custom generator (hash {header.custom_hash:08x})" if header.profile == CUSTOM_PROFILE
                         else f"profile {header.profile}")
            return mine, [f"the file was made for {made_with}; decoding with {mine.name} gives a different image "
                          "than the encoder saw"]
        if header.profile == CUSTOM_PROFILE:
            raise InputError(
                f"this file was made with a custom generator (settings hash {header.custom_hash:08x}); "
                "give the same generator spec and settings to decode it",
                params=("generator", "generator_option"),
            )
        return get_profile(header.profile), []

    def loaded_models(self) -> dict[str, str]:
        """The models loaded so far, by role, each with its exact identity (backend, model,
        revision, options: ``cache_key()``), for results' metadata."""
        return {name: m.cache_key() for name, m in self._loaded.items() if hasattr(m, "cache_key")}

    def role_specs(self) -> list[tuple[str, str]]:
        """(registry role, spec) of each model of the set, the generator's included: what to ask
        the registry about (``backend_class``) before any model is built."""
        pairs = [(_ROLE[name], spec) for name, spec in self.specs.items() if spec]
        return [*pairs, ("generator", DRY_RUN_GENERATOR if self.dry_run else self.profile.generator)]

    def describe_config(self, roles: tuple[str, ...] | None = None) -> dict[str, Any]:
        """The specs of the models ``roles`` (None: every role) and the generator profile, for
        results' metadata; a dry run names its stand-ins."""
        p = self.profile
        out: dict[str, Any] = {k: v for k, v in self.specs.items() if roles is None or k in roles}
        if roles is None or "generator" in roles:
            out.update({"generator": p.name, "generator_spec": p.generator, "generator_settings": p.settings(),
                        "generator_deterministic": p.deterministic})
            if self.dry_run:
                out["generator_spec"] = f"{DRY_RUN_GENERATOR} (a dry run's stand-in for {p.generator})"
        if self.dry_run:
            out["dry_run"] = True
        return out
