"""Tiny causal LMs of the real classes with deterministic weights, for the ``lm`` coder's tests.

The weights come from a counter-based hash (splitmix64) of the parameter's name and index, mapped
to multiples of 1/512, not from torch's random generator: golden ``lm`` files pin the format and
the integer arithmetic, so the model behind them must be the same on every machine and every
torch or transformers version. The tokenizer is a byte-level BPE written out by hand (256 byte
tokens, a few merges, ``<|endoftext|>``), as SmolLM2's and Qwen2.5's are.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

MERGES = [
    ("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("Ġ", "a"), ("i", "n"), ("Ġ", "s"), ("e", "r"), ("o", "n"),
    ("a", "n"), ("Ġ", "c"), ("Ġ", "w"), ("r", "e"), ("e", "d"), ("Ġ", "b"), ("a", "t"), ("o", "r"),
    ("e", "n"), ("Ġ", "o"), ("i", "s"), ("Ġ", "f"), ("in", "g"), ("Ġ", "i"), ("Ġ", "d"), ("l", "e"),
    ("Ġa", "n"), ("Ġan", "d"), ("Ġo", "f"), ("Ġ", "r"), ("a", "l"), ("Ġ", "h"),
]
EOT = "<|endoftext|>"


def byte_bpe_tokenizer():
    """A GPT-2-style byte-level BPE fast tokenizer: 256 byte tokens, ``MERGES``, then EOT."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    from semcodec.models.lm.tokenizer import bytes_to_unicode

    alphabet = [bytes_to_unicode()[b] for b in range(256)]
    vocab = {c: i for i, c in enumerate(alphabet)}
    for a, b in MERGES:
        vocab[a + b] = len(vocab)
    vocab[EOT] = len(vocab)
    tok = Tokenizer(models.BPE(vocab, MERGES))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([EOT])
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOT, bos_token=EOT)


def _values(name: str, shape: tuple[int, ...], scale: float, offset: float = 0.0):
    """Deterministic pseudo-random multiples of scale/128 in [-scale, scale], plus ``offset``."""
    import numpy as np

    n = int(np.prod(shape))
    seed = np.uint64(int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little"))
    x = np.arange(n, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15) + seed
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    k = (x % np.uint64(255)).astype(np.int64) - 127
    return (k * (scale / 128) + offset).reshape(shape)


def _fill(model) -> None:
    import torch

    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                v = _values(name, tuple(p.shape), 0.25, 1.0)
            elif "embed" in name or "lm_head" in name:
                v = _values(name, tuple(p.shape), 1.0)
            elif name.endswith("bias"):
                v = _values(name, tuple(p.shape), 0.5)
            else:
                v = _values(name, tuple(p.shape), 0.5)
            p.copy_(torch.tensor(v, dtype=torch.float32))


def save_tiny_causal_lm(path: Path, kind: str = "llama") -> Path:
    """A 2-layer ``LlamaForCausalLM`` (tied embeddings, like SmolLM2) or ``Qwen2ForCausalLM``
    (untied, q/k/v biases, like Qwen2.5) with the byte-level tokenizer, saved like a checkpoint."""
    from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

    tok = byte_bpe_tokenizer()
    eot = tok.convert_tokens_to_ids(EOT)
    common = dict(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
                  bos_token_id=eot, eos_token_id=eot, rms_norm_eps=1e-5)
    if kind == "llama":
        model = LlamaForCausalLM(LlamaConfig(**common, tie_word_embeddings=True, rope_theta=10000.0))
    elif kind == "qwen2":
        model = Qwen2ForCausalLM(Qwen2Config(**common, tie_word_embeddings=False, rope_theta=1000000.0))
    else:
        raise ValueError(kind)
    _fill(model)
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return path
