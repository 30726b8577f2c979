"""Named model presets and the model table the README shows.

- ``open`` (default): open models on your own hardware, no account, no key.
- ``paper``: the models of Dotzel et al. (GPT-4 class vision model, DALL-E 3), through the OpenAI API.

A preset only chooses defaults; every model can be overridden with a spec on the command line.
Licences and memory below are as stated by the model cards as far as we know; entries marked
"uncertain" should be checked on the card before relying on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from .profiles import PROFILES


@dataclass(frozen=True)
class Preset:
    """Default describer, generator profile, expander, chat LLM and judge."""

    name: str
    describer: str
    profile_id: int
    expander: str
    text_model: str
    description: str
    judge: str = "clip"

    @property
    def generator(self) -> str:
        """The generator spec of the preset's profile."""
        return PROFILES[self.profile_id].generator


PRESETS: dict[str, Preset] = {
    "open": Preset(
        "open", "hf:Qwen/Qwen2-VL-2B-Instruct", 1, "ngram", "hf:Qwen/Qwen2.5-1.5B-Instruct",
        "Open models on your own GPU (or slowly on CPU): Qwen2-VL-2B describes, SDXL renders.",
    ),
    "paper": Preset(
        "paper", "openai:gpt-4o", 5, "openai:gpt-4o", "openai:gpt-4o",
        "As in the paper: a GPT-4 class vision model describes, DALL-E 3 renders (API key needed; not seedable).",
    ),
}
DEFAULT_PRESET = "open"


def get_preset(name: str) -> Preset:
    """The preset called ``name``; InputError listing the presets otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise InputError(f"No preset named {name!r}; choose one of: {', '.join(PRESETS)}.") from None


@dataclass(frozen=True)
class ModelInfo:
    """One row of the README's model table."""

    role: str
    spec: str
    licence: str
    memory: str


MODEL_TABLE: tuple[ModelInfo, ...] = (
    ModelInfo("describer (open default)", "hf:Qwen/Qwen2-VL-2B-Instruct", "Apache-2.0", "~4.5 GB bf16 weights; ~6 GB GPU"),
    ModelInfo("chat LLM for rewrite and reflection (open default)", "hf:Qwen/Qwen2.5-1.5B-Instruct", "Apache-2.0", "~3.1 GB bf16 weights; ~4 GB GPU"),
    ModelInfo("expander (default)", "ngram", "CC BY 4.0 (the prior)", "the shipped prior, 2.4 MB"),
    *(
        ModelInfo(f"generator (profile {p.id}{', default' if p.id == 1 else ''})", p.generator, p.licence, p.memory)
        for p in PROFILES.values()
    ),
    ModelInfo("describer / chat (paper)", "openai:gpt-4o", "OpenAI API terms (hosted)", "none (hosted)"),
)


def model_table_markdown() -> str:
    """The model table as Markdown, for the README."""
    rows = ["| Role | Spec | Licence | Memory |", "|---|---|---|---|"]
    rows += [f"| {m.role} | `{m.spec}` | {m.licence} | {m.memory} |" for m in MODEL_TABLE]
    return "\n".join(rows)
