#!/usr/bin/env python
"""Benchmark the text coders on the held-out dev split (iiw/CM_3600, model-written descriptions).

    python benchmarks/bench_text.py [--corpora DIR] [--expand-subset N] [--runs N]

Prints a Markdown table to stdout, progress to stderr. Each description is counted as one file:
whole-file bits = 8 * ceil((payload bits + 8-bit header) / 8); bits/char = total bits / total
characters of the original descriptions (also for the lossy ``consonant`` coder). General-purpose
compressors (zlib level 9, bz2 level 9, lzma preset 9 | extreme, brotli quality 11 if installed)
compress each description on its own and are charged their whole output.
"""

from __future__ import annotations

import argparse
import bz2
import difflib
import lzma
import re
import statistics
import subprocess
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from semcodec.codec.bits import BitReader, BitWriter  # noqa: E402
from semcodec.codec.text import get_coder  # noqa: E402
from semcodec.codec.text.consonant import skeleton  # noqa: E402
from semcodec.codec.text.expand import NgramExpander  # noqa: E402
from train_prior import DEV_FILE, dev_texts  # noqa: E402

HEADER_BITS = 8
PRIORS = ("ngram-v2", "ngram-v1")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def coder_rates(name: str, texts: list[str], prior: str | None = None) -> tuple[float, float]:
    """(whole-file bits/char, payload bits/char) of a semcodec text coder (an 8-bit header: the
    coder's default prior in its format)."""
    coder = get_coder(name, prior)
    payload = files = 0
    for t in texts:
        w = BitWriter()
        coder.encode(t, w)
        payload += len(w)
        files += 8 * ((len(w) + HEADER_BITS + 7) // 8)
    chars = sum(map(len, texts))
    return files / chars, payload / chars


def classic_rates(texts: list[str]) -> dict[str, float]:
    comps = {
        "zlib -9": lambda b: zlib.compress(b, 9),
        "bz2 -9": lambda b: bz2.compress(b, 9),
        "xz (lzma preset 9e)": lambda b: lzma.compress(b, preset=9 | lzma.PRESET_EXTREME),
    }
    try:
        import brotli  # type: ignore

        comps["brotli -q11"] = lambda b: brotli.compress(b, quality=11)
    except ImportError:
        _log("brotli not installed: skipped")
    chars = sum(map(len, texts))
    return {k: sum(8 * len(f(t.encode("utf-8"))) for t in texts) / chars for k, f in comps.items()}


def round_trip_ms(text: str, runs: int, prior: str) -> float:
    coder = get_coder("ngram", prior)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        w = BitWriter()
        coder.encode(text, w)
        out = coder.decode(BitReader(w.to_bytes()))
        times.append(time.perf_counter() - t)
        assert out == text
    return 1000 * statistics.median(times)


def load_ms(prior: str) -> tuple[float, float]:
    """(prior load time, import + load time) in a fresh process, milliseconds."""
    code = (
        "import time; t0 = time.perf_counter(); import numpy; from semcodec.codec.text.prior import load_prior; "
        f"t1 = time.perf_counter(); load_prior({prior!r}); t2 = time.perf_counter(); "
        "print((t2 - t1) * 1000, (t2 - t0) * 1000)"
    )
    vals = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={"PYTHONPATH": str(ROOT / "src")})
        vals.append(tuple(map(float, out.stdout.split())))
    return statistics.median(v[0] for v in vals), statistics.median(v[1] for v in vals)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.lower())


def expander_accuracy(texts: list[str]) -> tuple[float, float]:
    """Word accuracy: matched words (difflib, in order) / original words; and seconds per text."""
    e = NgramExpander()
    matched = total = 0
    t = time.perf_counter()
    for text in texts:
        ref, hyp = _words(text), _words(e.expand(skeleton(text)))
        sm = difflib.SequenceMatcher(a=ref, b=hyp, autojunk=False)
        matched += sum(b.size for b in sm.get_matching_blocks())
        total += len(ref)
    return matched / total, (time.perf_counter() - t) / len(texts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", default=str(ROOT.parent / "shared" / "corpora"))
    ap.add_argument("--expand-subset", type=int, default=200, help="descriptions used for expander accuracy")
    ap.add_argument("--runs", type=int, default=200, help="timing runs for the round trip")
    a = ap.parse_args(argv)
    texts = dev_texts(Path(a.corpora))
    chars = sum(map(len, texts))
    _log(f"dev split {DEV_FILE}: {len(texts)} descriptions, {chars} characters")
    rows = []
    for name, prior, label in (("ngram", "ngram-v2", "semcodec `ngram`, prior ngram-v2 (format 2: the default)"),
                               ("ngram", "ngram-v1", "semcodec `ngram`, prior ngram-v1 (format 1)"),
                               ("consonant", None, "semcodec `consonant` (lossy)"), ("raw", None, "semcodec `raw`")):
        _log(f"coding with {label} ...")
        whole, payload = coder_rates(name, texts, prior)
        rows.append((label, whole, payload))
    _log("general-purpose compressors ...")
    for k, v in classic_rates(texts).items():
        rows.append((k, v, None))
    sample = min(texts, key=lambda t: abs(len(t) - 300))
    _log(f"timing the ngram round trip on a {len(sample)}-character description ...")
    ms = {p: round_trip_ms(sample, a.runs, p) for p in PRIORS}
    _log("prior load time (fresh processes) ...")
    loads = {p: load_ms(p) for p in PRIORS}
    sizes = {p: (ROOT / f"src/semcodec/codec/text/priors/{p}.bin").stat().st_size for p in PRIORS}
    n = min(a.expand_subset, len(texts))
    _log(f"expander accuracy on the first {n} descriptions ...")
    acc, sec = expander_accuracy(texts[:n])

    print(f"## Text coders on the dev split `{DEV_FILE}` ({len(texts)} descriptions, {chars:,} characters)\n")
    print("| coder | whole-file bits/char | payload bits/char |")
    print("|---|---:|---:|")
    for name, whole, payload in rows:
        print(f"| {name} | {whole:.3f} | {'' if payload is None else f'{payload:.3f}'} |")
    print(f"\nWhole file = payload + {HEADER_BITS}-bit header, rounded up to whole bytes, one file per "
          "description; general-purpose compressors are charged their own output per description.\n")
    print("| measure | value |")
    print("|---|---:|")
    for p in PRIORS:
        print(f"| {p}: encode+decode, {len(sample)}-char description (median of {a.runs}, 1 core) | {ms[p]:.2f} ms |")
        print(f"| {p}: file size | {sizes[p] / 1e6:.2f} MB |")
        print(f"| {p}: load time, fresh process (median of 5) | {loads[p][0]:.0f} ms |")
        print(f"| {p}: numpy import + load, fresh process | {loads[p][1]:.0f} ms |")
    print(f"| consonant expander word accuracy (first {n} descriptions) | {100 * acc:.1f} % |")
    print(f"| expander time per description | {1000 * sec:.0f} ms |")
    print("\nWord accuracy: words = maximal letter runs of the lower-cased text; matched = words of the "
          "original found in order in the expansion (difflib matching blocks); accuracy = matched / "
          "original words. The skeleton drops digits and punctuation, so those never count.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
