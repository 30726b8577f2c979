"""``lm``: lossless arithmetic coding of text under a causal language model's integer frequencies.

The coder is split from its model the way constriction splits coders from entropy models: this
module codes token ids with the integer frequencies a ``TokenModel`` gives and ends the text with
the model's end-of-text token; it imports no model library. The model (tokenizer plus an
integer-exact network, so that every machine computes the same frequencies) lives in the models
layer, ``semcodec.models.lm``, which the codec never imports: a header names a prior, and
``resolve_model`` asks a registered resolver for it (``register_resolver``, or the
``semcodec.lm`` entry point that the package declares), so ``decompress`` of an lm file works
whenever the model can be loaded, and says in one sentence why not otherwise.

Bounded decoding. A corrupt payload must end in an error or some text, never in a hang, and the
decoder must not be able to produce tokens for free. Two limits make the work bounded:

- at most ``MAX_TOKENS`` tokens per text (the encoder refuses longer texts);
- no token may have more than 63/64 of the probability mass (``cap_frequencies``), so every coded
  symbol costs at least delta = -log2(63/64) > 1/44.02 bits. The arithmetic decoder stops once it
  has read more than ``PRECISION + MAX_TRAILING_ZEROS`` bits past the data, and after n symbols its
  interval has shrunk by at least 2^(n * delta); so a stream with ``b`` bits of data holds fewer than
  44.02 * (b + MAX_TRAILING_ZEROS + 2) symbols, and ``token_bound(b)`` (factor 45) is a hard limit
  that a valid file never reaches. The cap costs at most 0.023 bits on a token the model is more
  than 98.4 % sure of.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ...errors import BackendError, InputError
from ..bits import BitReader, BitWriter
from ..ids import LM_CUSTOM, LM_PRIORS
from .arith import MAX_TOTAL, MAX_TRAILING_ZEROS, ArithmeticDecoder, ArithmeticEncoder

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "MAX_TOKENS", "TokenModel", "LMCoder", "cap_frequencies", "token_bound", "register_resolver", "resolve_model",
]

#: Most tokens one text may have (the end-of-text symbol not counted). Part of the format.
MAX_TOKENS = 1024
#: No token gets more than (2^CAP_BITS - 1) / 2^CAP_BITS of the mass. Part of the format.
CAP_BITS = 6
#: The entry point group through which an installed package provides a resolver.
ENTRY_POINT_GROUP = "semcodec.lm"


@runtime_checkable
class TokenModel(Protocol):
    """A tokenizer and a causal language model that give exact integer frequencies.

    ``frequencies(ids, start)`` must be a pure function of its arguments, the same on every
    machine: the decoder calls it token by token and the encoder for a whole text at once.
    """

    #: The prior name written in the header (a row of the LM table, or ``lm-custom``).
    prior: str
    #: 32-bit fingerprint of the quantised model and its tokenizer (stored for ``lm-custom``).
    fingerprint: int
    #: Number of token ids the frequencies cover.
    vocab_size: int
    #: The end-of-text token id.
    eot: int

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text``; ``ValueError`` naming the character it cannot represent."""

    def detokenize(self, ids: Sequence[int]) -> str:
        """The text of ``ids``; ``ValueError`` if they do not spell a valid text."""

    def frequencies(self, ids: Sequence[int], start: int = 0) -> Iterator["np.ndarray"]:
        """Yield, for each position ``start..len(ids)``, the int64 frequencies (all >= 1) of the
        token at that position given the tokens before it (the last is the token after ``ids``)."""


def token_bound(data_bits: int) -> int:
    """Most symbols (tokens + end of text) a stream with ``data_bits`` bits of data can hold."""
    return 45 * (data_bits + MAX_TRAILING_ZEROS + 2)


def cap_frequencies(freqs: "np.ndarray", vocab_size: int) -> "np.ndarray":
    """Check a model's frequencies and cap every entry at 63x the mass of all the others.

    Raises ValueError for frequencies that are not ``vocab_size`` int64 values >= 1 with a total
    the arithmetic coder accepts.
    """
    import numpy as np

    if not isinstance(freqs, np.ndarray) or freqs.dtype != np.int64 or freqs.shape != (vocab_size,):
        raise ValueError("the language model gave frequencies of the wrong type or size")
    total = int(freqs.sum())
    if int(freqs.min()) < 1 or total > MAX_TOTAL // 2 or total >= 1 << 62:
        raise ValueError("the language model gave frequencies out of range")
    cap = ((1 << CAP_BITS) - 1) * (total - freqs)  # only a token with over 63/64 of the mass exceeds it
    return np.minimum(freqs, cap)


class _Memo:
    """Intervals already computed, in a trie over token prefixes.

    Rate control codes many cuts of one description, and ``decompress`` re-encodes what it has
    just decoded; both ask again for the same prefixes, which the model need not recompute.
    """

    def __init__(self) -> None:
        self.root: dict[int, list] = {}
        self.size = 0

    def add(self, node: dict, token: int, interval: tuple[int, int, int]) -> dict:
        if self.size > 1_000_000:  # bounded memory; a cleared memo only costs recomputation
            self.root.clear()
            self.size = 0
        entry = node.get(token)
        if entry is None:
            entry = node[token] = [interval, {}]
            self.size += 1
        return entry[1]


class LMCoder:
    """Lossless text coder under a ``TokenModel``: tokens, then end of text, arithmetic-coded."""

    name = "lm"
    lossless = True

    def __init__(self, model: TokenModel) -> None:
        self.model = model
        self._memo = _Memo()
        self._decoded: dict[str, list[int]] = {}

    # -- encoding -----------------------------------------------------------------------------
    def encode(self, text: str, out: BitWriter) -> None:
        """Append the code of ``text``; ``ValueError`` if the tokenizer cannot represent it.

        A text this coder has just decoded is coded with the tokens it was decoded from: so the
        canonical check of ``decompress`` holds the payload to its token sequence, and a file
        still decodes where the tokenizer library segments text differently (decoding needs only
        the tokens' bytes).
        """
        ids = self._decoded.get(text)
        if ids is None:
            ids = self.model.tokenize(text)
        if len(ids) > MAX_TOKENS:
            raise ValueError(f"it has {len(ids)} tokens and the lm coder codes at most {MAX_TOKENS}")
        start = len(out)
        enc = ArithmeticEncoder(out)
        for interval in self._intervals(ids):
            enc.encode(*interval)
        enc.finish()
        if len(ids) + 1 > token_bound(len(out) - start):  # impossible by the cap (module docstring)
            raise AssertionError("lm token bound violated")

    def _intervals(self, ids: list[int]) -> list[tuple[int, int, int]]:
        seq = [*ids, self.model.eot]
        node, found = self._memo.root, []
        for tok in seq:
            entry = node.get(tok)
            if entry is None:
                break
            found.append(entry[0])
            node = entry[1]
        if len(found) == len(seq):
            return found
        vocab = self.model.vocab_size
        for pos, freqs in zip(range(len(found), len(seq)), self.model.frequencies(ids, len(found))):
            tok = seq[pos]
            if not 0 <= tok < vocab:
                raise ValueError(f"the tokenizer gave token id {tok}, outside the model's {vocab} tokens")
            f = cap_frequencies(freqs, vocab)
            lo = int(f[:tok].sum())
            interval = (lo, lo + int(f[tok]), int(f.sum()))
            found.append(interval)
            node = self._memo.add(node, tok, interval)
        if len(found) != len(seq):
            raise ValueError("the language model gave too few frequency rows")
        return found

    def decoded(self, text: str) -> str:
        """Lossless: the text itself."""
        return text

    # -- decoding -----------------------------------------------------------------------------
    def decode(self, inp: BitReader) -> str:
        """Read one text; ``ValueError`` for data that cannot be a valid code (corrupt data)."""
        import numpy as np

        limit = min(MAX_TOKENS + 1, token_bound(inp.bits_left()))
        dec = ArithmeticDecoder(inp)
        model, vocab = self.model, self.model.vocab_size
        ids: list[int] = []
        node = self._memo.root
        while True:
            f = cap_frequencies(next(iter(model.frequencies(ids, len(ids)))), vocab)
            cum = np.cumsum(f)
            total = int(cum[-1])
            tok = int(np.searchsorted(cum, dec.target(total), side="right"))
            hi = int(cum[tok])
            interval = (hi - int(f[tok]), hi, total)
            dec.consume(*interval)
            node = self._memo.add(node, tok, interval)
            if tok == model.eot:
                text = model.detokenize(ids)
                if len(self._decoded) >= 16:
                    self._decoded.clear()
                self._decoded[text] = ids
                return text
            ids.append(tok)
            if len(ids) + 1 > limit:
                raise ValueError("the lm payload decodes to more tokens than its bits can hold")


# -- finding the model a header names ------------------------------------------------------------
Resolver = Callable[[str | None, int | None, str | None], TokenModel]
_resolver: Resolver | None = None


def register_resolver(resolver: Resolver | None) -> None:
    """Install ``resolver(prior, lm_hash, spec) -> TokenModel``, the function that loads language
    models (the models layer registers one; None removes it)."""
    global _resolver
    _resolver = resolver


def _installed_resolver() -> Resolver | None:
    if _resolver is not None:
        return _resolver
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == "resolver":
            try:
                return ep.load()
            except ImportError:
                return None
    return None


def resolve_model(prior: str | None, lm_hash: int | None = None, lm: TokenModel | str | None = None) -> TokenModel:
    """The language model for ``prior`` (and, for ``lm-custom``, fingerprint ``lm_hash``).

    ``lm`` is a loaded ``TokenModel``, a model spec (a table name, a Hub repo id or a local folder)
    or None (the table's model for ``prior``, or the default one). Raises InputError for a prior
    that is no language model, BackendError when no model can be loaded or it is the wrong one.
    """
    if prior is not None and prior not in LM_PRIORS:
        raise InputError(f"the lm coder needs a language-model prior ({', '.join(LM_PRIORS)}), not {prior!r}")
    if lm is None or isinstance(lm, str):
        resolver = _installed_resolver()
        if resolver is None:
            raise BackendError(
                "the lm text coder needs a language model and its libraries: install semcodec with the hf extra "
                "(pip install 'semcodec[hf]')"
            )
        lm = resolver(prior, lm_hash, lm)
    if not isinstance(lm, TokenModel):
        raise InputError(f"lm must be a language model or a model name, not {type(lm).__name__}")
    _check_identity(lm, prior, lm_hash)
    return lm


def _check_identity(model: TokenModel, prior: str | None, lm_hash: int | None) -> None:
    if prior is not None and model.prior != prior:
        raise BackendError(f"the language model given is {model.prior!r}, but the text needs {prior!r}")
    if prior == LM_CUSTOM and lm_hash is not None and model.fingerprint != lm_hash:
        raise BackendError(
            f"the language model given has fingerprint {model.fingerprint:08x}, but the text was coded with a "
            f"model whose fingerprint is {lm_hash:08x}"
        )
