#!/usr/bin/env python
"""Train the ``ngram`` text prior from the CC BY 4.0 description corpora (deterministic).

    python scripts/train_prior.py [CORPORA_DIR] [--name ngram-v2] [--out src/semcodec/codec/text/priors]
    python scripts/train_prior.py CORPORA --name ngram-v2 --held-out coco [--in-style] --out /tmp/priors

``--name ngram-v1`` rebuilds the released v1 (same bytes, same SHA-256). ``ngram-v2`` (the
default) adds the escape layer (``semcodec.codec.text.escape``) over the general English
lexicon of the ``symspellpy`` package (``pip install symspellpy``; its file is pinned by SHA-256
below) and trains on the style splits of ``corpora.py``; ``--held-out STYLE`` leaves a style out
(``--in-style``: only its test half), for leave-one-style-out measurement
(``benchmarks/bench_styles.py``).

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

from semcodec.codec.text.arith import MAX_TOTAL  # noqa: E402
from semcodec.codec.text.prior import END, EOT, ESC, RAW, NgramPrior, read_prior_file, write_prior_file  # noqa: E402
from semcodec.codec.text.escape import CASE, LEX, SPELL, shape_of  # noqa: E402
from semcodec.codec.text.tokenize import tokenize  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
import corpora as styles  # noqa: E402

FORMAT = 1
DEV_FILE = styles.DEV_FILE
#: The general English lexicon of ngram-v2: symspellpy's word-frequency list (MIT; Google Books
#: Ngram frequencies of spell-checker vocabulary, see priors/NOTICE.md), pinned so the prior
#: rebuilds byte for byte.
LEXICON_FILE = "frequency_dictionary_en_82_765.txt"
LEXICON_SHA256 = "68e9dc81c7e73bd7310b57e516ecaea0d8b6387ff71344a57c04174650a407a7"
#: Lexicon counts are divided by this (rounded up) to integer weights.
LEXICON_QUANTUM = 1 << 12


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


def _small(a: np.ndarray) -> np.ndarray:
    """The narrowest unsigned dtype that holds ``a`` (smaller file)."""
    for dt in (np.uint8, np.uint16, np.uint32):
        if a.size == 0 or int(a.max()) <= np.iinfo(dt).max:
            return a.astype(dt)
    return a.astype(np.int64)


def build_kn(seqs: list[list[int]], nsym: int, order: int, scale: int, prefix: str,
             prune: int = 0) -> dict[str, np.ndarray]:
    """Counts for an integer interpolated Kneser-Ney model (see ``IntNgramModel``).

    Level ``order`` keeps raw counts, lower levels continuation counts (distinct left
    extensions). With ``prune`` > 0, top-level n-grams seen at most ``prune`` times are dropped
    and their whole mass goes to the context's back-off weight (stored as ``extra``).
    """
    pad = [0] * (order - 1)
    assert nsym ** order < 2**62, "vocabulary too large for int64 n-gram keys"
    grams = []
    for s in seqs:
        a = np.array(pad + s, dtype=np.int64)
        m = len(a) - order + 1
        k = np.zeros(m, dtype=np.int64)
        for j in range(order):
            k = k * nsym + a[j : j + m]
        grams.append(k)
    keys, counts = np.unique(np.concatenate(grams), return_counts=True)
    arrays: dict[str, np.ndarray] = {}
    discounts: dict[int, list[int]] = {}
    for k in range(order, 0, -1):
        disc = _discounts(counts, scale)
        discounts[k] = disc
        if k == 1:
            c1 = np.zeros(nsym, dtype=np.int64)
            c1[keys] = counts
            arrays[prefix + "cnt1"] = _small(c1)
            break
        lower = keys % (nsym ** (k - 1))
        ctx_all = keys // nsym
        kk, cc = keys, counts
        extra = None
        if k == order and prune > 0:
            keep = cc > prune
            # Mass of pruned n-grams per context (scale * count), moved to the back-off weight.
            ukeys_all, inv = np.unique(ctx_all, return_inverse=True)
            pm = np.zeros(len(ukeys_all), dtype=np.int64)
            np.add.at(pm, inv, np.where(keep, 0, scale * cc))
            kk, cc = kk[keep], cc[keep]
            ctx_kept = np.unique(kk // nsym)
            extra = pm[np.searchsorted(ukeys_all, ctx_kept)]
        ctx = kk // nsym
        ukeys, start = np.unique(ctx, return_index=True)
        rowlen = np.diff(np.concatenate([start, [len(ctx)]]))
        p = f"{prefix}k{k}_"
        arrays[p + "keydelta"] = _small(np.diff(ukeys, prepend=0))
        arrays[p + "rowlen"] = _small(rowlen)
        arrays[p + "succ"] = _small(kk % nsym)
        arrays[p + "cnt"] = _small(cc)
        if extra is not None:
            arrays[p + "extra"] = _small(extra)
        keys, counts = np.unique(lower, return_counts=True)
    arrays[prefix + "discounts"] = np.array([d for k in sorted(discounts) for d in discounts[k]], dtype=np.int64)
    return arrays


def short_forms(texts: list[str]) -> list[str]:
    """What rate control makes of the longer descriptions at tight budgets, as extra training
    text: the first phrase with its article ("A red brick building.") and the first sentence,
    both cleaned of meta openings. Without them a prior trained on long descriptions finds an
    early end of text improbable, which costs bits exactly where a budget is tight."""
    from semcodec.codec.content import phrases
    from semcodec.codec.normalize import clean

    out = []
    for t in texts:
        c = clean(t)
        first = c.split(". ")[0].rstrip(".") + "."
        if first == c or not c:
            continue
        found = phrases(c)
        if found:
            head = " ".join(found[0].glue[-1:] + found[0].words)
            out.append(head[:1].upper() + head[1:] + ".")
        out.append(first)
    return out


def load_lexicon() -> dict[str, int]:
    """The pinned general English lexicon: lower-case ASCII words -> corpus counts."""
    from importlib import resources

    try:
        data = resources.files("symspellpy").joinpath(LEXICON_FILE).read_bytes()
    except ModuleNotFoundError:
        sys.exit("ngram-v2 needs the symspellpy package for its lexicon: pip install symspellpy")
    if hashlib.sha256(data).hexdigest() != LEXICON_SHA256:
        sys.exit(f"symspellpy's {LEXICON_FILE} differs from the pinned one (SHA-256); install symspellpy==6.10.1")
    lex = {}
    for line in data.decode("utf-8").splitlines():
        word, count = line.split()
        if word.isascii() and word.isalpha() and word.islower():
            lex[word] = int(count)
    return lex


def escape_layer(toks: list[list[str]], index: dict[str, int]) -> tuple[dict, dict[str, np.ndarray], list[str]]:
    """The escape layer's meta, arrays, and the training tokens it still spells (see ``escape``)."""
    lex = load_lexicon()
    words = sorted((w for w in lex if " " + w not in index), key=lambda w: (-lex[w], w))
    lex_index = {w: i for i, w in enumerate(words)}
    kinds, shapes, spelled = [1, 1, 1], [1] * 6, []
    for ts in toks:
        for t in ts:
            if t in index:
                continue
            found = shape_of(t)
            kind = SPELL
            if found is not None:
                kind = CASE if " " + found[0] in index else LEX if found[0] in lex_index else SPELL
            kinds[kind] += 1
            if kind == SPELL:
                spelled.append(t)
            else:
                shapes[found[1]] += 1
    weight = np.array([-(-lex[w] // LEXICON_QUANTUM) for w in words], dtype=np.int64)
    arrays = {"x_lexwords": np.frombuffer("\n".join(words).encode("ascii"), dtype=np.uint8),
              "x_lexweight": _small(weight)}
    meta = {"kinds": kinds, "shapes": shapes, "lexicon": f"symspellpy 6.10.1 {LEXICON_FILE}",
            "lexicon_quantum": LEXICON_QUANTUM}
    return meta, arrays, spelled + [" " + w for w in words]


def train(corpora: Path, name: str, word_order: int = 4, char_order: int = 6, min_count: int = 2, scale: int = 64,
          char_min: int = 2, prune: int = 0, held_out: str | None = None, in_style: bool = False,
          escape: bool | None = None) -> bytes:
    """The prior file's bytes. ``ngram-v1`` is the released recipe (no escape layer, its own text
    list); any other name trains on the style splits, with the escape layer unless ``escape`` is
    False (``escape=False`` with ``held_out``: the v1 design without a style, for comparison)."""
    v1 = not escape if escape is not None else name == "ngram-v1"
    if name == "ngram-v1" and held_out is None:
        texts = training_texts(corpora)
    else:
        texts = styles.training_texts(corpora, held_out, in_style)
    if not v1:
        texts = texts + short_forms(texts)
    toks = [tokenize(t) for t in texts]
    tc = Counter(t for ts in toks for t in ts)
    vocab_toks = sorted((t for t, c in tc.items() if c >= min_count), key=lambda t: (-tc[t], t))
    vocab = ["", ""] + vocab_toks
    index = {t: i for i, t in enumerate(vocab) if i >= 2}
    wseqs = [[index.get(t, ESC) for t in ts] + [EOT] for ts in toks]
    # The spelling model learns from the tokens the word model escapes (v2: those the escape
    # layer still spells, and the lexicon's words), plus every vocabulary type once.
    if v1:
        spelled = [t for ts in toks for t in ts if t not in index]
    else:
        esc_meta, esc_arrays, spelled = escape_layer(toks, index)
    spelled = spelled + vocab_toks
    cc = Counter(ch for t in spelled for ch in t)
    chars = ["", ""] + sorted((c for c, n in cc.items() if n >= char_min), key=lambda c: (-cc[c], c))
    cindex = {c: i for i, c in enumerate(chars) if i >= 2}
    cseqs = [[cindex.get(ch, RAW) for ch in t] + [END] for t in spelled]
    arrays = build_kn(wseqs, len(vocab), word_order, scale, "w_", prune)
    arrays.update(build_kn(cseqs, len(chars), char_order, scale, "c_"))
    if not v1:
        arrays.update(esc_arrays)
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
        "prune": prune,
    }
    if not v1:
        meta["escape"] = esc_meta
    if held_out is not None or not v1:
        meta["training"] += "; CM_3600 only where a style is held out"
        meta["held_out"] = DEV_FILE if held_out is None else f"style {held_out}" + (" (test half)" if in_style else "")
    data = write_prior_file(meta, arrays)
    prior = NgramPrior(name, *read_prior_file(data))
    for model in (prior.words, prior.spell):
        assert model.max_total() < MAX_TOTAL, "frequency totals too large for the arithmetic coder"
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="?", default=str(ROOT.parent / "shared" / "corpora"))
    ap.add_argument("--name", default="ngram-v2")
    ap.add_argument("--out", default=str(ROOT / "src/semcodec/codec/text/priors"))
    ap.add_argument("--word-order", type=int, default=4)
    ap.add_argument("--char-order", type=int, default=6)
    ap.add_argument("--min-count", type=int, default=2)
    ap.add_argument("--char-min", type=int, default=2)
    ap.add_argument("--scale", type=int, default=64)
    ap.add_argument("--prune", type=int, default=0, help="drop top-order n-grams seen at most this often")
    ap.add_argument("--held-out", choices=styles.STYLES, help="train without this style (ngram-v2 only)")
    ap.add_argument("--in-style", action="store_true", help="with --held-out: leave out only its test half")
    a = ap.parse_args(argv)
    if a.held_out and a.name == "ngram-v1":
        ap.error("--held-out needs ngram-v2 (ngram-v1 is a released prior, rebuilt as it was)")
    data = train(Path(a.corpora), a.name, a.word_order, a.char_order, a.min_count, a.scale, a.char_min, a.prune,
                 a.held_out, a.in_style)
    out = Path(a.out) / f"{a.name}.bin"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    print(f"wrote {out} ({len(data)} bytes, sha256 {digest})", file=sys.stderr)
    from semcodec.codec.text.prior import PRIORS

    if PRIORS.get(a.name) and not a.held_out and PRIORS[a.name] != digest:
        print(f"warning: {a.name} is a released prior whose pinned SHA-256 is {PRIORS[a.name]}: these bytes "
              "differ (its build depends on this tree's tokenizer, normaliser and phrase splitter)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
