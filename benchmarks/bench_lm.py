#!/usr/bin/env python
"""Benchmark the ``lm`` coder: integer-exact against float inference of the same model.

    python benchmarks/bench_lm.py --model results/small-lm --corpora ../shared/corpora [--limit 200]
    python benchmarks/bench_lm.py --model smollm2-135m --corpora ../shared/corpora   # needs the weights

``--model`` is anything ``semcodec.models.lm.load_model`` takes: a local folder (the small model of
scripts/train_small_lm.py), an LM table name or a Hub repo id. Prints Markdown tables to stdout,
progress to stderr:

1. Rate on held-out text, per style: bits per character of the float32 model (ideal code length,
   sum of -log2 p), of the integer engine (ideal, before and after the coder's 63/64 cap) and of
   the real ``lm`` payload (arithmetic-coded, with termination); beside them the ``ngram`` coder's
   payload on the same texts. Both models see the same tokens.
2. Speed: tokens per second to encode (one-pass scoring + coding) and decode (token by token, KV
   cache), on 1 and 2 torch threads (and CUDA with ``--device cuda``); float one-pass for scale.
3. Memory: the engine's weights, its KV cache per token, the process's peak RSS.

``--random-arch smollm2-135m`` (or ``qwen2.5-0.5b``) times instead a randomly initialised model
of that architecture (numbers from the model's config.json, as published; no weights needed):
speed and memory only, since random weights say nothing about the rate.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from semcodec.codec.bits import BitReader, BitWriter  # noqa: E402
from semcodec.codec.text import get_coder  # noqa: E402
from semcodec.codec.text.lm import LMCoder, cap_frequencies  # noqa: E402
from train_small_lm import held_out  # noqa: E402

PRETRAINED_COMMAND = ("python benchmarks/bench_lm.py --model smollm2-135m --corpora ../shared/corpora "
                      "(downloads HuggingFaceTB/SmolLM2-135M at the table's pinned revision, about 270 MB)")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def float_model(model):
    """The same checkpoint in float32 through transformers (for the float side of the comparison)."""
    from transformers import AutoModelForCausalLM

    from semcodec.models.lm import table

    row = table.find(model.source) or table.find(model.prior)
    src, rev = (row.repo, row.revision) if row else (model.source, None)
    import torch

    return AutoModelForCausalLM.from_pretrained(src, revision=rev, dtype=torch.float32).eval()


def rates(model, hf, texts: list[str]) -> dict[str, float]:
    """Bits per character of each path over ``texts`` (each text coded on its own)."""
    import numpy as np
    import torch

    ngram = get_coder("ngram")
    tot = dict.fromkeys(("float", "int_nocap", "int", "lm_payload", "ngram_payload"), 0.0)
    for i, text in enumerate(texts):
        ids = model.tokenize(text)
        seq = [*ids, model.eot]
        with torch.no_grad():
            logits = hf(torch.tensor([[model.tokenizer.bos, *ids]])).logits[0].double()
        logp = torch.log_softmax(logits, -1).numpy()
        tot["float"] -= logp[np.arange(len(seq)), seq].sum() / math.log(2)
        model.engine.reset()
        for pos, f in enumerate(model.frequencies(ids)):
            tot["int_nocap"] -= math.log2(f[seq[pos]] / f.sum())
            c = cap_frequencies(f, model.vocab_size)
            tot["int"] -= math.log2(c[seq[pos]] / c.sum())
        w = BitWriter()
        LMCoder(model).encode(text, w)
        tot["lm_payload"] += len(w)
        w = BitWriter()
        ngram.encode(text, w)
        tot["ngram_payload"] += len(w)
        if i % 50 == 49:
            _log(f"  {i + 1}/{len(texts)}")
    chars = sum(map(len, texts))
    return {k: v / chars for k, v in tot.items()}


def speed(model, hf, texts: list[str], threads: int) -> dict[str, float]:
    """Tokens per second: encode (one pass + coding), decode (token by token), float one pass."""
    import torch

    torch.set_num_threads(threads)
    tokens = sum(len(model.tokenize(t)) + 1 for t in texts)
    enc_s = dec_s = float_s = 0.0
    for text in texts:
        model.engine.reset()
        t = time.perf_counter()
        w = BitWriter()
        LMCoder(model).encode(text, w)
        enc_s += time.perf_counter() - t
        model.engine.reset()
        t = time.perf_counter()
        assert LMCoder(model).decode(BitReader(w.to_bytes())) == text
        dec_s += time.perf_counter() - t
        ids = [model.tokenizer.bos, *model.tokenize(text)]
        t = time.perf_counter()
        with torch.no_grad():
            hf(torch.tensor([ids]).to(hf.device))
        float_s += time.perf_counter() - t
    return {"encode": tokens / enc_s, "decode": tokens / dec_s, "float": tokens / float_s}


#: Architectures of the LM table rows, from their published config.json files (unverified here).
ARCHS = {
    "smollm2-135m": ("LlamaForCausalLM", dict(hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                                              num_attention_heads=9, num_key_value_heads=3, vocab_size=49152,
                                              tie_word_embeddings=True, rope_theta=100000.0, rms_norm_eps=1e-5)),
    "qwen2.5-0.5b": ("Qwen2ForCausalLM", dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                                              num_attention_heads=14, num_key_value_heads=2, vocab_size=151936,
                                              tie_word_embeddings=True, rope_theta=1000000.0, rms_norm_eps=1e-6)),
}


def random_model(arch: str, folder: Path) -> Path:
    """Save a randomly initialised model of ``arch`` with the test suite's byte-level tokenizer."""
    import torch
    import transformers

    sys.path.insert(0, str(ROOT / "tests"))
    from tiny_lm import byte_bpe_tokenizer

    cls_name, kw = ARCHS[arch]
    cls = getattr(transformers, cls_name)
    config = getattr(transformers, cls_name.replace("ForCausalLM", "Config"))(**kw, bos_token_id=286, eos_token_id=286)
    torch.manual_seed(0)
    cls(config).save_pretrained(folder)
    byte_bpe_tokenizer().save_pretrained(folder)
    return folder


def memory(model) -> dict[str, float]:
    m = model.engine.model
    linears = [m.embed] + ([] if m.head is m.embed else [m.head])
    linears += [getattr(layer, f) for layer in m.layers for f in ("q", "k", "v", "o", "gate", "up", "down")]
    weights = sum(lin.w.numel() * lin.w.element_size() for lin in linears)
    a = m.arch
    per_token = len(m.layers) * a.kv_heads * (2 * a.head_dim * 8 + 2 * 8)
    return {"weights_mb": weights / 2**20, "kv_kb_per_token": per_token / 1024,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _speed_table(model, hf, sample: list[str], device: str, load_s: float) -> None:
    tokens = sum(len(model.tokenize(t)) + 1 for t in sample)
    print(f"Speed on {len(sample)} dev descriptions ({tokens} tokens with end of text; tokens per second; "
          f"device {device}).\n")
    print("| torch threads | encode (one pass + coding) | decode (token by token) | float32 one pass |")
    print("|---|---|---|---|")
    for threads in (1, 2):
        _log(f"speed on {threads} thread(s) ...")
        s = speed(model, hf, sample, threads)
        print(f"| {threads} | {s['encode']:.0f} | {s['decode']:.0f} | {s['float']:.0f} |")
    mem = memory(model)
    print(f"\nMemory: engine weights {mem['weights_mb']:.1f} MiB (float64 holding int8), KV cache "
          f"{mem['kv_kb_per_token']:.1f} KiB per token, process peak RSS {mem['peak_rss_mb']:.0f} MiB "
          f"(float model included); loading and quantising took {load_s:.1f} s.\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "results" / "small-lm"))
    ap.add_argument("--corpora", default=str(ROOT.parent / "shared" / "corpora"))
    ap.add_argument("--limit", type=int, default=200, help="texts per style for the rate")
    ap.add_argument("--speed-texts", type=int, default=10, help="texts timed per thread count")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--random-arch", choices=sorted(ARCHS), help="time a random model of this architecture")
    a = ap.parse_args(argv)

    import tempfile

    import torch

    from semcodec.models.lm import load_model

    torch.set_num_threads(1)
    if a.random_arch:
        with tempfile.TemporaryDirectory() as tmp:
            _log(f"building a random {a.random_arch} ...")
            folder = random_model(a.random_arch, Path(tmp))
            t = time.perf_counter()
            model = load_model(str(folder), device=a.device)
            load_s = time.perf_counter() - t
            hf = float_model(model).to(a.device)
            sample = held_out(Path(a.corpora))["CM_3600 (PaLI, dev)"][: a.speed_texts]
            print(f"## lm coder speed: random {a.random_arch} architecture (weights random: no rate)\n")
            _speed_table(model, hf, sample, a.device, load_s)
        return 0
    t = time.perf_counter()
    model = load_model(a.model, device=a.device)
    load_s = time.perf_counter() - t
    hf = float_model(model).to(a.device)
    _log(f"loaded {model!r} in {load_s:.1f} s")
    styles = {k: v[: a.limit] for k, v in held_out(Path(a.corpora)).items()}

    print(f"## lm coder: {model.source} (fingerprint {model.fingerprint:08x}), integer engine vs float32\n")
    print("Payload bits per character (each description coded on its own; header not counted).\n")
    print("| held-out text | texts | chars | float32 ideal | integer ideal (no cap) | integer ideal | "
          "`lm` payload | `ngram` payload |")
    print("|---|---|---|---|---|---|---|---|")
    for style, texts in styles.items():
        _log(f"rate on {style} ({len(texts)} texts) ...")
        r = rates(model, hf, texts)
        print(f"| {style} | {len(texts)} | {sum(map(len, texts))} | {r['float']:.4f} | {r['int_nocap']:.4f} | "
              f"{r['int']:.4f} | {r['lm_payload']:.4f} | {r['ngram_payload']:.4f} |")
    print("\nngram-v1 was trained on the DOCCI descriptions; the small LM was not (CM_3600 is held out of both).\n")

    _speed_table(model, hf, styles["CM_3600 (PaLI, dev)"][: a.speed_texts], a.device, load_s)
    print("The rate of a pretrained model on descriptions cannot be measured on this project's machines "
          f"(no weights can be downloaded there). To measure it: `{PRETRAINED_COMMAND}`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
