"""The ``Judge`` protocol and what the model-backed judges share (device, dtype, loading).

A judge scores how close a candidate image is to the original (higher is closer); the encoder's
search keeps the candidate it scores best. Scores are only compared within one judge, never
across judges, so each judge keeps its natural scale (a cosine similarity, a 0-1 rating).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from ..errors import BackendError

if TYPE_CHECKING:
    from PIL.Image import Image

T = TypeVar("T")


@runtime_checkable
class Judge(Protocol):
    """Scores a candidate image against the original: higher is closer."""

    #: The kind of judge ("clip", "siglip", "text", "vlm", "fake").
    name: str
    #: The model it uses (a Hub id or a local directory).
    model_id: str

    def score(self, original: Image, candidate: Image) -> float:
        """Similarity of ``candidate`` to ``original``; higher is closer."""
        ...


@runtime_checkable
class SupportsScoreText(Judge, Protocol):
    """A judge that can also compare two descriptions directly."""

    def score_text(self, reference: str, candidate: str) -> float:
        """Similarity of two descriptions; higher is closer."""
        ...


def import_torch() -> Any:
    """``torch``, or a BackendError naming what to install."""
    try:
        import torch
    except ImportError as e:
        raise BackendError("this judge needs PyTorch and transformers: pip install 'semcodec[hf]'") from e
    return torch


def pick_device(device: str | None = None) -> str:
    """``device`` if given, else "cuda" when a CUDA GPU is available, else "cpu"."""
    if device:
        return device
    return "cuda" if import_torch().cuda.is_available() else "cpu"


def pick_dtype(dtype: str | None, device: str) -> Any:
    """The torch dtype named by ``dtype`` ("float32", "float16", "bfloat16"), else float16 on
    CUDA (similarity scores do not need more) and float32 elsewhere."""
    torch = import_torch()
    if dtype is None:
        return torch.float16 if device.startswith("cuda") else torch.float32
    value = getattr(torch, dtype, None)
    if not isinstance(value, torch.dtype):
        raise BackendError(f"unknown dtype {dtype!r}; use float32, float16 or bfloat16")
    return value


def load_pretrained(what: str, model_id: str, load: Callable[[], T]) -> T:
    """Run a ``from_pretrained`` call, turning its failures into one clear BackendError."""
    try:
        return load()
    except ImportError as e:
        raise BackendError(f"the {what} needs transformers: pip install 'semcodec[hf]' ({first_line(e)})") from e
    except (OSError, ValueError) as e:
        raise BackendError(
            f"could not load the {what} {model_id!r}: it is neither a local model directory nor a "
            f"model in the Hugging Face cache (set HF_HUB_OFFLINE=0 to download it): {first_line(e)}"
        ) from e


def first_line(error: BaseException) -> str:
    """The first line of an exception's message (libraries' messages run to paragraphs)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
