"""The contract every text coder fulfils.

A text coder turns a description into bits and back. It writes into and reads from the
container's bit stream directly (after the header, no alignment), so a coder's cost is exact to
the bit. The payload runs to the end of the file, so a coder must know where its text ends by
itself: an end-of-text symbol (``ngram``), a fill convention (``consonant``) or the end of the
data (``raw``). Reads past the end of the data yield zero bits.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..bits import BitReader, BitWriter


class TextTooLong(ValueError):
    """A decoder stopped because the text ran past ``limits.MAX_DESCRIPTION_CHARS`` (no file
    semcodec writes holds a longer text; decoding further would only waste time)."""


@runtime_checkable
class TextCoder(Protocol):
    """Encodes text into a bit stream and decodes it back."""

    #: Name used on the command line and in results (``raw``, ``consonant``, ``ngram``).
    name: str
    #: True when ``decode(encode(text)) == text`` for every string.
    lossless: bool

    def encode(self, text: str, out: BitWriter) -> None:
        """Append the code of ``text`` to ``out``; raise ``ValueError`` if it cannot be coded."""

    def decoded(self, text: str) -> str:
        """What ``decode`` returns for the code of ``text`` (``text`` itself for a lossless coder)."""

    def decode(self, inp: BitReader) -> str:
        """Read one text from ``inp`` (positioned at the payload) and return it.

        Raises ``ValueError`` when the bits cannot be a valid code (corrupt data).
        """


def coded_bits(coder: TextCoder, text: str) -> int:
    """Exact number of payload bits ``coder`` spends on ``text``."""
    w = BitWriter()
    coder.encode(text, w)
    return len(w)
