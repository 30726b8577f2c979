"""Language-model priors for the ``lm`` text coder: integer-exact inference of Hugging Face LMs.

- ``table``: the append-only LM prior table (prior id -> repo, pinned revision, scheme, licence).
- ``tables``, ``ops``, ``quant``, ``convert``, ``engine``: exact integer tables, integer operations,
  deterministic int8 quantisation, reading a transformers model, and the KV-cached engine.
- ``tokenizer``: the lossless byte-level tokenisation contract.
- ``model``: ``LanguageModel``, the ``TokenModel`` the codec's ``LMCoder`` codes with.
- ``loader``: ``load_model(spec)`` through ``from_pretrained``, and ``resolve``, which the codec
  finds through the ``semcodec.lm`` entry point (importing this package also registers it).

Heavy libraries (torch, transformers) are imported only when a model is loaded.
"""

from __future__ import annotations

from ...codec.text.lm import register_resolver
from .loader import load_model, resolve

register_resolver(resolve)

__all__ = ["load_model", "resolve"]
