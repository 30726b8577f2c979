"""Every size limit semcodec enforces, in one place (the CLI and the Python API use the same).

The limits keep a hostile or mistaken input from exhausting memory or time; each is far above
anything a real input needs. A value here is a promise to users: the docs quote these names.

- ``MAX_DESCRIPTION_CHARS``: the longest description the codec codes (``compress``), and the
  longest text a decoder accepts (``decompress``). A vision-language model's full description is
  a few hundred words (1,000-2,500 characters); 8,192 leaves a wide margin. Rate control cuts a
  longer description to this length before fitting it to a budget; without a budget a longer
  description is an error.
- ``MAX_SMC_BYTES``: the largest .smc file read or decoded (``read_smc`` and ``decompress``).
  A description of ``MAX_DESCRIPTION_CHARS`` characters codes to at most about 5 bytes a
  character in any coder (raw UTF-8 takes at most 4; ngram spells a rare character as a code
  point), so 64 KiB holds every file semcodec writes and refuses anything larger at once.
- ``MAX_TEXT_FILE_BYTES``: a description file (``encode --text-file``).
- ``MAX_KEY_FILE_BYTES``: an API key file.
- ``MAX_IMAGE_FILE_BYTES``: an image file handed to the encoder or found in a dataset (the
  pixel limit, ``imageio.max_pixels_limit()``, bounds the decoded size separately).
- ``MAX_DOCUMENT_BYTES``: a JSON or JSONL document a command reads (results to plot or to
  report beside a run, a corpus of descriptions, a manifest).
- ``MAX_REPLY_CHARS``: a model's text reply (a hostile server may ignore ``max_tokens``).
- ``MAX_IMAGE_REPLY_BYTES``: an image returned by an API server, before decoding.
"""

from __future__ import annotations

MAX_DESCRIPTION_CHARS = 8192
MAX_SMC_BYTES = 64 * 1024
MAX_TEXT_FILE_BYTES = 1 << 20
MAX_KEY_FILE_BYTES = 4096
MAX_IMAGE_FILE_BYTES = 512 << 20
MAX_DOCUMENT_BYTES = 256 << 20
MAX_REPLY_CHARS = 4 * MAX_DESCRIPTION_CHARS
MAX_IMAGE_REPLY_BYTES = 64 << 20
