"""semcodec: semantic image compression at micro-bits per pixel.

An image is stored as a few dozen bits of text: a vision-language model describes it, the
description is fitted to a bit budget and entropy-coded under a shipped prior into a tiny .smc
file, and a text-to-image model regenerates the image from it.

The text-level API needs no model::

    import semcodec
    enc = semcodec.compress_text("A red fox in the snow.", ubpp=100, width=1024, height=1024)
    enc.data, enc.file_bits, enc.ubpp          # bytes, whole-file bits, micro-bits per pixel
    semcodec.decompress(enc.data).text         # "A red fox in the snow."
    semcodec.inspect(enc.data)                 # header fields, text, bits, rate as a dict

Names are imported lazily so that ``import semcodec`` (and the CLI's start-up) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

_LAZY = {
    "compress_text": "semcodec.codec",
    "decompress": "semcodec.codec",
    "inspect": "semcodec.codec",
    "Encoded": "semcodec.codec",
    "Header": "semcodec.codec",
    "Budget": "semcodec.codec",
    "compress": "semcodec.codec",
    "SemcodecError": "semcodec.errors",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'semcodec' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
