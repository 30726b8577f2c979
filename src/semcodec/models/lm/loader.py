"""Load a causal LM through ``from_pretrained``, quantise it, and resolve the models lm files name.

``resolve`` is the function the codec calls (``semcodec.codec.text.lm.resolve_model``, found
through the ``semcodec.lm`` entry point or ``register_resolver``) to get the model a header
names. Loaded models are kept per process: quantising a checkpoint takes seconds.
"""

from __future__ import annotations

import os

from ...codec.ids import LM_CUSTOM
from ...errors import BackendError
from . import table
from .model import LanguageModel
from .quant import Fingerprint, UnsupportedModel

#: Environment variable naming the local model of ``lm-custom`` files (a folder or Hub repo id).
ENV_MODEL = "SEMCODEC_LM"
#: Environment variable choosing the engine's device (default ``cpu``).
ENV_DEVICE = "SEMCODEC_LM_DEVICE"

_LOADED: dict[tuple[str, str], LanguageModel | BackendError] = {}


def load_model(spec: str, *, device: str | None = None) -> LanguageModel:
    """The integer LM for ``spec``: an LM table name, a Hub repo id, or a local model folder.

    A table row loads its pinned revision and is coded under its prior id; anything else is a
    custom model (prior ``lm-custom``) identified by its fingerprint. Raises BackendError when
    the model cannot be loaded or the engine cannot run it.
    """
    device = device or os.environ.get(ENV_DEVICE) or "cpu"
    row = table.find(spec)
    key = (row.name if row else str(spec), device)
    if key not in _LOADED:
        try:
            _LOADED[key] = _load(row.repo if row else str(spec), row, device)
        except BackendError as e:  # remembered: a corrupt file must not retry a missing model each time
            _LOADED[key] = e
    found = _LOADED[key]
    if isinstance(found, BackendError):
        raise BackendError(str(found))
    return found


def forget_models() -> None:
    """Drop the loaded models (and remembered load failures) of this process."""
    _LOADED.clear()


def _load(source: str, row: table.LMPrior | None, device: str) -> LanguageModel:
    try:
        import torch  # noqa: F401
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as e:
        raise BackendError("the lm text coder needs torch and transformers: pip install 'semcodec[hf]'") from e
    from .convert import quantize_model
    from .engine import IntegerEngine
    from .tokenizer import ByteTokenizer

    revision = row.revision if row else None
    try:
        hf_tok = AutoTokenizer.from_pretrained(source, revision=revision)
        hf_model = AutoModelForCausalLM.from_pretrained(source, revision=revision)
    except Exception as e:  # transformers raises OSError, ValueError, EnvironmentError... for a missing model
        detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise BackendError(f"cannot load the language model {source!r}: {detail}") from e
    try:
        fp = Fingerprint()
        qmodel = quantize_model(hf_model, fp)
        config = hf_model.config
        eot = _first(hf_tok.eos_token_id, config.eos_token_id, hf_tok.convert_tokens_to_ids("<|endoftext|>"))
        bos = _first(config.bos_token_id, hf_tok.bos_token_id, eot)
        if eot is None:
            raise UnsupportedModel("the model has no end-of-text token")
        tokenizer = ByteTokenizer(hf_tok, qmodel.arch.vocab, eot, bos)
        tokenizer.add_to(fp)
        engine = IntegerEngine(qmodel, device)
    except UnsupportedModel as e:
        raise BackendError(f"cannot use {source!r} as a text prior: {e}") from e
    del hf_model
    fingerprint = fp.value()
    if row is not None and row.fingerprint is not None and row.fingerprint != fingerprint:
        raise BackendError(
            f"the model loaded for {row.name} has fingerprint {fingerprint:08x}, not the table's {row.fingerprint:08x}"
        )
    return LanguageModel(engine, tokenizer, row.name if row else LM_CUSTOM, fingerprint, source)


def _first(*values: object) -> int | None:
    for v in values:
        if isinstance(v, (list, tuple)):
            v = v[0] if v else None
        if isinstance(v, int) and v >= 0:
            return v
    return None


def resolve(prior: str | None, lm_hash: int | None, spec: str | None) -> LanguageModel:
    """The codec's resolver: the model for ``prior`` (or ``spec``, when the caller names one)."""
    if spec is None:
        if prior == LM_CUSTOM:
            spec = os.environ.get(ENV_MODEL)
            if not spec:
                raise BackendError(
                    f"this text was coded with a custom language model (fingerprint {lm_hash or 0:08x}); "
                    f"give it with lm=PATH or the {ENV_MODEL} environment variable"
                )
        else:
            spec = prior or table.DEFAULT
    return load_model(spec)
