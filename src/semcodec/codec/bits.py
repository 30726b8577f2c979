"""Bit-level I/O for the .smc container and the text coders.

At 100 micro-bits per pixel a whole file is about 13 bytes, so every field and every coded
symbol is written at bit granularity: the header, then the text coder's payload, packed MSB
first with no alignment in between. The file is the bit string padded with zero bits to a whole
byte. A reader returns zero bits past the end of the data (and counts them), which is what lets
an arithmetic coder drop its trailing zeros and lets the payload run to the end of the file
without a length field.
"""

from __future__ import annotations

__all__ = ["BitWriter", "BitReader"]


class BitWriter:
    """Accumulates bits, most significant first, into an arbitrary-precision integer."""

    def __init__(self) -> None:
        self._value = 0
        self._nbits = 0

    def __len__(self) -> int:
        """Number of bits written so far."""
        return self._nbits

    def write_bit(self, bit: int) -> None:
        self._value = (self._value << 1) | (bit & 1)
        self._nbits += 1

    def write_uint(self, value: int, nbits: int) -> None:
        """Write ``value`` as an unsigned integer of exactly ``nbits`` bits."""
        if nbits < 0 or value < 0 or value >> nbits:
            raise ValueError(f"{value} does not fit in {nbits} bits")
        self._value = (self._value << nbits) | value
        self._nbits += nbits

    def write_bytes(self, data: bytes) -> None:
        self.write_uint(int.from_bytes(data, "big"), 8 * len(data))

    def write_expgolomb(self, value: int, k: int = 0) -> None:
        """Write a non-negative integer as an order-``k`` exponential-Golomb code.

        Small values are cheap (order 0: 0 -> 1 bit, 1..2 -> 3 bits, 3..6 -> 5 bits) and the code
        is unbounded, so no field ever runs out of range.
        """
        if value < 0:
            raise ValueError("exp-Golomb codes non-negative integers only")
        v = value + (1 << k)
        n = v.bit_length()
        self.write_uint(0, n - 1 - k)
        self.write_uint(v, n)

    def extend(self, other: "BitWriter") -> None:
        """Append all bits of another writer."""
        if other._nbits:
            self.write_uint(other._value, other._nbits)

    def to_bytes(self) -> bytes:
        """The bits padded with zeros to a whole number of bytes (ceil(bits / 8) bytes)."""
        nbytes = (self._nbits + 7) // 8
        return (self._value << (8 * nbytes - self._nbits)).to_bytes(nbytes, "big")

    def bitstring(self) -> str:
        """The bits as a '0'/'1' string (for tests and debugging)."""
        return format(self._value, f"0{self._nbits}b") if self._nbits else ""


class BitReader:
    """Reads bits, most significant first; past the end of the data it yields zeros.

    ``padding_read`` counts the zero bits supplied past the end, so a decoder can tell a
    well-formed stream (which needs at most a few such bits) from a corrupt one.
    """

    def __init__(self, data: bytes, start_bit: int = 0) -> None:
        self._value = int.from_bytes(data, "big")
        self._total = 8 * len(data)
        self._pos = start_bit
        self.padding_read = 0

    @property
    def position(self) -> int:
        """Index of the next bit to be read."""
        return self._pos

    @property
    def total_bits(self) -> int:
        """Number of bits in the underlying data (a multiple of 8)."""
        return self._total

    def bits_left(self) -> int:
        """Bits of real data not yet read (0 once into the padding)."""
        return max(0, self._total - self._pos)

    def read_bit(self) -> int:
        pos = self._pos
        self._pos += 1
        if pos >= self._total:
            self.padding_read += 1
            return 0
        return (self._value >> (self._total - 1 - pos)) & 1

    def read_uint(self, nbits: int) -> int:
        """Read an unsigned integer of ``nbits`` bits (zeros past the end)."""
        if nbits == 0:
            return 0
        pos, end = self._pos, self._pos + nbits
        self._pos = end
        if end <= self._total:
            return (self._value >> (self._total - end)) & ((1 << nbits) - 1)
        avail = max(0, self._total - pos)
        self.padding_read += nbits - avail
        head = self._value & ((1 << avail) - 1) if avail else 0
        return head << (nbits - avail)

    def read_expgolomb(self, k: int = 0, max_bits: int = 64) -> int:
        """Read an order-``k`` exponential-Golomb code (see ``BitWriter.write_expgolomb``).

        Raises ValueError on a run of more than ``max_bits`` leading zeros (a corrupt stream),
        so a damaged file cannot make the reader loop or allocate without bound.
        """
        zeros = 0
        while self.read_bit() == 0:
            zeros += 1
            if zeros > max_bits:
                raise ValueError("malformed exp-Golomb code")
        rest = zeros + k
        v = (1 << rest) | self.read_uint(rest)
        return v - (1 << k)
