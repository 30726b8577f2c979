"""Bit-precise binary arithmetic coding over integer frequencies.

A classic Witten-Neal-Cleary coder (low/high registers, pending "underflow" bits) on Python
integers, writing single bits into a ``BitWriter`` and reading them from a ``BitReader``.

Why hand-written: at 100 micro-bits per pixel the whole payload is about 105 bits. Library
coders such as constriction's range coder and ANS emit 32-bit words, so their termination can
waste up to 31 bits, a third of the budget. This coder terminates minimally: it emits the
shortest bit string whose value, padded with ZERO bits (which the reader supplies past the end
of the data), lies in the final interval. The payload is therefore within about 2 bits of the
ideal code length sum(-log2 p).

Symbols are given as ``(cum_low, cum_high, total)`` with ``0 <= cum_low < cum_high <= total <=
MAX_TOTAL``; models are integer-only, so the bits are the same on every machine. The decoder
refuses (``ValueError``) to read more than ``PRECISION + MAX_TRAILING_ZEROS`` padding bits, so
corrupt data can never make it loop forever; the encoder keeps enough trailing zeros that a
valid stream never needs more padding than that.
"""

from __future__ import annotations

from ..bits import BitReader, BitWriter

__all__ = ["PRECISION", "MAX_TOTAL", "MAX_TRAILING_ZEROS", "ArithmeticEncoder", "ArithmeticDecoder"]

#: Width of the low/high registers in bits (Python ints, so wide registers cost little).
PRECISION = 128
#: Largest allowed frequency total: every symbol keeps a non-empty sub-interval.
MAX_TOTAL = 1 << (PRECISION - 2)
#: Trailing zero bits the encoder may drop beyond the decoder's PRECISION-bit lookahead.
MAX_TRAILING_ZEROS = 64

_FULL = (1 << PRECISION) - 1
_HALF = 1 << (PRECISION - 1)
_QUARTER = 1 << (PRECISION - 2)
_3QUARTER = 3 * _QUARTER


class ArithmeticEncoder:
    """Encodes symbols into an internal bit buffer; ``finish()`` appends the code to ``out``."""

    def __init__(self, out: BitWriter) -> None:
        self._out = out
        self._low = 0
        self._high = _FULL
        self._pending = 0
        self._bits = BitWriter()  # emitted bits (a writer, so that emitting stays linear in time)
        self._ones_end = 0  # number of emitted bits up to and including the last 1
        self._shifts = 0  # renormalisation shifts == bits the decoder reads after its first PRECISION
        self._done = False

    def _emit(self, bit: int) -> None:
        p = self._pending
        start = len(self._bits)
        self._bits.write_uint((bit << p) | (0 if bit else (1 << p) - 1), 1 + p)
        if bit:
            self._ones_end = start + 1
        elif p:
            self._ones_end = start + 1 + p
        self._pending = 0

    def encode(self, cum_low: int, cum_high: int, total: int) -> None:
        """Code the symbol occupying ``[cum_low, cum_high)`` out of ``total``."""
        if not 0 <= cum_low < cum_high <= total <= MAX_TOTAL:
            raise ValueError(f"bad symbol interval [{cum_low}, {cum_high}) of {total}")
        low, high = self._low, self._high
        r = high - low + 1
        high = low + r * cum_high // total - 1
        low = low + r * cum_low // total
        while True:
            if high < _HALF:
                self._emit(0)
            elif low >= _HALF:
                self._emit(1)
                low -= _HALF
                high -= _HALF
            elif low >= _QUARTER and high < _3QUARTER:
                self._pending += 1
                low -= _QUARTER
                high -= _QUARTER
            else:
                break
            low <<= 1
            high = (high << 1) | 1
            self._shifts += 1
        self._low, self._high = low, high

    def finish(self) -> None:
        """Terminate minimally and append the code to the output writer."""
        if self._done:
            raise RuntimeError("finish() called twice")
        self._done = True
        low, high = self._low, self._high
        if self._pending:
            # low < HALF <= high: the single bit 1 (then the pending zeros, then zero padding).
            self._emit(1)
        else:
            for t in range(PRECISION + 1):
                step = 1 << (PRECISION - t)
                x = -(-low // step) * step
                if x <= high:
                    for i in range(t):
                        self._emit((x >> (PRECISION - 1 - i)) & 1)
                    break
        n = len(self._bits)
        # Drop trailing zeros (the reader supplies them), but never so many that the decoder
        # would need more than PRECISION + MAX_TRAILING_ZEROS padding bits.
        keep = min(n, max(self._ones_end, self._shifts - MAX_TRAILING_ZEROS))
        self._out.extend(self._bits, keep)


class ArithmeticDecoder:
    """Decodes symbols: ``target(total)`` gives a cumulative count to look up, ``consume`` the symbol."""

    def __init__(self, inp: BitReader) -> None:
        self._inp = inp
        self._pad_limit = inp.padding_read + PRECISION + MAX_TRAILING_ZEROS
        self._low = 0
        self._high = _FULL
        self._value = inp.read_uint(PRECISION)

    def target(self, total: int) -> int:
        """The cumulative count in ``[0, total)`` that the next symbol's interval contains."""
        r = self._high - self._low + 1
        return ((self._value - self._low + 1) * total - 1) // r

    def consume(self, cum_low: int, cum_high: int, total: int) -> None:
        """Remove the symbol ``[cum_low, cum_high)`` of ``total`` (the one ``target`` fell in)."""
        if not 0 <= cum_low < cum_high <= total <= MAX_TOTAL:
            raise ValueError(f"bad symbol interval [{cum_low}, {cum_high}) of {total}")
        low, high, value = self._low, self._high, self._value
        r = high - low + 1
        high = low + r * cum_high // total - 1
        low = low + r * cum_low // total
        read = self._inp.read_bit
        while True:
            if high < _HALF:
                pass
            elif low >= _HALF:
                low -= _HALF
                high -= _HALF
                value -= _HALF
            elif low >= _QUARTER and high < _3QUARTER:
                low -= _QUARTER
                high -= _QUARTER
                value -= _QUARTER
            else:
                break
            low <<= 1
            high = (high << 1) | 1
            value = (value << 1) | read()
        self._low, self._high, self._value = low, high, value
        if self._inp.padding_read > self._pad_limit:
            raise ValueError("arithmetic-coded data runs far past its end (corrupt or truncated)")

    def decode_uniform(self, n: int) -> int:
        """Decode an integer coded with ``encode(v, v + 1, n)``."""
        v = self.target(n)
        self.consume(v, v + 1, n)
        return v
