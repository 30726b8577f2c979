"""``ngram``: lossless arithmetic coding of text under a shipped word n-gram prior.

The text is split into tokens (``tokenize``: lossless for every Unicode string). Each token is
coded with the word model given the previous tokens; a token outside the vocabulary is coded as
ESCAPE and then spelled character by character with the character model (any character outside
its alphabet is sent as a raw code point). Priors with an escape layer (``ngram-v2`` on) first
say whether the escaped token is another case of a vocabulary word or a lexicon word (``escape``). END-OF-TEXT closes the text, so the payload needs no
length field and runs to the end of the file. All frequencies are integers: same bits everywhere.
"""

from __future__ import annotations

from ...limits import MAX_DESCRIPTION_CHARS
from ..bits import BitReader, BitWriter
from .arith import ArithmeticDecoder, ArithmeticEncoder
from .base import TextTooLong
from .escape import CASE, LEX, SPELL, apply_shape, find, interval
from .prior import END, EOT, ESC, RAW, NgramPrior, load_prior
from .tokenize import tokenize

__all__ = ["NgramCoder"]

_CODEPOINTS = 0x110000


class _Recorder:
    """Collects the intervals a coding step would send (to compare routes before sending one)."""

    def __init__(self) -> None:
        self.intervals: list[tuple[int, int, int]] = []

    def encode(self, lo: int, hi: int, total: int) -> None:
        self.intervals.append((lo, hi, total))


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
                self._escaped(tok, ctx, enc)
                s = ESC
            else:
                enc.encode(*words.interval(ctx, s))
            if ctx:
                ctx = ctx[1:] + (s,)
        enc.encode(*words.interval(ctx, EOT))
        enc.finish()

    def _escaped(self, token: str, ctx: tuple[int, ...], enc: ArithmeticEncoder) -> None:
        """Code an out-of-vocabulary token after ESCAPE: by the escape layer, or spelled."""
        for iv in self.escape_plan(token, ctx)[1]:
            enc.encode(*iv)

    def escape_plan(self, token: str, ctx: tuple[int, ...]) -> tuple[int, list[tuple[int, int, int]]]:
        """``(kind, intervals)`` that code ``token`` after ESCAPE: the route of the escape layer
        (``escape``), or its spelling (kind SPELL) under a prior without one."""
        esc = self.prior.escape
        if esc is None:
            return SPELL, self._spelling(token)
        kind, sym, shape = esc.route(token)
        if kind == SPELL:
            return kind, [interval(esc.kinds, kind), *self._spelling(token)]
        word = self.prior.words.interval(ctx, sym) if kind == CASE else interval(esc.cum, sym)
        return kind, [interval(esc.kinds, kind), word, interval(esc.shapes, shape)]

    def _spelling(self, token: str) -> list[tuple[int, int, int]]:
        rec = _Recorder()
        self._spell(token, rec)
        return rec.intervals

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
            parts.append(self._unescape(ctx, dec) if s == ESC else vocab[s])
            length += max(1, len(parts[-1]))  # an empty spelled token is corrupt, but costs a step
            if length > MAX_DESCRIPTION_CHARS:
                raise TextTooLong("the text runs past the longest description semcodec codes")
            if ctx:
                ctx = ctx[1:] + (s,)

    def _unescape(self, ctx: tuple[int, ...], dec: ArithmeticDecoder) -> str:
        """Read an escaped token (inverse of ``_escaped``)."""
        esc = self.prior.escape
        if esc is None:
            return self._unspell(dec)
        kind = self._read(esc.kinds, dec)
        if kind == SPELL:
            return self._unspell(dec)
        if kind == CASE:
            s, lo, hi, total = self.prior.words.lookup(ctx, dec.target)
            dec.consume(lo, hi, total)
            word = self.prior.vocab[s]
            if not (word.startswith(" ") and word[1:].isascii() and word[1:].isalpha()):
                raise ValueError("an escaped token names a vocabulary entry that is not a word")
            word = word[1:]
        elif kind == LEX:
            word = esc.words[self._read(esc.cum, dec)]
        else:
            raise ValueError("unknown escape kind")
        return apply_shape(word, self._read(esc.shapes, dec))

    @staticmethod
    def _read(cum: list[int], dec: ArithmeticDecoder) -> int:
        """Decode one symbol of a fixed cumulative table."""
        s = find(cum, dec.target(cum[-1]))
        dec.consume(*interval(cum, s))
        return s

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
