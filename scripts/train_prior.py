#!/usr/bin/env python
"""Train the ``ngram`` text prior from the CC BY 4.0 description corpora (deterministic).

    python scripts/train_prior.py [CORPORA_DIR] [--name ngram-v1] [--out src/semcodec/text/priors]

Training text: COCO 2017 val captions, and the ImageInWords sets IIW-400 (human IIW and model
IIW-P5B descriptions, object-level descriptions), DCI_Test, DOCCI_Test (DOCCI and IIW) and
LocNar_Eval (model). Held out entirely as the development split: ``iiw/CM_3600.jsonl``, 1,000
model-written (PaLI IIW-P5B) descriptions of CrossModal-3600 images: the style a VLM describer
produces, on images disjoint from the training sets, so the dev rate is the honest rate of the
coder on the text it will actually see.

The output is the same bytes on every rerun: all orderings are sorted, no timestamps.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from semcodec.text.arith import MAX_TOTAL  # noqa: E402
from semcodec.text.prior import END, EOT, ESC, RAW, write_prior_file  # noqa: E402
from semcodec.text.tokenize import tokenize  # noqa: E402

FORMAT = 1
DEV_FILE = "iiw/CM_3600.jsonl"


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def training_texts(corpora: Path) -> list[str]:
    """All training descriptions in a fixed order (the dev split is never read here)."""
    texts: list[str] = []
    coco = json.loads((corpora / "coco/captions_val2017.json").read_text(encoding="utf-8"))
    texts += [a["caption"] for a in sorted(coco["annotations"], key=lambda a: a["id"])]
    for rec in _jsonl(corpora / "iiw/IIW-400.jsonl"):
        texts += [rec[k] for k in ("IIW", "IIW-P5B") if rec.get(k)]
        texts += [o["description"] for o in rec.get("objects", []) if o.get("description")]
    for name, keys in (("DCI_Test", ("IIW",)), ("DOCCI_Test", ("DOCCI", "IIW")), ("LocNar_Eval", ("IIW-P5B",))):
        for rec in _jsonl(corpora / f"iiw/{name}.jsonl"):
            texts += [rec[k] for k in keys if rec.get(k)]
    return texts


def dev_texts(corpora: Path) -> list[str]:
    """The held-out development descriptions (CM_3600, model-written)."""
    return [r["IIW-P5B"] for r in _jsonl(corpora / DEV_FILE) if r.get("IIW-P5B")]


def _discounts(counts: np.ndarray, scale: int) -> list[int]:
    """Modified Kneser-Ney discounts D1, D2, D3+ (Chen & Goodman), scaled to integers."""
    n = [int(np.count_nonzero(counts == i)) for i in range(1, 5)]
    n = [max(x, 1) for x in n]
    y = n[0] / (n[0] + 2 * n[1])
    d = [1 - 2 * y * n[1] / n[0], 2 - 3 * y * n[2] / n[1], 3 - 4 * y * n[3] / n[2]]
    return [min(max(int(round(scale * x)), 1), scale * (i + 1) - 1) for i, x in enumerate(d)]


def build_kn(seqs: list[list[int]], nsym: int, order: int, scale: int, prefix: str) -> dict[str, np.ndarray]:
    """Integer interpolated Kneser-Ney arrays (see ``semcodec.text.prior.IntNgramModel``)."""
    pad = [0] * (order - 1)
    flat = []
    for s in seqs:
        flat.append(np.array(pad + s, dtype=np.int64))
    # n-gram keys of length `order` (context padded with symbol 0), base nsym.
    grams = []
    for a in flat:
        m = len(a) - order + 1
        k = np.zeros(m, dtype=np.int64)
        for j in range(order):
            k = k * nsym + a[j : j + m]
        grams.append(k)
    keys, counts = np.unique(np.concatenate(grams), return_counts=True)
    assert nsym ** order < 2**62
    arrays: dict[str, np.ndarray] = {}
    meta_d = {}
    for k in range(order, 0, -1):
        disc = _discounts(counts, scale)
        meta_d[k] = disc
        cc = np.minimum(counts, 3) - 1
        dvec = np.array(disc, dtype=np.int64)[cc]
        g = scale * counts.astype(np.int64) - dvec
        if k == 1:
            f1 = np.zeros(nsym, dtype=np.int64)
            f1[keys] = g
            bo1 = int(dvec.sum())
            freq = f1 * nsym + bo1  # level 1 interpolated with the uniform distribution
            arrays[prefix + "uni"] = np.concatenate([[0], np.cumsum(freq)]).astype(np.int64)
            break
        ctx = keys // nsym
        succ = keys % nsym
        ukeys, start = np.unique(ctx, return_index=True)
        start = np.concatenate([start, [len(ctx)]]).astype(np.int64)
        bo = np.add.reduceat(dvec, start[:-1])
        p = f"{prefix}k{k}_"
        arrays[p + "keys"] = ukeys.astype(np.int64)
        arrays[p + "start"] = start
        arrays[p + "bo"] = bo.astype(np.int64)
        arrays[p + "succ"] = succ.astype(np.int32)
        arrays[p + "cum"] = np.concatenate([[0], np.cumsum(g)]).astype(np.int64)
        # Continuation counts of the (k-1)-grams: distinct left extensions.
        lower = keys % (nsym ** (k - 1))
        keys, counts = np.unique(lower, return_counts=True)
    # Largest possible total must stay within the arithmetic coder's range.
    worst = int(arrays[prefix + "uni"][-1])
    for k in range(2, order + 1):
        p = f"{prefix}k{k}_"
        cum, start, bo = arrays[p + "cum"], arrays[p + "start"], arrays[p + "bo"]
        z = cum[start[1:]] - cum[start[:-1]] + bo
        worst *= int(z.max())
    assert worst < MAX_TOTAL, "frequency totals too large for the arithmetic coder"
    arrays[prefix + "discounts"] = np.array([d for k in sorted(meta_d) for d in meta_d[k]], dtype=np.int64)
    return arrays


def train(corpora: Path, name: str, word_order: int, char_order: int, min_count: int, scale: int,
          char_min: int) -> bytes:
    texts = training_texts(corpora)
    toks = [tokenize(t) for t in texts]
    tc = Counter(t for ts in toks for t in ts)
    vocab_toks = sorted((t for t, c in tc.items() if c >= min_count), key=lambda t: (-tc[t], t))
    vocab = ["", ""] + vocab_toks
    index = {t: i for i, t in enumerate(vocab) if i >= 2}
    wseqs = [[index.get(t, ESC) for t in ts] + [EOT] for ts in toks]
    # The spelling model learns from the tokens the word model escapes, plus every vocabulary
    # type once (English spelling in general).
    spelled = [t for ts in toks for t in ts if t not in index] + vocab_toks
    cc = Counter(ch for t in spelled for ch in t)
    chars = ["", ""] + sorted((c for c, n in cc.items() if n >= char_min), key=lambda c: (-cc[c], c))
    cindex = {c: i for i, c in enumerate(chars) if i >= 2}
    cseqs = [[cindex.get(ch, RAW) for ch in t] + [END] for t in spelled]
    arrays = build_kn(wseqs, len(vocab), word_order, scale, "w_")
    arrays.update(build_kn(cseqs, len(chars), char_order, scale, "c_"))
    meta = {
        "name": name,
        "format": FORMAT,
        "word_order": word_order,
        "char_order": char_order,
        "scale": scale,
        "min_count": min_count,
        "vocab": vocab,
        "chars": chars,
        "training": "COCO captions_val2017; IIW-400, DCI_Test, DOCCI_Test, LocNar_Eval (ImageInWords)",
        "held_out": DEV_FILE,
    }
    return write_prior_file(meta, arrays)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="?", default=str(ROOT.parent / "shared" / "corpora"))
    ap.add_argument("--name", default="ngram-v1")
    ap.add_argument("--out", default=str(ROOT / "src/semcodec/text/priors"))
    ap.add_argument("--word-order", type=int, default=3)
    ap.add_argument("--char-order", type=int, default=4)
    ap.add_argument("--min-count", type=int, default=2)
    ap.add_argument("--char-min", type=int, default=2)
    ap.add_argument("--scale", type=int, default=64)
    a = ap.parse_args(argv)
    data = train(Path(a.corpora), a.name, a.word_order, a.char_order, a.min_count, a.scale, a.char_min)
    out = Path(a.out) / f"{a.name}.bin"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"wrote {out} ({len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
