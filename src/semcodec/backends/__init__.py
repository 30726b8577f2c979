"""Model backends: describers, generators, expanders and chat LLMs behind small protocols.

Import-light: nothing here imports torch, transformers, diffusers or openai; a provider's module
is imported when a spec naming it is loaded.
"""

from .base import Backend, BackendOptions, Describer, Expander, Generator, TextModel
from .spec import (
    Spec,
    load_describer,
    load_expander,
    load_generator,
    load_text_model,
    parse_spec,
    unload_all,
)

__all__ = [
    "Backend",
    "BackendOptions",
    "Describer",
    "Expander",
    "Generator",
    "Spec",
    "TextModel",
    "load_describer",
    "load_expander",
    "load_generator",
    "load_text_model",
    "parse_spec",
    "unload_all",
]
