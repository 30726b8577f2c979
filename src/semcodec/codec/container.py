"""The .smc container: a bit-packed header followed by the text coder's payload.

At 100 micro-bits per pixel a 1024x1024 image gets 104 bits, 13 bytes, for everything. A
conventional header (magic, version, lengths, model names) would cost more than the image, so the
header is a handful of bits and every field that has a common value costs one flag bit.

Byte layout (bits, most significant first; no alignment between fields)::

    2  version       0 = format v1; 1 = format v2 (ngram's default prior is ngram-v2 instead of
                     ngram-v1; nothing else differs); 2 = format v2 with a check field;
                     3 is reserved: a decoder rejects it.
    2  coder         0 ngram, 1 consonant, 2 raw, 3 = extended: expgolomb(id - 3) follows (lm = 3)
    1  P             1: a prior id follows; 0: the coder's default prior
    1  G             1: a generator profile id follows; 0: the default profile (1)
    1  S             1: a size follows; 0: 1024x1024
    1  D             1: a seed follows; 0: seed 0
    [version 2] 3 bits: the check size code (000, 011, 101, 110 for 4, 8, 16, 32 bits: even
        parity, so a flipped bit in it is caught), then that many bits of CRC over the whole
        file (see ``semcodec.codec.check``), always at bit 11
    [coder 3] expgolomb(coder id - 3)
    [P] expgolomb(prior id); prior ``lm-custom`` is followed by the 32-bit fingerprint of its model
    [G] expgolomb(profile id); profile 0 (custom) is followed by a 32-bit hash of its settings
    [S] 4-bit index into the size table; index 15 is followed by expgolomb_8(w - 1), expgolomb_8(h - 1)
    [D] expgolomb(seed - 1)
    payload: the text coder's bits, running to the end of the file
    zero bits to the next byte boundary

``expgolomb`` is the order-0 exponential-Golomb code, ``expgolomb_8`` the order-8 one (see
``semcodec.bits``). At the default profile, 1024x1024 and seed 0 the header is 8 bits; a Kodak
image (768x512) adds 4. The id tables are in ``semcodec.codec.ids`` and ``semcodec.models.profiles``.

A coder whose default prior is ``none`` (raw, consonant) takes no prior field, and every other
coder needs a prior other than ``none``, so one text has exactly one valid file per header.

There is no magic number and no length field: they would cost more than the text. A file is
recognised by its extension; a foreign file is caught by sniffing the signatures of common formats
and, for the entropy-coded payloads, by requiring that the payload is exactly the canonical code
of the text it decodes to (see ``semcodec.codec``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .bits import BitReader, BitWriter
from .check import CHECK_SIZES
from ..errors import FormatError
from .ids import (CODER_IDS, CUSTOM_PROFILE, DEFAULT_PRIOR, DEFAULT_PRIORS, DEFAULT_PROFILE, DEFAULT_SIZE, LM_CUSTOM,
                  LM_PRIORS, PRIOR_IDS, SIZE_TABLE, name_of)

#: The format ``Header`` writes unless told otherwise (format v1, version field 0): kept so that
#: existing callers write exactly the bytes they always wrote (the golden files pin them).
FORMAT_VERSION = 0
#: The format recommended for new files (format v2, version field 1: ngram-v2 is the default
#: prior, at no header cost). The CLI and pipeline pass ``Header(..., version=RECOMMENDED_VERSION)``.
RECOMMENDED_VERSION = 1
#: Formats (``Header.version``) this release reads and writes.
SUPPORTED_VERSIONS = (0, 1)
#: The version field's value for a format-v2 file with a check field (``Header.version`` is 1).
CHECKED_VERSION = 2
#: Where the check field starts: after version, coder, four flags and the 3-bit size code.
CHECK_OFFSET = 11
#: The 3-bit codes of the check sizes (``check.CHECK_SIZES``), all of even parity.
CHECK_CODES = (0b000, 0b011, 0b101, 0b110)
_SIZE_ESCAPE = 15
#: The largest width or height a header carries (no real image is a million pixels wide).
MAX_SIDE = 1 << 20
#: Leading zeros a reader accepts in each exp-Golomb field (more is a corrupt header).
_ID_ZEROS, _SIDE_ZEROS, _SEED_ZEROS = 16, 24, 64


def _eg_max(zeros: int, k: int = 0) -> int:
    """The largest value an order-``k`` exp-Golomb code with at most ``zeros`` leading zeros holds."""
    return (1 << (zeros + k + 1)) - 1 - (1 << k)


#: The largest profile id and (extended) coder id a header can carry.
MAX_PROFILE_ID = _eg_max(_ID_ZEROS)
#: The largest seed a header carries: a generator takes a 64-bit seed.
MAX_SEED = (1 << 64) - 1

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

    #: Bits of CRC over the whole file (0: none; else one of ``check.CHECK_SIZES``; format v2 only).
    check_bits: int = 0

    def __post_init__(self) -> None:
        """ValueError for any header ``read_header`` would refuse, so that the encoder never
        writes a file its own decoder rejects."""
        if not isinstance(self.coder, str) or self.coder not in CODER_IDS:
            raise ValueError(f"unknown coder {self.coder!r}")
        if isinstance(self.version, bool) or self.version not in SUPPORTED_VERSIONS:
            raise ValueError(f"the format version must be one of {SUPPORTED_VERSIONS}, not {self.version!r}")
        if self.prior is None:
            object.__setattr__(self, "prior", DEFAULT_PRIORS[self.version][self.coder])
        if not isinstance(self.prior, str) or self.prior not in PRIOR_IDS:
            raise ValueError(f"unknown prior {self.prior!r}")
        if DEFAULT_PRIOR[self.coder] == "none" and self.prior != "none":
            raise ValueError(f"the {self.coder} coder takes no prior, not {self.prior!r}")
        if DEFAULT_PRIOR[self.coder] != "none" and self.prior == "none":
            raise ValueError(f"the {self.coder} coder needs a prior")
        for name, low, high in (("width", 1, MAX_SIDE), ("height", 1, MAX_SIDE), ("seed", 0, MAX_SEED),
                                ("profile", 0, MAX_PROFILE_ID)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
        if (self.profile == CUSTOM_PROFILE) != (self.custom_hash is not None):
            raise ValueError("a custom profile (id 0) needs a custom_hash, and only it has one")
        if self.custom_hash is not None and (isinstance(self.custom_hash, bool) or not isinstance(self.custom_hash, int)
                                             or not 0 <= self.custom_hash < 1 << 32):
            raise ValueError("custom_hash must be a 32-bit unsigned integer")
        if isinstance(self.check_bits, bool) or not isinstance(self.check_bits, int) or (
                self.check_bits != 0 and self.check_bits not in CHECK_SIZES):
            raise ValueError(f"check_bits must be 0 (no check) or one of {', '.join(map(str, CHECK_SIZES))}, "
                             f"not {self.check_bits!r}")
        if self.check_bits and self.version != RECOMMENDED_VERSION:
            raise ValueError(f"a check field exists in format version {RECOMMENDED_VERSION + 1} files only "
                             f"(version={RECOMMENDED_VERSION})")
        if (self.coder == "lm") != (self.prior in LM_PRIORS):
            raise ValueError(f"the {self.coder} coder cannot use the prior {self.prior!r}")
        if (self.prior == LM_CUSTOM) != (self.lm_hash is not None):
            raise ValueError("a custom language model (prior lm-custom) needs an lm_hash, and only it has one")
        if self.lm_hash is not None and (isinstance(self.lm_hash, bool) or not isinstance(self.lm_hash, int)
                                         or not 0 <= self.lm_hash < 1 << 32):
            raise ValueError("lm_hash must be a 32-bit unsigned integer")

    @property
    def pixels(self) -> int:
        return self.width * self.height


def write_header(header: Header, out: BitWriter) -> None:
    """Append the bit-packed header (see the module docstring for the layout)."""
    out.write_uint(CHECKED_VERSION if header.check_bits else header.version, 2)
    coder_id = CODER_IDS[header.coder]
    out.write_uint(min(coder_id, 3), 2)
    has_prior = header.prior != DEFAULT_PRIORS[header.version][header.coder]
    has_profile = header.profile != DEFAULT_PROFILE
    has_size = (header.width, header.height) != DEFAULT_SIZE
    has_seed = header.seed != 0
    for flag in (has_prior, has_profile, has_size, has_seed):
        out.write_bit(int(flag))
    if header.check_bits:  # the CRC is filled in once the file is complete (compress._Packer)
        out.write_uint(CHECK_CODES[CHECK_SIZES.index(header.check_bits)], 3)
        out.write_uint(0, header.check_bits)
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

    Raises FormatError (one sentence) for empty, foreign, truncated or unsupported files; a file
    that fails to parse and looks like a PNG, a JPEG, a PDF... is named as such.
    """
    if not data:
        raise FormatError("the file is empty, so it is not a .smc file")
    try:
        return _read_header(data)
    except FormatError as e:
        foreign = sniff_foreign(data)
        if foreign:
            raise FormatError(f"this is {foreign}, not a .smc file") from e
        raise


def _read_header(data: bytes) -> tuple[Header, BitReader]:
    r = BitReader(data)
    version = r.read_uint(2)
    if version not in (*SUPPORTED_VERSIONS, CHECKED_VERSION):
        raise FormatError(
            f"the file declares .smc format version {version + 1}, which this semcodec cannot read "
            "(it may be newer than this release, or not a .smc file)"
        )
    # The format (``Header.version``): a checked file is a format-v2 file with a check field.
    fmt = RECOMMENDED_VERSION if version == CHECKED_VERSION else version
    coder_id = r.read_uint(2)
    has_prior, has_profile, has_size, has_seed = (r.read_bit() for _ in range(4))
    check_bits = 0
    if version == CHECKED_VERSION:
        code = r.read_uint(3)
        if code not in CHECK_CODES:
            raise FormatError("the .smc header is corrupt: its check size code is invalid")
        check_bits = CHECK_SIZES[CHECK_CODES.index(code)]
        r.read_uint(check_bits)  # verified over the whole file by decompress
    try:
        if coder_id == 3:
            coder_id = 3 + r.read_expgolomb(max_bits=_ID_ZEROS)
        coder = name_of(CODER_IDS, coder_id)
        if coder is None:
            raise FormatError(f"the file uses text coder id {coder_id}, unknown to this semcodec")
        prior = DEFAULT_PRIORS[fmt][coder]
        if has_prior:
            prior_id = r.read_expgolomb(max_bits=_ID_ZEROS)
            prior = name_of(PRIOR_IDS, prior_id)
            if prior is None:
                raise FormatError(f"the file uses text prior id {prior_id}, unknown to this semcodec")
        lm_hash = r.read_uint(32) if prior == LM_CUSTOM else None
        profile, custom_hash = DEFAULT_PROFILE, None
        if has_profile:
            profile = r.read_expgolomb(max_bits=_ID_ZEROS)
            if profile == CUSTOM_PROFILE:
                custom_hash = r.read_uint(32)
        width, height = DEFAULT_SIZE
        if has_size:
            index = r.read_uint(4)
            if index == _SIZE_ESCAPE:
                width = r.read_expgolomb(8, max_bits=_SIDE_ZEROS) + 1
                height = r.read_expgolomb(8, max_bits=_SIDE_ZEROS) + 1
            else:
                width, height = SIZE_TABLE[index]
        seed = r.read_expgolomb(max_bits=_SEED_ZEROS) + 1 if has_seed else 0
    except ValueError as e:  # a malformed variable-length field
        if r.padding_read:
            raise FormatError("the .smc file is truncated: it ends inside its header") from e
        raise FormatError("the .smc header is corrupt") from e
    if r.padding_read:
        raise FormatError("the .smc file is truncated: it ends inside its header")
    try:
        header = Header(coder, prior, profile, width, height, seed, custom_hash, version=fmt, lm_hash=lm_hash,
                        check_bits=check_bits)
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
