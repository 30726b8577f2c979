"""One registry for every model: spec strings, provider classes by role, loading once per process.

A spec names a provider and a model: ``openai:gpt-4o``, ``hf:Qwen/Qwen2-VL-2B-Instruct``,
``hf:Qwen/Qwen2-VL-2B-Instruct@<revision>``, ``hf:/path/to/model``,
``diffusers:stabilityai/stable-diffusion-xl-base-1.0``, ``clip:openai/clip-vit-base-patch32``,
``fake:anything``. Providers with a default model may be named alone (``clip``, ``ngram``,
``fake``).

Adding a provider is one module with a ``backend_class(role, spec)`` function (returning the class
that plays ``role``, or None) plus one line in ``PROVIDERS``. The module, and the heavy libraries
it needs, are imported only when a spec naming it is loaded. Each loaded model is kept for the
life of the process, keyed by class, spec and options, so that an encoder that describes and
reflects with the same model holds one copy of its weights.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..errors import InputError
from .base import ROLES, Backend

#: provider -> module implementing it (imported on first use).
PROVIDERS = {
    "hf": "semcodec.models.providers.hf",
    "diffusers": "semcodec.models.providers.diffusers",
    "openai": "semcodec.models.providers.openai",
    "fake": "semcodec.models.providers.fake",
    "ngram": "semcodec.models.providers.ngram",
    "clip": "semcodec.models.judges.embedding",
    "siglip": "semcodec.models.judges.embedding",
    "dino": "semcodec.models.judges.embedding",
    "text": "semcodec.models.judges.text",
    "vlm": "semcodec.models.judges.vlm",
}

VALID_FORMS = (
    "openai:MODEL (e.g. openai:gpt-4o), hf:ORG/NAME[@REVISION] or hf:/local/dir, "
    "diffusers:ORG/NAME[@REVISION] or diffusers:/local/dir, ngram (expander), "
    "clip|siglip|dino|text[:MODEL] and vlm (judges), fake:NAME"
)


@dataclass(frozen=True)
class Spec:
    """A parsed spec string (``model`` is empty when only the provider was named)."""

    provider: str
    model: str
    revision: str | None = None

    def __str__(self) -> str:
        if not self.model:
            return self.provider
        return f"{self.provider}:{self.model}" + (f"@{self.revision}" if self.revision else "")


def is_local_path(model: str) -> bool:
    """True when a model name is a filesystem path rather than a Hub id."""
    return model.startswith(("/", ".", "~", "\\")) or (len(model) > 1 and model[1] == ":")


def parse_spec(spec: str) -> Spec:
    """Parse ``provider[:model[@revision]]``; raises ``InputError`` listing the valid forms."""
    if not isinstance(spec, str):
        raise InputError(f"a model spec is a string such as openai:gpt-4o, not {type(spec).__name__}")
    provider, sep, model = spec.partition(":")
    provider = provider.strip().lower()
    model = model.strip()
    if provider not in PROVIDERS or (sep and not model):
        raise InputError(f"Unknown model spec {spec!r}; use one of: {VALID_FORMS}.")
    revision = None
    if "@" in model and not is_local_path(model):
        model, revision = model.rsplit("@", 1)
        if not model or not revision:
            raise InputError(f"Malformed model spec {spec!r}; write a revision as ORG/NAME@REVISION.")
    return Spec(provider, model, revision)


def backend_class(role: str, spec: str | Spec) -> tuple[type[Backend], Spec]:
    """The class that plays ``role`` for ``spec``, and the spec with its default model filled in.

    Imports the provider's module (not the model). Raises InputError when the provider has no
    such role or needs a model name.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    parsed = spec if isinstance(spec, Spec) else parse_spec(spec)
    module = importlib.import_module(PROVIDERS[parsed.provider])
    cls = module.backend_class(role, parsed)
    what = "judge" if role == "judge" else "text model" if role == "text" else role
    if cls is None or role not in cls.roles:
        raise InputError(f"Provider {parsed.provider!r} has no {what}; see the README for which backends do what.")
    if not parsed.model:
        if cls.default_model is None:
            raise InputError(f"Model spec {str(parsed)!r} names no model; write {parsed.provider}:MODEL.")
        parsed = Spec(parsed.provider, cls.default_model)
    return cls, parsed


_LOADED: dict[tuple[str, ...], Backend] = {}
_LOCK = threading.Lock()


def load(role: str, spec: str, *, uses: dict[str, Any] | None = None, **options: Any) -> Any:
    """The model playing ``role`` named by ``spec``, with ``options``, loaded once per process.

    ``uses`` holds the models of other roles the class asks for (its ``uses``). Raises
    InputError for a bad spec or option, BackendError when the model cannot be loaded.
    """
    cls, parsed = backend_class(role, spec)
    cls.check_installed()
    try:
        opts = cls.Options(**options)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "options"
        raise InputError(f"Bad option {where!r} for {spec}: {err['msg']}.") from None
    deps = {name: (uses or {}).get(name) for name in cls.uses}
    missing = [name for name, model in deps.items() if model is None]
    if missing:
        raise InputError(f"the {role} {spec!r} needs a {missing[0]} model, and none was given")
    if not cls.shared:
        return cls(parsed.model, parsed.revision, opts, **deps)
    key = (cls.__qualname__, str(parsed), opts.instance_key(), *(str(id(m)) for m in deps.values()))
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = cls(parsed.model, parsed.revision, opts, **deps)
        return _LOADED[key]


def unload_all() -> None:
    """Forget every loaded model (tests; freeing memory between evaluation runs)."""
    with _LOCK:
        _LOADED.clear()
