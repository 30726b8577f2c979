"""Image quality metrics, each computed by a well-kept library (never re-implemented here).

Two kinds: an ``ImageMetric`` scores one (reference, distorted) pair; a ``DistributionMetric``
(FID, KID) accumulates pairs and scores the two sets of patches at the end. Every metric says in
``describe()`` which library, version and weights computed it; results record that in their meta.
A metric that needs weights or a package that is not installed raises ``MetricUnavailable`` with
a note naming what to install; callers skip it and keep the note.

Images are RGB uint8 arrays HxWx3 (or PIL images) of the same size: semcodec always decodes at
the original size, so a size mismatch is an error, never a silent resize.

PSNR is over all three channels with a peak of 255; identical images have an infinite PSNR, which
is capped at ``PSNR_CAP`` = 100 dB so that results stay finite and valid JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any, ClassVar

import numpy as np

from ..errors import InputError, SemcodecError

PSNR_CAP = 100.0

ImageLike = Any  # np.ndarray (uint8 HxWx3) or PIL.Image.Image


class MetricUnavailable(SemcodecError):
    """A metric cannot run here (a package or pretrained weights are missing); the message says what to install."""


def as_array(image: ImageLike) -> np.ndarray:
    """An RGB uint8 HxWx3 array from an array or a PIL image."""
    arr = np.asarray(image.convert("RGB") if hasattr(image, "convert") else image)
    if arr.dtype != np.uint8 or arr.ndim != 3 or arr.shape[2] != 3:
        raise InputError(f"expected an RGB uint8 image of shape HxWx3, got {arr.dtype} {arr.shape}.")
    return arr


def _pair(reference: ImageLike, distorted: ImageLike) -> tuple[np.ndarray, np.ndarray]:
    ref, dist = as_array(reference), as_array(distorted)
    if ref.shape != dist.shape:
        raise InputError(
            f"cannot compare images of different sizes ({ref.shape[1]}x{ref.shape[0]} and "
            f"{dist.shape[1]}x{dist.shape[0]}); a decoded image must have the original's size."
        )
    return ref, dist


def _tensor(arr: np.ndarray) -> Any:
    """uint8 HxWx3 -> float32 1x3xHxW in [0, 255]."""
    import torch

    return torch.from_numpy(np.ascontiguousarray(arr)).permute(2, 0, 1).unsqueeze(0).float()


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


class Metric:
    """Common identity of a metric: a name, whether higher is better, and where its numbers come from."""

    name: ClassVar[str]
    higher_is_better: ClassVar[bool]
    library: ClassVar[str]
    #: Libraries of the ``eval`` extra it imports (a missing one is an error before any work;
    #: missing weights or extra packages such as torchvision make it skip with a note instead).
    requires: ClassVar[tuple[str, ...]] = ("torch", "torchmetrics")
    weights: str | None = None

    def describe(self) -> dict[str, Any]:
        """Library, version and weights that compute this metric (for results' meta)."""
        return {"name": self.name, "library": self.library, "version": _version(self.library),
                "weights": self.weights, "higher_is_better": self.higher_is_better}


class ImageMetric(Metric):
    """A metric of one image pair."""

    def __call__(self, reference: ImageLike, distorted: ImageLike) -> float:
        ref, dist = _pair(reference, distorted)
        return float(self._score(ref, dist))

    def _score(self, ref: np.ndarray, dist: np.ndarray) -> float:
        raise NotImplementedError


class DistributionMetric(Metric):
    """A metric of two image distributions, fed pair by pair, computed once at the end."""

    def reset(self) -> None:
        raise NotImplementedError

    def update(self, reference: ImageLike, distorted: ImageLike) -> None:
        raise NotImplementedError

    def compute(self) -> float:
        raise NotImplementedError


class Psnr(ImageMetric):
    """PSNR in dB over RGB, peak 255 (torchmetrics); capped at ``PSNR_CAP`` for identical images."""

    name, higher_is_better, library = "psnr", True, "torchmetrics"

    def _score(self, ref: np.ndarray, dist: np.ndarray) -> float:
        from torchmetrics.functional.image import peak_signal_noise_ratio

        value = float(peak_signal_noise_ratio(_tensor(dist), _tensor(ref), data_range=255.0))
        return min(value, PSNR_CAP)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "data_range": 255, "channels": "RGB", "cap_db": PSNR_CAP}


class MsSsim(ImageMetric):
    """MS-SSIM on RGB with the standard 5 scales and 11x11 Gaussian window (torchmetrics)."""

    name, higher_is_better, library = "ms-ssim", True, "torchmetrics"
    MIN_SIDE = 161  # the 11-pixel window must fit at the 5th scale (1/16 size)

    def _score(self, ref: np.ndarray, dist: np.ndarray) -> float:
        from torchmetrics.functional.image import multiscale_structural_similarity_index_measure as ms_ssim

        if min(ref.shape[:2]) < self.MIN_SIDE:
            raise InputError(f"MS-SSIM needs images at least {self.MIN_SIDE} pixels on each side, got {ref.shape[1]}x{ref.shape[0]}.")
        return float(ms_ssim(_tensor(dist), _tensor(ref), data_range=255.0))


class Lpips(ImageMetric):
    """LPIPS (AlexNet, v0.1) through torchmetrics; needs torchvision and the pretrained weights."""

    name, higher_is_better, library = "lpips", False, "torchmetrics"
    weights = "torchvision alexnet (IMAGENET1K_V1) + LPIPS v0.1 linear layers"

    def __init__(self) -> None:
        try:
            from torchmetrics.image.lpip import LearnedPerceptualImagePatchSimilarity

            self._net = LearnedPerceptualImagePatchSimilarity(net_type="alex", normalize=True)
        except Exception as e:  # missing torchvision, or weights not downloadable here
            raise MetricUnavailable(
                "LPIPS is unavailable: it needs torchvision (pip install torchvision -c constraints.txt) and the "
                f"pretrained AlexNet weights in the torch hub cache ({type(e).__name__})."
            ) from None

    def _score(self, ref: np.ndarray, dist: np.ndarray) -> float:
        import torch

        with torch.no_grad():
            return float(self._net(_tensor(dist) / 255.0, _tensor(ref) / 255.0))


class Dists(ImageMetric):
    """DISTS through piq; needs piq, torchvision and the pretrained VGG16 + DISTS weights."""

    name, higher_is_better, library = "dists", False, "piq"
    requires = ("torch",)
    weights = "torchvision vgg16 (IMAGENET1K_V1) + DISTS alpha/beta (piq release)"

    def __init__(self) -> None:
        try:
            import piq

            self._net = piq.DISTS()
        except Exception as e:
            raise MetricUnavailable(
                "DISTS is unavailable: it needs piq and torchvision (pip install piq torchvision -c constraints.txt) "
                f"and their pretrained weights in the torch hub cache ({type(e).__name__})."
            ) from None

    def _score(self, ref: np.ndarray, dist: np.ndarray) -> float:
        import torch

        with torch.no_grad():
            return float(self._net(_tensor(dist) / 255.0, _tensor(ref) / 255.0))


class ClipSimilarity(ImageMetric):
    """Cosine similarity of CLIP image embeddings.

    The embedding and the cosine are the search's CLIP judge (``models.judges.embedding.ClipJudge``:
    transformers ``AutoModel`` + the checkpoint's own image processor), so a metric value and a
    judge score of the same model agree; the metric pins float32 for reproducible numbers.
    ``model`` is a Hugging Face model id or a local directory saved with ``save_pretrained``.
    """

    name, higher_is_better, library = "clip", True, "transformers"
    requires = ("torch", "transformers")
    DEFAULT_MODEL = "openai/clip-vit-base-patch32"

    def __init__(self, model: str | None = None, device: str | None = None) -> None:
        from ..models.registry import load

        self.weights = model or self.DEFAULT_MODEL
        try:
            self._judge = load("judge", f"clip:{self.weights}", device=device or "auto", dtype="float32")
        except Exception as e:  # a BackendError naming the missing model, or a missing library
            raise MetricUnavailable(
                f"CLIP similarity is unavailable: could not load {self.weights} with transformers "
                f"({type(e).__name__}); download it or pass a local model directory."
            ) from None

    def embed(self, image: ImageLike) -> Any:
        """The L2-normalised CLIP embedding of one image (a 1-D torch tensor)."""
        from PIL import Image

        return self._judge.embed([Image.fromarray(as_array(image))])[0]

    def _score(self, ref: np.ndarray, dist: np.ndarray) -> float:
        from PIL import Image

        return self._judge.score(Image.fromarray(ref), Image.fromarray(dist))


def extract_patches(image: np.ndarray, size: int) -> np.ndarray:
    """HiFiC's FID/N patches: a grid of non-overlapping ``size`` patches, plus the grid shifted by
    ``size // 2`` in both directions. Returns an array Nx size x size x3 (N may be 0)."""
    h, w = image.shape[:2]
    out = []
    for off in (0, size // 2):
        for y in range(off, h - size + 1, size):
            for x in range(off, w - size + 1, size):
                out.append(image[y:y + size, x:x + size])
    return np.stack(out) if out else np.zeros((0, size, size, 3), np.uint8)


class _PatchMetric(DistributionMetric):
    """FID or KID (torchmetrics) over HiFiC-style patches of every reference/distorted pair.

    ``feature`` is a custom feature extractor (a torch module taking uint8 Nx3xHxW); without one,
    torchmetrics' Inception-v3 (torch-fidelity, FID weights) is used.
    """

    library = "torchmetrics"

    def __init__(self, patch: int = 256, feature: Any = None) -> None:
        self.patch = patch
        self.weights = "custom feature extractor" if feature is not None else "torch-fidelity inception-v3-compat (pt_inception-2015-12-05)"
        try:
            self._metric = self._build(2048 if feature is None else feature)
        except Exception as e:
            raise MetricUnavailable(
                f"{self.name.upper()} is unavailable: the Inception network needs torch-fidelity "
                f"(pip install torch-fidelity -c constraints.txt) and its weights ({type(e).__name__})."
            ) from None
        self.count = 0

    def _build(self, feature: Any) -> Any:
        raise NotImplementedError

    def reset(self) -> None:
        self._metric.reset()
        self.count = 0

    def update(self, reference: ImageLike, distorted: ImageLike) -> None:
        import torch

        ref, dist = _pair(reference, distorted)
        for arr, real in ((ref, True), (dist, False)):
            p = extract_patches(arr, self.patch)
            if len(p):
                self._metric.update(torch.from_numpy(p).permute(0, 3, 1, 2).contiguous(), real=real)
        self.count += len(extract_patches(ref, self.patch))

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "patch": self.patch, "patch_convention": "HiFiC FID/N: grid + grid shifted by N/2"}


class PatchFid(_PatchMetric):
    """FID over patches (HiFiC's FID/256; Kodak uses 64-pixel patches)."""

    name, higher_is_better = "fid", False

    def _build(self, feature: Any) -> Any:
        from torchmetrics.image.fid import FrechetInceptionDistance

        return FrechetInceptionDistance(feature=feature, reset_real_features=True)

    def compute(self) -> float:
        if self.count < 2:
            raise InputError(f"FID needs at least 2 patches of {self.patch} pixels; the images are too small or too few.")
        return float(self._metric.compute())


class PatchKid(_PatchMetric):
    """KID (mean over subsets) over patches, with the subset size capped by the number of patches."""

    name, higher_is_better = "kid", False

    def _build(self, feature: Any) -> Any:
        import warnings

        from torchmetrics.image.kid import KernelInceptionDistance

        with warnings.catch_warnings():  # it warns that it keeps all features: known, and small at patch counts
            warnings.simplefilter("ignore", UserWarning)
            return KernelInceptionDistance(feature=feature, subset_size=1000, reset_real_features=True)

    def compute(self) -> float:
        if self.count < 2:
            raise InputError(f"KID needs at least 2 patches of {self.patch} pixels; the images are too small or too few.")
        self._metric.subset_size = min(1000, self.count)
        mean, _std = self._metric.compute()
        return float(mean)


#: name -> constructor. Options (``model`` for clip; ``patch``, ``feature`` for fid/kid) are passed through.
METRICS: dict[str, Callable[..., Metric]] = {
    "psnr": Psnr,
    "ms-ssim": MsSsim,
    "lpips": Lpips,
    "dists": Dists,
    "clip": ClipSimilarity,
    "fid": PatchFid,
    "kid": PatchKid,
}


def check_installed(names: Sequence[str]) -> None:
    """InputError for an unknown metric name, MissingDependency (naming the ``eval`` extra) for a
    metric whose libraries are not installed; imports nothing, so callers check before working."""
    from ..deps import check

    for name in names:
        if name.lower() not in METRICS:
            raise InputError(f"unknown metric {name!r}; choose from {', '.join(METRICS)}.", params=("metrics",))
        check(METRICS[name.lower()].requires, "eval", f"The {name.lower()} metric")  # type: ignore[attr-defined]


def get_metric(name: str, **options: Any) -> Metric:
    """Build a metric by name; raises ``MetricUnavailable`` (with a note) if it cannot run here."""
    check_installed([name])
    return METRICS[name.lower()](**options)
