"""The paper's consonant coder: alphabet, mappings, exactly 4 bits per symbol."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from semcodec.codec.bits import BitReader, BitWriter
from semcodec.codec.text import get_coder
from semcodec.codec.text.consonant import ALPHABET, ConsonantCoder, skeleton


def test_paper_example():
    assert skeleton("The image captures a woman with blonde hair.") == "th mg cptrs wmn wth blnd hr"


def test_mappings():
    assert skeleton("Kjvqxz") == "cgfcss"
    assert skeleton("Café, 3 jazz-boxes & a dog's toy!") == "cf gss bss dgs ty"
    assert skeleton("a e i o u") == ""
    assert skeleton("  ÆØ 東京  ") == ""


def test_alphabet():
    assert len(ALPHABET) == 16 and ALPHABET[0] == " " and len(set(ALPHABET)) == 16


@given(st.text())
def test_skeleton_alphabet_and_spaces(text):
    s = skeleton(text)
    assert set(s) <= set(ALPHABET)
    assert s == s.strip() and "  " not in s


@given(st.text(), st.integers(0, 7))
def test_four_bits_per_symbol_and_round_trip(text, prefix_bits):
    coder = get_coder("consonant")
    assert isinstance(coder, ConsonantCoder) and not coder.lossless
    out = BitWriter()
    out.write_uint(0, prefix_bits)
    coder.encode(text, out)
    s = skeleton(text)
    assert len(out) - prefix_bits == 4 * len(s)
    inp = BitReader(out.to_bytes())
    inp.read_uint(prefix_bits)
    assert coder.decode(inp) == s  # the padding's spurious space, if any, is stripped
