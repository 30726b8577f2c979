#!/usr/bin/env python
"""Text coders leave-one-style-out: each style coded by a prior trained without it.

    python benchmarks/bench_styles.py [--corpora DIR] [--cache DIR] [--limit N] [--expand N]

Styles (``scripts/corpora.py``): human IIW, human DOCCI, human IIW-framework text on DCI images,
PaLI-written IIW-P5B, COCO captions. For each style S the test half of S is coded by priors of
each design (``ngram-v1``: escaped tokens spelled; ``ngram-v2``: escape layer) trained *without S*
(out of style) and trained on everything but the test half of S (in style), so both figures are
measured on the same text and nothing is tuned on it. GPT-4-class and LLaVA-class descriptions
are not in the corpora and cannot be written here (no models), so no split stands for them.

Prints Markdown tables: payload bits/char of every coder; out-of-vocabulary share (tokens the
prior spells letter by letter) of tokens and of bits; the consonant expander's word accuracy
with the out-of-style prior. zlib (level 9) and brotli (quality 11) compress each description on
its own and are charged their whole output. Progress on stderr.
"""

from __future__ import annotations

import argparse
import difflib
import re
import zlib
from pathlib import Path

from _styles import DEFAULT_CACHE, DEFAULT_CORPORA, DESIGNS, corpora, log, style_prior, token_costs

from semcodec.codec.bits import BitWriter
from semcodec.codec.text import get_coder
from semcodec.codec.text.consonant import skeleton
from semcodec.codec.text.expand import NgramExpander
from semcodec.codec.text.ngram import NgramCoder


def payload_bits(coder, texts: list[str]) -> int:
    total = 0
    for t in texts:
        w = BitWriter()
        coder.encode(t, w)
        total += len(w)
    return total


def classic_bits(texts: list[str]) -> dict[str, int | None]:
    out: dict[str, int | None] = {"zlib": sum(8 * len(zlib.compress(t.encode(), 9)) for t in texts)}
    try:
        import brotli  # type: ignore
    except ImportError:
        out["brotli"] = None
    else:
        out["brotli"] = sum(8 * len(brotli.compress(t.encode(), quality=11)) for t in texts)
    return out


def oov_shares(coder: NgramCoder, texts: list[str]) -> tuple[float, float]:
    """(share of tokens spelled letter by letter, share of the bits they take)."""
    n = n_oov = 0
    bits = bits_oov = 0.0
    for t in texts:
        for _, route, b in token_costs(coder, t)[:-1]:
            n += 1
            bits += b
            if route == "spell":
                n_oov += 1
                bits_oov += b
    return n_oov / max(n, 1), bits_oov / max(bits, 1e-9)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.lower())


def word_accuracy(expander: NgramExpander, texts: list[str]) -> float:
    """Words of the originals found in order in the expansions (difflib), over original words."""
    matched = total = 0
    for text in texts:
        ref, hyp = _words(text), _words(expander.expand(skeleton(text)))
        sm = difflib.SequenceMatcher(a=ref, b=hyp, autojunk=False)
        matched += sum(b.size for b in sm.get_matching_blocks())
        total += len(ref)
    return matched / max(total, 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where trained priors are kept")
    ap.add_argument("--limit", type=int, default=0, help="test descriptions per style (0: the whole test half)")
    ap.add_argument("--expand", type=int, default=40, help="descriptions per style for expander accuracy (0: skip)")
    ap.add_argument("--styles", nargs="*", default=list(corpora.STYLES), choices=corpora.STYLES)
    ap.add_argument("--runs", type=int, default=50, help="timing runs of the shipped priors' round trip")
    ap.add_argument("--half", choices=("test", "train"), default="test",
                    help="test half (report) or train half (choosing settings; only 'out' columns are unseen)")
    a = ap.parse_args(argv)
    rate_rows, oov_rows, exp_rows = [], [], []
    for style in a.styles:
        texts = corpora.halves(corpora.style_texts(a.corpora)[style])[a.half == "test"]
        texts = texts[: a.limit] if a.limit else texts
        chars = sum(map(len, texts))
        log(f"{style}: {len(texts)} test descriptions, {chars} characters")
        rates, oov = {}, {}
        for design in DESIGNS:
            for in_style in (False, True):
                coder = NgramCoder(style_prior(a.corpora, design, style, in_style, a.cache))
                rates[design, in_style] = payload_bits(coder, texts) / chars
                oov[design, in_style] = oov_shares(coder, texts)
        for name in ("consonant", "raw"):
            rates[name] = payload_bits(get_coder(name), texts) / chars
        for name, bits in classic_bits(texts).items():
            rates[name] = None if bits is None else bits / chars
        rate_rows.append((style, len(texts), chars, rates))
        oov_rows.append((style, oov))
        if a.expand:
            sub = texts[: a.expand]
            acc = {d: word_accuracy(NgramExpander(style_prior(a.corpora, d, style, False, a.cache)), sub) for d in DESIGNS}
            exp_rows.append((style, len(sub), acc))
    _print_tables(rate_rows, oov_rows, exp_rows)
    if a.half == "test":
        _print_shipped(a.corpora, a.runs)
    return 0


def _print_shipped(corpora_dir: Path, runs: int) -> None:
    """The shipped priors on the development split CM_3600 (trained on neither), speed and size."""
    import statistics
    import time
    from importlib import resources

    from semcodec.codec.bits import BitReader
    from semcodec.codec.text.prior import load_prior

    texts = [t for t in corpora.style_texts(corpora_dir)["pali"][:1000]]  # CM_3600 comes first
    chars = sum(map(len, texts))
    sample = min(texts, key=lambda t: abs(len(t) - 300))
    print(f"\n## Shipped priors on the development split CM_3600 ({len(texts)} PaLI descriptions, "
          f"{chars:,} chars, never trained on; in style for both)\n")
    print(f"| prior | file size | payload bits/char | OOV tokens / bits | encode+decode {len(sample)} chars (median of {runs}) |")
    print("|---|---:|---:|---:|---:|")
    for name in ("ngram-v1", "ngram-v2"):
        coder = NgramCoder(load_prior(name))
        size = len(resources.files("semcodec.codec.text").joinpath("priors", f"{name}.bin").read_bytes())
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            w = BitWriter()
            coder.encode(sample, w)
            assert coder.decode(BitReader(w.to_bytes())) == sample
            times.append(time.perf_counter() - t0)
        oov = oov_shares(coder, texts)
        print(f"| {name} | {size / 1e6:.2f} MB | {payload_bits(coder, texts) / chars:.3f} | "
              f"{_f(oov[0], True)} / {_f(oov[1], True)} | {1000 * statistics.median(times):.2f} ms |")


def _f(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "n/a"
    return f"{100 * v:.2f} %" if pct else f"{v:.3f}"


def _print_tables(rate_rows, oov_rows, exp_rows) -> None:
    print("## Payload bits per character, leave-one-style-out (out) and in style (in), same test text\n")
    print("| style | texts | chars | ngram-v1 out | ngram-v1 in | ngram-v2 out | ngram-v2 in | v2 out/in | consonant (lossy) | raw | zlib -9 | brotli -q11 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for style, n, chars, r in rate_rows:
        ratio = r["ngram-v2", False] / r["ngram-v2", True]
        print(f"| {style} | {n} | {chars:,} | {_f(r['ngram-v1', False])} | {_f(r['ngram-v1', True])} | "
              f"{_f(r['ngram-v2', False])} | {_f(r['ngram-v2', True])} | {ratio:.2f} | {_f(r['consonant'])} | "
              f"{_f(r['raw'])} | {_f(r['zlib'])} | {_f(r['brotli'])} |")
    print("\n## Out-of-vocabulary tokens (spelled letter by letter): share of tokens / share of bits\n")
    print("| style | ngram-v1 out | ngram-v1 in | ngram-v2 out | ngram-v2 in |")
    print("|---|---:|---:|---:|---:|")
    for style, o in oov_rows:
        cells = [f"{_f(o[d, i][0], True)} / {_f(o[d, i][1], True)}" for d in DESIGNS for i in (False, True)]
        print(f"| {style} | " + " | ".join(cells) + " |")
    if exp_rows:
        print("\n## Consonant expander word accuracy, prior trained without the style\n")
        print("| style | texts | with ngram-v1 design | with ngram-v2 design |")
        print("|---|---:|---:|---:|")
        for style, n, acc in exp_rows:
            print(f"| {style} | {n} | {_f(acc['ngram-v1'], True)} | {_f(acc['ngram-v2'], True)} |")


if __name__ == "__main__":
    raise SystemExit(main())
