"""``LanguageModel``: a tokenizer and an integer engine, as the ``TokenModel`` the lm coder uses."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from .engine import IntegerEngine
from .tokenizer import ByteTokenizer

if TYPE_CHECKING:
    import numpy as np

#: Tokens run through the network at once (bounds the memory of a long text's one-pass scoring).
CHUNK = 256
#: Rows whose output distribution is computed at once.
ROWS = 32


class LanguageModel:
    """Exact integer frequencies of a causal LM over its byte-level BPE tokens.

    The context of token ``ids[k]`` is the start token followed by ``ids[:k]``. The engine keeps
    the KV cache of the last call, so the decoder's call for each next token processes one new
    token, and rate control's calls for cuts of one text reuse their common prefix.
    """

    def __init__(self, engine: IntegerEngine, tokenizer: ByteTokenizer, prior: str, fingerprint: int,
                 source: str = "") -> None:
        self.engine = engine
        self.tokenizer = tokenizer
        self.prior = prior
        self.fingerprint = fingerprint
        self.source = source
        self.vocab_size = tokenizer.vocab_size
        self.eot = tokenizer.eot

    def __repr__(self) -> str:
        return f"LanguageModel({self.source!r}, prior={self.prior!r}, fingerprint={self.fingerprint:08x})"

    def tokenize(self, text: str) -> list[int]:
        return self.tokenizer.tokenize(text)

    def detokenize(self, ids: Sequence[int]) -> str:
        return self.tokenizer.detokenize(list(ids))

    def frequencies(self, ids: Sequence[int], start: int = 0) -> Iterator["np.ndarray"]:
        """Frequencies of the tokens at positions ``start..len(ids)`` (see ``TokenModel``)."""
        inputs = [self.tokenizer.bos, *ids]
        if not 0 <= start <= len(ids):
            raise ValueError("start is outside the token sequence")
        eng = self.engine
        keep = _common_prefix(eng.tokens, inputs[:start])
        eng.truncate(keep)
        pos = keep
        while pos < len(inputs):
            chunk = inputs[pos:pos + CHUNK]
            hidden = eng.forward(chunk)
            for row in range(max(start - pos, 0), len(chunk), ROWS):
                yield from eng.frequencies(hidden[row:row + ROWS])
            pos += len(chunk)


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    return next(i for i in range(n) if a[i] != b[i])
