"""The optional check field of a .smc file: a short CRC over the whole file.

A .smc file has no checksum by default: at 100 µbpp a whole file is 104 bits, and 8 bits of check
would take 8% of them. What a plain file detects is only what its structure rejects (see
docs/FORMAT.md, "What is detected"). A user who stores or sends files over a channel that can
damage them asks for a check field (``check_bits=8``): the header then carries a CRC of
``check_bits`` bits over every bit of the file, counted in the rate like any other header bit.

The CRC is computed over the file's bytes with the check field itself set to zero bits, MSB first,
register initialised to all ones, no final XOR. The polynomials are standard ones with a +1 term,
so every single-bit error (and every burst of up to ``check_bits`` bits) in the file is detected;
other damage passes with probability about 2^-check_bits.

Written here rather than taken from a library: ``zlib.crc32``/``binascii.crc_hqx`` cover only 32
and 16 bits, and a CRC truncated to fewer bits loses the single-bit guarantee.
"""

from __future__ import annotations

__all__ = ["CHECK_SIZES", "POLYNOMIALS", "crc", "seal", "stored", "verify"]

#: CRC polynomials (without the x^k term) by width: CRC-4/ITU, CRC-8/SMBUS (ATM HEC),
#: CRC-16/CCITT, CRC-32 (IEEE 802.3).
POLYNOMIALS: dict[int, int] = {4: 0x3, 8: 0x07, 16: 0x1021, 32: 0x04C11DB7}
#: The check sizes a header can name, in the order of its size codes (``container.CHECK_CODES``).
CHECK_SIZES: tuple[int, ...] = (4, 8, 16, 32)


def crc(data: bytes, width: int) -> int:
    """The ``width``-bit CRC of ``data`` (MSB first, initial register all ones, no final XOR)."""
    poly = POLYNOMIALS[width]
    top, mask = 1 << (width - 1), (1 << width) - 1
    reg = mask
    for byte in data:
        for i in range(7, -1, -1):
            feedback = bool(reg & top) ^ ((byte >> i) & 1)
            reg = (reg << 1) & mask
            if feedback:
                reg ^= poly
    return reg


def _with_field(data: bytes, offset: int, width: int, value: int) -> bytes:
    """``data`` with bits ``[offset, offset + width)`` set to ``value`` (MSB first)."""
    out = bytearray(data)
    for i in range(width):
        pos = offset + i
        bit = (value >> (width - 1 - i)) & 1
        mask = 0x80 >> (pos & 7)
        out[pos >> 3] = (out[pos >> 3] | mask) if bit else (out[pos >> 3] & ~mask)
    return bytes(out)


def stored(data: bytes, offset: int, width: int) -> int:
    """The check value stored in ``data`` at bit ``offset``."""
    value = 0
    for i in range(width):
        pos = offset + i
        bit = (data[pos >> 3] >> (7 - (pos & 7))) & 1 if pos < 8 * len(data) else 0
        value = (value << 1) | bit
    return value


def seal(data: bytes, offset: int, width: int) -> bytes:
    """Fill the (zeroed) check field at bit ``offset`` of ``data`` with the file's CRC."""
    return _with_field(data, offset, width, crc(_with_field(data, offset, width, 0), width))


def verify(data: bytes, offset: int, width: int) -> bool:
    """True when the check field at bit ``offset`` holds the CRC of the rest of ``data``."""
    return stored(data, offset, width) == crc(_with_field(data, offset, width, 0), width)
