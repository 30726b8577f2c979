"""Hand-maintained id tables of the .smc format.

These numbers are written into files. They are never renumbered and never reused: a new coder,
prior or size gets the next free number, and a retired one keeps its number forever, so that a
file written by any released version stays decodable. (Generator profile ids live in
``semcodec.models.profiles`` under the same rule.)
"""

from __future__ import annotations

#: Text coders. Id 3 is the escape to an extended id (exp-Golomb coded after the 2-bit field).
CODER_IDS: dict[str, int] = {"ngram": 0, "consonant": 1, "raw": 2, "lm": 3}

#: Text priors (statistical models shipped as data files, or language models). 0 means "no prior".
#: Ids 3 and up name language-model priors of the ``lm`` coder: ``lm-custom`` is any local model,
#: identified by a 32-bit fingerprint that follows the prior id in the header; the others are rows
#: of the LM prior table (``semcodec.models.lm.table``).
PRIOR_IDS: dict[str, int] = {
    "none": 0,
    "ngram-v1": 1,
    "ngram-v2": 2,
    "lm-custom": 3,
    "smollm2-135m": 4,
    "qwen2.5-0.5b": 5,
}

#: The prior whose header entry is followed by a 32-bit model fingerprint.
LM_CUSTOM = "lm-custom"

#: Priors that are language models (the ``lm`` coder's priors).
LM_PRIORS = ("lm-custom", "smollm2-135m", "qwen2.5-0.5b")

#: The prior a coder uses when the header does not name one, in format version 1 (version field 0).
DEFAULT_PRIOR: dict[str, str] = {"ngram": "ngram-v1", "consonant": "none", "raw": "none", "lm": "smollm2-135m"}

#: The same per format (``Header.version``): format 2 differs only in that ngram's default prior is
#: ngram-v2, so a file with the better prior pays no header bits for naming it. (On the wire, format
#: 2 is version field 1, or 2 when a check field follows: see ``container``.)
DEFAULT_PRIORS: dict[int, dict[str, str]] = {0: DEFAULT_PRIOR, 1: {**DEFAULT_PRIOR, "ngram": "ngram-v2"}}

#: The generator profile assumed when the header does not name one (see ``semcodec.models.profiles``).
DEFAULT_PROFILE = 1
#: The profile id of a generator outside the table; the header then stores a 32-bit hash.
CUSTOM_PROFILE = 0

#: The image size assumed when the header does not give one.
DEFAULT_SIZE = (1024, 1024)

#: Common image sizes coded as a 4-bit index; index 15 is the escape to an explicit size.
SIZE_TABLE: tuple[tuple[int, int], ...] = (
    (768, 512),  # Kodak, landscape
    (512, 768),  # Kodak, portrait
    (512, 512),
    (256, 256),
    (2048, 2048),
    (1920, 1080),
    (1080, 1920),
    (1280, 720),
    (720, 1280),
    (1024, 768),
    (768, 1024),
    (1536, 1024),
    (1024, 1536),
    (640, 480),
    (4096, 4096),
)


def name_of(table: dict[str, int], value: int) -> str | None:
    """Reverse lookup: the name registered under ``value``, or None."""
    for name, v in table.items():
        if v == value:
            return name
    return None
