"""Local text-to-image models through diffusers (``diffusers:ORG/NAME``, ``diffusers:/local/dir``).

The pipeline is built with ``AutoPipelineForText2Image`` (``DiffusionPipeline`` for pipelines it
does not know). Everything that changes the pixels is an option, so that a generator profile can
pin it and a decoder can reproduce the encoder's image: steps, guidance, scheduler class, dtype.
Generation is seeded with a ``torch.Generator``, so the same (prompt, size, seed) gives the same
pixels on the same hardware, software and settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from ...deps import require
from ...errors import BackendError
from ..local import (
    LocalOptions,
    dtype_kwarg,
    friendly_load_errors,
    friendly_run_errors,
    model_location,
    progress_bars,
    resolve_device,
    resolve_dtype,
)
from ..base import Backend

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from ..registry import Spec


class DiffusersOptions(LocalOptions):
    """Decoding settings of a diffusers pipeline (None: the pipeline's own default)."""

    steps: int | None = Field(None, ge=1, le=1000)
    guidance: float | None = Field(None, ge=0.0)
    #: Scheduler class name from diffusers (e.g. ``EulerDiscreteScheduler``), built from the
    #: pipeline's scheduler config; None keeps the checkpoint's scheduler.
    scheduler: str | None = None
    #: Weight file variant to load (e.g. ``fp16``: half the download), None: the default files.
    variant: str | None = None
    #: Negative prompt for pipelines that take one.
    negative_prompt: str | None = None
    #: Width and height are rounded to a multiple of this; None: from the pipeline (its VAE
    #: scale factor, at least 8, doubled for transformer models that pack 2x2 latent patches).
    size_multiple: int | None = Field(None, ge=1)
    #: Move each sub-model to the GPU only while it runs (small GPUs; needs accelerate).
    cpu_offload: bool = False


class DiffusersGenerator(Backend):
    """A seeded text-to-image pipeline."""

    provider = "diffusers"
    roles = frozenset({"generator"})
    requires = ("torch", "diffusers", "transformers")
    Options = DiffusersOptions
    deterministic = True

    def __init__(self, model_id: str, revision: str | None, options: DiffusersOptions) -> None:
        super().__init__(model_id, revision, options)
        self.device = resolve_device(options.device)
        self.dtype = resolve_dtype(options.dtype, self.device)
        with friendly_load_errors(model_id, revision), progress_bars(options.progress):
            self.pipe = self._load(model_location(model_id, revision))
        self.pipe.set_progress_bar_config(disable=not options.progress, leave=False)  # gone once done

    def _load(self, location: str) -> Any:
        diffusers = require("diffusers", "hf", "The diffusers backend")

        kwargs: dict[str, Any] = {"revision": self.revision, **dtype_kwarg("diffusers", self.dtype)}
        if self.options.variant:
            kwargs["variant"] = self.options.variant
        try:
            pipe = diffusers.AutoPipelineForText2Image.from_pretrained(location, **kwargs)
        except ValueError:  # a pipeline class AutoPipeline has no text-to-image mapping for
            pipe = diffusers.DiffusionPipeline.from_pretrained(location, **kwargs)
        if self.options.scheduler:
            cls = getattr(diffusers, self.options.scheduler, None)
            if cls is None or not hasattr(cls, "from_config"):
                raise BackendError(f"diffusers has no scheduler named {self.options.scheduler!r}; use a class name such as EulerDiscreteScheduler.")
            pipe.scheduler = cls.from_config(pipe.scheduler.config)
        if self.options.cpu_offload and self.device != "cpu":
            pipe.enable_model_cpu_offload(device=self.device)
        else:
            pipe.to(self.device)
        return pipe

    @property
    def size_multiple(self) -> int:
        """The multiple that width and height are rounded to."""
        if self.options.size_multiple:
            return self.options.size_multiple
        # Pipelines check multiples of 8 even where the VAE scales by less (tiny test models).
        factor = max(8, int(getattr(self.pipe, "vae_scale_factor", 8) or 8))
        return factor * 2 if getattr(self.pipe, "transformer", None) is not None else factor

    def snap(self, width: int, height: int) -> tuple[int, int]:
        """``width`` x ``height`` rounded (half up) to the nearest multiple the model accepts."""
        m = self.size_multiple
        return max(m, (width + m // 2) // m * m), max(m, (height + m // 2) // m * m)

    def generate(self, prompt: str, width: int, height: int, seed: int) -> Image.Image:
        """Render ``prompt`` at the snapped size under ``seed``."""
        import torch

        width, height = self.snap(width, height)
        # A CPU generator on MPS: MPS random streams are not reproducible across runs.
        gen_device = "cpu" if self.device.startswith("mps") else self.device
        call: dict[str, Any] = {
            "prompt": prompt,
            "width": width,
            "height": height,
            "generator": torch.Generator(device=gen_device).manual_seed(seed),
            "output_type": "pil",
        }
        for name, value in (("num_inference_steps", self.options.steps), ("guidance_scale", self.options.guidance),
                            ("negative_prompt", self.options.negative_prompt)):
            if value is not None:
                call[name] = value
        with friendly_run_errors(self.model_id), torch.inference_mode():
            image = self.pipe(**call).images[0]
        return image.convert("RGB")


def backend_class(role: str, spec: Spec) -> type[Backend] | None:
    """diffusers models only generate."""
    return DiffusersGenerator if role == "generator" else None
