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
    """torch, or a BackendError naming the extra to install."""
    try:
        import torch
    except ImportError as e:
        raise BackendError("model judges need torch and transformers: pip install 'semcodec[hf]'") from e
    return torch


def pick_device(device: str | None = None) -> str:
    """The device for a judge's model (the backends' rule: CUDA, then MPS, then CPU)."""
    import_torch()
    from ..backends._local import resolve_device

    return resolve_device(device or "auto")


def pick_dtype(dtype: str | None, device: str) -> Any:
    """The torch dtype for a judge's model (the backends' rule: half precision on GPUs)."""
    import_torch()
    from ..backends._local import resolve_dtype

    return resolve_dtype(dtype or "auto", device)


def load_pretrained(model_id: str, load: Callable[[], T]) -> T:
    """Run a judge model's ``from_pretrained`` call with the backends' checks and
    one-sentence errors (missing directory, not cached and the Hub unreachable, gated...)."""
    from ..backends._local import friendly_load_errors, model_location

    with friendly_load_errors(model_id, None):
        model_location(model_id)
        return load()


def load_local(model_id: str, preprocessor: str, device: str | None, dtype: str | None) -> tuple[Any, Any, str, Any]:
    """A judge's transformers model: (preprocessor, model in eval mode, device, dtype).

    ``preprocessor`` names the transformers Auto class that reads the inputs
    (``AutoImageProcessor``, ``AutoTokenizer``).
    """
    device_ = pick_device(device)
    dtype_ = pick_dtype(dtype, device_)
    import transformers

    pre_cls = getattr(transformers, preprocessor)
    pre = load_pretrained(model_id, lambda: pre_cls.from_pretrained(model_id))
    model = load_pretrained(model_id, lambda: transformers.AutoModel.from_pretrained(model_id))
    return pre, model.to(device_, dtype=dtype_).eval(), device_, dtype_


class LocalModel:
    """A judge's transformers model and its preprocessor, loaded on first use (``load``).

    Subclasses name the preprocessor's Auto class in ``preprocessor``.
    """

    preprocessor = "AutoImageProcessor"

    def __init__(self, model_id: str, *, device: str | None = None, dtype: str | None = None) -> None:
        self.model_id = model_id
        self._device_arg = device
        self._dtype_arg = dtype
        self.device: str | None = None
        self.dtype: Any = None
        self._model: Any = None
        self._pre: Any = None

    def load(self):
        """Load the model and its preprocessor now (otherwise on first use); returns self."""
        if self._model is None:
            self._pre, self._model, self.device, self.dtype = load_local(
                self.model_id, self.preprocessor, self._device_arg, self._dtype_arg
            )
        return self


def first_line(error: BaseException) -> str:
    """The first line of an exception's message (libraries' messages run to paragraphs)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
