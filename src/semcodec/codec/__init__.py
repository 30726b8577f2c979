"""The codec layer: bit-exact, model-free coding of descriptions into .smc files.

Everything here is deterministic integer arithmetic over the standard library and numpy: the
same text gives the same bits on every machine. Nothing in this package imports a model library
or any other part of semcodec except ``semcodec.errors``.

- ``bits``: bit-level reader and writer.
- ``ids``: the hand-maintained id tables written into files.
- ``container``: the .smc header.
- ``text``: the text coders (``raw``, ``consonant``, ``ngram``), the arithmetic coder, the priors.
- ``rate``: the bit budget and rate control; ``content`` (the strategy that keeps the most
  meaning per bit) and ``normalize`` (removes meta openings where a budget cuts the text).
- ``compress``: ``compress`` / ``decompress`` / ``inspect``.

Recommended settings for new files (the CLI's defaults): ``RECOMMENDED_VERSION`` (format 2,
ngram-v2 as the default prior at no header cost) and ``RECOMMENDED_STRATEGY`` (``content``).
The functions' own defaults stay those of format 1 and ``truncate``, so existing calls write the
bytes they always wrote.
"""

from .compress import Encoded, compress, compress_text, decompress, inspect
from .container import RECOMMENDED_VERSION, Header
from .rate import RECOMMENDED_STRATEGY, Budget

__all__ = ["Budget", "Encoded", "Header", "RECOMMENDED_STRATEGY", "RECOMMENDED_VERSION", "compress", "compress_text",
           "decompress", "inspect"]
