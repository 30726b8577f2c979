"""Bit-level I/O for the .smc container and the text coders.

At 100 micro-bits per pixel a whole file is about 13 bytes, so every field and every coded
symbol is written at bit granularity: the header, then the text coder's payload, packed MSB
first with no alignment in between. The file is the bit string padded with zero bits to a whole
byte. A reader returns zero bits past the end of the data (and counts them), which is what lets
an arithmetic coder drop its trailing zeros and lets the payload run to the end of the file
without a length field.

Both classes cost time linear in the bits they handle: the writer keeps whole bytes in a
``bytearray`` and at most a few pending bits in a small integer, and the reader slices only the
bytes a field spans. (An earlier version shifted one integer holding the whole file for every
field, which made decoding a file quadratic in its size.) Written here rather than taken from a
library such as ``bitstring`` because the reader's zero padding past the end and its count of
padding bits are part of the format.
"""

from __future__ import annotations

__all__ = ["BitWriter", "BitReader"]


class BitWriter:
    """Accumulates bits, most significant first: whole bytes in a buffer, the rest pending."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._acc = 0  # pending bits (fewer than 8 between calls), MSB first
        self._nacc = 0

    def __len__(self) -> int:
        """Number of bits written so far."""
        return 8 * len(self._buf) + self._nacc

    def write_bit(self, bit: int) -> None:
        self._acc = (self._acc << 1) | (bit & 1)
        self._nacc += 1
        if self._nacc == 8:
            self._buf.append(self._acc)
            self._acc = self._nacc = 0

    def write_uint(self, value: int, nbits: int) -> None:
        """Write ``value`` as an unsigned integer of exactly ``nbits`` bits."""
        if nbits < 0 or value < 0 or value >> nbits:
            raise ValueError(f"{value} does not fit in {nbits} bits")
        acc, n = (self._acc << nbits) | value, self._nacc + nbits
        if n >= 8:
            rest = n & 7
            self._buf += (acc >> rest).to_bytes(n >> 3, "big")
            acc &= (1 << rest) - 1
            n = rest
        self._acc, self._nacc = acc, n

    def write_bytes(self, data: bytes) -> None:
        if self._nacc == 0:
            self._buf += data
        else:
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

    def extend(self, other: "BitWriter", nbits: int | None = None) -> None:
        """Append the first ``nbits`` bits (default: all) of another writer."""
        total = len(other)
        nbits = total if nbits is None else nbits
        if not 0 <= nbits <= total:
            raise ValueError(f"cannot take {nbits} bits of a writer holding {total}")
        if nbits == 0:
            return
        if self._nacc == 0 and nbits % 8 == 0:
            self._buf += other._buf[: nbits // 8]
            return
        whole = int.from_bytes(other._buf, "big")
        whole = (whole << other._nacc) | other._acc
        self.write_uint(whole >> (total - nbits), nbits)

    def to_bytes(self) -> bytes:
        """The bits padded with zeros to a whole number of bytes (ceil(bits / 8) bytes)."""
        if self._nacc == 0:
            return bytes(self._buf)
        return bytes(self._buf) + bytes([self._acc << (8 - self._nacc)])

    def bitstring(self) -> str:
        """The bits as a '0'/'1' string (for tests and debugging)."""
        whole = "".join(format(b, "08b") for b in self._buf)
        return whole + (format(self._acc, f"0{self._nacc}b") if self._nacc else "")


class BitReader:
    """Reads bits, most significant first; past the end of the data it yields zeros.

    ``padding_read`` counts the zero bits supplied past the end, so a decoder can tell a
    well-formed stream (which needs at most a few such bits) from a corrupt one.
    """

    def __init__(self, data: bytes, start_bit: int = 0) -> None:
        self._data = bytes(data)
        self._total = 8 * len(self._data)
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
        self._pos = pos + 1
        if pos >= self._total:
            self.padding_read += 1
            return 0
        return (self._data[pos >> 3] >> (7 - (pos & 7))) & 1

    def read_uint(self, nbits: int) -> int:
        """Read an unsigned integer of ``nbits`` bits (zeros past the end)."""
        if nbits <= 0:
            if nbits < 0:
                raise ValueError("cannot read a negative number of bits")
            return 0
        pos, end = self._pos, self._pos + nbits
        self._pos = end
        avail = min(end, self._total) - pos
        if avail <= 0:
            self.padding_read += nbits
            return 0
        stop = pos + avail  # bits [pos, stop) are real data
        first, last = pos >> 3, (stop + 7) >> 3
        chunk = int.from_bytes(self._data[first:last], "big")
        value = (chunk >> (8 * last - stop)) & ((1 << avail) - 1)
        if avail < nbits:
            self.padding_read += nbits - avail
            value <<= nbits - avail
        return value

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
