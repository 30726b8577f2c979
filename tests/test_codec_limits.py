"""The codec against hostile input: header fields the decoder refuses, one file per text, the
optional check field, size and length limits, wrong argument types (issue 9, items 3, 4, 6, 11,
13, 14)."""

from __future__ import annotations

import random
import time

import pytest

from semcodec.codec import Header, compress_text, decompress
from semcodec.codec.bits import BitWriter
from semcodec.codec.container import MAX_PROFILE_ID, MAX_SEED, read_header, write_header
from semcodec.codec.rate import fit_text
from semcodec.errors import FormatError, InputError
from semcodec.limits import MAX_DESCRIPTION_CHARS, MAX_SMC_BYTES


def _file(fields: str, payload: bytes = b"") -> bytes:
    """A file from a header given as a bit string, then byte-aligned ``payload`` bits."""
    w = BitWriter()
    for bit in fields:
        w.write_bit(int(bit))
    w.write_bytes(payload)
    return w.to_bytes()


# -- the header refuses what its reader refuses ---------------------------------------------------
@pytest.mark.parametrize("field, good, bad", [("profile", MAX_PROFILE_ID, MAX_PROFILE_ID + 1),
                                              ("seed", MAX_SEED, MAX_SEED + 1)])
def test_header_accepts_exactly_what_the_reader_reads(field, good, bad):
    h = Header(**{field: good})
    w = BitWriter()
    write_header(h, w)
    assert read_header(w.to_bytes())[0] == h
    with pytest.raises(ValueError):
        Header(**{field: bad})
    with pytest.raises(InputError, match="invalid header"):
        compress_text("a fox", **{field: bad})


@pytest.mark.parametrize("kw", [dict(width="5"), dict(width=True), dict(seed=1.5), dict(coder=3),
                                dict(prior=1), dict(version=2), dict(version=True), dict(check_bits=7),
                                dict(check_bits="8"), dict(check_bits=8)])  # a check needs format 2 (version=1)
def test_header_refuses_wrong_types_and_values(kw):
    with pytest.raises(ValueError):
        Header(**kw)


def test_one_text_one_file_raw_and_consonant_take_no_prior():
    with pytest.raises(ValueError, match="takes no prior"):
        Header(coder="raw", prior="ngram-v1")
    with pytest.raises(InputError):
        compress_text("a fox", coder="consonant", prior="ngram-v1")
    plain = compress_text("a fox", coder="raw")
    # version 00, coder raw (10), flags P=1 G=0 S=0 D=0, prior id 1 = EG0 "010", then the bytes.
    forged = _file("00" "10" "1000" "010" "000", b"a fox")
    assert decompress(plain.data).text == "a fox"
    with pytest.raises(FormatError, match="takes no prior"):
        decompress(forged)


def test_ngram_file_naming_no_prior_is_a_format_error(cli, tmp_path):
    # version 00, coder ngram (00), flags P=1, prior id 0 = EG0 "1", then some payload.
    data = _file("00" "00" "1000" "1" "0000000", b"\x5a\x11")
    with pytest.raises(FormatError):
        decompress(data)
    path = tmp_path / "p0.smc"
    path.write_bytes(data)
    code, _, err = cli("inspect", path)
    assert code == FormatError.exit_code and len(err.strip().splitlines()) == 1


# -- wrong types through the library --------------------------------------------------------------
@pytest.mark.parametrize("call", [lambda: compress_text(123), lambda: decompress("00aa"),
                                  lambda: decompress(None), lambda: compress_text("a", max_bits=float("inf")),
                                  lambda: compress_text("a", ubpp=float("nan")), lambda: compress_text("a", width="9"),
                                  lambda: compress_text("a", check_bits=5)])
def test_wrong_types_are_project_errors(call):
    with pytest.raises(InputError):
        call()


# -- limits ---------------------------------------------------------------------------------------
def test_file_and_text_limits_are_enforced_by_decompress():
    start = time.perf_counter()
    with pytest.raises(FormatError, match="more than any .smc file"):
        decompress(b"\x20" * (MAX_SMC_BYTES + 1))
    long_raw = compress_text("x" * MAX_DESCRIPTION_CHARS, coder="raw").data
    assert decompress(long_raw).text == "x" * MAX_DESCRIPTION_CHARS
    too_long = _file("00" "10" "0000", b"x" * (MAX_DESCRIPTION_CHARS + 1))
    with pytest.raises(FormatError, match="more than the limit"):
        decompress(too_long)
    consonant = _file("00" "01" "0000", b"\x12" * (MAX_SMC_BYTES - 1))  # 131,070 symbols
    with pytest.raises(FormatError, match="more than the limit"):
        decompress(consonant)
    assert time.perf_counter() - start < 5


def test_the_longest_description_fits_the_file_limit_in_every_coder():
    rng = random.Random(0)
    astral = "".join(chr(rng.randrange(0x10000, 0x10FFFF)) for _ in range(MAX_DESCRIPTION_CHARS))
    for coder in ("raw", "ngram"):
        assert len(compress_text(astral, coder=coder).data) <= MAX_SMC_BYTES


def test_long_descriptions_are_cut_with_a_budget_and_refused_without(tmp_path, cli):
    words = "a red fox runs across the snowy field under a pale winter sky".split()
    rng = random.Random(0)
    huge = " ".join(rng.choice(words) for _ in range(400_000))  # about 2 MB, as a hostile server's reply
    start = time.perf_counter()
    for coder, strategy in (("ngram", "select"), ("consonant", "truncate"), ("raw", "select")):
        assert compress_text(huge, coder=coder, ubpp=100, strategy=strategy).file_bits <= 104
    assert len(fit_text(huge, 10**9, lambda t: 8 * len(t))) <= MAX_DESCRIPTION_CHARS
    assert time.perf_counter() - start < 10
    with pytest.raises(InputError, match="more than the limit of 8,192"):
        compress_text(huge)
    text = tmp_path / "long.txt"
    text.write_text(huge[:20_000])
    code, _, err = cli("encode", "--text-file", text, "-o", tmp_path / "a.smc")
    assert code == InputError.exit_code and "limit" in err


# -- the optional check field ---------------------------------------------------------------------
@pytest.mark.parametrize("bits", [4, 8, 16, 32])
def test_check_field_round_trips_and_costs_its_bits(bits):
    plain = compress_text("A red fox in the snow.", width=768, height=512, seed=3, version=1)
    checked = compress_text("A red fox in the snow.", width=768, height=512, seed=3, version=1, check_bits=bits)
    assert checked.header_bits == plain.header_bits + 3 + bits
    back = decompress(checked.data)
    assert back.text == "A red fox in the snow." and back.header.check_bits == bits
    assert decompress(checked.data).summary()["check_bits"] == bits
    budgeted = compress_text("A red fox in the snow at dawn by a frozen lake", ubpp=100, version=1, check_bits=bits)
    assert budgeted.file_bits <= 104


@pytest.mark.parametrize("coder", ["ngram", "consonant", "raw"])
def test_check_field_catches_every_single_bit_flip_but_the_version_high_bit(coder):
    data = compress_text("A lighthouse on a rocky cliff above a stormy sea.", coder=coder, version=1, check_bits=8).data
    for i in range(8 * len(data)):
        if i == 0:  # 10 -> 00 reads the file as format 1 without a check: measured in benchmarks/bench_bitflips.py
            continue
        flipped = bytearray(data)
        flipped[i // 8] ^= 0x80 >> (i % 8)
        with pytest.raises(FormatError):
            decompress(bytes(flipped))


def test_a_long_ngram_file_is_refused_once_its_text_passes_the_limit():
    from semcodec.codec.text import get_coder

    w = BitWriter()
    write_header(Header(), w)
    get_coder("ngram").encode("a red fox in the snow " * 2000, w)  # 44,000 characters in about 4 KB
    data = w.to_bytes()
    assert len(data) < MAX_SMC_BYTES
    start = time.perf_counter()
    with pytest.raises(FormatError, match="more than the limit of 8,192"):
        decompress(data)
    assert time.perf_counter() - start < 2
