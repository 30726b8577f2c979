"""Text similarity of descriptions, and a judge that compares images through their descriptions.

Sentence embeddings the way sentence-transformers computes them for all-MiniLM-L6-v2 and its kin
(mean of the token embeddings over the attention mask, then L2 normalisation), done with plain
transformers ``AutoModel`` + ``AutoTokenizer``, so no sentence-transformers dependency is needed.
``text_similarity`` is the reusable function (benchmarks and studies use it too); ``TextJudge``
(``text:MODEL``) is the image judge: it describes the candidate with the describer and compares
that with the original's description, which is what a semantic codec promises to keep.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..base import Backend, Describer
from ..local import LocalOptions, import_torch, load_transformers

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..registry import Spec

DEFAULT_TEXT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_MAX_TOKENS = 512


class TextEmbedder:
    """Mean-pooled, L2-normalised sentence embeddings from a transformers encoder."""

    def __init__(self, model_id: str = DEFAULT_TEXT_MODEL, *, device: str = "auto", dtype: str = "auto") -> None:
        self.model_id = model_id
        self._pre, self._model, self.device, self.dtype = load_transformers(model_id, "AutoTokenizer", device, dtype)

    def embed(self, texts: list[str]) -> Any:
        """One L2-normalised float32 embedding per text (a torch tensor, one row each)."""
        torch = import_torch()
        limit = min(self._pre.model_max_length, getattr(self._model.config, "max_position_embeddings", _MAX_TOKENS), _MAX_TOKENS)
        batch = self._pre(texts, padding=True, truncation=True, max_length=limit, return_tensors="pt").to(self.device)
        with torch.inference_mode():
            hidden = self._model(**batch).last_hidden_state.float()
        mask = batch["attention_mask"].unsqueeze(-1).float()
        mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return torch.nn.functional.normalize(mean, dim=-1)

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of the two texts' embeddings (-1..1; 1 for the same text)."""
        ea, eb = self.embed([a, b])
        return max(-1.0, min(1.0, float(ea @ eb)))


@lru_cache(maxsize=4)
def get_text_embedder(model_id: str = DEFAULT_TEXT_MODEL, device: str | None = None, dtype: str | None = None) -> TextEmbedder:
    """A loaded ``TextEmbedder``, shared by every caller that asks for the same model and device."""
    return TextEmbedder(model_id, device=device or "auto", dtype=dtype or "auto")


def text_similarity(a: str, b: str, *, model: str = DEFAULT_TEXT_MODEL, device: str | None = None) -> float:
    """Cosine similarity of the sentence embeddings of ``a`` and ``b`` (1 for the same text).

    Raises BackendError if the model cannot be loaded.
    """
    return get_text_embedder(model, device).similarity(a, b)


class TextJudge(Backend):
    """Scores a candidate image by how close its description is to the original's.

    The describer describes the candidate; the original's description is ``reference`` if set
    (the encoder already has it), else described once and remembered.
    """

    provider = "text"
    roles = frozenset({"judge"})
    requires = ("torch", "transformers")
    Options = LocalOptions
    uses = ("describer",)
    default_model = DEFAULT_TEXT_MODEL
    name = "text"

    def __init__(self, model_id: str, revision: str | None, options: LocalOptions, *, describer: Describer) -> None:
        super().__init__(model_id, revision, options)
        self.describer = describer
        self.reference: str | None = None
        self.embedder = get_text_embedder(model_id, options.device, options.dtype)
        self._described: tuple[Image, str] | None = None  # (original, its description)

    def describe(self, image: Image) -> str:
        """The describer's full description of ``image``."""
        from ..prompts import DESCRIBE

        return " ".join(self.describer.describe(image, DESCRIBE.instruction()).split())

    def _reference_for(self, original: Image) -> str:
        if self.reference is not None:
            return self.reference
        if self._described is None or self._described[0] is not original:
            self._described = (original, self.describe(original))
        return self._described[1]

    def score(self, original: Image, candidate: Image) -> float:
        """Similarity of the candidate's description to the original's."""
        return self.score_text(self._reference_for(original), self.describe(candidate))

    def score_text(self, reference: str, candidate: str) -> float:
        """Cosine similarity of the two descriptions' embeddings."""
        return self.embedder.similarity(reference, candidate)


def backend_class(role: str, spec: Spec) -> type[Backend] | None:
    """The text model only judges."""
    return TextJudge if role == "judge" else None
