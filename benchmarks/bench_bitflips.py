#!/usr/bin/env python
"""What corruption does a .smc file detect? Every single-bit flip of real files, decoded.

    python benchmarks/bench_bitflips.py [--corpora DIR] [--texts 40] [--ubpp 100,1000]

Files: the first ``--texts`` descriptions of the held-out dev split (``iiw/CM_3600``, text no
prior was trained on), fitted to each budget at 1024x1024 with each coder, in format 2 (what the
CLI writes), without a check field and with 4- and 8-bit checks. Every bit of every file is flipped in turn and the result decoded:

- *refused*: ``decompress`` raises FormatError (the damage is detected), or BackendError when
  the flip names the ``lm`` coder, whose model a decoder must then load (no text comes out);
- *other text*: the flipped file is a valid file of a different text (undetected);
- *crash*: anything else (must be 0).

Prints a Markdown table on stdout: the share of undetected flips over all bits, in the header
and in the payload, per coder, budget and check size; progress on stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from semcodec.codec import compress_text, decompress  # noqa: E402
from semcodec.errors import BackendError, FormatError  # noqa: E402
from train_prior import DEV_FILE, dev_texts  # noqa: E402


def flips(data: bytes, header_bits: int) -> Counter[str]:
    """Outcomes of every single-bit flip of ``data``, keyed ``region:outcome``."""
    out: Counter[str] = Counter()
    for i in range(8 * len(data)):
        b = bytearray(data)
        b[i // 8] ^= 0x80 >> (i % 8)
        region = "header" if i < header_bits else "payload"
        try:
            decompress(bytes(b))
            outcome = "other"
        except (FormatError, BackendError):
            outcome = "refused"
        except Exception:  # noqa: BLE001 - counted, must stay 0
            outcome = "crash"
        out[f"{region}:{outcome}"] += 1
        if i == 0:  # 10 (format 2 with a check) -> 00 (format 1): the one flip a check cannot see
            out[f"version-high-bit:{outcome}"] += 1
    return out


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "—"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", default=str(ROOT.parent / "shared" / "corpora"))
    ap.add_argument("--texts", type=int, default=40)
    ap.add_argument("--ubpp", default="100,1000")
    a = ap.parse_args()
    texts = dev_texts(Path(a.corpora))[: a.texts]
    budgets = [float(v) for v in a.ubpp.split(",")]
    print(f"Single-bit flips of {len(texts)} dev descriptions (`{DEV_FILE}`) at 1024x1024.\n")
    print("| coder | budget | check | files | bits flipped | undetected (all) | undetected (header) "
          "| undetected (payload) | undetected excl. version high bit | crashes |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    start = time.perf_counter()
    for coder in ("ngram", "consonant", "raw"):
        for ubpp in budgets:
            for check in (0, 4, 8):
                total: Counter[str] = Counter()
                for t in texts:
                    enc = compress_text(t, coder=coder, ubpp=ubpp, check_bits=check, version=1)
                    total += flips(enc.data, enc.header_bits)
                print(f"{coder} {ubpp:g} check {check} ...", file=sys.stderr, flush=True)
                h = total["header:refused"] + total["header:other"] + total["header:crash"]
                p = total["payload:refused"] + total["payload:other"] + total["payload:crash"]
                other = total["header:other"] + total["payload:other"]
                crashes = total["header:crash"] + total["payload:crash"]
                print(f"| {coder} | {ubpp:g} µbpp | {check or '—'} | {len(texts)} | {h + p:,} | {_pct(other, h + p)} "
                      f"| {_pct(total['header:other'], h)} | {_pct(total['payload:other'], p)} "
                      f"| {_pct(other - total['version-high-bit:other'], h + p)} | {crashes} |", flush=True)
    print(f"\n{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
