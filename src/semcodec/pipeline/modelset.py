"""The set of models one pipeline uses, each loaded on first use and then reused.

``ModelSet`` resolves a ``ModelsConfig`` against its preset (which spec plays each role), the
generator profile (the profile table builds the generator), and a ``RuntimeConfig`` (the device,
dtype, offloading and server options each backend class says it accepts), and puts the models
whose results are worth keeping behind the persistent result cache.
"""

from __future__ import annotations

from typing import Any

from ..codec.container import Header
from ..codec.ids import CUSTOM_PROFILE
from ..errors import InputError
from ..models.presets import get_preset
from ..models.profiles import Profile, build_generator, get_profile, resolve_profile, split_options
from .config import ModelsConfig, RuntimeConfig

#: Roles whose calls go through the result cache (judges score in-process; nothing to keep).
_CACHED_ROLES = ("describer", "generator", "text", "expander")
#: ModelsConfig field -> registry role.
_ROLE = {"describer": "describer", "text_model": "text", "expander": "expander", "judge": "judge"}


class ModelSet:
    """The describer, text model, expander, judge and generators of one configuration."""

    def __init__(self, models: ModelsConfig | None = None, runtime: RuntimeConfig | None = None) -> None:
        self.config = models or ModelsConfig()
        self.runtime = runtime or RuntimeConfig()
        preset = get_preset(self.config.preset)
        self.specs = {
            "describer": self.config.describer or preset.describer,
            "text_model": self.config.text_model or preset.text_model,
            "expander": self.config.expander or preset.expander,
            "judge": self.config.judge or preset.judge,
        }
        #: The generator profile files are encoded for (a table profile or a custom generator).
        self.profile = resolve_profile(self.config.generator, self.config.options_for("generator"),
                                       default=preset.profile_id)
        self.cache = None
        if self.runtime.cache:
            from ..models.cache import ResultCache

            self.cache = ResultCache()
        self._loaded: dict[str, Any] = {}
        #: Sentences about settings that depart from a profile, gathered as generators are built.
        self.notes: list[str] = []

    def get(self, name: str) -> Any:
        """The model for ``name`` (``describer``, ``text_model``, ``expander``, ``judge``)."""
        if name not in self._loaded:
            from ..models.registry import backend_class, load

            role, spec = _ROLE[name], self.specs[name]
            cls, _ = backend_class(role, spec)
            runtime = {k: v for k, v in self.runtime.backend_options().items() if cls.accepts_option(k)}
            uses = {r: self.get(r) for r in cls.uses}
            model = load(role, spec, uses=uses, **{**runtime, **self.config.options_for(name)})
            self._loaded[name] = self._cached(role, model)
        return self._loaded[name]

    def _cached(self, role: str, model: Any) -> Any:
        if self.cache is None or role not in _CACHED_ROLES or not model.cacheable:
            return model
        return self.cache.wrap(model)

    def generator(self, profile: Profile | None = None) -> Any:
        """The generator of ``profile`` (default: this set's), built by the profile table."""
        profile = profile or self.profile
        key = f"generator:{profile.id}:{profile.generator}:{profile.custom_hash}"
        if key not in self._loaded:
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
                "pass the same --generator spec and settings to decode it"
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
        return [*pairs, ("generator", self.profile.generator)]

    def describe_config(self) -> dict[str, Any]:
        """The specs of every role and the generator profile, for results' metadata."""
        p = self.profile
        return {**self.specs, "generator": p.name, "generator_spec": p.generator, "generator_settings": p.settings(),
                "generator_deterministic": p.deterministic}
