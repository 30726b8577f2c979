"""``raw``: the text as UTF-8, 8 bits per byte. The reference point every other coder beats."""

from __future__ import annotations

from ..bits import BitReader, BitWriter


class RawCoder:
    """UTF-8 bytes, ending where the data ends (the file's zero padding is under 8 bits)."""

    name = "raw"
    lossless = True

    def encode(self, text: str, out: BitWriter) -> None:
        out.write_bytes(text.encode("utf-8"))

    def decoded(self, text: str) -> str:
        return text

    def decode(self, inp: BitReader) -> str:
        data = bytes(inp.read_uint(8) for _ in range(inp.bits_left() // 8))
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError("raw payload is not valid UTF-8") from e
