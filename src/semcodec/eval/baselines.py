"""Classical image codecs as baselines: JPEG, WebP, AVIF and JPEG XL through imagecodecs.

One small ``Codec`` class per format (after CompressAI's ``utils/bench/codecs.py``), all driven by
an integer quality (imagecodecs' ``level``, higher is better). Each can run at its **lowest
setting** (the smallest quality; effort at the reference encoder's default: cjpeg, cwebp method 4,
avifenc speed 6, cjxl effort 7) or **rate-matched**:
bisection over the quality for the highest quality whose whole file does not exceed a target bpp
(after CompressAI's ``find_close``). The rate counts every byte of the encoded file, headers
included, as semcodec's own rate does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any, ClassVar

import numpy as np

from ..errors import InputError, SemcodecError


class CodecUnavailable(SemcodecError):
    """A codec is missing from the installed imagecodecs build; the message says so."""


@dataclass(frozen=True)
class Encoded:
    """One encoding of one image: the file bytes, its decoded pixels, its rate and the quality used."""

    codec: str
    quality: int
    data: bytes
    decoded: np.ndarray

    @property
    def nbytes(self) -> int:
        return len(self.data)

    @property
    def bpp(self) -> float:
        """Bits per pixel of the whole file."""
        h, w = self.decoded.shape[:2]
        return 8 * len(self.data) / (h * w)


class Codec:
    """A classical codec at an integer quality in ``quality_range`` (inclusive; higher is better)."""

    name: ClassVar[str]
    description: ClassVar[str]
    quality_range: ClassVar[tuple[int, int]]
    _codec: ClassVar[str]  # the imagecodecs codec name: JPEG8, WEBP, AVIF, JPEGXL
    options: ClassVar[dict[str, Any]] = {}  # fixed encoder options besides the quality

    def __init__(self) -> None:
        from ..deps import require

        imagecodecs = require("imagecodecs", "eval", "The classical codecs")

        codec = getattr(imagecodecs, self._codec, None)
        if codec is None or not codec.available:
            raise CodecUnavailable(f"{self.name} is not in this imagecodecs build; install a full imagecodecs wheel to use it.")
        self._ic = imagecodecs

    def encode(self, image: np.ndarray, quality: int) -> bytes:
        """Encode RGB uint8 HxWx3 at ``quality``."""
        return bytes(getattr(self._ic, f"{self._codec.lower()}_encode")(np.ascontiguousarray(image), level=quality, **self.options))

    def decode(self, data: bytes) -> np.ndarray:
        """Decode to RGB uint8 HxWx3."""
        out = np.asarray(getattr(self._ic, f"{self._codec.lower()}_decode")(data))
        return out[..., :3] if out.ndim == 3 else np.repeat(out[..., None], 3, axis=2)

    def run(self, image: np.ndarray, quality: int) -> Encoded:
        """Encode and decode ``image`` at ``quality``."""
        lo, hi = self.quality_range
        if not lo <= quality <= hi:
            raise InputError(f"{self.name} quality must be in {lo}..{hi}, got {quality}.")
        data = self.encode(image, quality)
        return Encoded(self.name, quality, data, self.decode(data))

    def lowest(self, image: np.ndarray) -> Encoded:
        """The codec at its lowest quality setting: its smallest file at default effort."""
        return self.run(image, self.quality_range[0])

    def at_bpp(self, image: np.ndarray, target_bpp: float) -> Encoded:
        """Rate-matched: the highest quality whose bpp does not exceed ``target_bpp`` (bisection,
        assuming rate grows with quality). If even the lowest setting exceeds it, that is returned;
        callers compare ``bpp`` with the target."""
        lo, hi = self.quality_range
        best = self.run(image, lo)
        if best.bpp > target_bpp:
            return best
        lo += 1
        while lo <= hi:
            mid = (lo + hi) // 2
            enc = self.run(image, mid)
            if enc.bpp <= target_bpp:
                best, lo = enc, mid + 1
            else:
                hi = mid - 1
        return best

    def describe(self) -> dict[str, Any]:
        """Library versions and fixed settings, for results' meta."""
        return {
            "codec": self.name,
            "description": self.description,
            "library": "imagecodecs",
            "version": metadata.version("imagecodecs"),
            "encoder": getattr(self._ic, f"{self._codec.lower()}_version")(),
            "quality_range": list(self.quality_range),
            "options": dict(self.options),
        }


class Jpeg(Codec):
    name, description, _codec = "jpeg", "JPEG (libjpeg-turbo)", "JPEG8"
    quality_range = (1, 100)  # libjpeg clamps quality 0 to 1


class WebP(Codec):
    name, description, _codec = "webp", "WebP lossy (libwebp)", "WEBP"
    quality_range = (0, 100)
    options = {"lossless": False}  # imagecodecs' default here is lossless


class Avif(Codec):
    name, description, _codec = "avif", "AVIF (libavif)", "AVIF"
    quality_range = (0, 99)  # 100 is lossless
    # avifenc's default speed. imagecodecs defaults to speed 0, about 40x slower on Kodak for
    # files about 6% smaller at the lowest quality (kodim23: 3030 against 3221 bytes).
    options = {"speed": 6}


class JpegXl(Codec):
    name, description, _codec = "jxl", "JPEG XL (libjxl)", "JPEGXL"
    quality_range = (0, 99)  # quality 0 is distance 25, libjxl's largest


#: name -> codec class.
CODECS: dict[str, Callable[[], Codec]] = {"jpeg": Jpeg, "webp": WebP, "avif": Avif, "jxl": JpegXl}


def get_codec(name: str) -> Codec:
    """A codec by name; ``CodecUnavailable`` if the installed library lacks it."""
    try:
        factory = CODECS[name.lower()]
    except KeyError:
        raise InputError(f"unknown codec {name!r}; choose from {', '.join(CODECS)}.") from None
    try:
        return factory()
    except ImportError:
        raise CodecUnavailable(f"{name} needs imagecodecs (pip install imagecodecs).") from None


def lowest_files(image: np.ndarray, names: tuple[str, ...] | list[str]) -> tuple[list[Encoded], list[str]]:
    """Each named codec at its lowest setting on ``image`` (its smallest file), and a note for
    each codec the installed imagecodecs lacks."""
    out, notes = [], []
    for name in names:
        try:
            out.append(get_codec(name).lowest(image))
        except CodecUnavailable as e:
            notes.append(str(e))
    return out, notes
