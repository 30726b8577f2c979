"""Integer-exact inference of a quantised LLaMA-family causal LM, with a KV cache.

Why our own engine: the decoder must reproduce the encoder's frequencies bit for bit on any
machine, and floating-point inference does not (CPUs, GPUs, BLAS builds and thread counts round
differently, and so does a one-pass forward against a token-by-token one). Nothing on PyPI does
deterministic integer inference of Hugging Face LMs (ts_zip has such an engine but is closed;
LLMZip and "Language Modeling Is Compression" use float inference on one machine;
transformers' I-BERT simulates integer-only BERT encoders in float). So this engine runs the
forward pass in integers: int64 elementwise arithmetic, integer tables for exp / sigmoid /
inverse square root / RoPE (``tables``), and float64 matrix products of integers that are exact
by construction (``ops.exact_matmul``). Every row (token) is computed by the same operations
whether it comes alone or in a batch, so the encoder's one-pass scoring and the decoder's
token-by-token steps give identical integers.

Exactness bounds (A = activation mantissa bits, asserted by construction):
- linear layers: |x| <= 2^24, |w| <= 127, inputs <= 2^15: |partial sums| <= 2^46 < 2^53; the
  int64 rescale acc * m <= 2^46 * 2^16 = 2^62.
- attention scores: |q|, |k| <= 2^21 before RoPE, <= 2^21.5 + 1 after, head_dim <= 256:
  |q . k| < 2^51.
- attention output: weights <= 2^20 each, |v| <= 2^20, at most MAX_CONTEXT = 2^12 keys:
  |partial sums| <= 2^52.
- RMSNorm: |x| <= 2^24, hidden <= 2^14: sum of squares <= 2^62.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .ops import RangeError, Tables, exact_matmul, rshift_round, shift, silu, to_block
from .quant import FRAC, QLinear, QModel
from .tables import RS_OUT, rope_table

if TYPE_CHECKING:
    import numpy as np
    import torch

#: Most positions (tokens, with the start token) the engine attends over.
MAX_CONTEXT = 1 << 12
_A = 24  # mantissa bits of a linear layer's input
_QK = 21  # mantissa bits of queries and keys
_V = 20  # mantissa bits of values; attention weights are Q20 too
_LOGIT_CLAMP = 64 << FRAC  # logits (and scores) more than 64 below the maximum get weight ~0


def linear(layer: QLinear, x: "torch.Tensor", x_exp: "torch.Tensor") -> "torch.Tensor":
    """Q``FRAC`` output of a quantised linear layer for block input (x: |x| <= 2^24, exponent x_exp)."""
    import torch

    acc = exact_matmul(x.to(torch.float64), layer.w.T)  # |acc| <= 2^24 * 127 * 2^15 < 2^46
    y = shift(acc * layer.m, layer.e - x_exp)  # acc * m <= 2^62
    return y if layer.bias is None else y + layer.bias


class _Cache:
    """Keys and values of one layer: rotated mantissas (float64) and exponents, grown by doubling."""

    def __init__(self, kv_heads: int, head_dim: int, device: str) -> None:
        import torch

        self.k = torch.zeros(kv_heads, 0, head_dim, dtype=torch.float64, device=device)
        self.v = torch.zeros_like(self.k)
        self.ke = torch.zeros(kv_heads, 0, dtype=torch.int64, device=device)
        self.ve = torch.zeros_like(self.ke)
        self.length = 0

    def append(self, k: "torch.Tensor", ke: "torch.Tensor", v: "torch.Tensor", ve: "torch.Tensor") -> None:
        import torch

        n = k.shape[1]
        if self.length + n > self.k.shape[1]:
            grow = max(self.length + n, 2 * self.k.shape[1], 16)
            pad = grow - self.k.shape[1]
            self.k = torch.cat([self.k, self.k.new_zeros(self.k.shape[0], pad, self.k.shape[2])], 1)
            self.v = torch.cat([self.v, self.v.new_zeros(self.v.shape[0], pad, self.v.shape[2])], 1)
            self.ke = torch.cat([self.ke, self.ke.new_zeros(self.ke.shape[0], pad)], 1)
            self.ve = torch.cat([self.ve, self.ve.new_zeros(self.ve.shape[0], pad)], 1)
        end = self.length + n
        self.k[:, self.length:end], self.v[:, self.length:end] = k, v
        self.ke[:, self.length:end], self.ve[:, self.length:end] = ke, ve
        self.length = end


class IntegerEngine:
    """Runs a ``QModel`` on integers; ``forward`` appends tokens to the context (KV cache)."""

    def __init__(self, model: QModel, device: str = "cpu") -> None:
        self.device = device
        self.model = model if device == "cpu" else _model_to(model, device)
        self.tables = Tables(device)
        a = model.arch
        num, den = a.eps.numerator, a.eps.denominator  # eps ~ en * 2^-ek with en in [2^23, 2^24)
        self._ek = 23 + den.bit_length() - num.bit_length()
        self._en = round(a.eps * (1 << self._ek))
        self._rope: tuple["torch.Tensor", "torch.Tensor"] | None = None
        self.tokens: list[int] = []
        self.reset()

    # -- context ------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the context."""
        self.truncate(0)

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` positions of the context."""
        if n == 0 or not self.tokens:
            a = self.model.arch
            self._caches = [_Cache(a.kv_heads, a.head_dim, self.device) for _ in self.model.layers]
            self.tokens = []
            return
        n = min(n, len(self.tokens))
        for c in self._caches:
            c.length = n
        del self.tokens[n:]

    # -- the network --------------------------------------------------------------------------
    def forward(self, tokens: list[int]) -> "torch.Tensor":
        """Append ``tokens`` to the context; the final normalised hidden state of each (Q``FRAC``)."""
        import torch

        p0 = len(self.tokens)
        if p0 + len(tokens) > MAX_CONTEXT:
            raise RangeError(f"the integer engine attends over at most {MAX_CONTEXT} positions")
        for c in self._caches:  # a forward pass that raised may have left keys of unfinished tokens
            c.length = p0
        ids = torch.tensor(tokens, dtype=torch.int64, device=self.device)
        pos = torch.arange(p0, p0 + len(tokens), device=self.device)
        m = self.model
        x = shift(m.embed.w[ids].to(torch.int64) * m.embed.m[ids, None], (m.embed.e - FRAC)[ids, None])
        for layer, cache in zip(m.layers, self._caches):
            x = x + self._attention(layer, self.rmsnorm(x, layer.in_norm), pos, cache)
            h = self.rmsnorm(x, layer.post_norm)
            hb, he = to_block(h, _A)
            g, u = linear(layer.gate, hb, he), linear(layer.up, hb, he)
            sb, se = to_block(silu(g, self.tables), 26)
            ub, ue = to_block(u, 26)
            pb, pe = to_block(sb * ub, _A)  # |sb * ub| <= 2^52
            x = x + linear(layer.down, pb, pe + se + ue - FRAC)
            if bool((x.abs() >= 1 << 60).any()):
                raise RangeError("an activation grew out of the integer engine's range")
        self.tokens.extend(tokens)
        return self.rmsnorm(x, m.norm)

    def rmsnorm(self, x: "torch.Tensor", gamma: "torch.Tensor") -> "torch.Tensor":
        """x / sqrt(mean(x^2) + eps) * gamma, in Q``FRAC`` (gamma holds gamma * sqrt(hidden) * 2^16)."""
        xs, sh = to_block(x, 24)
        # sum(x^2) + eps * n, both in units of 2^(2 (sh - FRAC)); n * 2^48 <= 2^62.
        eps = shift(self._en * x.new_full(sh.shape, x.shape[-1]), self._ek + 2 * sh - 2 * FRAC)
        s = ((xs * xs).sum(dim=-1, keepdim=True) + eps).clamp(min=1)
        r, j = self.tables.rsqrt_parts(s)  # 1/sqrt(s) ~ r 2^-(40 + j), r <= 2^32
        a = rshift_round(xs * r, 26)  # <= 2^56 before the shift
        # value = xs sqrt(n) gamma / sqrt(s) = a * gamma * 2^(26 - 40 - j - 16) in units of 2^-FRAC
        return shift(a * gamma, RS_OUT + 16 - 26 - FRAC + j)

    def _attention(self, layer, h: "torch.Tensor", pos: "torch.Tensor", cache: _Cache) -> "torch.Tensor":
        import torch

        a, t = self.model.arch, h.shape[0]
        group = a.heads // a.kv_heads
        hb, he = to_block(h, _A)
        q = linear(layer.q, hb, he).view(t, a.heads, a.head_dim)
        k = linear(layer.k, hb, he).view(t, a.kv_heads, a.head_dim)
        v = linear(layer.v, hb, he).view(t, a.kv_heads, a.head_dim)
        (qm, qe), (km, ke), (vm, ve) = to_block(q, _QK), to_block(k, _QK), to_block(v, _V)
        cos, sin = self._rope_at(pos)
        qm, km = _rotate(qm, cos, sin), _rotate(km, cos, sin)
        cache.append(km.transpose(0, 1).to(torch.float64), ke[..., 0].T, vm.transpose(0, 1).to(torch.float64),
                     ve[..., 0].T)
        n = cache.length
        keys, kexp = cache.k[:, :n], cache.ke[:, :n]
        # Queries grouped by their KV head: (kv_heads, group * t, head_dim).
        qg = qm.permute(1, 0, 2).reshape(a.kv_heads, group * t, a.head_dim).to(torch.float64)
        qeg = qe.permute(1, 0, 2).reshape(a.kv_heads, group * t, 1)
        qpos = pos.repeat(group)
        valid = torch.arange(n, device=h.device)[None, :] <= qpos[:, None]
        # Keys after a query are zeroed before anything can raise, so that a batch and a token-by-
        # token run see exactly the same numbers (and the same errors).
        dots = torch.where(valid, exact_matmul(qg, keys.transpose(1, 2)), 0)  # |q . k| < 2^51
        scores = shift(dots, torch.where(valid, FRAC - qeg - kexp[:, None, :], 0))  # Q24 (1/sqrt(d) is in W_q)
        scores = torch.where(valid, scores, torch.iinfo(torch.int64).min // 4)
        top = scores.amax(dim=-1, keepdim=True)
        w = torch.where(valid, self.tables.exp_neg((top - scores).clamp(max=_LOGIT_CLAMP), 10), 0)  # Q20
        den = w.sum(dim=-1, keepdim=True)  # >= 2^20: the top key has weight 2^20
        # Align every value to the largest exponent among the keys a query sees (a prefix maximum,
        # so a token gets the same numbers whether later tokens are in the batch or not).
        vmax = torch.cummax(cache.ve[:, :n], dim=1).values[:, qpos][..., None]  # (kv, group * t, 1)
        wa = rshift_round(w, (vmax - cache.ve[:, None, :n]).clamp(min=0))
        num = exact_matmul(wa.to(torch.float64), cache.v[:, :n])  # <= 2^12 * 2^20 * 2^20
        o = torch.div((num << 9) + (den >> 1), den, rounding_mode="floor")
        o = shift(o, 9 - vmax)  # Q24
        o = o.reshape(a.kv_heads, group, t, a.head_dim).permute(2, 0, 1, 3).reshape(t, a.heads * a.head_dim)
        ob, oe = to_block(o, _A)
        return linear(layer.o, ob, oe)

    def _rope_at(self, pos: "torch.Tensor") -> tuple["torch.Tensor", "torch.Tensor"]:
        import torch

        need = int(pos.max()) + 1
        if self._rope is None or self._rope[0].shape[0] < need:
            a = self.model.arch
            size = min(MAX_CONTEXT, max(256, 1 << (need - 1).bit_length()))
            cos, sin = rope_table(a.theta, a.head_dim, size)
            shape = (size, a.head_dim // 2)
            self._rope = (torch.tensor(cos, dtype=torch.int64, device=self.device).view(shape),
                          torch.tensor(sin, dtype=torch.int64, device=self.device).view(shape))
        return self._rope[0][pos][:, None, :], self._rope[1][pos][:, None, :]

    # -- the output distribution ---------------------------------------------------------------
    def frequencies(self, hidden: "torch.Tensor") -> "np.ndarray":
        """Integer frequencies (int64, all >= 1, total < 2^49) of the next token for each row."""
        hb, he = to_block(hidden, _A)
        logits = linear(self.model.head, hb, he)
        d = (logits.amax(dim=-1, keepdim=True) - logits).clamp(max=_LOGIT_CLAMP)
        return (self.tables.exp_neg(d) + 1).cpu().numpy()  # the likeliest token gets 2^30 + 1


def _rotate(x: "torch.Tensor", cos: "torch.Tensor", sin: "torch.Tensor") -> "torch.Tensor":
    """RoPE of mantissas (|x| <= 2^21) with Q30 tables, HF's rotate-half convention."""
    import torch

    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([rshift_round(x1 * cos - x2 * sin, 30), rshift_round(x2 * cos + x1 * sin, 30)], dim=-1)


def _model_to(model: QModel, device: str) -> QModel:
    from dataclasses import replace

    layers = [replace(layer, **{f: getattr(layer, f).to(device) for f in layer.__dataclass_fields__})
              for layer in model.layers]
    embed = model.embed.to(device)
    head = embed if model.head is model.embed else model.head.to(device)
    return QModel(model.arch, embed, layers, model.norm.to(device), head, model.extra)
