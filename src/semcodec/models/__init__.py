"""The models layer: every model semcodec runs, behind one registry.

- ``base``: the roles (describer, generator, expander, text, judge), their protocols, and the
  ``Backend`` class whose flags say what a model can do.
- ``registry``: spec strings (``hf:ORG/NAME``, ``openai:gpt-4o``, ``clip``...) and loading once
  per process; ``providers/`` and ``judges/`` hold one module per provider.
- ``profiles``: the generator profile table, and ``build_generator``, the one place a generator
  is built. ``presets``: default models. ``prompts``: every prompt, versioned.
- ``cache``: the persistent result cache. ``costs``: per-stage model-call accounting.
- ``local``: device, dtype and one-sentence load errors for local models.

Import-light: nothing here imports torch, transformers, diffusers or openai until a model loads.
"""

from .base import ROLES, Backend, BackendOptions, Describer, Expander, Generator, Judge, TextModel
from .registry import Spec, backend_class, load, parse_spec, unload_all

__all__ = [
    "ROLES", "Backend", "BackendOptions", "Describer", "Expander", "Generator", "Judge", "TextModel",
    "Spec", "backend_class", "load", "parse_spec", "unload_all",
]
