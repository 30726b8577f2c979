"""The ``ngram`` coder and its shipped prior: lossless, bit-exact, robust to corrupt data."""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
import time
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from semcodec.codec.bits import BitReader, BitWriter
from semcodec.errors import InputError
from semcodec.codec.text import get_coder
from semcodec.codec.text.base import coded_bits
from semcodec.codec.text.prior import EOT, ESC, PRIORS, load_prior
from semcodec.codec.text.tokenize import tokenize

DESCRIPTION = (
    "A close-up shot captures a brown and white dog lying on a wooden floor. The dog's head is "
    "resting on its paws, and its eyes are looking at the camera. In the background, a white "
    "wall and a blue door are visible. Sunlight enters from the left, casting soft shadows."
)

# Pinned bits: any change here breaks every file already written with ngram-v1.
GOLDEN = {
    "A dog on a beach.": "4a4fcc",
    "": "",
    "The image captures a woman with blonde hair.": "b668b0892ed4",
    "Zyxqv \U0001f642\n\x00": "049a47d36b180ce933c32d5929f9497a68b808",
}


def _encode(coder, text: str, prefix_bits: int = 0) -> bytes:
    out = BitWriter()
    out.write_uint(0, prefix_bits)
    coder.encode(text, out)
    return out.to_bytes()


def _decode(coder, data: bytes, prefix_bits: int = 0) -> str:
    inp = BitReader(data)
    inp.read_uint(prefix_bits)
    return coder.decode(inp)


@pytest.fixture(scope="module")
def ngram():
    return get_coder("ngram")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(), prefix_bits=st.integers(0, 11))
def test_any_text_round_trips(ngram, text, prefix_bits):
    assert _decode(ngram, _encode(ngram, text, prefix_bits), prefix_bits) == text
    assert _decode(get_coder("raw"), _encode(get_coder("raw"), text)) == text


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\n\t\r\x00\x7f", "\ud800 lone surrogate", "\U0010ffff", "\U0001f600" * 5, "a" * 2000,
     "Ünïcödé ΑΒΓ 東京 🐕🏖️", "  double  spaces  ", "123 456.789", DESCRIPTION],
)
def test_edge_cases_round_trip(ngram, text):
    assert _decode(ngram, _encode(ngram, text)) == text


def test_tokenizer_is_lossless():
    for t in ["A dog, 2 cats_x\n\t🙂", "", "  "]:
        assert "".join(tokenize(t)) == t
    assert tokenize("A dog on the beach.") == ["A", " dog", " on", " the", " beach", "."]


@pytest.mark.parametrize("text,hexbits", sorted(GOLDEN.items()))
def test_golden_bits(ngram, text, hexbits):
    assert _encode(ngram, text).hex() == hexbits
    assert _decode(ngram, bytes.fromhex(hexbits)) == text


def test_fresh_process_same_bytes():
    code = (
        "from semcodec.codec.text import get_coder; from semcodec.codec.bits import BitWriter; w = BitWriter(); "
        f"get_coder('ngram').encode({DESCRIPTION!r}, w); print(w.to_bytes().hex())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(resources.files("semcodec").parent), "PYTHONHASHSEED": "123"})
    assert out.stdout.strip() == _encode(get_coder("ngram"), DESCRIPTION).hex()


def test_compresses_descriptions(ngram):
    bits = coded_bits(ngram, DESCRIPTION)
    assert bits < 1.6 * len(DESCRIPTION)
    assert coded_bits(ngram, "A dog on a beach.") <= 30


def test_encode_decode_speed(ngram):
    text = DESCRIPTION[:300]
    _decode(ngram, _encode(ngram, text))
    best = 1.0
    for _ in range(5):
        t = time.perf_counter()
        assert _decode(ngram, _encode(ngram, text)) == text
        best = min(best, time.perf_counter() - t)
    assert best < 0.020


def test_corrupt_data_decodes_or_raises_value_error(ngram):
    rng = random.Random(7)
    base = _encode(ngram, DESCRIPTION)
    for i in range(150):
        data = bytearray(base)
        kind = i % 3
        if kind == 0:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 1:
            data = data[: rng.randrange(len(data))]
        else:
            data = bytearray(rng.randbytes(rng.randrange(1, 40)))
        t = time.perf_counter()
        try:
            out = _decode(ngram, bytes(data))
            assert isinstance(out, str)
        except ValueError:
            pass
        assert time.perf_counter() - t < 2.0


def test_prior_is_pinned_and_cached():
    data = resources.files("semcodec.codec.text").joinpath("priors", "ngram-v1.bin").read_bytes()
    assert hashlib.sha256(data).hexdigest() == PRIORS["ngram-v1"]
    assert load_prior() is load_prior("ngram-v1")
    assert resources.files("semcodec.codec.text").joinpath("priors", "NOTICE.md").is_file()


def test_prior_frequencies_are_positive_integers():
    p = load_prior()
    the = p.index[" the"]
    for ctx in [(EOT, EOT, EOT), (EOT, p.index["A"], p.index[" dog"]), (ESC, ESC, the)]:
        freqs = p.words.frequencies(ctx)
        assert len(freqs) == len(p.vocab)
        assert min(freqs) >= 1 and sum(freqs) == p.words.total(ctx)
        assert all(isinstance(f, int) for f in freqs[:10])
    cf = p.spell.frequencies((0, 0, 0, 0))
    assert min(cf) >= 1 and sum(cf) == p.spell.total((0, 0, 0, 0))


def test_unknown_names():
    with pytest.raises(InputError, match="valid coders are"):
        get_coder("zip")
    with pytest.raises(InputError, match="valid priors are"):
        get_coder("ngram", prior="ngram-v0")
    with pytest.raises(ValueError):
        load_prior("nope")
