"""Deterministic quantisation of a Hugging Face causal LM into the integer engine's weights.

Scheme ``w8a24`` (the only one so far): every linear layer, the embedding and the output head get
int8 weights per output channel (row) with scale s = max|row| / 127, stored as a 16-bit integer
multiplier m and an exponent e (s ~ m * 2^-e); biases are Q24 integers; an RMSNorm weight gamma is
stored as round(gamma * sqrt(hidden) * 2^16). The softmax scale 1/sqrt(head_dim) is folded into
the query projection before quantising.

Quantisation runs on the CPU in float64 with IEEE operations only (abs, max, division, multiply,
round, frexp), each correctly rounded, so every machine derives the same integers from the same
checkpoint. The fingerprint (``Fingerprint``) hashes those integers, the architecture numbers and
the tokenizer, so a decoder can tell that it has the model a file was coded with.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

SCHEME = "w8a24"
#: Fractional bits of the engine's fixed-point activations (biases are stored in it too).
FRAC = 24
WEIGHT_MAX = 127
#: Largest input width of a linear layer: keeps every integer matrix product below 2^53.
MAX_IN = 1 << 15
#: Largest hidden size: keeps RMSNorm's sum of squares below 2^62.
MAX_HIDDEN = 1 << 14
#: Largest head dimension: keeps attention scores below 2^53.
MAX_HEAD_DIM = 256


class UnsupportedModel(ValueError):
    """The checkpoint is not a model the integer engine can run."""


@dataclass
class QLinear:
    """y = x W^T * m * 2^-e + bias: int8 weights held as float64 for exact BLAS products."""

    w: "torch.Tensor"  # (out, in) float64, integers in [-127, 127]
    m: "torch.Tensor"  # (out,) int64 in [2^15, 2^16]
    e: "torch.Tensor"  # (out,) int64
    bias: "torch.Tensor | None" = None  # (out,) int64, Q24

    def to(self, device: str) -> "QLinear":
        return QLinear(self.w.to(device), self.m.to(device), self.e.to(device),
                       None if self.bias is None else self.bias.to(device))


@dataclass
class QLayer:
    in_norm: "torch.Tensor"
    q: QLinear
    k: QLinear
    v: QLinear
    o: QLinear
    post_norm: "torch.Tensor"
    gate: QLinear
    up: QLinear
    down: QLinear


@dataclass
class Arch:
    """The architecture numbers the engine needs."""

    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    eps: Fraction
    theta: Fraction


@dataclass
class QModel:
    arch: Arch
    embed: QLinear
    layers: list[QLayer]
    norm: "torch.Tensor"
    head: QLinear
    extra: dict[str, Any] = field(default_factory=dict)


class Fingerprint:
    """A running SHA-256 over everything that decides the model's frequencies."""

    def __init__(self) -> None:
        self._h = hashlib.sha256(f"semcodec-lm/{SCHEME}/1".encode())

    def add(self, label: str, data: bytes) -> None:
        self._h.update(f"{label}:{len(data)}:".encode())
        self._h.update(data)

    def add_tensor(self, label: str, t: "torch.Tensor", dtype: "torch.dtype | None" = None) -> None:
        """Hash an integer tensor as little-endian bytes (``dtype``: convert first)."""
        a = t.detach().cpu()
        n = (a.to(dtype) if dtype is not None else a).numpy()
        self.add(label, n.astype(n.dtype.newbyteorder("<"), copy=False).tobytes())

    def value(self) -> int:
        """The 32-bit fingerprint."""
        return int.from_bytes(self._h.digest()[:4], "big")


def quantize_linear(weight: "torch.Tensor", bias: "torch.Tensor | None", fp: Fingerprint, label: str,
                    row_scale: float = 1.0) -> QLinear:
    """int8 per output row; ``row_scale`` multiplies the float weights (and bias) first."""
    import torch

    w = weight.detach().to("cpu", torch.float64)
    if w.shape[1] > MAX_IN:
        raise UnsupportedModel(f"a layer has {w.shape[1]} inputs; the integer engine supports at most {MAX_IN}")
    if row_scale != 1.0:
        w = w * row_scale
    if not torch.isfinite(w).all():
        raise UnsupportedModel(f"the weights of {label} are not finite")
    amax = w.abs().amax(dim=1)
    scale = torch.where(amax > 0, amax / WEIGHT_MAX, torch.ones_like(amax))
    q = torch.round(w / scale[:, None]).clamp(-WEIGHT_MAX, WEIGHT_MAX)
    mant, exp = torch.frexp(scale)
    m = torch.round(mant * 65536).to(torch.int64)
    e = (16 - exp).to(torch.int64)
    qb = None
    if bias is not None:
        qb = _fixed(bias.detach().to("cpu", torch.float64) * row_scale, FRAC, label)
        fp.add_tensor(label + ".bias", qb)
    fp.add_tensor(label + ".w", q, torch.int8)
    fp.add_tensor(label + ".m", m)
    fp.add_tensor(label + ".e", e)
    return QLinear(q.contiguous(), m, e, qb)


def quantize_norm(weight: "torch.Tensor", hidden: int, fp: Fingerprint, label: str) -> "torch.Tensor":
    """round(gamma * sqrt(hidden) * 2^16) as int64 (|value| < 2^32)."""
    import torch

    g = weight.detach().to("cpu", torch.float64) * math.sqrt(hidden)
    q = _fixed(g, 16, label)
    if int(q.abs().max()) >= 1 << 32:
        raise UnsupportedModel(f"the norm weights of {label} are too large for the integer engine")
    fp.add_tensor(label, q)
    return q


def _fixed(x: "torch.Tensor", bits: int, label: str) -> "torch.Tensor":
    import torch

    if not torch.isfinite(x).all() or (x.numel() and float(x.abs().max()) >= 2.0 ** (60 - bits)):
        raise UnsupportedModel(f"the parameters of {label} are out of range for the integer engine")
    return torch.round(x * float(1 << bits)).to(torch.int64)
