"""Text coders: turn a description into bits and back (``raw``, ``consonant``, ``ngram``).

Import-light: the coders and the prior are imported when ``get_coder`` asks for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import TextCoder

__all__ = ["CODERS", "get_coder"]

#: Valid coder names, in the order shown to users.
CODERS = ("ngram", "consonant", "raw")


def get_coder(name: str, prior: str | None = None) -> "TextCoder":
    """The text coder called ``name``; ``prior`` names the prior of ``ngram`` (default ``ngram-v1``).

    Raises ``semcodec.errors.InputError`` for an unknown coder or prior name.
    """
    from ...errors import InputError

    if name == "raw":
        from .raw import RawCoder

        return RawCoder()
    if name == "consonant":
        from .consonant import ConsonantCoder

        return ConsonantCoder()
    if name == "ngram":
        from .ngram import NgramCoder
        from .prior import PRIORS

        if prior is not None and prior not in PRIORS:
            raise InputError(f"Unknown text prior {prior!r}; valid priors are: {', '.join(sorted(PRIORS))}.")
        return NgramCoder(prior)
    raise InputError(f"Unknown text coder {name!r}; valid coders are: {', '.join(CODERS)}.")
