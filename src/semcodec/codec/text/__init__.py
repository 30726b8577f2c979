"""Text coders: turn a description into bits and back (``raw``, ``consonant``, ``ngram``, ``lm``).

Import-light: the coders and the prior are imported when ``get_coder`` asks for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import TextCoder
    from .lm import TokenModel

__all__ = ["CODERS", "get_coder"]

#: Valid coder names, in the order shown to users.
CODERS = ("ngram", "consonant", "raw", "lm")


def get_coder(
    name: str, prior: str | None = None, *, lm: "TokenModel | str | None" = None, lm_hash: int | None = None
) -> "TextCoder":
    """The text coder called ``name``; ``prior`` names the prior of ``ngram`` (default ``ngram-v1``)
    or of ``lm``, whose model ``lm`` may also give (a loaded model or a model spec; ``lm_hash`` is
    the fingerprint a custom model must have, see ``semcodec.codec.text.lm.resolve_model``).

    Raises ``semcodec.errors.InputError`` for an unknown coder or prior name, and for ``lm``
    ``BackendError`` when its model cannot be loaded.
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
    if name == "lm":
        from .lm import LMCoder, resolve_model

        return LMCoder(resolve_model(prior, lm_hash, lm))
    raise InputError(f"Unknown text coder {name!r}; valid coders are: {', '.join(CODERS)}.")
