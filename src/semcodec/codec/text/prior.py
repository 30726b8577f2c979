"""Shipped statistical priors for the ``ngram`` text coder.

A prior is a word-level interpolated Kneser-Ney n-gram model (modified discounts) plus a
character-level model of the same kind that spells out-of-vocabulary words. Everything the coder
uses is an integer: the file stores discounted counts scaled by an integer ``scale`` and
per-context back-off numerators, and the probabilities of all orders are combined by integer
multiplication (no rounding at all), so the frequencies, and hence the coded bits, are the same
on every machine. Every symbol gets a frequency of at least 1 in every context.

Symbols of the word model: 0 = END-OF-TEXT (also the begin-of-text padding of the context),
1 = ESCAPE (the token is spelled by the character model), 2.. = vocabulary tokens (see
``tokenize``). Symbols of the character model: 0 = END-OF-TOKEN (and its context padding),
1 = RAW (the character follows as a code point, uniform over 0..0x10FFFF, so any Unicode string
round-trips), 2.. = characters. From ``ngram-v2`` on, a prior also has an escape layer (``escape``:
other cases of vocabulary words and a general English lexicon, so that common words are never
spelled); a file without one (``ngram-v1``) codes every escaped token by spelling it.

Priors are versioned data files in ``semcodec/codec/text/priors/`` named by a stable id (``ngram-v1``).
A prior, once released under an id, never changes (its SHA-256 is pinned below and checked on
load): files coded with it must stay decodable. An improved prior gets a new id. The files are
built by ``scripts/train_prior.py`` from CC BY 4.0 corpora; see ``priors/NOTICE.md``.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from bisect import bisect_right
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["load_prior", "NgramPrior", "IntNgramModel", "EOT", "ESC", "END", "RAW", "PRIORS"]

EOT, ESC = 0, 1  # word-model symbols
END, RAW = 0, 1  # character-model symbols
MAGIC = b"SEMCODEC-PRIOR\n"
#: Released priors: id -> SHA-256 of the file. Never change an entry; add a new id instead.
PRIORS: dict[str, str] = {
    "ngram-v1": "fb38c8d9d82754faa2adf128073b0f56eb39889dc9495fa84fa42949cf5331c1",
    "ngram-v2": "1f64863a3cc95c5f26ab1260eb950b07a04f4b71473abb675ba0324c49adf1ed",
}


class IntNgramModel:
    """An interpolated Kneser-Ney n-gram model over integer symbol ids, queried exactly.

    For a context (the previous ``order - 1`` symbols) the model defines integer frequencies
    ``F(s) >= 1`` for every symbol ``s`` and their total ``T``; ``interval`` gives
    ``(cum_low, cum_high, total)`` of a symbol and ``lookup`` finds the symbol that contains a
    cumulative count, for the arithmetic coder.
    """

    def __init__(self, arrays: dict[str, np.ndarray], prefix: str, nsym: int, order: int, scale: int) -> None:
        self.nsym = nsym
        self.order = order
        disc = arrays[prefix + "discounts"].astype(np.int64).reshape(order, 3)  # level 1..order
        # Level 1: continuation counts, discounted, interpolated with the uniform distribution.
        c1 = arrays[prefix + "cnt1"].astype(np.int64)
        g1 = np.where(c1 > 0, scale * c1 - disc[0][np.clip(c1, 1, 3) - 1], 0)
        bo1 = int(np.where(c1 > 0, disc[0][np.clip(c1, 1, 3) - 1], 0).sum())
        freq = g1 * nsym + max(bo1, 1)
        self._uni = [0] + np.cumsum(freq).tolist()  # cumulative level-1 frequencies
        self._levels = []
        for k in range(2, order + 1):
            p = f"{prefix}k{k}_"
            keys = np.cumsum(arrays[p + "keydelta"].astype(np.int64))
            rowlen = arrays[p + "rowlen"].astype(np.int64)
            start = np.concatenate([[0], np.cumsum(rowlen)])
            cnt = arrays[p + "cnt"].astype(np.int64)
            d = disc[k - 1][np.minimum(cnt, 3) - 1]
            bo = np.add.reduceat(d, start[:-1]) if len(cnt) else np.zeros(0, np.int64)
            if p + "extra" in arrays:
                bo = bo + arrays[p + "extra"].astype(np.int64)
            cum = np.concatenate([[0], np.cumsum(scale * cnt - d)])
            self._levels.append((keys, start, bo, arrays[p + "succ"], cum, {}))

    def max_total(self) -> int:
        """An upper bound of the frequency total over all contexts."""
        worst = self._uni[-1]
        for keys, start, bo, succ, cum, _ in self._levels:
            z = cum[start[1:]] - cum[start[:-1]] + bo
            worst *= int(z.max()) if len(z) else 1
        return worst

    def _key(self, context: tuple[int, ...], n: int) -> int:
        key = 0
        for s in context[len(context) - n :]:
            key = key * self.nsym + s
        return key

    def _rows(self, context: tuple[int, ...]) -> list[tuple[list[int], list[int], int]]:
        """The (successors, cumulative g, back-off) rows of the levels above 1 present for context."""
        rows = []
        for k, (keys, start, bo, succ, cum, cache) in enumerate(self._levels, start=2):
            if len(context) < k - 1:
                break
            key = self._key(context, k - 1)
            row = cache.get(key)
            if row is None:
                i = int(np.searchsorted(keys, key))
                if i == len(keys) or int(keys[i]) != key:
                    break  # unseen context: no higher order is present either
                a, b = int(start[i]), int(start[i + 1])
                c = cum[a : b + 1]
                row = (succ[a:b].tolist(), (c - c[0]).tolist(), int(bo[i]))
                if len(cache) > 200_000:
                    cache.clear()
                cache[key] = row
            rows.append(row)
        return rows

    @staticmethod
    def _weights(uni_total: int, rows: list) -> tuple[list[int], int, int]:
        """Integer weights W_k of each level's g counts, weight of level 1, and the total."""
        total = uni_total
        weights = []
        for succ, cg, bo in rows:
            # F_k = g_k * T_{k-1} + bo_k * F_{k-1}: earlier weights scale by bo_k.
            weights = [w * bo for w in weights]
            weights.append(total)
            total = (cg[-1] + bo) * total
        b1 = 1
        for _, _, bo in rows:
            b1 *= bo
        return weights, b1, total

    def _cum(self, s: int, rows: list, weights: list[int], b1: int) -> int:
        c = b1 * self._uni[s]
        for (succ, cg, _), w in zip(rows, weights):
            c += w * cg[bisect_right(succ, s - 1)]
        return c

    def interval(self, context: tuple[int, ...], s: int) -> tuple[int, int, int]:
        """``(cum_low, cum_high, total)`` of symbol ``s`` after ``context``."""
        rows = self._rows(context)
        weights, b1, total = self._weights(self._uni[-1], rows)
        return self._cum(s, rows, weights, b1), self._cum(s + 1, rows, weights, b1), total

    def total(self, context: tuple[int, ...]) -> int:
        """The frequency total of ``context``."""
        rows = self._rows(context)
        return self._weights(self._uni[-1], rows)[2]

    def lookup(self, context: tuple[int, ...], target_of) -> tuple[int, int, int, int]:
        """Find the symbol whose interval holds ``target_of(total)``: ``(s, cum_low, cum_high, total)``."""
        rows = self._rows(context)
        weights, b1, total = self._weights(self._uni[-1], rows)
        target = target_of(total)
        lo, hi = 0, self.nsym  # invariant: cum(lo) <= target < cum(hi)
        while hi - lo > 1:
            mid = (lo + hi) >> 1
            if self._cum(mid, rows, weights, b1) <= target:
                lo = mid
            else:
                hi = mid
        return lo, self._cum(lo, rows, weights, b1), self._cum(lo + 1, rows, weights, b1), total

    def freqs(self, context: tuple[int, ...], symbols: list[int]) -> tuple[list[int], int]:
        """Frequencies of several ``symbols`` after ``context`` and the total (one context lookup)."""
        rows = self._rows(context)
        weights, b1, total = self._weights(self._uni[-1], rows)
        cum = self._cum
        return [cum(s + 1, rows, weights, b1) - cum(s, rows, weights, b1) for s in symbols], total

    def frequencies(self, context: tuple[int, ...]) -> list[int]:
        """All integer frequencies after ``context`` (slow; for tests and inspection)."""
        rows = self._rows(context)
        weights, b1, _ = self._weights(self._uni[-1], rows)
        cums = [self._cum(s, rows, weights, b1) for s in range(self.nsym + 1)]
        return [b - a for a, b in zip(cums, cums[1:])]


class NgramPrior:
    """A loaded prior: word vocabulary and model, character set and model."""

    def __init__(self, name: str, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        self.name = name
        self.meta = meta
        self.vocab: list[str] = meta["vocab"]  # index = symbol id; ids 0, 1 are "" placeholders
        self.index: dict[str, int] = {t: i for i, t in enumerate(self.vocab) if i >= 2}
        self.chars: list[str] = meta["chars"]
        self.char_index: dict[str, int] = {c: i for i, c in enumerate(self.chars) if i >= 2}
        self.words = IntNgramModel(arrays, "w_", len(self.vocab), meta["word_order"], meta["scale"])
        self.spell = IntNgramModel(arrays, "c_", len(self.chars), meta["char_order"], meta["scale"])
        self.word_order = meta["word_order"]
        self.char_order = meta["char_order"]
        self.escape = None
        if "escape" in meta:  # ngram-v2 and later
            from .escape import Escape

            self.escape = Escape(meta["escape"], arrays, self.index)


def read_prior_file(data: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """Parse a prior file: MAGIC, u32 header length, JSON header, zlib of the 8-aligned arrays."""
    if not data.startswith(MAGIC):
        raise ValueError("not a semcodec prior file")
    (hlen,) = struct.unpack_from("<I", data, len(MAGIC))
    hstart = len(MAGIC) + 4
    header = json.loads(data[hstart : hstart + hlen].decode("utf-8"))
    body = zlib.decompress(data[hstart + hlen :])
    arrays = {}
    for name, (dtype, offset, count) in header["arrays"].items():
        arrays[name] = np.frombuffer(body, dtype=np.dtype(dtype), count=count, offset=offset)
    return header["meta"], arrays


def write_prior_file(meta: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """Serialise ``meta`` and ``arrays`` deterministically (inverse of ``read_prior_file``)."""
    layout: dict[str, list] = {}
    body = bytearray()
    for n in sorted(arrays):
        a = np.ascontiguousarray(arrays[n])
        dt = a.dtype.newbyteorder("<").str
        body += b"\0" * (-len(body) % 8)
        layout[n] = [dt, len(body), int(a.size)]
        body += a.astype(dt).tobytes()
    header = json.dumps({"arrays": layout, "meta": meta}, sort_keys=True, ensure_ascii=True).encode()
    return MAGIC + struct.pack("<I", len(header)) + header + zlib.compress(bytes(body), 9)


def load_prior(name: str = "ngram-v1") -> NgramPrior:
    """Load a shipped prior by id (cached per process); ``ValueError`` for an unknown id."""
    return _load(name)


@lru_cache(maxsize=None)
def _load(name: str) -> NgramPrior:
    if name not in PRIORS:
        raise ValueError(f"unknown text prior {name!r}; known priors: {', '.join(sorted(PRIORS))}")
    data = resources.files(__package__).joinpath("priors", f"{name}.bin").read_bytes()
    want = PRIORS[name]
    if want and hashlib.sha256(data).hexdigest() != want:
        raise ValueError(f"the text prior file {name}.bin is damaged or modified (SHA-256 mismatch)")
    meta, arrays = read_prior_file(data)
    if meta.get("name") != name:
        raise ValueError(f"the text prior file {name}.bin names itself {meta.get('name')!r}")
    return NgramPrior(name, meta, arrays)
