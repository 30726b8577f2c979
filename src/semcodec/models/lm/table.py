"""The LM prior table: which language model a prior id in an ``lm`` file names.

Append-only, like the generator profiles: a row, once released, never changes its model,
revision, tokenizer or quantisation scheme (those decide the frequencies, hence the bits of every
file coded with it); a new model or revision gets a new row and the next free prior id in
``semcodec.codec.ids.PRIOR_IDS``. Prior ``lm-custom`` (id 3) is any other model, named in the file
by the 32-bit fingerprint of its quantised weights and tokenizer (``LanguageModel.fingerprint``).

Licences, parameter counts and download sizes are copied from the model cards and from public
projects that pin these revisions; they were NOT verified against the Hub from this project's
machines (no network), and neither were the revisions. ``fingerprint`` is None until someone
with the weights runs ``python -m semcodec.models.lm fingerprint NAME`` and appends a corrected
row (rows are never edited in place once files exist).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LMPrior:
    """One row of the table."""

    name: str
    id: int
    repo: str
    revision: str
    tokenizer: str
    scheme: str
    licence: str
    params: str
    download: str
    verified: bool = False
    fingerprint: int | None = None


TABLE: tuple[LMPrior, ...] = (
    LMPrior(
        name="smollm2-135m", id=4, repo="HuggingFaceTB/SmolLM2-135M",
        revision="93efa2f097d58c2a74874c7e644dbc9b0cee75a2",
        tokenizer="the model's byte-level BPE (49,152 tokens)", scheme="w8a24",
        licence="Apache-2.0", params="134.5M", download="about 270 MB (safetensors)",
    ),
    LMPrior(
        name="qwen2.5-0.5b", id=5, repo="Qwen/Qwen2.5-0.5B",
        revision="060db6499f32faf8b98477b0a26969ef7d8b9987",
        tokenizer="the model's byte-level BPE (151,643 tokens + specials)", scheme="w8a24",
        licence="Apache-2.0", params="494M", download="about 990 MB (safetensors)",
    ),
)

#: The prior ``--coder lm`` uses when none is named (also the codec's default for the lm coder).
DEFAULT = "smollm2-135m"


def find(spec: str) -> LMPrior | None:
    """The row named ``spec`` (a table name or a Hub repo id, case-insensitive), or None."""
    key = spec.strip().lower()
    for row in TABLE:
        if key in (row.name, row.repo.lower()):
            return row
    return None
