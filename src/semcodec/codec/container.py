"""The .smc container: a bit-packed header followed by the text coder's payload.

At 100 micro-bits per pixel a 1024x1024 image gets 104 bits, 13 bytes, for everything. A
conventional header (magic, version, lengths, model names) would cost more than the image, so the
header is a handful of bits and every field that has a common value costs one flag bit.

Byte layout (bits, most significant first; no alignment between fields)::

    2  version       0 = format v1. 1..3 are reserved: a decoder rejects them.
    2  coder         0 ngram, 1 consonant, 2 raw, 3 = extended: expgolomb(id - 3) follows (lm = 3)
    1  P             1: a prior id follows; 0: the coder's default prior
    1  G             1: a generator profile id follows; 0: the default profile (1)
    1  S             1: a size follows; 0: 1024x1024
    1  D             1: a seed follows; 0: seed 0
    [P] expgolomb(prior id); prior ``lm-custom`` is followed by the 32-bit fingerprint of its model
    [G] expgolomb(profile id); profile 0 (custom) is followed by a 32-bit hash of its settings
    [S] 4-bit index into the size table; index 15 is followed by expgolomb_8(w - 1), expgolomb_8(h - 1)
    [D] expgolomb(seed - 1)
    payload: the text coder's bits, running to the end of the file
    zero bits to the next byte boundary

``expgolomb`` is the order-0 exponential-Golomb code, ``expgolomb_8`` the order-8 one (see
``semcodec.bits``). At the default profile, 1024x1024 and seed 0 the header is 8 bits; a Kodak
image (768x512) adds 4. The id tables are in ``semcodec.ids`` and ``semcodec.profiles``.

There is no magic number and no length field: they would cost more than the text. A file is
recognised by its extension; a foreign file is caught by sniffing the signatures of common formats
and, for the entropy-coded payloads, by requiring that the payload is exactly the canonical code
of the text it decodes to (see ``semcodec.codec``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .bits import BitReader, BitWriter
from ..errors import FormatError
from .ids import (
    CODER_IDS, DEFAULT_PRIOR, DEFAULT_PROFILE, DEFAULT_SIZE, LM_CUSTOM, LM_PRIORS, PRIOR_IDS, SIZE_TABLE, name_of,
)

FORMAT_VERSION = 0
CUSTOM_PROFILE = 0
_SIZE_ESCAPE = 15
_MAX_SIDE = 1 << 20  # no real image is a million pixels wide; larger is a corrupt header

# Signatures of formats that users hand to a decoder by mistake, for a clear error message.
_FOREIGN_SIGNATURES: dict[bytes, str] = {
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"RIFF": "a RIFF (WebP/WAV) file",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive",
    b"\x1f\x8b": "a gzip file",
    b"BM": "a BMP image",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
    b"\x00\x00\x00\x0cjXL ": "a JPEG XL image",
    b"\xff\x0a": "a JPEG XL image",
    b"{": "a JSON document",
}


@dataclass(frozen=True)
class Header:
    """Everything a decoder needs besides the payload: coder, prior, generator, size, seed."""

    coder: str = "ngram"
    prior: str | None = None
    profile: int = DEFAULT_PROFILE
    width: int = DEFAULT_SIZE[0]
    height: int = DEFAULT_SIZE[1]
    seed: int = 0
    custom_hash: int | None = None
    version: int = FORMAT_VERSION
    #: The 32-bit fingerprint of a custom language model (prior ``lm-custom``), else None.
    lm_hash: int | None = None

    def __post_init__(self) -> None:
        if self.coder not in CODER_IDS:
            raise ValueError(f"unknown coder {self.coder!r}")
        if self.prior is None:
            object.__setattr__(self, "prior", DEFAULT_PRIOR[self.coder])
        if self.prior not in PRIOR_IDS:
            raise ValueError(f"unknown prior {self.prior!r}")
        if not (0 < self.width <= _MAX_SIDE and 0 < self.height <= _MAX_SIDE):
            raise ValueError(f"image size {self.width}x{self.height} is out of range")
        if self.seed < 0 or self.profile < 0:
            raise ValueError("seed and profile must be non-negative")
        if (self.profile == CUSTOM_PROFILE) != (self.custom_hash is not None):
            raise ValueError("a custom profile (id 0) needs a custom_hash, and only it has one")
        if self.custom_hash is not None and not 0 <= self.custom_hash < 1 << 32:
            raise ValueError("custom_hash must be a 32-bit unsigned integer")
        if (self.coder == "lm") != (self.prior in LM_PRIORS):
            raise ValueError(f"the {self.coder} coder cannot use the prior {self.prior!r}")
        if (self.prior == LM_CUSTOM) != (self.lm_hash is not None):
            raise ValueError("a custom language model (prior lm-custom) needs an lm_hash, and only it has one")
        if self.lm_hash is not None and not 0 <= self.lm_hash < 1 << 32:
            raise ValueError("lm_hash must be a 32-bit unsigned integer")

    @property
    def pixels(self) -> int:
        return self.width * self.height


def write_header(header: Header, out: BitWriter) -> None:
    """Append the bit-packed header (see the module docstring for the layout)."""
    out.write_uint(header.version, 2)
    coder_id = CODER_IDS[header.coder]
    out.write_uint(min(coder_id, 3), 2)
    has_prior = header.prior != DEFAULT_PRIOR[header.coder]
    has_profile = header.profile != DEFAULT_PROFILE
    has_size = (header.width, header.height) != DEFAULT_SIZE
    has_seed = header.seed != 0
    for flag in (has_prior, has_profile, has_size, has_seed):
        out.write_bit(int(flag))
    if coder_id >= 3:
        out.write_expgolomb(coder_id - 3)
    if has_prior:
        out.write_expgolomb(PRIOR_IDS[header.prior])
    if header.prior == LM_CUSTOM:
        out.write_uint(header.lm_hash, 32)
    if has_profile:
        out.write_expgolomb(header.profile)
        if header.profile == CUSTOM_PROFILE:
            out.write_uint(header.custom_hash, 32)
    if has_size:
        size = (header.width, header.height)
        if size in SIZE_TABLE:
            out.write_uint(SIZE_TABLE.index(size), 4)
        else:
            out.write_uint(_SIZE_ESCAPE, 4)
            out.write_expgolomb(header.width - 1, 8)
            out.write_expgolomb(header.height - 1, 8)
    if has_seed:
        out.write_expgolomb(header.seed - 1)


def read_header(data: bytes) -> tuple[Header, BitReader]:
    """Parse the header of ``data``; return it and a reader positioned at the payload.

    Raises FormatError (one sentence) for empty, foreign, truncated or unsupported files.
    """
    if not data:
        raise FormatError("the file is empty, so it is not a .smc file")
    r = BitReader(data)
    version = r.read_uint(2)
    if version != FORMAT_VERSION:
        foreign = sniff_foreign(data)
        if foreign:
            raise FormatError(f"this is {foreign}, not a .smc file")
        raise FormatError(
            f"the file declares .smc format version {version + 1}, which this semcodec cannot read "
            "(it may be newer than this release, or not a .smc file)"
        )
    coder_id = r.read_uint(2)
    has_prior, has_profile, has_size, has_seed = (r.read_bit() for _ in range(4))
    try:
        if coder_id == 3:
            coder_id = 3 + r.read_expgolomb(max_bits=16)
        coder = name_of(CODER_IDS, coder_id)
        if coder is None:
            raise FormatError(f"the file uses text coder id {coder_id}, unknown to this semcodec")
        prior = DEFAULT_PRIOR[coder]
        if has_prior:
            prior_id = r.read_expgolomb(max_bits=16)
            prior = name_of(PRIOR_IDS, prior_id)
            if prior is None:
                raise FormatError(f"the file uses text prior id {prior_id}, unknown to this semcodec")
        lm_hash = r.read_uint(32) if prior == LM_CUSTOM else None
        profile, custom_hash = DEFAULT_PROFILE, None
        if has_profile:
            profile = r.read_expgolomb(max_bits=16)
            if profile == CUSTOM_PROFILE:
                custom_hash = r.read_uint(32)
        width, height = DEFAULT_SIZE
        if has_size:
            index = r.read_uint(4)
            if index == _SIZE_ESCAPE:
                width = r.read_expgolomb(8, max_bits=24) + 1
                height = r.read_expgolomb(8, max_bits=24) + 1
            else:
                width, height = SIZE_TABLE[index]
        seed = r.read_expgolomb(max_bits=64) + 1 if has_seed else 0
    except ValueError as e:  # a malformed variable-length field
        if r.padding_read:
            raise FormatError("the .smc file is truncated: it ends inside its header") from e
        raise FormatError("the .smc header is corrupt") from e
    if r.padding_read:
        raise FormatError("the .smc file is truncated: it ends inside its header")
    try:
        header = Header(coder, prior, profile, width, height, seed, custom_hash, version, lm_hash)
    except ValueError as e:
        raise FormatError(f"the .smc header is invalid: {e}") from e
    return header, r


def sniff_foreign(data: bytes) -> str | None:
    """Name the common format ``data`` looks like (PNG, JPEG, PDF...), or None.

    Only a hint for error messages: a tiny valid .smc file can start with the same bytes as
    some of these signatures, so this is consulted only once the data failed to parse.
    """
    for signature, what in _FOREIGN_SIGNATURES.items():
        if data.startswith(signature) and len(data) > len(signature):
            return what
    return None


def header_bits(header: Header) -> int:
    """Exact number of bits the header of ``header`` takes."""
    w = BitWriter()
    write_header(header, w)
    return len(w)
