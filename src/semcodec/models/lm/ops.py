"""Integer building blocks of the engine: rounding shifts, block scaling, exact products, tables.

All tensors are int64 except the operands of matrix products, which are float64 tensors holding
integers. A float64 product of integers is exact as long as every partial sum stays within 2^53
in magnitude: then every addition and multiplication in any order (BLAS blocking, FMA, thread
count, GPU reduction trees) is exact, and the result is the same integer everywhere. Each call of
``exact_matmul`` states the bound that keeps it so; the engine asserts those bounds on its inputs.

Fixed point: an activation tensor is int64 in Q``FRAC`` (value * 2^FRAC), or a *block*: integer
mantissas plus one exponent per row (value = mantissa * 2^exp in Q``FRAC`` units), which is how
inputs of products are kept within a given number of bits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .quant import FRAC
from .tables import EXP_BITS, EXP_FRAC, RS_LO

if TYPE_CHECKING:
    import torch

#: A tensor whose values exceed what the engine's bounds allow. Deterministic like everything else
#: (encoder and decoder fail at the same point), and never reached by sane models.
class RangeError(ValueError):
    pass


def rshift_round(x: "torch.Tensor", s: "torch.Tensor | int") -> "torch.Tensor":
    """round(x / 2^s) (halves up) for 0 <= s <= 62."""
    import torch

    if isinstance(s, int):
        return (x + ((1 << s) >> 1)) >> s
    return (x + (torch.ones_like(s) << s >> 1)) >> s


def shift(x: "torch.Tensor", s: "torch.Tensor | int") -> "torch.Tensor":
    """x * 2^-s rounded: a right shift for s > 0, an exact left shift for s < 0 (checked)."""
    import torch

    s = torch.as_tensor(s, device=x.device)
    right = s.clamp(0, 62)
    left = (-s).clamp(0, 62)
    if bool((left > 0).any()):
        if bool(((x.abs() >> (62 - left)) > 0).any()):
            raise RangeError("an activation grew out of the integer engine's range")
        x = x << left
    return rshift_round(x, right)


_POW2: dict[str, "torch.Tensor"] = {}


def bit_length(x: "torch.Tensor") -> "torch.Tensor":
    """Bits of each entry in [0, 2^63) (0 for 0): how many of 2^0 .. 2^62 are <= it (exact)."""
    import torch

    key = str(x.device)
    if key not in _POW2:
        _POW2[key] = torch.tensor([1 << k for k in range(63)], dtype=torch.int64, device=x.device)
    return torch.searchsorted(_POW2[key], x.contiguous(), right=True)


def to_block(x: "torch.Tensor", bits: int) -> tuple["torch.Tensor", "torch.Tensor"]:
    """Mantissas with |m| <= 2^bits and a per-row exponent sh >= 0, x ~ m * 2^sh."""
    sh = (bit_length(x.abs().amax(dim=-1, keepdim=True)) - bits).clamp(min=0)
    return rshift_round(x, sh), sh


def exact_matmul(a: "torch.Tensor", b: "torch.Tensor") -> "torch.Tensor":
    """a @ b for float64 tensors of integers whose partial sums stay within 2^53, as int64."""
    import torch

    return torch.matmul(a, b).to(torch.int64)


class Tables:
    """The integer tables on one device (see ``tables``)."""

    def __init__(self, device: str) -> None:
        import torch

        from .tables import exp2_table, log2e_q30, rsqrt_table

        self.device = device
        self.exp2 = torch.tensor(exp2_table(), dtype=torch.int64, device=device)
        self.rsqrt = torch.tensor(rsqrt_table(), dtype=torch.int64, device=device)
        self.log2e = log2e_q30()

    def exp_neg(self, d: "torch.Tensor", extra_shift: int = 0) -> "torch.Tensor":
        """round(2^(EXP_BITS - extra_shift) * e^-x) for d = x in Q``FRAC``, 0 <= d <= 64 * 2^FRAC."""
        u = rshift_round(d * self.log2e, 30 + FRAC - EXP_FRAC)  # x * log2(e) in Q16; d * log2e < 2^61
        frac = self.exp2[u & ((1 << EXP_FRAC) - 1)]
        return rshift_round(frac, ((u >> EXP_FRAC) + extra_shift).clamp(max=62))

    def rsqrt_parts(self, s: "torch.Tensor") -> tuple["torch.Tensor", "torch.Tensor"]:
        """(r, j) with 1/sqrt(s) ~ r * 2^-(RS_OUT + j), for s >= 1 (relative error < 2^-16)."""
        j = (bit_length(s) - (RS_LO + 1)) >> 1  # floor: s >> 2j has RS_LO + 1 or RS_LO + 2 bits
        t = (s >> (2 * j).clamp(min=0)) << (-2 * j).clamp(min=0)
        return self.rsqrt[t - (1 << RS_LO)], j


def silu(g: "torch.Tensor", tables: Tables) -> "torch.Tensor":
    """g * sigmoid(g) in Q``FRAC``; exactly g above 64 and 0 below -64 (|error| < 2^-80 there)."""
    import torch

    lim = 64 << FRAC
    a = g.abs().clamp(max=lim)
    e = tables.exp_neg(a)  # Q30 e^-|g|
    one = 1 << EXP_BITS
    sig_pos = torch.div((one << EXP_BITS) + ((one + e) >> 1), one + e, rounding_mode="floor")  # Q30 sigmoid(|g|)
    sig = torch.where(g >= 0, sig_pos, one - sig_pos)
    mid = rshift_round(g.clamp(-lim, lim) * sig, EXP_BITS)  # |g| <= 2^30, sig <= 2^30
    return torch.where(g > lim, g, torch.where(g < -lim, torch.zeros_like(g), mid))
