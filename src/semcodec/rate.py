"""Rate control: fit a description to a bit budget using the exact coded length.

The budget is for the whole file (header + payload + padding, i.e. 8 x bytes), because that is
what a user stores or sends and what the reported rate counts. Strategies:

- ``truncate``: the longest prefix of words that fits.
- ``select``: extractive selection: drop function words first (they carry the least meaning
  and a decoder's text-to-image model barely needs them), then drop content words from the end
  (describers put the salient content first), keeping the remaining words in their order.
- ``rewrite`` (with a language model, see ``semcodec.pipeline``): ask for a shorter description,
  then fit the answer with ``select``.

Each strategy produces candidates ordered from most to least text and bisects over them with
the exact file size. When not even the first word fits, the earliest content word that fits is
kept instead. Coded length is not strictly monotone in the number of words kept (an
n-gram prior can find a shorter text more surprising), so after bisection a few neighbours with
more words are checked too; the result always fits.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from .errors import BudgetError, InputError

STRATEGIES = ("truncate", "select")

# Function words: determiners, pronouns, prepositions, conjunctions, auxiliaries. Dropped first by
# ``select``. Kept short and explicit on purpose: it is part of the behaviour users can read.
FUNCTION_WORDS = frozenset(
    """a an the this that these those there here it its it's is are was were be been being am
    has have had having do does did of in on at to from by with without for into onto over under
    above below between behind beside near through across along around about against among and
    or but nor so yet as than then also very quite just which who whom whose what where when
    while who's that's there's their they them he she his her him i we you our your my me us
    some any each every both either neither all such can could would should will may might must
    shall not no""".split()
)

_WORD = re.compile(r"\S+")
_EDGE_PUNCT = ",;:-–—("


def budget_bits(max_bits: int | None, ubpp: float | None, width: int, height: int) -> int | None:
    """The whole-file budget in bits from ``--max-bits`` or ``--ubpp`` (None: no budget).

    ``ubpp`` is micro-bits per pixel of the original image: floor(ubpp * width * height / 1e6),
    so the file's rate never exceeds the target (100 uBPP at 1024x1024 is 104 bits, 13 bytes).
    """
    if max_bits is not None and ubpp is not None:
        raise InputError("give either --max-bits or --ubpp, not both")
    if max_bits is not None:
        if max_bits <= 0:
            raise InputError(f"--max-bits must be positive, not {max_bits}")
        return int(max_bits)
    if ubpp is not None:
        if not ubpp > 0:
            raise InputError(f"--ubpp must be positive, not {ubpp}")
        bits = int(ubpp * width * height // 1_000_000)
        if bits < 1:
            raise BudgetError(f"{ubpp:g} µbpp of a {width}x{height} image is less than one bit; raise --ubpp")
        return bits
    return None


def normalize(text: str) -> str:
    """Collapse runs of white space into single spaces and strip the ends."""
    return " ".join(text.split())


def _join(words: Sequence[str]) -> str:
    text = " ".join(words)
    return text.rstrip(_EDGE_PUNCT + " ")


def _bare(word: str) -> str:
    return word.strip(".,;:!?\"'()[]").lower()


def truncate_candidates(text: str) -> list[str]:
    """Prefixes of ``text`` at word boundaries, longest first, without trailing function words
    (a prefix ending in "on a" spends bits on words that carry nothing)."""
    words = _WORD.findall(text)
    candidates: list[str] = []
    for k in range(len(words), 0, -1):
        prefix = words[:k]
        while len(prefix) > 1 and _bare(prefix[-1]) in FUNCTION_WORDS:
            prefix = prefix[:-1]
        candidate = _join(prefix)
        if not candidates or candidates[-1] != candidate:
            candidates.append(candidate)
    return candidates


def select_candidates(text: str) -> list[str]:
    """Texts with ever more words dropped, most text first: function words (last first), then
    content words from the end."""
    words = _WORD.findall(text)
    function = [i for i in range(len(words) - 1, -1, -1) if _bare(words[i]) in FUNCTION_WORDS]
    content = [i for i in range(len(words) - 1, -1, -1) if _bare(words[i]) not in FUNCTION_WORDS]
    order = function + content
    candidates = []
    dropped: set[int] = set()
    for k in range(len(order)):  # never drop the last remaining word
        candidates.append(_join([w for i, w in enumerate(words) if i not in dropped]))
        dropped.add(order[k])
    return candidates


CANDIDATES: dict[str, Callable[[str], list[str]]] = {
    "truncate": truncate_candidates,
    "select": select_candidates,
}


def fit_text(text: str, budget: int, file_bits: Callable[[str], int], strategy: str = "truncate") -> str:
    """The most complete candidate of ``strategy`` whose whole file is at most ``budget`` bits.

    ``file_bits(text)`` must return the exact size in bits of the file that codes ``text``.
    Raises BudgetError when not even one word fits.
    """
    if strategy not in CANDIDATES:
        raise InputError(f"unknown rate-control strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    file_bits = functools.lru_cache(maxsize=None)(file_bits)  # each candidate is coded once
    if file_bits(text) <= budget:
        return text
    candidates = CANDIDATES[strategy](normalize(text))
    if not candidates or file_bits(candidates[-1]) > budget:
        # Not even the first word fits: keep the earliest content word that does, rather than
        # nothing (a rare first word spelled out letter by letter can cost 30 bits alone).
        for word in _WORD.findall(normalize(text)):
            if _bare(word) and _bare(word) not in FUNCTION_WORDS and file_bits(_join([word])) <= budget:
                return _join([word])
        empty = file_bits("")
        raise BudgetError(
            f"a budget of {budget} bits cannot hold even one word of the description "
            f"(an empty file already takes {empty} bits); raise --max-bits or --ubpp"
        )
    # Bisection for the first candidate that fits, assuming sizes shrink along the list.
    lo, hi = 0, len(candidates) - 1  # candidates[hi] fits
    while lo < hi:
        mid = (lo + hi) // 2
        if file_bits(candidates[mid]) <= budget:
            hi = mid
        else:
            lo = mid + 1
    # Sizes are only nearly monotone: look at a few richer neighbours too.
    for k in range(max(0, hi - 3), hi):
        if file_bits(candidates[k]) <= budget:
            return candidates[k]
    return candidates[hi]
