"""The .smc header: layout, costs, round trips and clear errors for bad files."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from semcodec.codec.bits import BitWriter
from semcodec.codec.container import Header, header_bits, read_header, write_header
from semcodec.errors import FormatError
from semcodec.codec.ids import SIZE_TABLE


def pack(header: Header) -> bytes:
    w = BitWriter()
    write_header(header, w)
    return w.to_bytes()


def test_default_header_is_one_byte():
    assert header_bits(Header()) == 8
    assert pack(Header()) == b"\x00"


def test_kodak_size_costs_four_bits():
    assert header_bits(Header(width=768, height=512)) == 12


def test_default_header_at_most_two_bytes_for_every_coder():
    for coder in ("ngram", "consonant", "raw"):
        assert header_bits(Header(coder=coder)) <= 16


def test_layout_of_known_header():
    # version 0, coder raw (2), flags P=0 G=1 S=1 D=1, profile 2 -> expgolomb "011",
    # size index 0 -> "0000", seed 3 -> expgolomb(2) -> "011"
    h = Header(coder="raw", profile=2, width=768, height=512, seed=3)
    w = BitWriter()
    write_header(h, w)
    assert w.bitstring() == "00" "10" "0111" "011" "0000" "011"


headers = st.builds(
    Header,
    coder=st.sampled_from(["ngram", "consonant", "raw"]),
    profile=st.integers(1, 5000),
    width=st.one_of(st.sampled_from([w for w, _ in SIZE_TABLE]), st.integers(1, 1 << 20)),
    height=st.integers(1, 1 << 20),
    seed=st.integers(0, 2**63),
)


@given(headers)
def test_header_round_trip(h):
    parsed, reader = read_header(pack(h))
    assert parsed == h
    assert reader.position == header_bits(h)


def test_custom_profile_carries_hash():
    h = Header(profile=0, custom_hash=0xDEADBEEF)
    assert read_header(pack(h))[0].custom_hash == 0xDEADBEEF
    with pytest.raises(ValueError):
        Header(profile=0)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "PNG"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 20, "JPEG"),
        (bytes([0b11000000]), "version 4"),
        (bytes([0b00001111]), "truncated"),
    ],
)
def test_bad_files_are_clear_errors(data, message):
    with pytest.raises(FormatError, match=message):
        read_header(data)


@pytest.mark.parametrize("seed", [1, 2, 3, 7, 8, 1000])
def test_seed_cost(seed):
    import math

    assert header_bits(Header(seed=seed)) - 8 == 2 * int(math.log2(seed)) + 1


def test_custom_generator_costs_33_bits():
    assert header_bits(Header(profile=0, custom_hash=1)) - 8 == 33
