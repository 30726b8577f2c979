"""``ngram-v2``: the escape layer (other cases of vocabulary words, a general English lexicon),
pinned bits, and format version 2 whose default prior it is."""

from __future__ import annotations

import hashlib
import math
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semcodec.codec import compress_text, decompress
from semcodec.codec.bits import BitReader, BitWriter
from semcodec.codec.container import RECOMMENDED_VERSION, header_bits, Header
from semcodec.codec.text import get_coder
from semcodec.codec.text.escape import CASE, LEX, SPELL, apply_shape, shape_of
from semcodec.codec.text.prior import PRIORS, load_prior

# Pinned bits: any change here breaks every file written with ngram-v2.
GOLDEN_V2 = {
    "A dog on a beach.": "4015f4",
    "": "",
    "Peaceful autumn, moody and mysterious, evoking the COASTAL Kyiv 1812.":
        "00d97592caaba0bb6801d4eb9bfe5db0ee04d690ce8fc8041e5b",
    "Zyxqv \U0001f642\n\x00": "006f66567490ac04520f8296fd6bb931c9554276d6",
}


@pytest.fixture(scope="module")
def v2():
    return get_coder("ngram", "ngram-v2")


def _bits(coder, text: str) -> BitWriter:
    w = BitWriter()
    coder.encode(text, w)
    return w


@pytest.mark.parametrize("text", sorted(GOLDEN_V2))
def test_v2_bits_are_pinned(v2, text):
    data = _bits(v2, text).to_bytes()
    assert data.hex() == GOLDEN_V2[text]
    assert v2.decode(BitReader(data)) == text


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("aeiouktrsnlAEKT  .,'\u00e9\U0001f642")), max_size=60))
def test_v2_round_trips_any_text(text):
    coder = get_coder("ngram", "ngram-v2")
    assert coder.decode(BitReader(_bits(coder, text).to_bytes())) == text


def test_escape_routes(v2):
    esc = load_prior("ngram-v2").escape
    assert esc.route(" DOG")[0] == CASE and esc.route("Dog")[0] == CASE  # cases of a vocabulary word
    assert esc.route(" sequined")[0] in (LEX, CASE)  # a general English word
    assert esc.route(" Kyiv")[0] == SPELL and esc.route(" 1812")[0] == SPELL
    assert esc.route(" McDonald")[0] == SPELL  # mixed case: spelled
    for token in (" word", "Word", " WORD", "word", " Word", "WORD"):
        low, shape = shape_of(token)
        assert low == "word" and apply_shape(low, shape) == token


def test_common_words_are_never_spelled_and_cost_less(v2):
    v1, p1, p2 = get_coder("ngram", "ngram-v1"), load_prior("ngram-v1"), load_prior("ngram-v2")
    bits = {v1: 0, v2: 0}
    for word in (" peaceful", " autumn", " moody", " mysterious", " evoking", " coastal", " PEACEFUL"):
        assert word not in p1.index and p2.escape.route(word)[0] != SPELL, word
        for coder in bits:
            bits[coder] += len(_bits(coder, "A" + word + " scene."))
    assert bits[v2] < bits[v1] - 30


def test_v2_is_pinned_small_and_ngram_v1_unchanged():
    for name in ("ngram-v1", "ngram-v2"):
        data = resources.files("semcodec.codec.text").joinpath("priors", f"{name}.bin").read_bytes()
        assert hashlib.sha256(data).hexdigest() == PRIORS[name]
    assert len(data) < 4_000_000
    assert load_prior("ngram-v1").escape is None


def test_format_v2_defaults_to_ngram_v2_at_no_header_cost():
    text = "A red brick building under a blue sky."
    old = compress_text(text)
    new = compress_text(text, version=RECOMMENDED_VERSION)
    named = compress_text(text, prior="ngram-v2")
    assert new.header.prior == "ngram-v2" and old.header.prior == "ngram-v1"
    assert new.header_bits == old.header_bits == named.header_bits - 3
    assert header_bits(Header(version=RECOMMENDED_VERSION)) == 8
    dec = decompress(new.data)
    assert dec.text == text and dec.header.prior == "ngram-v2" and dec.summary()["version"] == 2
    # A format-v2 file may still name ngram-v1 explicitly.
    back = compress_text(text, prior="ngram-v1", version=RECOMMENDED_VERSION)
    assert decompress(back.data).header.prior == "ngram-v1"
    assert back.header_bits == old.header_bits + 3


def test_lexicon_weights_are_positive_integers():
    esc = load_prior("ngram-v2").escape
    steps = [b - a for a, b in zip(esc.cum, esc.cum[1:])]
    assert min(steps) >= 1 and all(isinstance(s, int) for s in steps[:5])
    assert math.log2(esc.cum[-1]) < 62


@pytest.mark.parametrize("fields, hexdata", [
    ({}, "401cfbc37c80"),
    ({"width": 768, "height": 512, "seed": 3}, "430639f786f9"),
])
def test_format_v2_files_are_pinned(fields, hexdata):
    """Whole format-2 files (tests/golden holds format 1 only): these bytes must decode forever."""
    text = "A red brick building under a blue sky."
    assert compress_text(text, version=RECOMMENDED_VERSION, **fields).data.hex() == hexdata
    dec = decompress(bytes.fromhex(hexdata))
    assert dec.text == text and dec.header.prior == "ngram-v2" and dec.header.version == RECOMMENDED_VERSION
