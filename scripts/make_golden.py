"""Regenerate the golden .smc files in tests/golden/ (on purpose only: they pin the format).

A golden file, once released, must decode forever. Run this only when adding new cases; never to
"fix" a failing golden test (that failure means the format or a prior changed, which breaks users'
files). Usage: python scripts/make_golden.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from semcodec.codec import compress_text  # noqa: E402

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden"

CASES = {
    "ngram-default": dict(text="A golden retriever runs along a sandy beach at sunset.", coder="ngram"),
    "ngram-kodak-seed": dict(text="Red and white lighthouse on a rocky coast, blue sky.", coder="ngram",
                             width=768, height=512, seed=5),
    "ngram-100ubpp": dict(text="The image shows a woman with blonde hair holding a cup of coffee in a busy cafe.",
                          coder="ngram", ubpp=100),
    "ngram-unicode": dict(text="Café «Zoë» 🐱\nnaïve façade, 3 cats.", coder="ngram", width=640, height=480),
    "ngram-custom-profile": dict(text="Night skyline.", coder="ngram", profile=0, custom_hash=0x12345678,
                                 width=1000, height=700, seed=123456),
    "consonant-default": dict(text="The image captures a woman with blonde hair.", coder="consonant"),
    "raw-portrait": dict(text="A parrot on a branch.", coder="raw", width=512, height=768),
}


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, kwargs in CASES.items():
        enc = compress_text(**kwargs)
        (GOLDEN / f"{name}.smc").write_bytes(enc.data)
        expected[name] = {"input": kwargs, "hex": enc.data.hex(), **enc.summary()}
    (GOLDEN / "expected.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {len(CASES)} golden files to {GOLDEN}")


if __name__ == "__main__":
    main()
