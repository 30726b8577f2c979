"""Text coders: turn a description into bits and back (see ``base.TextCoder``)."""

from __future__ import annotations

from ..errors import InputError
from .base import TextCoder, coded_bits

CODERS = ("ngram", "consonant", "raw")


def get_coder(name: str, prior: str | None = None) -> TextCoder:
    """The coder registered under ``name``; ``prior`` names its prior (None: the default)."""
    if name == "raw":
        from .raw import RawCoder

        return RawCoder()
    raise InputError(f"unknown text coder {name!r}; choose one of {', '.join(CODERS)}")


__all__ = ["TextCoder", "coded_bits", "get_coder", "CODERS"]
