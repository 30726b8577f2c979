"""What the server does with a request, as plain functions over a ``ModelSet``: load an upload
within the limits, encode, decode, inspect, and put together the demo's result.

They run on the model thread (``jobs.Worker``) and return JSON-ready values; the routes only
parse requests and shape responses. Uploaded images go through ``imageio.load_image``, the loader
the command line uses, with the server's pixel limit.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..codec import Encoded
    from ..pipeline import ModelSet
    from ..pipeline.config import EncodeConfig
    from .jobs import Job
    from .settings import WebSettings

STATIC = Path(__file__).with_name("static")
#: The bundled example images (name -> file under static/examples).
EXAMPLES = {"lighthouse": "lighthouse.png"}


class UploadTooLarge(InputError):
    """A request body or file over the server's limit."""

    http_status = 413


def load_upload(data: bytes, name: str, max_pixels: int) -> Image:
    """An uploaded image file as RGB, through the command line's loader and its pixel limit."""
    from ..imageio import load_image

    if not data:
        raise InputError("the uploaded image is empty; choose an image file")
    stream = io.BytesIO(data)
    stream.name = Path(name or "upload").name[:80] or "upload"  # load_image names the file in its errors
    return load_image(stream, max_pixels=max_pixels)


def example_path(name: str) -> Path:
    """The file of a bundled example image, by name."""
    if name not in EXAMPLES:
        raise InputError(f"there is no example called {name!r}; choose one of {', '.join(EXAMPLES)}")
    return STATIC / "examples" / EXAMPLES[name]


def check_smc(data: bytes) -> bytes:
    """The bytes of an uploaded .smc file, refused when empty or too large to be one."""
    from ..limits import MAX_SMC_BYTES

    if not data:
        raise InputError("the uploaded .smc file is empty; choose a .smc file")
    if len(data) > MAX_SMC_BYTES:
        raise UploadTooLarge(f"the upload is {len(data)} bytes, far too large to be a .smc file")
    return data


def summary(enc: Encoded) -> dict[str, Any]:
    """``inspect``'s fields plus the generator profile's name and the coded (kept) text."""
    from ..models.profiles import PROFILES

    profile = PROFILES.get(enc.header.profile)
    return {**enc.summary(), "kept_text": enc.coded_text,
            "profile_name": profile.name if profile else "custom"}


def inspect_file(data: bytes) -> dict[str, Any]:
    """Header fields, text, bits and rate of a .smc file."""
    from ..codec import decompress

    return summary(decompress(check_smc(data)))


def encode_image(job: Job, models: ModelSet, image: Image | None, config: EncodeConfig,
                 text: str | None = None, size: tuple[int, int] | None = None) -> Any:
    """``pipeline.encode`` on the model thread."""
    from ..pipeline import encode

    job.progress("describing and coding" if text is None else "coding")
    return encode(models, image, config, text=text, size=size)


def decode_file(job: Job, models: ModelSet, data: bytes) -> Any:
    """``pipeline.decode`` on the model thread."""
    from ..pipeline import decode

    job.progress("generating")
    return decode(models, data)


def png_bytes(image: Image) -> bytes:
    from ..imageio import to_png_bytes

    return to_png_bytes(image)


def _preview(image: Any, side: int) -> dict[str, Any]:
    from ..eval.report import data_url

    w, h = image.size
    return {"url": data_url(image, side), "width": w, "height": h, "scaled": max(w, h) > side}


def floor_codecs(image: Image, side: int) -> tuple[list[dict[str, Any]], list[str]]:
    """The smallest JPEG and AVIF files of ``image`` (each codec at its lowest setting), with
    previews; and notes for the codecs this installation lacks."""
    import numpy as np

    from ..eval.baselines import lowest_files
    from ..eval.report import FLOOR_CODECS, data_url

    encodings, notes = lowest_files(np.asarray(image.convert("RGB")), FLOOR_CODECS)
    return [{"codec": enc.codec, "quality": enc.quality, "bytes": enc.nbytes, "bits": 8 * enc.nbytes, "bpp": enc.bpp,
             "ubpp": 1e6 * enc.bpp, "url": data_url(enc.decoded, side)} for enc in encodings], notes


def _candidates(result: Any, side: int) -> list[dict[str, Any]]:
    """The search's candidates as the trace page shows them: numbers, prompt and picture."""
    from ..eval.report import data_url

    return [{**c.record(), "chosen": i == result.chosen, "url": data_url(c.image, min(side, 256))}
            for i, c in enumerate(result.candidates)]


def demo(job: Job, models: ModelSet, image: Image, config: EncodeConfig, settings: WebSettings) -> dict[str, Any]:
    """Everything the demo page shows: encode, decode the file's bytes, the classical floor."""
    from ..pipeline import decode

    result = encode_image(job, models, image, config)
    enc = result.encoded
    job.progress("generating the decoded image")
    decoded = decode(models, enc.data)
    job.progress("encoding JPEG and AVIF for scale")
    baselines, notes = floor_codecs(image, settings.preview_side)
    side = settings.preview_side
    return {
        "summary": {**summary(enc), "description": result.description, "generator": result.profile.name},
        "smc": base64.b64encode(enc.data).decode("ascii"),
        "hex": enc.data.hex(),
        "original": _preview(image, side),
        "decoded": {**_preview(decoded.image, side), "prompt": decoded.prompt},
        "baselines": baselines,
        "notes": list(dict.fromkeys([*result.notes, *decoded.notes, *notes])),
        "search": None if result.search is None else {
            "judge": result.search.judge, "chosen": result.search.chosen,
            "candidates": _candidates(result.search, side)},
        "costs": {"encode": result.costs, "decode": decoded.costs},
    }
