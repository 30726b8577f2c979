"""What the local models (``hf``, ``diffusers``, the embedding judges) share: device and dtype
choice, turning Hub/loading failures into one sentence a user can act on, and loading a
transformers model with its preprocessor."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Iterator, Literal

from pydantic import field_validator

from ..deps import require
from ..errors import BackendError, SemcodecError
from .base import BackendOptions
from .registry import is_local_path

DTypeName = Literal["auto", "float32", "float16", "bfloat16"]


class LocalOptions(BackendOptions):
    """Options every local model has."""

    NOT_IN_CACHE_KEY = frozenset({"progress"})
    TRANSPORT = frozenset({"device", "progress", "cpu_offload"})

    #: ``auto`` (CUDA, then MPS, then CPU), or a torch device string such as ``cuda:1``.
    device: str = "auto"
    #: ``auto``: bfloat16 on CUDA when supported else float16, float16 on MPS, float32 on CPU.
    dtype: DTypeName = "auto"
    #: Show the libraries' progress bars (loading weights, denoising steps).
    progress: bool = False

    @field_validator("device")
    @classmethod
    def _device_name(cls, v: str) -> str:
        if v.split(":")[0] not in ("auto", "cpu", "cuda", "mps", "xpu"):
            raise ValueError("device must be auto, cpu, cuda[:N], mps or xpu")
        return v


def import_torch() -> Any:
    """torch, or a MissingDependency naming the extra to install."""
    return require("torch", "hf", "Running a local model")


def resolve_device(name: str) -> str:
    """The torch device for an option value; an unavailable CUDA/MPS is a BackendError."""
    torch = import_torch()

    if name == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    kind = name.split(":")[0]
    if kind == "cuda" and not torch.cuda.is_available():
        raise BackendError("device 'cuda' was asked for but torch sees no CUDA GPU; use device cpu or install a CUDA build of torch.",
                           params=("device",))
    if kind == "mps" and not torch.backends.mps.is_available():
        raise BackendError("device 'mps' was asked for but it is not available; use device cpu.", params=("device",))
    return name


def resolve_dtype(name: str, device: str) -> Any:
    """The torch dtype for an option value on ``device`` (see ``LocalOptions.dtype``)."""
    torch = import_torch()

    if name != "auto":
        return getattr(torch, name)
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.startswith("mps"):
        return torch.float16
    return torch.float32


#: First releases whose from_pretrained takes ``dtype`` (before: ``torch_dtype``, which now warns).
_DTYPE_KWARG_SINCE = {"transformers": "4.56", "diffusers": "0.42"}


def dtype_kwarg(library: str, dtype: Any) -> dict[str, Any]:
    """``{"dtype": dtype}`` for from_pretrained of ``library``, spelled as its version expects."""
    import importlib

    Version = require("packaging.version", "hf", "Loading a local model").Version

    version = Version(importlib.import_module(library).__version__)
    name = "dtype" if version >= Version(_DTYPE_KWARG_SINCE[library]) else "torch_dtype"
    return {name: dtype}


def _in_hf_cache(model: str, revision: str | None) -> bool:
    """Whether the HF cache holds this model's config (transformers) or model index (diffusers)."""
    try_to_load_from_cache = require("huggingface_hub", "hf", "Loading a Hugging Face model").try_to_load_from_cache

    return any(
        isinstance(try_to_load_from_cache(model, name, revision=revision), str)
        for name in ("config.json", "model_index.json")
    )


def _check_hub_reachable(model: str, revision: str | None) -> None:
    """Fail at once, in one sentence, when a model must be downloaded and the Hub cannot be reached.

    Without this check huggingface_hub retries every file with back-off, which takes minutes to
    end in the same error.
    """
    import socket
    from urllib.parse import urlparse

    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on") or _in_hf_cache(model, revision):
        return  # offline mode fails fast by itself; a cached model needs no network
    constants = require("huggingface_hub.constants", "hf", "Loading a Hugging Face model")

    url = urlparse(constants.ENDPOINT)
    try:
        socket.create_connection((url.hostname, url.port or (443 if url.scheme == "https" else 80)), timeout=5).close()
    except OSError as e:
        raise BackendError(
            f"Model {model} is not in the Hugging Face cache and the Hub ({url.hostname}) cannot be reached "
            f"({e.strerror or e}); connect to the internet once to download it (`hf download {model}`), "
            "or set HF_HOME to a cache that has it."
        ) from None


def model_location(model: str, revision: str | None = None) -> str:
    """A Hub id unchanged (after checking it is cached or the Hub is reachable), or a local path
    made absolute; a missing directory or an unreachable Hub is a BackendError."""
    if not is_local_path(model):
        _check_hub_reachable(model, revision)
        return model
    path = Path(model).expanduser().resolve()
    if not path.is_dir():
        raise BackendError(f"Model directory {path} does not exist; give the directory a model was saved to with save_pretrained.")
    return str(path)


@contextlib.contextmanager
def friendly_load_errors(model: str, revision: str | None) -> Iterator[None]:
    """Turn failures while loading ``model`` into one BackendError sentence.

    The usual causes: the model is not in the Hugging Face cache and the Hub is offline or
    unreachable, the name or revision is wrong, the repository is gated, or the files are not a
    model of the expected kind.
    """
    try:
        yield
    except SemcodecError:  # already one sentence (a BackendError, a missing library)
        raise
    except Exception as e:  # the Hub, transformers and diffusers raise many unrelated types
        name = type(e).__name__
        where = f"{model}@{revision}" if revision else model
        if "OutOfMemory" in name:
            msg = f"Out of memory while loading model {where}; use dtype float16, cpu offload, or a smaller model."
        elif is_local_path(model):
            msg = f"Could not load the model in {model} ({name}); check it holds a complete model saved with save_pretrained."
        elif "Gated" in name or "401" in str(e) or "403" in str(e):
            msg = f"Model {where} is gated on the Hugging Face Hub; accept its licence on the model page and log in with `hf auth login`."
        elif "RevisionNotFound" in name:
            msg = f"Revision {revision!r} of model {model} does not exist on the Hugging Face Hub; check the revision."
        elif "RepositoryNotFound" in name:
            msg = f"Model {model} does not exist on the Hugging Face Hub; check the name."
        elif isinstance(e, OSError):
            offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")
            why = "HF_HUB_OFFLINE is set" if offline else "the Hub could not be reached or the files are incomplete"
            msg = (
                f"Model {where} is not in the Hugging Face cache and {why}; download it with "
                f"`hf download {model}` (online), or set HF_HOME to a cache that has it."
            )
        else:
            first = (str(e).strip().splitlines() or [""])[0][:200]
            msg = f"Could not load model {where} ({name}: {first}); check that it is a model of the right kind."
        raise BackendError(msg) from e


@contextlib.contextmanager
def friendly_run_errors(model: str) -> Iterator[None]:
    """Turn a failure while running ``model`` (out of memory, a kernel error) into a BackendError."""
    try:
        yield
    except SemcodecError:
        raise
    except Exception as e:
        name = type(e).__name__
        if "OutOfMemory" in name:
            raise BackendError(f"Out of memory while running model {model}; use a smaller size, dtype float16, cpu offload, or a smaller model.") from e
        first = (str(e).strip().splitlines() or [""])[0][:200]
        raise BackendError(f"Model {model} failed while running ({name}: {first}).") from e


@contextlib.contextmanager
def progress_bars(show: bool) -> Iterator[None]:
    """Hide transformers' and diffusers' progress bars for the duration, unless ``show``."""
    import importlib

    toggles = []
    if not show:
        for name in ("transformers.utils.logging", "diffusers.utils.logging"):
            try:
                mod = importlib.import_module(name)
            except ImportError:
                continue
            if mod.is_progress_bar_enabled():
                mod.disable_progress_bar()
                toggles.append(mod)
    try:
        yield
    finally:
        for mod in toggles:
            mod.enable_progress_bar()


def load_transformers(model_id: str, preprocessor: str, device: str, dtype: str,
                      progress: bool = False) -> tuple[Any, Any, str, Any]:
    """A transformers ``AutoModel`` and its preprocessor (the Auto class named by
    ``preprocessor``: ``AutoImageProcessor``, ``AutoTokenizer``), with the backends' checks and
    one-sentence errors: (preprocessor, model in eval mode, device, torch dtype). ``progress``:
    show the download and loading bars."""
    device_ = resolve_device(device)
    dtype_ = resolve_dtype(dtype, device_)
    transformers = require("transformers", "hf", "Loading a transformers model")
    with friendly_load_errors(model_id, None), progress_bars(progress):
        location = model_location(model_id)
        pre = getattr(transformers, preprocessor).from_pretrained(location)
        model = transformers.AutoModel.from_pretrained(location)
    return pre, model.to(device_, dtype=dtype_).eval(), device_, dtype_
