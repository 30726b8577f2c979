"""``consonant``: the paper's lossy scheme, 16 symbols at exactly 4 bits each.

Dotzel et al. (arXiv 2402.13536) lower-case the description, drop the vowels and keep the 15
most common English consonants plus space, so that every character costs 4 bits and a language
model restores the words afterwards ("th mg cptrs wmn wth blnd hr").

``skeleton(text)`` does this reduction:

- Unicode NFKD, then combining marks are removed (accents: "café" -> "cafe"); lower-case.
- The vowels a e i o u are dropped.
- Kept: space (symbol 0) and t n s h r d l c m w f g y p b (symbols 1..15, in that order: the
  15 most common English consonants, y included).
- The other six consonants map to the kept one closest in sound or spelling:
  k -> c, q -> c, v -> f, j -> g, x -> s, z -> s.
- Apostrophes are dropped (``dog's`` -> ``dgs``); digits, punctuation, whitespace and every
  other character become a space; other letters (non-Latin scripts, ø, ß, ...) are dropped.
- Runs of spaces collapse to one; leading and trailing spaces are removed.

The code is 4 bits per symbol with no length field. The decoder reads 4-bit symbols until the
data ends and strips trailing spaces: the file's zero padding can add one spurious symbol 0
(a space), and this convention absorbs it.
"""

from __future__ import annotations

import unicodedata

from ..bits import BitReader, BitWriter

__all__ = ["ALPHABET", "skeleton", "ConsonantCoder"]

#: The 16 symbols; index = 4-bit code.
ALPHABET = " tnshrdlcmwfgypb"
_MAP = {c: c for c in ALPHABET}
_MAP.update({"k": "c", "q": "c", "v": "f", "j": "g", "x": "s", "z": "s"})
_MAP.update({v: "" for v in "aeiou"})
_MAP.update({"'": "", "\u2019": ""})
_CODE = {c: i for i, c in enumerate(ALPHABET)}


def _map_char(ch: str) -> str:
    m = _MAP.get(ch)
    if m is not None:
        return m
    if ch.isalpha():
        return ""  # a letter outside a-z: dropped
    return " "  # digits, punctuation, whitespace, symbols


def skeleton(text: str) -> str:
    """The consonant skeleton of ``text`` over the 16-symbol alphabet (see the module doc)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join("".join(_map_char(c) for c in stripped).split())


class ConsonantCoder:
    """Lossy: 4 bits per skeleton symbol; ``decode`` returns the skeleton, not the text."""

    name = "consonant"
    lossless = False

    def encode(self, text: str, out: BitWriter) -> None:
        for c in skeleton(text):
            out.write_uint(_CODE[c], 4)

    def decoded(self, text: str) -> str:
        """The skeleton: what the decoder recovers."""
        return skeleton(text)

    def decode(self, inp: BitReader) -> str:
        syms = [ALPHABET[inp.read_uint(4)] for _ in range(inp.bits_left() // 4)]
        return "".join(syms).rstrip(" ")
