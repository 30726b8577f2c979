"""The offline consonant expander as a backend (``ngram``, or ``ngram:PRIOR``): Viterbi over a
shipped n-gram prior (``semcodec.codec.text.expand``), no model download, nothing to cache."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base import Backend, BackendOptions

if TYPE_CHECKING:
    from ..registry import Spec


class NgramExpanderBackend(Backend):
    """Restores consonant skeletons with the prior named by the spec (default ``ngram-v1``)."""

    provider = "ngram"
    roles = frozenset({"expander"})
    default_model = "ngram-v1"
    deterministic = True
    cacheable = False

    def __init__(self, model_id: str, revision: str | None, options: BackendOptions) -> None:
        from ...codec.text.expand import NgramExpander
        from ...codec.text.prior import PRIORS
        from ...errors import InputError

        if model_id not in PRIORS:
            raise InputError(f"Unknown text prior {model_id!r} for the ngram expander; valid priors are: {', '.join(sorted(PRIORS))}.")
        super().__init__(model_id, revision, options)
        self._expander = NgramExpander(model_id)

    def expand(self, skeleton: str) -> str:
        """The most probable text under the prior whose skeleton is ``skeleton``."""
        return self._expander.expand(skeleton)


def backend_class(role: str, spec: Spec) -> type[Backend] | None:
    """The n-gram prior only expands."""
    return NgramExpanderBackend if role == "expander" else None
