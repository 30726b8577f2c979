"""Read a transformers LLaMA-family causal LM into the integer engine's quantised weights.

Supported: ``LlamaForCausalLM`` and ``Qwen2ForCausalLM`` (SmolLM2, Llama 3 without RoPE scaling,
Qwen2.5): RMSNorm, SiLU-gated MLP, grouped-query attention with default RoPE, optional biases.
Anything else is refused in one sentence rather than approximated.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from .quant import (
    MAX_HEAD_DIM, MAX_HIDDEN, Arch, Fingerprint, QLayer, QLinear, QModel, UnsupportedModel, quantize_linear,
    quantize_norm,
)

SUPPORTED = ("LlamaForCausalLM", "Qwen2ForCausalLM")


def _rope(config: Any) -> tuple[str, float]:
    params = getattr(config, "rope_parameters", None) or {}
    scaling = getattr(config, "rope_scaling", None) or {}
    rope_type = params.get("rope_type") or scaling.get("rope_type") or scaling.get("type") or "default"
    theta = params.get("rope_theta", getattr(config, "rope_theta", None))
    if theta is None:
        raise UnsupportedModel("the model's config has no RoPE theta")
    return rope_type, float(theta)


def arch_of(config: Any) -> Arch:
    """The architecture numbers of a config, or UnsupportedModel for what the engine cannot run."""
    heads, kv = config.num_attention_heads, getattr(config, "num_key_value_heads", None) or config.num_attention_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    rope_type, theta = _rope(config)
    problems = []
    if getattr(config, "hidden_act", "silu") != "silu":
        problems.append(f"activation {config.hidden_act}")
    if rope_type != "default":
        problems.append(f"RoPE scaling {rope_type!r}")
    if getattr(config, "use_sliding_window", False):
        problems.append("sliding-window attention")
    if getattr(config, "partial_rotary_factor", 1.0) not in (1, 1.0, None):
        problems.append("partial rotary embeddings")
    if heads % kv or head_dim % 2 or head_dim > MAX_HEAD_DIM or config.hidden_size > MAX_HIDDEN:
        problems.append(f"{heads} heads / {kv} KV heads of dimension {head_dim}, hidden size {config.hidden_size}")
    eps = float(config.rms_norm_eps)
    if not 0 < eps <= 1e-3:
        problems.append(f"RMSNorm epsilon {eps}")
    if problems:
        raise UnsupportedModel(f"the integer engine does not support this model's {', '.join(problems)}")
    return Arch(config.hidden_size, heads, kv, head_dim, config.vocab_size, Fraction(eps), Fraction(theta))


def quantize_model(model: Any, fp: Fingerprint) -> QModel:
    """Quantise a loaded transformers model (see ``quant``); the fingerprint takes every integer."""
    name = type(model).__name__
    if name not in SUPPORTED:
        raise UnsupportedModel(f"the lm coder runs {' and '.join(SUPPORTED)} models, not {name}")
    arch = arch_of(model.config)
    fp.add("arch", repr((name, arch.hidden, arch.heads, arch.kv_heads, arch.head_dim, arch.vocab,
                          arch.eps.as_integer_ratio(), arch.theta.as_integer_ratio())).encode())
    body = model.model
    embed = quantize_linear(body.embed_tokens.weight, None, fp, "embed")
    if embed.w.shape[0] != arch.vocab:
        raise UnsupportedModel("the embedding does not have one row per token")
    head_weight = model.lm_head.weight
    if head_weight is body.embed_tokens.weight or head_weight.data_ptr() == body.embed_tokens.weight.data_ptr():
        head = embed
    else:
        head = quantize_linear(head_weight, getattr(model.lm_head, "bias", None), fp, "head")
    q_scale = 1.0 / math.sqrt(arch.head_dim)  # the attention's softmax scale, folded into W_q
    layers = []
    for i, layer in enumerate(body.layers):
        att, mlp = layer.self_attn, layer.mlp

        def lin(module: Any, label: str, scale: float = 1.0) -> QLinear:
            return quantize_linear(module.weight, getattr(module, "bias", None), fp, f"{i}.{label}", scale)

        layers.append(QLayer(
            quantize_norm(layer.input_layernorm.weight, arch.hidden, fp, f"{i}.in_norm"),
            lin(att.q_proj, "q", q_scale), lin(att.k_proj, "k"), lin(att.v_proj, "v"), lin(att.o_proj, "o"),
            quantize_norm(layer.post_attention_layernorm.weight, arch.hidden, fp, f"{i}.post_norm"),
            lin(mlp.gate_proj, "gate"), lin(mlp.up_proj, "up"), lin(mlp.down_proj, "down"),
        ))
    norm = quantize_norm(body.norm.weight, arch.hidden, fp, "norm")
    return QModel(arch, embed, layers, norm, head)
