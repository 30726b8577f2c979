#!/usr/bin/env python
"""Decode time against file size, per text coder: does decoding stay linear in the file's size?

    python benchmarks/bench_decode_time.py [--max-kib 1024] [--coders ngram,consonant,raw]

For each coder and each size from 1 KiB to ``--max-kib`` (powers of 4), a valid file of about
that size is built from English text (word salad over a fixed vocabulary; ngram and raw) and
decoded the way ``semcodec.decompress`` does it: header, text coder, canonical re-encoding.
The size and length limits (``semcodec.limits``) are lifted for the measurement, because real
files stop at 64 KiB; the last column shows what the public ``decompress`` does with the same
bytes (decode them, or refuse them at once). Prints a Markdown table on stdout, progress on
stderr. One run per cell (the large cells take long enough to be stable), on one core.

Linear growth shows as constant bits per second down each coder's column.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from semcodec.codec import Header, decompress  # noqa: E402
from semcodec.codec.bits import BitWriter  # noqa: E402
from semcodec.codec.compress import _Packer  # noqa: E402
from semcodec.codec.container import read_header, write_header  # noqa: E402
from semcodec.codec.text import get_coder  # noqa: E402
from semcodec.errors import SemcodecError  # noqa: E402

WORDS = ("a red fox runs across the snowy field under a pale winter sky while two birds circle above "
         "the frozen lake near old pine trees and a wooden cabin with smoke rising from its chimney").split()


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@contextlib.contextmanager
def lifted_limits() -> Iterator[None]:
    """Let the coders decode texts longer than any real description (for the measurement only)."""
    import semcodec.codec.text.ngram as ngram

    old = getattr(ngram, "MAX_DESCRIPTION_CHARS", None)
    if old is not None:
        ngram.MAX_DESCRIPTION_CHARS = 1 << 40
    try:
        yield
    finally:
        if old is not None:
            ngram.MAX_DESCRIPTION_CHARS = old


def build(coder: str, nbytes: int, rng: random.Random) -> bytes:
    """A valid file of ``coder`` of about ``nbytes`` bytes (header + payload)."""
    c = get_coder(coder)
    per_char = {"raw": 1.0, "consonant": 0.33, "ngram": 0.29}[coder]  # bytes per text character
    words, size = [], 0
    while size < nbytes / per_char:
        w = rng.choice(WORDS)
        words.append(w)
        size += len(w) + 1
    text = " ".join(words)
    out = BitWriter()
    write_header(Header(coder=coder), out)
    c.encode(text, out)
    return out.to_bytes()


def decode_seconds(data: bytes) -> float:
    """Seconds to decode ``data`` as ``decompress`` does, without its limits."""
    with lifted_limits():
        start = time.process_time()
        header, reader = read_header(data)
        coder = get_coder(header.coder, header.prior)
        text = coder.decode(reader)
        assert _Packer(header, coder).pack(text).data == data
        return time.process_time() - start


def public(data: bytes) -> str:
    """What ``semcodec.decompress`` does with ``data``: decoded (seconds) or refused (why, seconds)."""
    start = time.process_time()
    try:
        decompress(data)
        what = "decoded"
    except SemcodecError as e:
        reason = ("file over the limit" if "more than any .smc file" in str(e)
                  else "text over the limit" if "characters, more than the limit" in str(e) else str(e)[:50])
        what = f"refused ({reason})"
    return f"{what} in {time.process_time() - start:.3g} s"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-kib", type=int, default=1024, help="largest file, in KiB (default 1024)")
    ap.add_argument("--coders", default="ngram,consonant,raw")
    a = ap.parse_args()
    rng = random.Random(0)
    sizes = []
    kib = 1
    while kib <= a.max_kib:
        sizes.append(kib)
        kib *= 4
    print("| coder | file size | bytes | decode CPU s | bits/s | semcodec.decompress |")
    print("|---|---:|---:|---:|---:|---|")
    for coder in a.coders.split(","):
        for kib in sizes:
            _log(f"{coder} {kib} KiB ...")
            data = build(coder, kib * 1024, rng)
            seconds = decode_seconds(data)
            print(f"| {coder} | {kib} KiB | {len(data):,} | {seconds:.3f} | {8 * len(data) / seconds:,.0f} | {public(data)} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
