"""Exact integer tables of the integer LM engine: 2^-x, 1/sqrt(x), log2(e), RoPE cos/sin.

Built from Python integers alone, with no floating-point library function: libm's exp, cos and
pow differ in the last bit between platforms (and numpy's SIMD versions between CPUs), and one
table entry off by one would change a frequency on one machine only. Every value is computed at
``WORK`` bits and rounded once, so every machine builds the same tables bit for bit.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

#: Working precision of the table construction, in fractional bits.
WORK = 192
_ONE = 1 << WORK

#: Output scale of the exp2 table (Q30) and its input resolution (16 fractional bits).
EXP_BITS = 30
EXP_FRAC = 16
#: The inverse square root table covers t in [2^RS_LO, 2^(RS_LO + 2)) and returns round(2^RS_OUT / sqrt(t)).
RS_LO = 16
RS_OUT = 40
#: RoPE cos/sin are Q30.
ROPE_BITS = 30


def _round_shift(v: int, bits: int) -> int:
    """round(v / 2^bits), halves up."""
    return (v + (1 << (bits - 1))) >> bits


@lru_cache(maxsize=None)
def ln2() -> int:
    """ln 2 in fixed point (WORK fractional bits): sum over k >= 1 of 1 / (k 2^k)."""
    guard = WORK + 32
    total, k, term = 0, 1, (1 << guard) >> 1
    while term:
        total += term // k
        k += 1
        term >>= 1
    return total >> 32


def exp_fixed(x: int) -> int:
    """e^x for fixed-point x (WORK fractional bits), as fixed point."""
    k = (x + (ln2() >> 1)) // ln2()  # x = k ln2 + r, |r| <= ln2 / 2
    r = x - k * ln2()
    total, term, n = _ONE, _ONE, 1
    while term:
        term = term * r // (_ONE * n)
        total += term
        n += 1
    return total << k if k >= 0 else total >> -k


def _ln_int(n: int) -> int:
    """ln n for a positive integer n, fixed point: k ln2 + 2 atanh((m - 1) / (m + 1)), m in [1, 2)."""
    k = n.bit_length() - 1
    m = (n << WORK) >> k
    y = ((m - _ONE) << WORK) // (m + _ONE)
    y2 = y * y >> WORK
    total, power, i = 0, y, 1
    while power:
        total += power // i
        power = power * y2 >> WORK
        i += 2
    return k * ln2() + 2 * total


def ln_fixed(value: Fraction) -> int:
    """ln of a positive rational, fixed point."""
    return _ln_int(value.numerator) - _ln_int(value.denominator)


def _sin_cos_small(x: int) -> tuple[int, int]:
    """(sin x, cos x) for fixed-point |x| <= 1 by their Taylor series."""
    sin = cos = 0
    term, n = _ONE, 0  # term = x^n / n!
    while term:
        if n % 4 == 0:
            cos += term
        elif n % 4 == 1:
            sin += term
        elif n % 4 == 2:
            cos -= term
        else:
            sin -= term
        n += 1
        term = term * x // (_ONE * n)
    return sin, cos


@lru_cache(maxsize=None)
def exp2_table() -> tuple[int, ...]:
    """round(2^EXP_BITS * 2^(-f / 2^EXP_FRAC)) for f in [0, 2^EXP_FRAC): 2^-x for x in [0, 1)."""
    step = exp_fixed(-(ln2() >> EXP_FRAC))  # 2^(-1 / 2^EXP_FRAC)
    out, v = [], _ONE
    for _ in range(1 << EXP_FRAC):
        out.append(_round_shift(v, WORK - EXP_BITS))
        v = v * step >> WORK
    return tuple(out)


@lru_cache(maxsize=None)
def rsqrt_table() -> tuple[int, ...]:
    """round(2^RS_OUT / sqrt(t)) for t in [2^RS_LO, 2^(RS_LO + 2)), exactly.

    floor(2y) = isqrt(floor(4y^2)) for y = 2^RS_OUT / sqrt(t), and round(y) = (floor(2y) + 1) // 2.
    """
    top = 1 << (2 * RS_OUT + 2)
    return tuple((math.isqrt(top // t) + 1) >> 1 for t in range(1 << RS_LO, 1 << (RS_LO + 2)))


@lru_cache(maxsize=None)
def log2e_q30() -> int:
    """round(log2(e) * 2^30) = round(2^30 / ln 2)."""
    return ((1 << (30 + WORK + 1)) // ln2() + 1) >> 1


@lru_cache(maxsize=16)
def rope_table(theta: Fraction, head_dim: int, positions: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(cos, sin) of p * theta^(-2i / head_dim), Q30, flattened row-major [p][i], i < head_dim / 2.

    Positions advance by the exact angle-addition recurrence at WORK bits (error ~ p * 2^-WORK).
    """
    half = head_dim // 2
    log_theta = ln_fixed(theta)
    steps = [_sin_cos_small(exp_fixed(-(2 * i * log_theta) // head_dim)) for i in range(half)]
    cos_out, sin_out = [], []
    state = [(0, _ONE)] * half  # (sin, cos) at position p
    for _ in range(positions):
        for s, c in state:
            cos_out.append(_round_shift(c, WORK - ROPE_BITS))
            sin_out.append(_round_shift(s, WORK - ROPE_BITS))
        state = [((s * c1 + c * s1) >> WORK, (c * c1 - s * s1) >> WORK) for (s, c), (s1, c1) in zip(state, steps)]
    return tuple(cos_out), tuple(sin_out)
