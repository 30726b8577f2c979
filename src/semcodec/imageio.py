"""Reading and writing images the way a codec's user expects.

``load_image`` turns whatever a user hands in (a phone JPEG rotated by EXIF, a palette GIF, a
transparent PNG, a 16-bit scan, a CMYK print file) into one 8-bit RGB image, refusing files that
would exhaust memory (decompression bombs). Every failure is an ``InputError`` with one sentence.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Union

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import InputError
from .limits import MAX_IMAGE_FILE_BYTES

#: Default limit on width x height, against decompression bombs (64 megapixels); the environment
#: variable SEMCODEC_MAX_PIXELS overrides it. It applies to every image semcodec loads, decodes
#: from an API's answer, renders for a .smc file or scales to a file's size.
DEFAULT_MAX_PIXELS = 64_000_000


def max_pixels_limit() -> int:
    """The pixel limit in force: ``$SEMCODEC_MAX_PIXELS`` or ``DEFAULT_MAX_PIXELS``."""
    value = os.environ.get("SEMCODEC_MAX_PIXELS", "")
    try:
        limit = int(value) if value else DEFAULT_MAX_PIXELS
    except ValueError:
        raise InputError(f"SEMCODEC_MAX_PIXELS must be a whole number of pixels, not {value!r}") from None
    if limit < 1:
        raise InputError(f"SEMCODEC_MAX_PIXELS must be a positive number of pixels, not {value!r}")
    return limit


def check_pixels(width: int, height: int, what: str, max_pixels: int | None | str = "default",
                 advice: str = "downscale it or raise SEMCODEC_MAX_PIXELS") -> None:
    """InputError when an image of ``width`` x ``height`` (``what``: "the file asks for an
    image of", "Image x.png is") exceeds the pixel limit; checked before any pixel is made."""
    if max_pixels == "default":
        max_pixels = max_pixels_limit()
    if max_pixels is not None and width * height > max_pixels:
        raise InputError(
            f"{what} {width}x{height} ({width * height:,} pixels), more than the limit of "
            f"{max_pixels:,} pixels; {advice}."
        )

PathOrFile = Union[str, os.PathLike, IO[bytes]]


def _name(src: PathOrFile) -> str:
    return os.fspath(src) if isinstance(src, (str, os.PathLike)) else getattr(src, "name", "<stream>")


def load_image(src: PathOrFile, max_pixels: int | None | str = "default") -> Image.Image:
    """Open an image file and return it as an upright 8-bit RGB image, fully loaded.

    - EXIF orientation is applied (the pixels come back as the photo is shown).
    - Transparency (RGBA, LA, palette with transparency) is composited on white.
    - 16-bit and 32-bit grey (I;16, I) are scaled to 8 bits; float (F) is clipped to 0..255.
    - CMYK and other modes are converted by Pillow.
    - ``max_pixels`` ("default": ``max_pixels_limit()``; None: no limit of ours) refuses larger
      images before decoding them;
      Pillow's own decompression-bomb guard (about 179 MP) applies as well.

    Raises ``InputError`` for a missing, unreadable, non-image, truncated or too large file.
    """
    name = _name(src)
    if max_pixels == "default":
        max_pixels = max_pixels_limit()
    if isinstance(src, (str, os.PathLike)):
        _check_image_file(name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(src) as img:
                check_pixels(*img.size, f"Image {name} is", max_pixels)
                img.load()
                return to_rgb(ImageOps.exif_transpose(img))
    except FileNotFoundError:
        raise InputError(f"Image file {name} does not exist; check the path.") from None
    except IsADirectoryError:
        raise InputError(f"{name} is a directory, not an image file; give the path of an image.") from None
    except PermissionError:
        raise InputError(f"Image file {name} cannot be read (permission denied); check its permissions.") from None
    except UnidentifiedImageError:
        raise InputError(f"{name} is not an image file Pillow can read; give a PNG, JPEG, WebP or similar.") from None
    except Image.DecompressionBombError:
        raise InputError(f"Image {name} is too large to decode safely (decompression bomb guard); downscale it.") from None
    except (OSError, SyntaxError, ValueError) as e:
        raise InputError(f"Image file {name} is damaged or truncated ({e}); re-export it.") from None


def _check_image_file(name: str) -> None:
    """InputError for a path that is not a regular file of at most MAX_IMAGE_FILE_BYTES (a FIFO
    would block Pillow, a device would never end); a missing path is left to ``Image.open``."""
    from .fileio import kind_of

    try:
        st = os.stat(name)
    except OSError:
        return
    kind = kind_of(st.st_mode)
    if kind == "a folder":
        raise InputError(f"{name} is a directory, not an image file; give the path of an image.")
    if kind is not None:
        raise InputError(f"{name} is {kind}, not a regular file; give the path of an image file.")
    if st.st_size > MAX_IMAGE_FILE_BYTES:
        raise InputError(f"Image file {name} is {st.st_size:,} bytes, more than the limit of {MAX_IMAGE_FILE_BYTES:,}.")


def to_rgb(img: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB (transparency on white, high bit depths scaled)."""
    if img.mode == "RGB":
        return img.copy()
    if img.mode.startswith("I") or img.mode == "F":
        # Pillow's I -> L conversion clips at 255; a 16-bit range must be scaled instead.
        import numpy as np

        a = np.asarray(img, dtype=np.float64)
        if img.mode != "F":
            a = a / 257.0
        return Image.fromarray(np.clip(np.rint(a), 0, 255).astype(np.uint8), "L").convert("RGB")
    has_alpha = img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        img.mode == "P" and "transparency" in img.info
    )
    if has_alpha:
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img.convert("RGB")


def save_image(img: Image.Image, path: str | os.PathLike, format: str | None = None, *,
               inputs: Sequence[str | os.PathLike | None] = (), text: dict[str, str] | None = None) -> None:
    """Write ``img`` to ``path`` (``-``: PNG on standard output) through ``fileio.write_output``
    (never a device or one of ``inputs``; atomically); the format comes from the extension
    unless ``format`` is given. ``text`` is written as PNG text chunks (other formats: not written).

    Raises ``InputError`` for an unknown extension or a path that cannot be written.
    """
    from .fileio import STDOUT, check_output, write_output

    p = Path(path)
    if os.fspath(path) == STDOUT:
        format = format or "PNG"
    elif format is None:
        format = Image.registered_extensions().get(p.suffix.lower())
        if format is None:
            raise InputError(f"Cannot tell the image format of {p} from its extension; use .png, .jpg or .webp.")
        check_output(p, inputs)  # before encoding: a refused path costs nothing
    buf = io.BytesIO()
    try:
        img.save(buf, format=format, **_png_text(format, text))
    except (KeyError, ValueError, OSError) as e:
        raise InputError(f"Cannot write {p} as {format} ({e}); use .png, .jpg or .webp.") from None
    write_output(path, buf.getvalue(), inputs=inputs)


def _png_text(format: str, text: dict[str, str] | None) -> dict[str, object]:
    """``img.save`` keyword arguments that write ``text`` as PNG text chunks."""
    if not text or format.upper() != "PNG":
        return {}
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    return {"pnginfo": info}


def to_png_bytes(img: Image.Image) -> bytes:
    """Lossless PNG encoding of ``img`` (for caches and data URLs)."""
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def from_png_bytes(data: bytes, max_pixels: int | None | str = "default", name: str = "image data") -> Image.Image:
    """Decode image bytes (PNG or any format Pillow reads) to a loaded RGB image, with the same
    protection against decompression bombs as ``load_image`` (an API server's answer is as
    untrusted as a user's file). Raises ``InputError`` naming ``name``."""
    buf = io.BytesIO(data)
    buf.name = name
    return load_image(buf, max_pixels)


def nearest_aspect(sizes: Sequence[tuple[int, int]], width: int, height: int) -> tuple[int, int]:
    """The size in ``sizes`` whose aspect ratio is nearest (in log ratio) to width/height;
    ties go to the earlier entry."""
    if width <= 0 or height <= 0:
        raise InputError(f"Image size {width}x{height} is not positive; give a width and height of at least 1.")
    target = math.log(width / height)
    return min(sizes, key=lambda s: abs(math.log(s[0] / s[1]) - target))


def fit_to_size(image: Image.Image, width: int, height: int) -> Image.Image:
    """Bring a generated image to exactly ``width`` x ``height``: scale it (Lanczos) so that it
    covers the target, keeping its aspect ratio, then crop the centre. Nothing is stretched; at
    most the overhang on two opposite sides (a few percent with a well-chosen bucket) is lost."""
    check_pixels(width, height, "the image to make is", advice="raise SEMCODEC_MAX_PIXELS to allow it")
    if image.size == (width, height):
        return image.copy()
    return ImageOps.fit(image.convert("RGB"), (width, height), method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))
