"""The arithmetic coder: exact round trips and code lengths within 2 bits of the ideal."""

from __future__ import annotations

import bisect
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semcodec.codec.bits import BitReader, BitWriter
from semcodec.codec.text.arith import MAX_TOTAL, PRECISION, ArithmeticDecoder, ArithmeticEncoder


@st.composite
def model_and_symbols(draw):
    freqs = draw(st.lists(st.integers(1, 1 << draw(st.integers(1, 40))), min_size=1, max_size=40))
    n = len(freqs)
    # A random model per step (an autoregressive prior changes its model every symbol).
    steps = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 3)), max_size=60))
    return freqs, steps


def _model(freqs, shift):
    f = freqs[shift:] + freqs[:shift]
    cum = [0]
    for x in f:
        cum.append(cum[-1] + x)
    return cum


@settings(max_examples=300, deadline=None)
@given(model_and_symbols(), st.integers(0, 13))
def test_round_trip_and_length(ms, prefix_bits):
    freqs, steps = ms
    out = BitWriter()
    out.write_uint(0, prefix_bits)  # the coder starts mid-byte after a container header
    enc = ArithmeticEncoder(out)
    ideal = 0.0
    for s, shift in steps:
        cum = _model(freqs, shift)
        enc.encode(cum[s], cum[s + 1], cum[-1])
        ideal -= math.log2((cum[s + 1] - cum[s]) / cum[-1])
    enc.finish()
    assert len(out) - prefix_bits <= ideal + 2
    inp = BitReader(out.to_bytes())
    inp.read_uint(prefix_bits)
    dec = ArithmeticDecoder(inp)
    for s, shift in steps:
        cum = _model(freqs, shift)
        t = dec.target(cum[-1])
        got = bisect.bisect_right(cum, t) - 1
        assert got == s
        dec.consume(cum[got], cum[got + 1], cum[-1])


def test_certain_symbols_cost_nothing():
    out = BitWriter()
    enc = ArithmeticEncoder(out)
    for _ in range(100):
        enc.encode(0, 1 << 20, (1 << 20) + 1)
    enc.finish()
    assert len(out) <= 1


def test_uniform_bits_are_exact():
    # 8 symbols of a uniform 256-ary alphabet is exactly the bytes themselves (minus trailing zeros).
    out = BitWriter()
    enc = ArithmeticEncoder(out)
    data = b"semcodec"
    for b in data:
        enc.encode(b, b + 1, 256)
    enc.finish()
    assert out.bitstring() == format(int.from_bytes(data, "big"), "064b").rstrip("0")


def test_rejects_bad_intervals():
    enc = ArithmeticEncoder(BitWriter())
    for bad in [(1, 1, 4), (3, 5, 4), (-1, 1, 4), (0, 1, MAX_TOTAL + 1)]:
        with pytest.raises(ValueError):
            enc.encode(*bad)


def test_decoder_stops_on_endless_padding():
    dec = ArithmeticDecoder(BitReader(b""))
    with pytest.raises(ValueError):
        for _ in range(10 * PRECISION):
            t = dec.target(2)
            dec.consume(t, t + 1, 2)
