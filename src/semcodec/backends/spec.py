"""Backend spec strings and loading models once per process.

A spec names a provider and a model: ``openai:gpt-4o``, ``hf:Qwen/Qwen2-VL-2B-Instruct``,
``hf:Qwen/Qwen2-VL-2B-Instruct@<revision>``, ``hf:/path/to/model``,
``diffusers:stabilityai/stable-diffusion-xl-base-1.0``, ``fake:anything``. Loading imports the
provider's module (and its heavy libraries) only then, and keeps each loaded model for the life of
the process, keyed by class, spec and options, so that an encoder that describes and reflects with
the same model holds one copy of its weights.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..errors import InputError
from .base import Backend, Describer, Expander, Generator, TextModel

#: provider -> module implementing it (imported on first use).
PROVIDERS = {
    "hf": "semcodec.backends.hf",
    "diffusers": "semcodec.backends.diffusers",
    "openai": "semcodec.backends.openai",
    "fake": "semcodec.backends.fake",
}

VALID_FORMS = (
    "openai:MODEL (e.g. openai:gpt-4o), hf:ORG/NAME[@REVISION] or hf:/local/dir, "
    "diffusers:ORG/NAME[@REVISION] or diffusers:/local/dir, fake:NAME"
)


@dataclass(frozen=True)
class Spec:
    """A parsed spec string."""

    provider: str
    model: str
    revision: str | None = None

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}" + (f"@{self.revision}" if self.revision else "")


def is_local_path(model: str) -> bool:
    """True when a model name is a filesystem path rather than a Hub id."""
    return model.startswith(("/", ".", "~", "\\")) or (len(model) > 1 and model[1] == ":")


def parse_spec(spec: str) -> Spec:
    """Parse ``provider:model[@revision]``; raises ``InputError`` listing the valid forms."""
    provider, sep, model = spec.partition(":")
    provider = provider.strip().lower()
    model = model.strip()
    if not sep or provider not in PROVIDERS or not model:
        raise InputError(f"Unknown model spec {spec!r}; use one of: {VALID_FORMS}.")
    revision = None
    if "@" in model and not is_local_path(model):
        model, revision = model.rsplit("@", 1)
        if not model or not revision:
            raise InputError(f"Malformed model spec {spec!r}; write a revision as ORG/NAME@REVISION.")
    return Spec(provider, model, revision)


_LOADED: dict[tuple[str, str, str], Backend] = {}
_LOCK = threading.Lock()


def _load(role: str, spec: str, opts: dict[str, Any]) -> Backend:
    parsed = parse_spec(spec)
    module = importlib.import_module(PROVIDERS[parsed.provider])
    cls = module.backend_class(role, parsed)
    if cls is None:
        raise InputError(f"Provider {parsed.provider!r} has no {role}; see the README for which backends do what.")
    try:
        options = cls.Options(**opts)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "options"
        raise InputError(f"Bad option {where!r} for {spec}: {err['msg']}.") from None
    key = (cls.__qualname__, str(parsed), options.instance_key())
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = cls(parsed.model, parsed.revision, options)
        return _LOADED[key]


def load_describer(spec: str, **options: Any) -> Describer:
    """The describer (VLM) named by ``spec``, loaded once per process."""
    return _load("describer", spec, options)  # type: ignore[return-value]


def load_generator(spec: str, **options: Any) -> Generator:
    """The text-to-image generator named by ``spec``, loaded once per process."""
    return _load("generator", spec, options)  # type: ignore[return-value]


def load_expander(spec: str, **options: Any) -> Expander:
    """The consonant-skeleton expander (an LLM) named by ``spec``, loaded once per process."""
    return _load("expander", spec, options)  # type: ignore[return-value]


def load_text_model(spec: str, **options: Any) -> TextModel:
    """A chat LLM (``complete(system, user)``) named by ``spec``, loaded once per process."""
    return _load("text", spec, options)  # type: ignore[return-value]


def unload_all() -> None:
    """Forget every loaded model (tests; freeing memory between evaluation runs)."""
    with _LOCK:
        _LOADED.clear()
