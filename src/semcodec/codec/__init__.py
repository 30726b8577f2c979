"""The codec layer: bit-exact, model-free coding of descriptions into .smc files.

Everything here is deterministic integer arithmetic over the standard library and numpy: the
same text gives the same bits on every machine. Nothing in this package imports a model library
or any other part of semcodec except ``semcodec.errors``.

- ``bits``: bit-level reader and writer.
- ``ids``: the hand-maintained id tables written into files.
- ``container``: the .smc header.
- ``text``: the text coders (``raw``, ``consonant``, ``ngram``), the arithmetic coder, the priors.
- ``rate``: the bit budget and rate control.
- ``compress``: ``compress`` / ``decompress`` / ``inspect``.
"""

from .compress import Encoded, compress, compress_text, decompress, inspect
from .container import Header
from .rate import Budget

__all__ = ["Budget", "Encoded", "Header", "compress", "compress_text", "decompress", "inspect"]
