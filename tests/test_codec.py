"""The text-level codec: round trips through the container, canonical files, fuzzed files."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semcodec.codec import compress_text, decompress, inspect
from semcodec.codec.container import read_header
from semcodec.errors import BackendError, FormatError

LOSSLESS = ["ngram", "raw"]


@pytest.mark.parametrize("coder", LOSSLESS)
@given(text=st.text(max_size=200), seed=st.integers(0, 10**6), width=st.integers(1, 5000))
@settings(max_examples=60, deadline=None)
def test_lossless_round_trip(coder, text, seed, width):
    enc = compress_text(text, coder=coder, seed=seed, width=width, height=333)
    dec = decompress(enc.data)
    assert dec.text == text
    assert dec.header == enc.header
    assert enc.file_bits == 8 * len(enc.data) == 8 * ((enc.header_bits + enc.payload_bits + 7) // 8)


def test_consonant_round_trip_is_the_skeleton():
    enc = compress_text("The image captures a woman with blonde hair.", coder="consonant")
    assert decompress(enc.data).text == enc.text
    assert "a" not in enc.text and enc.text.startswith("th mg")


@pytest.mark.parametrize("coder", ["ngram", "consonant"])
def test_trailing_garbage_is_rejected(coder):
    """(For ``raw`` any extra UTF-8 is just more text.)"""
    enc = compress_text("A small boat on a calm lake at dawn.", coder=coder)
    with pytest.raises(FormatError):
        decompress(enc.data + b"\x00")
    if coder == "ngram":  # (for ``consonant`` any extra nibbles are just more letters)
        with pytest.raises(FormatError):
            decompress(enc.data + b"\x5a\x17")


@pytest.mark.parametrize("coder", ["ngram", "consonant", "raw"])
def test_fuzzed_files_decode_or_fail_cleanly(coder):
    """Mutations of a valid file either decode (to some canonical file) or raise FormatError."""
    rng = random.Random(1234)
    base = compress_text("Two children fly a red kite over green hills under a blue sky.", coder=coder).data
    for _ in range(400):
        data = bytearray(base)
        op = rng.randrange(4)
        if op == 0:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif op == 1:
            data = data[: rng.randrange(len(data))]
        elif op == 2:
            data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
        else:
            data = bytearray(rng.randbytes(rng.randrange(1, 40)))
        try:
            dec = decompress(bytes(data))
        except FormatError:
            continue
        except BackendError:  # the mutated header names the lm coder, whose model is not here
            assert read_header(bytes(data))[0].coder == "lm"
            continue
        assert compress_text(dec.text, coder=dec.header.coder, width=dec.header.width,
                             height=dec.header.height, seed=dec.header.seed,
                             profile=dec.header.profile, custom_hash=dec.header.custom_hash,
                             prior=dec.header.prior, version=dec.header.version).data == bytes(data)


def test_inspect_reports_whole_file_rate():
    enc = compress_text("A red fox.", coder="raw", width=768, height=512)
    info = inspect(enc.data)
    assert info["file_bits"] == 8 * len(enc.data)
    assert info["header_bits"] == 12
    assert info["ubpp"] == pytest.approx(1e6 * info["file_bits"] / (768 * 512), abs=1e-3)
