"""Image-image similarity judges: cosine similarity of CLIP, SigLIP or DINO image embeddings
(``clip:MODEL``, ``siglip:MODEL``, ``dino:MODEL``; the provider alone uses its default model).

Any transformers checkpoint whose ``AutoModel`` has ``get_image_features`` (CLIPModel,
SiglipModel, ...) works; vision-only backbones (DINOv2) fall back to their pooled output. The
image processor is the checkpoint's own (``AutoImageProcessor``), so images are resized and
normalised exactly as the model was trained. The original's embedding is computed once and
reused for every candidate. The model loads when the judge is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..base import Backend
from ..local import LocalOptions, import_torch, load_transformers

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..registry import Spec


class ImageEmbeddingJudge(Backend):
    """Cosine similarity (-1..1, 1 = same embedding) of two images' embeddings."""

    roles = frozenset({"judge"})
    Options = LocalOptions
    requires = ("torch", "transformers")

    def __init__(self, model_id: str, revision: str | None, options: LocalOptions) -> None:
        super().__init__(model_id, revision, options)
        self.name = self.provider
        self._pre, self._model, self.device, self.dtype = load_transformers(
            model_id, "AutoImageProcessor", options.device, options.dtype, options.progress
        )
        self._reference: tuple[Image, Any] | None = None  # (original, its embedding)

    def embed(self, images: list[Image]) -> Any:
        """L2-normalised float32 embeddings of ``images``, one row each (a torch tensor)."""
        torch = import_torch()
        inputs = self._pre(images=[im.convert("RGB") for im in images], return_tensors="pt")
        pixels = inputs["pixel_values"].to(self.device, self.dtype)
        with torch.inference_mode():
            if hasattr(self._model, "get_image_features"):
                out = self._model.get_image_features(pixel_values=pixels)
            else:
                out = self._model(pixel_values=pixels)
        # transformers 4.x returns the features; 5.x an output whose pooler_output holds them.
        if not isinstance(out, torch.Tensor):
            out = out.pooler_output if out.pooler_output is not None else out.last_hidden_state[:, 0]
        return torch.nn.functional.normalize(out.float(), dim=-1)

    def score(self, original: Image, candidate: Image) -> float:
        """Cosine similarity of the two images' embeddings."""
        if self._reference is not None and self._reference[0] is original:
            reference, emb = self._reference[1], self.embed([candidate])[0]
        else:
            reference, emb = self.embed([original, candidate])
            self._reference = (original, reference)
        return max(-1.0, min(1.0, float(reference @ emb)))


class ClipJudge(ImageEmbeddingJudge):
    provider = "clip"
    default_model = "openai/clip-vit-base-patch32"


class SiglipJudge(ImageEmbeddingJudge):
    provider = "siglip"
    default_model = "google/siglip-base-patch16-224"


class DinoJudge(ImageEmbeddingJudge):
    provider = "dino"
    default_model = "facebook/dinov2-small"


_BY_PROVIDER = {cls.provider: cls for cls in (ClipJudge, SiglipJudge, DinoJudge)}


def backend_class(role: str, spec: Spec) -> type[Backend] | None:
    """Embedding models only judge."""
    return _BY_PROVIDER[spec.provider] if role == "judge" else None
