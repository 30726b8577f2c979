"""Text-level codec API: description <-> .smc bytes, with rate control and inspection.

This layer knows the container and the text coders but no image model. The image pipeline
(``semcodec.pipeline``) builds on it: it produces the description, calls ``compress_text`` and,
on the way back, hands ``decompress``'s text to a generator.

Every file is checked to be *canonical* on decoding: re-encoding the decoded text must give the
same bytes. A decoder therefore accounts for every bit of the file, and a damaged or foreign file
is rejected with a clear error instead of turning into some text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .bits import BitWriter
from .container import Header, read_header, sniff_foreign, write_header
from .errors import FormatError, InputError
from .ids import DEFAULT_PROFILE
from .rate import budget_bits, fit_text
from .text import get_coder


@dataclass(frozen=True)
class Encoded:
    """A .smc file in memory: its bytes, header and the text a decoder will see."""

    data: bytes
    header: Header
    #: The text as a decoder recovers it (for ``consonant``, the consonant skeleton).
    text: str
    #: The text that was coded, after rate control (before the coder's own transformation).
    coded_text: str
    header_bits: int
    payload_bits: int

    @property
    def file_bits(self) -> int:
        """Every bit of the file: 8 x bytes."""
        return 8 * len(self.data)

    @property
    def ubpp(self) -> float:
        """Micro-bits per pixel of the original image, counting the whole file."""
        return 1e6 * self.file_bits / self.header.pixels

    def summary(self) -> dict[str, Any]:
        """The fields ``semcodec inspect --json`` reports."""
        h = self.header
        return {
            "version": h.version + 1,
            "coder": h.coder,
            "prior": h.prior,
            "profile": h.profile,
            "custom_hash": h.custom_hash,
            "width": h.width,
            "height": h.height,
            "seed": h.seed,
            "text": self.text,
            "header_bits": self.header_bits,
            "payload_bits": self.payload_bits,
            "file_bits": self.file_bits,
            "bytes": len(self.data),
            "ubpp": round(self.ubpp, 3),
        }


def _pack(header: Header, text: str) -> tuple[bytes, int, int]:
    """Bytes of the file coding ``text`` under ``header``; also header and payload bit counts."""
    w = BitWriter()
    write_header(header, w)
    nheader = len(w)
    get_coder(header.coder, header.prior).encode(text, w)
    return w.to_bytes(), nheader, len(w) - nheader


def compress_text(
    text: str,
    *,
    coder: str = "ngram",
    prior: str | None = None,
    width: int = 1024,
    height: int = 1024,
    seed: int = 0,
    profile: int = DEFAULT_PROFILE,
    custom_hash: int | None = None,
    max_bits: int | None = None,
    ubpp: float | None = None,
    strategy: str = "truncate",
) -> Encoded:
    """Code a description into a .smc file, fitting it to ``max_bits`` or ``ubpp`` if given.

    The budget counts the whole file (8 x bytes). Raises BudgetError if not even one word fits.
    """
    get_coder(coder, prior)  # an unknown coder or prior is a clear error before anything else
    try:
        header = Header(coder, prior, profile, width, height, seed, custom_hash)
    except ValueError as e:
        raise InputError(f"invalid header settings: {e}") from e
    budget = budget_bits(max_bits, ubpp, width, height)
    if budget is not None:
        text = fit_text(text, budget, lambda t: 8 * len(_pack(header, t)[0]), strategy)
    data, nheader, npayload = _pack(header, text)
    decoded = decompress(data)
    return Encoded(data, header, decoded.text, text, nheader, npayload)


def decompress(data: bytes) -> Encoded:
    """Parse a .smc file and decode its text. Raises FormatError for anything but a valid file."""
    header, reader = read_header(data)
    coder = get_coder(header.coder, header.prior)
    try:
        text = coder.decode(reader)
    except ValueError as e:
        raise FormatError(_corrupt_message(data)) from e
    canonical, nheader, npayload = _pack(header, text)
    if canonical != data:
        raise FormatError(_corrupt_message(data))
    return Encoded(data, header, text, text, nheader, npayload)


def _corrupt_message(data: bytes) -> str:
    foreign = sniff_foreign(data)
    if foreign:
        return f"this is {foreign}, not a .smc file"
    return "the .smc file is corrupt or truncated: its payload does not decode to a valid text"


def inspect(data: bytes) -> dict[str, Any]:
    """Header fields, decoded text, bit counts and rate of a .smc file, as a JSON-ready dict."""
    return decompress(data).summary()

