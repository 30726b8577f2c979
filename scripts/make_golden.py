"""Regenerate the golden .smc files in tests/golden/ (on purpose only: they pin the format).

A golden file, once released, must decode forever. Run this only when adding new cases; never to
"fix" a failing golden test (that failure means the format or a prior changed, which breaks users'
files). Usage: python scripts/make_golden.py [--lm]

``--lm`` writes the ``lm`` coder's golden files instead (tests/golden/lm/), coded under the tiny
models of tests/tiny_lm.py, whose weights are built deterministically (no download, no RNG).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

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


#: lm cases: ``model`` names a tiny model of tests/tiny_lm.py ("llama" or "qwen2").
LM_CASES = {
    "lm-llama-default": dict(model="llama", text="A golden retriever runs along a sandy beach at sunset."),
    "lm-llama-unicode": dict(model="llama", text="Café «Zoë» 🐱\nnaïve façade, 3 cats\u200b\ufeff.", width=768, height=512,
                             seed=5),
    "lm-qwen2-budget": dict(model="qwen2", text="The image shows a woman with blonde hair holding a cup of coffee.",
                            max_bits=160),
}


def write_lm_golden() -> None:
    """The lm coder's golden files, under the deterministic tiny models."""
    import tempfile

    import torch
    from tiny_lm import save_tiny_causal_lm

    from semcodec.models.lm import load_model

    torch.set_num_threads(1)
    out = GOLDEN / "lm"
    out.mkdir(parents=True, exist_ok=True)
    expected = {}
    with tempfile.TemporaryDirectory() as tmp:
        models = {k: load_model(str(save_tiny_causal_lm(Path(tmp) / k, k))) for k in ("llama", "qwen2")}
        for name, case in LM_CASES.items():
            kwargs = {k: v for k, v in case.items() if k != "model"}
            enc = compress_text(**kwargs, coder="lm", lm=models[case["model"]])
            (out / f"{name}.smc").write_bytes(enc.data)
            expected[name] = {"input": case, "hex": enc.data.hex(), **enc.summary()}
    (out / "expected.json").write_text(json.dumps(expected, indent=2, ensure_ascii=True) + "\n")
    print(f"wrote {len(LM_CASES)} lm golden files to {out}")


def main() -> None:
    if "--lm" in sys.argv[1:]:
        write_lm_golden()
        return
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
