"""The ``lm`` coder of the codec layer, with a pure-Python token model (no model library).

What is pinned here: coding over the ``TokenModel`` protocol, the header of lm files, the
probability cap and the token bound that keep corrupt payloads from hanging a decoder, and the
one-sentence errors. The real integer engine is tested in test_lm_engine.py.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semcodec.codec import compress, compress_text, decompress
from semcodec.codec.bits import BitReader, BitWriter
from semcodec.codec.container import Header, header_bits, read_header
from semcodec.codec.text import lm as lmmod
from semcodec.codec.text.lm import MAX_TOKENS, LMCoder, TokenModel, cap_frequencies, token_bound
from semcodec.errors import BackendError, FormatError, InputError

EOT = 256


class ByteModel:
    """Bytes as tokens; frequencies from a fixed hash of the previous two tokens.

    ``peak`` makes one token per context overwhelmingly likely (to exercise the cap).
    """

    prior = "lm-custom"
    vocab_size = 257
    eot = EOT

    def __init__(self, fingerprint: int = 0x1234ABCD, peak: int = 0) -> None:
        self.fingerprint = fingerprint
        self.peak = peak
        self.calls = 0

    def tokenize(self, text: str) -> list[int]:
        return list(text.encode("utf-8", "surrogatepass"))

    def detokenize(self, ids) -> str:
        try:
            return bytes(ids).decode("utf-8", "surrogatepass")
        except UnicodeDecodeError as e:
            raise ValueError("not UTF-8") from e

    def frequencies(self, ids, start=0):
        for pos in range(start, len(ids) + 1):
            self.calls += 1
            a, b = (ids[pos - 1] if pos >= 1 else 300), (ids[pos - 2] if pos >= 2 else 301)
            rng = np.random.default_rng(a * 1000 + b)
            f = rng.integers(1, 1000, self.vocab_size).astype(np.int64)
            f[32:127] *= 20  # printable ASCII likelier
            if self.peak:
                f[(a * 7 + b) % self.vocab_size] = self.peak
            yield f


def _roundtrip(model, text: str) -> tuple[str, int]:
    w = BitWriter()
    LMCoder(model).encode(text, w)
    return LMCoder(model).decode(BitReader(w.to_bytes())), len(w)


def test_fake_model_satisfies_protocol():
    assert isinstance(ByteModel(), TokenModel)


@given(text=st.text(st.characters(exclude_categories=()), max_size=60))
@settings(max_examples=60, deadline=None)
def test_any_string_round_trips(text):
    """Any str, lone surrogates included, comes back exactly (the model's contract allows it)."""
    assert _roundtrip(ByteModel(), text)[0] == text


def test_file_round_trip_and_custom_header():
    model = ByteModel()
    enc = compress_text("A red fox in the snow.", coder="lm", lm=model, width=768, height=512, seed=3)
    assert enc.header.prior == "lm-custom" and enc.header.lm_hash == 0x1234ABCD
    # coder 3 costs 1 extra bit (EG0 of 0), prior 3 five, the fingerprint 32
    assert enc.header_bits == header_bits(Header(width=768, height=512, seed=3)) + 1 + 5 + 32
    dec = decompress(enc.data, lm=model)
    assert dec.text == "A red fox in the snow." and dec.summary()["lm_hash"] == 0x1234ABCD
    assert read_header(enc.data)[0] == enc.header


def test_table_prior_header_costs_one_bit():
    assert header_bits(Header(coder="lm")) == 9
    assert header_bits(Header(coder="lm", prior="qwen2.5-0.5b")) == 14


def test_header_rejects_mismatched_priors():
    with pytest.raises(ValueError):
        Header(coder="lm", prior="ngram-v1")
    with pytest.raises(ValueError):
        Header(coder="ngram", prior="smollm2-135m")
    with pytest.raises(ValueError):
        Header(coder="lm", prior="lm-custom")  # no fingerprint


def test_rate_control_reuses_prefixes():
    model = ByteModel()
    text = "A golden retriever runs along a sandy beach at sunset near the water."
    enc = compress_text(text, coder="lm", lm=model, max_bits=120)
    assert enc.file_bits <= 120 and text.startswith(enc.text)
    # Every cut is a prefix: the memo means far fewer model rows than cuts x characters.
    assert model.calls < 3 * len(text)
    assert decompress(enc.data, lm=model).text == enc.text


def test_cap_limits_every_token_to_63_64():
    f = np.array([10**12, 1, 1, 1], dtype=np.int64)
    capped = cap_frequencies(f, 4)
    assert capped[0] == 63 * 3 and (capped[1:] == 1).all()
    assert (cap_frequencies(np.array([5, 7, 9], dtype=np.int64), 3) == [5, 7, 9]).all()
    bad_rows = (np.array([0, 1], dtype=np.int64), np.array([1, 2], dtype=np.int32), np.array([1, 2, 3], dtype=np.int64))
    for bad in bad_rows:
        with pytest.raises(ValueError):
            cap_frequencies(bad, 2)


def test_confident_model_spends_at_least_1_44_bit_per_token():
    text = "a" * 400
    _, bits = _roundtrip(ByteModel(peak=10**15), text)
    assert bits >= (len(text) + 1) / 44.02 - 66
    assert len(text) + 1 <= token_bound(bits)


def test_corrupt_payloads_end_in_error_or_text_quickly():
    """Random payloads under a model that is almost always sure: bounded work, never a hang."""
    rng = random.Random(7)
    model = ByteModel(peak=10**15)
    start = time.perf_counter()
    for _ in range(40):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 24)))
        model.calls = 0
        try:
            text = LMCoder(model).decode(BitReader(data))
            assert len(model.tokenize(text)) + 1 <= min(MAX_TOKENS + 1, token_bound(8 * len(data)))
        except ValueError:
            pass
        assert model.calls <= MAX_TOKENS + 1
    assert time.perf_counter() - start < 60


def test_too_many_tokens_is_an_input_error():
    with pytest.raises(InputError, match="at most 1024"):
        compress_text("x" * (MAX_TOKENS + 1), coder="lm", lm=ByteModel())


def test_text_the_tokenizer_cannot_represent_is_an_input_error():
    class Lossy(ByteModel):
        def tokenize(self, text):
            raise ValueError("the model's tokenizer cannot represent the character '€'")

    with pytest.raises(InputError, match="cannot represent the character"):
        compress_text("5 €", coder="lm", lm=Lossy())


def test_wrong_model_is_refused_in_one_sentence():
    data = compress_text("A cat.", coder="lm", lm=ByteModel(0x1111)).data
    with pytest.raises(BackendError, match="fingerprint 00002222.*fingerprint is 00001111") as e:
        decompress(data, lm=ByteModel(0x2222))
    assert "\n" not in str(e.value)


def test_missing_model_is_one_sentence(monkeypatch):
    data = compress_text("A cat.", coder="lm", lm=ByteModel()).data
    monkeypatch.delenv("SEMCODEC_LM", raising=False)
    with pytest.raises(BackendError, match="custom language model") as e:
        decompress(data)
    assert str(e.value).count(". ") == 0
    monkeypatch.setattr(lmmod, "_resolver", None)
    monkeypatch.setattr(lmmod, "_installed_resolver", lambda: None)
    with pytest.raises(BackendError, match="pip install"):
        decompress(data)


def test_lm_needs_a_language_model_prior():
    with pytest.raises(InputError, match="language-model prior"):
        compress_text("A cat.", coder="lm", prior="ngram-v1", lm=ByteModel())
    with pytest.raises(InputError, match="only by the lm coder"):
        compress_text("A cat.", coder="ngram", lm=ByteModel())


def test_corrupt_lm_file_is_a_format_error():
    model = ByteModel()
    data = bytearray(compress_text("Two children fly a red kite.", coder="lm", lm=model).data)
    rng = random.Random(3)
    for _ in range(60):
        bad = bytearray(data)
        bad[rng.randrange(len(bad))] ^= 1 << rng.randrange(8)
        try:
            dec = decompress(bytes(bad), lm=model)
        except FormatError:
            continue
        except BackendError:  # a flipped bit in the fingerprint names another model
            assert read_header(bytes(bad))[0].lm_hash != model.fingerprint
            continue
        assert compress(dec.text, dec.header, lm=model).data == bytes(bad)  # decoded files are canonical


def test_codec_never_imports_the_models_layer():
    codec = Path(__file__).resolve().parents[1] / "src" / "semcodec" / "codec"
    pattern = re.compile(r"^\s*(from|import)\s+(semcodec\.models|\.\.\.?models|\.\.models)", re.M)
    offenders = [p.name for p in codec.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
