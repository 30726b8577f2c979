"""``ngram``: lossless arithmetic coding of text under a shipped word n-gram prior.

The text is split into tokens (``tokenize``: lossless for every Unicode string). Each token is
coded with the word model given the previous tokens; a token outside the vocabulary is coded as
ESCAPE and then spelled character by character with the character model (any character outside
its alphabet is sent as a raw code point). END-OF-TEXT closes the text, so the payload needs no
length field and runs to the end of the file. All frequencies are integers: same bits everywhere.
"""

from __future__ import annotations

from ...limits import MAX_DESCRIPTION_CHARS
from ..bits import BitReader, BitWriter
from .arith import ArithmeticDecoder, ArithmeticEncoder
from .base import TextTooLong
from .prior import END, EOT, ESC, RAW, NgramPrior, load_prior
from .tokenize import tokenize

__all__ = ["NgramCoder"]

_CODEPOINTS = 0x110000


class NgramCoder:
    """Lossless text coder under an n-gram prior (default: ``ngram-v1``)."""

    name = "ngram"
    lossless = True

    def __init__(self, prior: NgramPrior | str | None = None) -> None:
        if prior is None or isinstance(prior, str):
            prior = load_prior(prior or "ngram-v1")
        self.prior = prior

    # -- encoding -----------------------------------------------------------------------------
    def encode(self, text: str, out: BitWriter) -> None:
        """Append the code of ``text`` (any str) to ``out``."""
        p = self.prior
        enc = ArithmeticEncoder(out)
        words, index = p.words, p.index
        ctx = (EOT,) * (p.word_order - 1)
        for tok in tokenize(text):
            s = index.get(tok)
            if s is None:
                enc.encode(*words.interval(ctx, ESC))
                self._spell(tok, enc)
                s = ESC
            else:
                enc.encode(*words.interval(ctx, s))
            if ctx:
                ctx = ctx[1:] + (s,)
        enc.encode(*words.interval(ctx, EOT))
        enc.finish()

    def _spell(self, token: str, enc: ArithmeticEncoder) -> None:
        p = self.prior
        spell, cindex = p.spell, p.char_index
        ctx = (END,) * (p.char_order - 1)
        for ch in token:
            c = cindex.get(ch)
            if c is None:
                enc.encode(*spell.interval(ctx, RAW))
                cp = ord(ch)
                enc.encode(cp, cp + 1, _CODEPOINTS)
                c = RAW
            else:
                enc.encode(*spell.interval(ctx, c))
            if ctx:
                ctx = ctx[1:] + (c,)
        enc.encode(*spell.interval(ctx, END))

    def decoded(self, text: str) -> str:
        """Lossless: the text itself."""
        return text

    # -- decoding -----------------------------------------------------------------------------
    def decode(self, inp: BitReader) -> str:
        """Read one text; ``ValueError`` if the data runs far past its end, or the text past
        ``MAX_DESCRIPTION_CHARS`` (corrupt data: symbols of high probability cost almost no bits,
        so only a bound on the text bounds the time)."""
        p = self.prior
        dec = ArithmeticDecoder(inp)
        words, vocab = p.words, p.vocab
        ctx = (EOT,) * (p.word_order - 1)
        parts: list[str] = []
        length = 0
        while True:
            s, lo, hi, total = words.lookup(ctx, dec.target)
            dec.consume(lo, hi, total)
            if s == EOT:
                return "".join(parts)
            parts.append(self._unspell(dec) if s == ESC else vocab[s])
            length += max(1, len(parts[-1]))  # an empty spelled token is corrupt, but costs a step
            if length > MAX_DESCRIPTION_CHARS:
                raise TextTooLong("the text runs past the longest description semcodec codes")
            if ctx:
                ctx = ctx[1:] + (s,)

    def _unspell(self, dec: ArithmeticDecoder) -> str:
        p = self.prior
        spell, chars = p.spell, p.chars
        ctx = (END,) * (p.char_order - 1)
        out: list[str] = []
        while len(out) <= MAX_DESCRIPTION_CHARS:
            c, lo, hi, total = spell.lookup(ctx, dec.target)
            dec.consume(lo, hi, total)
            if c == END:
                return "".join(out)
            if c == RAW:
                out.append(chr(dec.decode_uniform(_CODEPOINTS)))
            else:
                out.append(chars[c])
            if ctx:
                ctx = ctx[1:] + (c,)
        raise TextTooLong("a spelled word runs past the longest description semcodec codes")
