#!/usr/bin/env python
"""Train a small LlamaForCausalLM with real weights on the description corpora (deterministic).

    python scripts/train_small_lm.py --corpora ../shared/corpora --out results/small-lm [--steps 1200]

What it is for: ``benchmarks/bench_lm.py`` measures, on real (trained, not random) weights of the
real class, what integer-exact inference costs against float inference (bits/char) and how fast
it is. It is not a shipped prior: a pretrained LM (SmolLM2, Qwen2.5) is what users should use.

Data: the same training text as the ngram prior (``scripts/train_prior.py``: COCO captions and
the ImageInWords sets), minus two held-out sets: ``iiw/CM_3600.jsonl`` (the dev split, PaLI
model-written descriptions, as for the ngram prior) and the human DOCCI descriptions of
``iiw/DOCCI_Test.jsonl`` (a second style the LM never sees; note that ngram-v1 did see it).

Model: a byte-level BPE tokenizer trained on the training text (4,096 tokens, id 0 =
``<|endoftext|>``, which starts and ends every description) and a 4-layer Llama (hidden 192,
4 heads of 48, 2 KV heads, tied embeddings; about 2.4M parameters), saved with
``save_pretrained`` so it loads through ``from_pretrained`` like any checkpoint.

Deterministic: fixed seed, one torch thread (``torch.set_num_threads(1)``; the machine is
shared), fixed batch order; the same command on the same machine and torch gives the same
weights. Progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from train_prior import DEV_FILE, _jsonl, training_texts  # noqa: E402

EOT = "<|endoftext|>"
OTHER_STYLE = "iiw/DOCCI_Test.jsonl"


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def held_out(corpora: Path) -> dict[str, list[str]]:
    """The held-out texts by style: the dev split and the human DOCCI descriptions."""
    return {
        "CM_3600 (PaLI, dev)": [r["IIW-P5B"] for r in _jsonl(corpora / DEV_FILE) if r.get("IIW-P5B")],
        "DOCCI (human)": [r["DOCCI"] for r in _jsonl(corpora / OTHER_STYLE) if r.get("DOCCI")],
    }


def train_texts(corpora: Path) -> list[str]:
    """The ngram prior's training text without the DOCCI human descriptions."""
    docci = set(held_out(corpora)["DOCCI (human)"])
    return [t for t in training_texts(corpora) if t not in docci]


def train_tokenizer(texts: list[str], vocab: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=[EOT], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOT, bos_token=EOT)


def batches(seqs: list[list[int]], batch_tokens: int, rng: random.Random) -> list[list[list[int]]]:
    """Length-bucketed batches of about ``batch_tokens`` tokens, in a seeded random order."""
    order = sorted(range(len(seqs)), key=lambda i: (len(seqs[i]), i))
    out, cur, longest = [], [], 0
    for i in order:
        longest = max(longest, len(seqs[i]))
        if cur and longest * (len(cur) + 1) > batch_tokens:
            out.append(cur)
            cur, longest = [], len(seqs[i])
        cur.append(seqs[i])
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", default=str(ROOT.parent / "shared" / "corpora"))
    ap.add_argument("--out", default=str(ROOT / "results" / "small-lm"))
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--hidden", type=int, default=192)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--batch-tokens", type=int, default=4096)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--max-len", type=int, default=384)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    torch.use_deterministic_algorithms(True)
    corpora, out = Path(a.corpora), Path(a.out)
    texts = train_texts(corpora)
    _log(f"{len(texts)} training descriptions ({sum(map(len, texts))} characters)")
    tok = train_tokenizer(texts, a.vocab)
    eot = tok.convert_tokens_to_ids(EOT)
    seqs = [[eot, *tok(t, add_special_tokens=False)["input_ids"][: a.max_len - 2], eot] for t in texts]
    _log(f"{sum(map(len, seqs))} training tokens, vocabulary {len(tok)}")
    heads = a.hidden // 48
    config = LlamaConfig(vocab_size=len(tok), hidden_size=a.hidden, intermediate_size=int(a.hidden * 8 / 3) // 16 * 16,
                         num_hidden_layers=a.layers, num_attention_heads=heads, num_key_value_heads=max(1, heads // 2),
                         max_position_embeddings=a.max_len, bos_token_id=eot, eos_token_id=eot,
                         tie_word_embeddings=True, rope_theta=10000.0, rms_norm_eps=1e-5)
    model = LlamaForCausalLM(config)
    _log(f"{sum(p.numel() for p in model.parameters()):,} parameters")
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.95), weight_decay=0.1)
    rng, queue, start = random.Random(a.seed), [], time.time()
    model.train()
    for step in range(a.steps):
        if not queue:
            queue = batches(seqs, a.batch_tokens, rng)
        batch = queue.pop()
        width = max(map(len, batch))
        ids = torch.tensor([s + [eot] * (width - len(s)) for s in batch])
        labels = torch.tensor([s + [-100] * (width - len(s)) for s in batch])
        mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in batch])
        lr = a.lr * min(1.0, (step + 1) / 100) * 0.5 * (1 + math.cos(math.pi * step / a.steps))
        for group in opt.param_groups:
            group["lr"] = lr
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 100 == 0 or step == a.steps - 1:
            _log(f"step {step}/{a.steps}  loss {loss.item():.3f}  lr {lr:.2e}  {time.time() - start:.0f} s")
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    meta = {"steps": a.steps, "seconds": round(time.time() - start),
            "parameters": sum(p.numel() for p in model.parameters()), "training_descriptions": len(texts),
            "training_tokens": sum(map(len, seqs)), "held_out": [DEV_FILE, OTHER_STYLE + " (DOCCI field)"],
            "args": vars(a)}
    (out / "training.json").write_text(json.dumps(meta, indent=2) + "\n")
    _log(f"saved to {out} after {meta['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
