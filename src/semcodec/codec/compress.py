"""The text-level codec: description <-> .smc bytes, with rate control and inspection.

The pair follows CompressAI's ``compress``/``decompress``: ``compress(text, header, budget)``
fits the text to the budget and codes it under the header; ``decompress(data)`` reads a file
back. ``compress_text`` is the same as ``compress`` with the header's fields as keywords. No
image model is involved: the image pipeline (``semcodec.pipeline``) builds on these.

Every file is checked to be *canonical* on decoding: re-encoding the decoded text must give the
same bytes. A decoder therefore accounts for every bit of the file, and a damaged or foreign file
is rejected with a clear error instead of turning into some text (docs/FORMAT.md says exactly
which damage this catches; a file with a check field carries a CRC as well). The encoder does not
decode its own output: a coder states what its decoder will return (``TextCoder.decoded``).

Limits (``semcodec.limits``): a description of more than ``MAX_DESCRIPTION_CHARS`` characters is
cut to that length (at a word boundary) before rate control, or refused when there is no budget;
a decoder refuses files larger than ``MAX_SMC_BYTES`` and texts longer than
``MAX_DESCRIPTION_CHARS``, which bounds its time and memory.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import FormatError, InputError
from ..limits import MAX_DESCRIPTION_CHARS, MAX_SMC_BYTES
from . import check
from .bits import BitWriter
from .container import CHECK_OFFSET, FORMAT_VERSION, Header, read_header, sniff_foreign, write_header
from .ids import DEFAULT_PROFILE, LM_CUSTOM
from .rate import Budget, ShortenFn, cap_length, content_note, fit_text, word_target
from .text import get_coder
from .text.base import TextCoder, TextTooLong


#: Lone surrogates: not Unicode text (Python makes them from bytes that are not UTF-8, e.g. in
#: a command line); no file holds them, so that every decoded text can be printed and stored.
_SURROGATE = re.compile("[\ud800-\udfff]")

if TYPE_CHECKING:
    from .text.lm import TokenModel


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
    #: Sentences for the user about the fit (e.g. that the kept text names nothing to draw).
    notes: tuple[str, ...] = ()

    @property
    def file_bits(self) -> int:
        """Every bit of the file: 8 x bytes."""
        return 8 * len(self.data)

    @property
    def ubpp(self) -> float:
        """Micro-bits per pixel of the original image, counting the whole file."""
        return 1e6 * self.file_bits / self.header.pixels

    def summary(self) -> dict[str, Any]:
        """The fields ``semcodec.inspect`` and ``semcodec inspect --json`` report."""
        h = self.header
        return {
            "version": h.version + 1,
            "coder": h.coder,
            "prior": h.prior,
            "profile": h.profile,
            "custom_hash": h.custom_hash,
            "lm_hash": h.lm_hash,
            "width": h.width,
            "height": h.height,
            "seed": h.seed,
            "check_bits": h.check_bits,
            "text": self.text,
            "header_bits": self.header_bits,
            "payload_bits": self.payload_bits,
            "file_bits": self.file_bits,
            "bytes": len(self.data),
            "ubpp": round(self.ubpp, 3),
            "notes": list(self.notes),
        }


class _Packer:
    """Codes texts under one header, each text once: rate control tries many cuts, and the one
    it keeps is already packed."""

    def __init__(self, header: Header, coder: TextCoder) -> None:
        self.header = header
        self.coder = coder
        prefix = BitWriter()
        write_header(header, prefix)
        self._prefix = prefix
        self.header_bits = len(prefix)
        self._memo: dict[str, Encoded] = {}

    def pack(self, text: str) -> Encoded:
        found = self._memo.get(text)
        if found is None:
            w = BitWriter()
            w.extend(self._prefix)
            self.coder.encode(text, w)
            data = w.to_bytes()
            if self.header.check_bits:
                data = check.seal(data, CHECK_OFFSET, self.header.check_bits)
            found = Encoded(data, self.header, self.coder.decoded(text), text, self.header_bits,
                            len(w) - self.header_bits)
            self._memo[text] = found
        return found

    def file_bits(self, text: str) -> int:
        return self.pack(text).file_bits


def compress(
    text: str,
    header: Header,
    budget: Budget | int | None = None,
    *,
    strategy: str = "truncate",
    shorten: ShortenFn | None = None,
    lm: "TokenModel | str | None" = None,
) -> Encoded:
    """Code ``text`` under ``header``, fitted to ``budget`` (a ``Budget``, a number of bits for
    the whole file, or None for no limit) with rate-control ``strategy``. ``lm`` is the language
    model of the ``lm`` coder (loaded, or a spec; default: the one the header names).

    A description longer than ``MAX_DESCRIPTION_CHARS`` is cut to it when there is a budget
    (rate control cuts it much further anyway) and refused when there is none.

    Raises BudgetError if not even one word fits, InputError for a text the coder cannot code.
    """
    if not isinstance(text, str):
        raise InputError(f"the description must be a str, not {type(text).__name__}")
    if _SURROGATE.search(text):
        raise InputError("the description is not valid Unicode text (it holds bytes that are not UTF-8, "
                         "e.g. from the command line); give it as UTF-8")
    if not isinstance(header, Header):
        raise InputError(f"the header must be a semcodec Header, not {type(header).__name__}")
    if budget is not None and not isinstance(budget, Budget) and (
            isinstance(budget, bool) or not isinstance(budget, int) or budget <= 0):
        raise InputError(f"the budget must be a Budget, a positive whole number of bits or None, not {budget!r}")
    packer = _Packer(header, get_coder(header.coder, header.prior, lm=lm, lm_hash=header.lm_hash))
    bits = budget.bits(header.width, header.height) if isinstance(budget, Budget) else budget
    text = _within_limit(text, limited=bits is not None)
    try:
        if bits is None:
            return packer.pack(text)
        max_words = word_target(bits, packer.header_bits, header.coder)
        kept = fit_text(text, bits, packer.file_bits, strategy, shorten=shorten, max_words=max_words)
        note = content_note(text, kept, bits, packer.file_bits, strategy) if kept != text else None
        enc = packer.pack(kept)
        return dataclasses.replace(enc, notes=(note,)) if note else enc
    except ValueError as e:  # a coder that cannot code this text
        raise InputError(f"the {header.coder} coder cannot code this text: {e}") from e


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
    check_bits: int = 0,
    version: int = FORMAT_VERSION,
    lm: "TokenModel | str | None" = None,
) -> Encoded:
    """``compress`` with the header's fields and the budget as keywords (``check_bits``: an
    optional CRC over the file, see ``semcodec.codec.check``; format 2 only).

    ``version`` is the header's format (``container.RECOMMENDED_VERSION`` for new files:
    ngram-v2 by default at no header cost). ``lm`` chooses the language model of the ``lm`` coder:
    a loaded model, a table name, a Hub repo id or a local folder (a model outside the LM table is
    written as ``lm-custom`` with its fingerprint). The budget counts the whole file (8 x bytes).
    Raises BudgetError if not even one word fits.
    """
    if lm is not None and coder != "lm":
        raise InputError(f"a language model (lm) is used only by the lm coder, not by {coder}")
    # An unknown coder or prior, or a model that cannot be loaded, is a clear error before anything else.
    text_coder = get_coder(coder, prior, lm=lm)
    lm_hash = None
    if coder == "lm":
        lm = text_coder.model
        prior = lm.prior
        lm_hash = lm.fingerprint if prior == LM_CUSTOM else None
    try:
        header = Header(coder, prior, profile, width, height, seed, custom_hash, version=version, lm_hash=lm_hash,
                        check_bits=check_bits)
    except (TypeError, ValueError) as e:
        raise InputError(f"invalid header settings: {e}") from e
    return compress(text, header, Budget(ubpp=ubpp, max_bits=max_bits), strategy=strategy, lm=lm)


def _within_limit(text: str, *, limited: bool) -> str:
    """``text`` cut to ``MAX_DESCRIPTION_CHARS`` at a word boundary when a budget will cut it
    anyway (``limited``); InputError for a longer text without a budget."""
    if len(text) <= MAX_DESCRIPTION_CHARS:
        return text
    if not limited:
        raise InputError(f"the description is {len(text):,} characters, more than the limit of "
                         f"{MAX_DESCRIPTION_CHARS:,}; shorten it or give a budget")
    return cap_length(text)


def decompress(data: bytes, *, lm: "TokenModel | str | None" = None) -> Encoded:
    """Parse a .smc file and decode its text. Raises FormatError for anything but a valid file
    (one larger than ``MAX_SMC_BYTES``, or whose text is longer than ``MAX_DESCRIPTION_CHARS``,
    included), InputError for an argument that is not bytes.

    ``lm`` gives the language model of an ``lm`` file (loaded, or a spec; needed for a custom
    model, which is checked against the file's fingerprint); BackendError when it cannot be loaded.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(f"decompress takes the bytes of a .smc file, not {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_SMC_BYTES:
        raise FormatError(f"the data is {len(data):,} bytes, more than any .smc file (the limit is {MAX_SMC_BYTES:,})")
    header, reader = read_header(data)
    if header.check_bits and not check.verify(data, CHECK_OFFSET, header.check_bits):
        raise FormatError(f"the .smc file fails its {header.check_bits}-bit check: it is damaged")
    try:
        coder = get_coder(header.coder, header.prior, lm=lm, lm_hash=header.lm_hash)
    except InputError as e:  # e.g. the ngram coder with prior "none": a damaged header
        raise FormatError(f"the .smc header is invalid: the {header.coder} coder cannot use "
                          f"text prior {header.prior!r}") from e
    try:
        text = coder.decode(reader)
    except TextTooLong:
        text = None
    except ValueError as e:
        raise FormatError(_corrupt_message(data)) from e
    if text is None or len(text) > MAX_DESCRIPTION_CHARS:
        length = "more" if text is None else f"{len(text):,}"
        raise FormatError(f"the .smc file decodes to {length} characters, more than the limit of "
                          f"{MAX_DESCRIPTION_CHARS:,} (no semcodec writes such a file)")
    if _SURROGATE.search(text):
        raise FormatError("the .smc file decodes to text that is not valid Unicode (no semcodec writes such a file)")
    canonical = _Packer(header, coder).pack(text)
    if canonical.data != data:
        raise FormatError(_corrupt_message(data))
    return Encoded(data, header, text, text, canonical.header_bits, canonical.payload_bits)


def _corrupt_message(data: bytes) -> str:
    foreign = sniff_foreign(data)
    if foreign:
        return f"this is {foreign}, not a .smc file"
    return "the .smc file is corrupt or truncated: its payload does not decode to a valid text"


def inspect(data: bytes) -> dict[str, Any]:
    """Header fields, decoded text, bit counts and rate of a .smc file, as a JSON-ready dict."""
    return decompress(data).summary()
