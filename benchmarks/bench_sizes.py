#!/usr/bin/env python
"""semcodec's file sizes at the paper's operating points next to classical codecs' smallest files.

    python benchmarks/bench_sizes.py --baselines kodak-baselines/ [--corpora DIR] [--limit N]

For a Kodak-sized image (768x512) it codes the first N held-out dev descriptions (iiw/CM_3600)
at 100, 500 and 1000 µbpp with the ``ngram`` coder, once as the CLI does by default (format 2:
ngram-v2, ``content`` rate control) and once as earlier releases did (format 1: ngram-v1,
``truncate``), and prints the mean file size, rate, share of words kept and of files that keep a
content word, then the size ratio to each classical codec's mean file at its lowest setting (from ``semcodec bench kodak --lowest -o FILE``). The
descriptions are real detailed descriptions, not ones written for Kodak's images: what this
measures is the container and coder, not image quality.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from semcodec.codec import Encoded, compress_text  # noqa: E402
from semcodec.codec.words import content_words  # noqa: E402
from semcodec.errors import BudgetError  # noqa: E402
from train_prior import dev_texts  # noqa: E402

WIDTH, HEIGHT = 768, 512
POINTS = (100, 500, 1000)
#: The CLI's defaults, and what earlier releases wrote.
SETTINGS = {"format 2, content": dict(version=1, strategy="content"),
            "format 1, truncate": dict(version=0, strategy="truncate")}


def lowest_bytes(path: Path) -> dict[str, float]:
    """Mean bytes of each codec's lowest setting in ``semcodec bench`` results (the ``-o`` folder,
    one of its files, or an older list file)."""
    from semcodec.eval.plot import load_documents

    docs = load_documents([path])
    out = {}
    for doc in docs:
        rows = [r for r in doc["per_image"] if r.get("setting") == "lowest"]
        if rows:
            out[doc["name"]] = statistics.mean(r["bytes"] for r in rows)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--baselines", type=Path, help="`semcodec bench kodak --lowest -o DIR` results (the folder or a file)")
    ap.add_argument("--limit", type=int, default=200)
    args = ap.parse_args()
    texts = dev_texts(args.corpora)[: args.limit]
    print(f"| settings | µbpp target | budget bits | coded (of {len(texts)}) | mean file bytes | mean µbpp | "
          "words kept | keeps a content word |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    sizes = {}
    for label, settings in SETTINGS.items():
        for ubpp in POINTS:
            done: list[tuple[Encoded, str]] = []
            for t in texts:
                try:  # not even one word may fit the smallest budget: such a text is not coded
                    done.append((compress_text(t, width=WIDTH, height=HEIGHT, ubpp=ubpp, **settings), t))
                except BudgetError:
                    pass
            kept = [len(e.coded_text.split()) / len(t.split()) for e, t in done]
            content = sum(1 for e, _ in done if content_words(e.text)) / len(texts)
            size = statistics.mean(len(e.data) for e, _ in done)
            sizes.setdefault(ubpp, size)  # the first settings (the CLI's defaults) for the ratios
            print(f"| {label} | {ubpp} | {int(ubpp * WIDTH * HEIGHT // 1e6)} | {len(done)} | {size:.1f} | "
                  f"{statistics.mean(e.ubpp for e, _ in done):.1f} | {statistics.mean(kept):.3f} | {content:.1%} |")
    if args.baselines:
        lowest = lowest_bytes(args.baselines)
        print()
        print("| codec at its lowest setting | mean bytes | " + " | ".join(f"ratio to semcodec at {u} µbpp" for u in POINTS) + " |")
        print("|---|---:|" + "---:|" * len(POINTS))
        for name, nbytes in lowest.items():
            print(f"| {name} | {nbytes:.0f} | " + " | ".join(f"{nbytes / sizes[u]:.0f}x" for u in POINTS) + " |")


if __name__ == "__main__":
    main()
