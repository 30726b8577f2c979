"""The text-level codec: description <-> .smc bytes, with rate control and inspection.

The pair follows CompressAI's ``compress``/``decompress``: ``compress(text, header, budget)``
fits the text to the budget and codes it under the header; ``decompress(data)`` reads a file
back. ``compress_text`` is the same as ``compress`` with the header's fields as keywords. No
image model is involved: the image pipeline (``semcodec.pipeline``) builds on these.

Every file is checked to be *canonical* on decoding: re-encoding the decoded text must give the
same bytes. A decoder therefore accounts for every bit of the file, and a damaged or foreign file
is rejected with a clear error instead of turning into some text. The encoder does not decode its
own output: a coder states what its decoder will return (``TextCoder.decoded``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import FormatError, InputError
from .bits import BitWriter
from .container import Header, read_header, sniff_foreign, write_header
from .ids import DEFAULT_PROFILE, LM_CUSTOM
from .rate import Budget, ShortenFn, fit_text, word_target
from .text import get_coder
from .text.base import TextCoder

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
            "text": self.text,
            "header_bits": self.header_bits,
            "payload_bits": self.payload_bits,
            "file_bits": self.file_bits,
            "bytes": len(self.data),
            "ubpp": round(self.ubpp, 3),
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
            found = Encoded(w.to_bytes(), self.header, self.coder.decoded(text), text, self.header_bits,
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

    Raises BudgetError if not even one word fits, InputError for a text the coder cannot code.
    """
    if not isinstance(text, str):
        raise InputError(f"the description must be a str, not {type(text).__name__}")
    packer = _Packer(header, get_coder(header.coder, header.prior, lm=lm, lm_hash=header.lm_hash))
    bits = budget.bits(header.width, header.height) if isinstance(budget, Budget) else budget
    try:
        if bits is not None:
            max_words = word_target(bits, packer.header_bits, header.coder)
            text = fit_text(text, bits, packer.file_bits, strategy, shorten=shorten, max_words=max_words)
        return packer.pack(text)
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
    lm: "TokenModel | str | None" = None,
) -> Encoded:
    """``compress`` with the header's fields and the budget as keywords.

    ``lm`` chooses the language model of the ``lm`` coder: a loaded model, a table name, a Hub
    repo id or a local folder (a model outside the LM table is written as ``lm-custom`` with its
    fingerprint). The budget counts the whole file (8 x bytes). Raises BudgetError if not even
    one word fits.
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
        header = Header(coder, prior, profile, width, height, seed, custom_hash, lm_hash=lm_hash)
    except (TypeError, ValueError) as e:
        raise InputError(f"invalid header settings: {e}") from e
    return compress(text, header, Budget(ubpp=ubpp, max_bits=max_bits), strategy=strategy, lm=lm)


def decompress(data: bytes, *, lm: "TokenModel | str | None" = None) -> Encoded:
    """Parse a .smc file and decode its text. Raises FormatError for anything but a valid file.

    ``lm`` gives the language model of an ``lm`` file (loaded, or a spec; needed for a custom
    model, which is checked against the file's fingerprint); BackendError when it cannot be loaded.
    """
    header, reader = read_header(data)
    coder = get_coder(header.coder, header.prior, lm=lm, lm_hash=header.lm_hash)
    try:
        text = coder.decode(reader)
    except ValueError as e:
        raise FormatError(_corrupt_message(data)) from e
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
