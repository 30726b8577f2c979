"""The integer LM engine on tiny models of the real classes (LlamaForCausalLM, Qwen2ForCausalLM).

The engine must (1) compute what the float model computes, up to its int8 weights; (2) give the
same integers for a text scored in one pass and token by token, on 1 or 2 threads, in a fresh
process, and on a GPU; (3) make the lm coder lossless for any text and safe on corrupt files.
"""

from __future__ import annotations

import copy
import json
import random
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semcodec.codec import compress, compress_text, decompress
from semcodec.errors import BackendError, FormatError, InputError

TEXT = "A golden retriever runs along a sandy beach at sunset; two gulls 🐦 fly over the café.\n"
KINDS = ("llama", "qwen2")

pytestmark = pytest.mark.usefixtures("one_thread")


def _rows(model, ids, start=0):
    return np.stack(list(model.frequencies(ids, start)))


def _token_by_token(model, ids):
    model.engine.reset()
    return np.stack([next(iter(model.frequencies(ids[:i], i))) for i in range(len(ids) + 1)])


@pytest.mark.parametrize("kind", KINDS)
def test_engine_tracks_the_float_model(kind, tiny_int_lms, tiny_causal_lm_dirs):
    """Against float64 inference with the same int8 weights, probabilities differ by < 0.005."""
    import torch
    from transformers import AutoModelForCausalLM

    model = tiny_int_lms[kind]
    ids = model.tokenize(TEXT)
    f = _rows(model, ids)
    hf = AutoModelForCausalLM.from_pretrained(tiny_causal_lm_dirs[kind], dtype=torch.float64)
    with torch.no_grad():
        for p in hf.parameters():
            if p.dim() == 2:
                s = p.abs().amax(1, keepdim=True) / 127
                p.copy_(torch.round(p / s) * s)
        probs = torch.softmax(hf(torch.tensor([[model.tokenizer.bos, *ids]])).logits[0], -1).numpy()
    assert np.abs(f / f.sum(1, keepdims=True) - probs).max() < 5e-3


@pytest.mark.parametrize("kind", KINDS)
def test_one_pass_equals_token_by_token(kind, tiny_int_lms):
    model = tiny_int_lms[kind]
    ids = model.tokenize(TEXT)
    model.engine.reset()
    assert np.array_equal(_rows(model, ids), _token_by_token(model, ids))
    model.engine.reset()
    assert np.array_equal(_rows(model, ids, 7), _token_by_token(model, ids)[7:])


def test_float64_products_of_integers_are_exact_on_any_thread_count():
    """The bound the engine relies on: |partial sums| <= 2^53 gives the exact integer product."""
    import torch

    from semcodec.models.lm.ops import exact_matmul

    rng = np.random.default_rng(0)
    x = rng.integers(-(1 << 24), (1 << 24) + 1, (64, 4096))
    w = rng.integers(-127, 128, (4096, 96))
    x[0, :], w[:, 0] = 1 << 24, 127  # a row at the bound
    want = x @ w  # numpy int64: exact
    before = torch.get_num_threads()
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            got = exact_matmul(torch.tensor(x, dtype=torch.float64), torch.tensor(w, dtype=torch.float64))
            assert np.array_equal(got.numpy(), want)
    finally:
        torch.set_num_threads(before)


@given(text=st.text(st.characters(exclude_categories=()), max_size=16))
@settings(max_examples=15, deadline=None)
def test_any_text_round_trips(text, tiny_int_lms):
    model = tiny_int_lms["llama"]
    assert decompress(compress_text(text, coder="lm", lm=model).data, lm=model).text == text


@pytest.mark.parametrize("text", ["", "\x00\t\r\n\x7f", "é e\u0301 \ufeff", "\u200b zero \u2060 width", "<|endoftext|>"])
def test_edge_texts_round_trip_under_qwen2(text, tiny_int_lms):
    model = tiny_int_lms["qwen2"]
    enc = compress_text(text, coder="lm", lm=model)
    assert decompress(enc.data, lm=model).text == text


def test_corrupt_lm_files_fail_cleanly_and_quickly(tiny_int_lms):
    model = tiny_int_lms["llama"]
    base = compress_text("Two children fly a red kite.", coder="lm", lm=model).data
    rng = random.Random(11)
    start = time.perf_counter()
    for _ in range(8):
        data = bytearray(base)
        op = rng.randrange(3)
        if op == 0:
            data[rng.randrange(6, len(data))] ^= 1 << rng.randrange(8)  # the payload, past the fingerprint
        elif op == 1:
            data = data[: rng.randrange(6, len(data))]
        else:
            data = data[:6] + bytearray(rng.randbytes(rng.randrange(1, 30)))
        try:
            dec = decompress(bytes(data), lm=model)
        except FormatError:
            continue
        assert compress(dec.text, dec.header, lm=model).data == bytes(data)
    assert time.perf_counter() - start < 60


def test_a_file_names_its_model(tiny_int_lms, tiny_causal_lm_dirs, monkeypatch):
    llama, qwen = tiny_int_lms["llama"], tiny_int_lms["qwen2"]
    assert llama.fingerprint != qwen.fingerprint
    data = compress_text("A cat.", coder="lm", lm=llama).data
    with pytest.raises(BackendError, match="fingerprint"):
        decompress(data, lm=qwen)
    monkeypatch.setenv("SEMCODEC_LM", str(tiny_causal_lm_dirs["llama"]))
    assert decompress(data).text == "A cat."  # found through the codec's resolver
    assert decompress(data, lm=str(tiny_causal_lm_dirs["llama"])).text == "A cat."


def test_a_character_the_tokenizer_loses_is_caught_at_encode_time(tiny_int_lms):
    model = copy.copy(tiny_int_lms["llama"])
    model.tokenizer = copy.copy(model.tokenizer)
    model.tokenizer.token_bytes = list(model.tokenizer.token_bytes)
    model.tokenizer.token_bytes[model.tokenize("q")[0]] = b"k"
    with pytest.raises(InputError, match="cannot represent the character 'q'"):
        compress_text("A quiet lake.", coder="lm", lm=model)


def test_models_the_engine_cannot_run_are_refused(tiny_lm_dir):
    from types import SimpleNamespace

    from semcodec.models.lm import load_model
    from semcodec.models.lm.convert import arch_of
    from semcodec.models.lm.quant import UnsupportedModel

    with pytest.raises(BackendError, match="byte-level BPE tokenizer"):
        load_model(str(tiny_lm_dir))  # a Llama with a word-level tokenizer
    config = SimpleNamespace(num_attention_heads=4, num_key_value_heads=2, hidden_size=32, vocab_size=10,
                             rms_norm_eps=1e-5, hidden_act="gelu",
                             rope_parameters={"rope_type": "llama3", "rope_theta": 5e5})
    with pytest.raises(UnsupportedModel, match="activation gelu, RoPE scaling 'llama3'"):
        arch_of(config)
    with pytest.raises(BackendError, match="cannot load the language model"):
        load_model("/nonexistent/model")


def test_lm_table_rows_match_the_format_ids():
    from semcodec.codec.ids import LM_PRIORS, PRIOR_IDS
    from semcodec.models.lm import table

    assert {r.name: r.id for r in table.TABLE} == {n: PRIOR_IDS[n] for n in LM_PRIORS if n != "lm-custom"}
    assert all(len(r.revision) == 40 and r.scheme == "w8a24" for r in table.TABLE)
    assert table.find("HuggingFaceTB/SmolLM2-135M").name == table.DEFAULT == "smollm2-135m"


@pytest.mark.cuda
@pytest.mark.parametrize("kind", KINDS)
def test_gpu_frequencies_equal_cpu_frequencies(kind, tiny_causal_lm_dirs, tiny_int_lms):
    from semcodec.models.lm import load_model

    cpu = tiny_int_lms[kind]
    gpu = load_model(str(tiny_causal_lm_dirs[kind]), device="cuda")
    ids = cpu.tokenize(TEXT * 3)
    cpu.engine.reset()
    assert np.array_equal(_rows(gpu, ids), _rows(cpu, ids))
    assert np.array_equal(_token_by_token(gpu, ids[:40]), _token_by_token(cpu, ids[:40]))
    assert json.dumps(compress_text(TEXT, coder="lm", lm=gpu).data.hex()) == json.dumps(
        compress_text(TEXT, coder="lm", lm=cpu).data.hex())


def test_a_file_decodes_with_only_its_tokens_bytes(tiny_int_lms):
    """A payload coding another segmentation of the text (as another tokenizers release might
    produce) still decodes: decoding needs the tokens' bytes, not the tokenizer's merges."""
    from semcodec.codec.bits import BitWriter
    from semcodec.codec.container import Header, write_header
    from semcodec.codec.text.arith import ArithmeticEncoder
    from semcodec.codec.text.lm import LMCoder

    model = tiny_int_lms["llama"]
    text = "the sand"
    byte_ids = [model.tokenizer._byte_ids[b] for b in text.encode()]
    assert byte_ids != model.tokenize(text)
    w = BitWriter()
    write_header(Header(coder="lm", prior="lm-custom", lm_hash=model.fingerprint), w)
    enc = ArithmeticEncoder(w)
    for interval in LMCoder(model)._intervals(byte_ids):
        enc.encode(*interval)
    enc.finish()
    assert decompress(w.to_bytes(), lm=model).text == text
    assert compress_text(text, coder="lm", lm=model).data != w.to_bytes()
