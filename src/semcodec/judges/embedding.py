"""Image-image similarity judges: cosine similarity of CLIP, SigLIP (or DINO) image embeddings.

Any transformers checkpoint whose ``AutoModel`` has ``get_image_features`` (CLIPModel,
SiglipModel, ...) works; vision-only backbones (DINOv2) fall back to their pooled output. The
image processor is the checkpoint's own (``AutoImageProcessor``), so images are resized and
normalised exactly as the model was trained. The original's embedding is computed once and
reused for every candidate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import LocalModel, import_torch

if TYPE_CHECKING:
    from PIL.Image import Image

DEFAULT_MODELS = {
    "clip": "openai/clip-vit-base-patch32",
    "siglip": "google/siglip-base-patch16-224",
    "dino": "facebook/dinov2-small",
}


class ImageEmbeddingJudge(LocalModel):
    """Cosine similarity (-1..1, 1 = same embedding) of two images' embeddings."""

    preprocessor = "AutoImageProcessor"

    def __init__(self, model_id: str, *, name: str = "clip", device: str | None = None, dtype: str | None = None) -> None:
        super().__init__(model_id, device=device, dtype=dtype)
        self.name = name
        self._reference: tuple[Image, Any] | None = None  # (original, its embedding)

    def embed(self, images: list[Image]) -> Any:
        """L2-normalised float32 embeddings of ``images``, one row each (a torch tensor)."""
        torch = import_torch()
        self.load()
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
