"""Rate control: the bit budget, and fitting a description to it with the exact coded length.

This module owns the budget. A ``Budget`` is what the user asked for (``max_bits`` bits, or
``ubpp`` micro-bits per pixel of the original, or nothing); ``Budget.bits(width, height)`` is the
one place where it becomes a number of bits. The budget is for the whole file (header + payload +
padding, i.e. 8 x bytes), because that is what a user stores or sends and what the reported rate
counts.

Strategies (``fit_text``):

- ``truncate``: the longest prefix of words that fits.
- ``select``: extractive selection: drop function words first (they carry the least meaning
  and a decoder's text-to-image model barely needs them), then drop content words from the end
  (describers put the salient content first), keeping the remaining words in their order.
- ``content``: fill the budget with the most meaning per bit (``semcodec.codec.content``):
  the text cleaned of meta openings and picture self-references (``normalize``), then whole
  noun phrases in the describer's order, the subject first, function words only where they
  fit. Recommended (``RECOMMENDED_STRATEGY``; measured in docs/TEXT.md).
- ``rewrite``: ask a language model (the ``shorten`` callback) for a description of about
  ``word_target`` words, then fit its answer with ``select``.

Each strategy produces candidates ordered from most to least text and bisects over them with
the exact file size. When not even the first word fits, the earliest content word that fits is
kept instead. Coded length is not strictly monotone in the number of words kept (an
n-gram prior can find a shorter text more surprising), so after bisection a few neighbours with
more words are checked too; the result always fits.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import BudgetError, InputError
from ..limits import MAX_DESCRIPTION_CHARS, MAX_SMC_BYTES
from .words import FUNCTION_WORDS, bare, check_description, content_words

#: Strategies that need no model; ``rewrite`` (a language model) is one more.
STRATEGIES = ("truncate", "select", "content")
ALL_STRATEGIES = (*STRATEGIES, "rewrite")
#: The strategy new files should use (the CLI's default); ``compress`` keeps ``truncate`` as its
#: own default so that existing calls write the bytes they always wrote.
RECOMMENDED_STRATEGY = "content"

#: Bits a word of a description costs, by coder, rounded up from the dev split of bench_text.py
#: (ngram 0.99, consonant 2.64, raw 8.0 bits per character; 5.85 characters a word with its space).
#: Only used to tell models how many words to write; the exact coded length decides what fits.
BITS_PER_WORD = {"ngram": 6, "consonant": 16, "raw": 47, "lm": 6}  # lm: as ngram (docs/LM.md: ~1 bit/char)


_WORD = re.compile(r"\S+")
_EDGE_PUNCT = ",;:-–—("

#: ``shorten(description, max_words) -> shorter description`` (a language model).
ShortenFn = Callable[[str, int], str]


@dataclass(frozen=True)
class Budget:
    """A whole-file rate target: ``max_bits`` bits, or ``ubpp`` micro-bits per pixel of the
    original image; neither means no limit (the description is coded as it is)."""

    ubpp: float | None = None
    max_bits: int | None = None

    def __post_init__(self) -> None:
        if self.ubpp is not None and self.max_bits is not None:
            raise InputError("give a budget either in bits (max_bits) or in micro-bits per pixel (ubpp), not both")
        if self.max_bits is not None:
            if isinstance(self.max_bits, bool) or not isinstance(self.max_bits, int) or self.max_bits <= 0:
                raise InputError(f"the budget in bits (max_bits) must be a positive whole number, not {self.max_bits!r}")
        if self.ubpp is not None:
            if isinstance(self.ubpp, bool) or not isinstance(self.ubpp, (int, float)):
                raise InputError(f"the budget in micro-bits per pixel (ubpp) must be a number, not {self.ubpp!r}")
            if not (math.isfinite(self.ubpp) and self.ubpp > 0):
                raise InputError(f"the budget in micro-bits per pixel (ubpp) must be a positive finite number, not {self.ubpp}")
            object.__setattr__(self, "ubpp", float(self.ubpp))

    @property
    def limited(self) -> bool:
        """True when there is a budget at all."""
        return self.ubpp is not None or self.max_bits is not None

    def bits(self, width: int, height: int) -> int | None:
        """The whole-file budget in bits for an original of ``width`` x ``height`` (None: none).

        ``ubpp`` gives floor(ubpp * width * height / 1e6), so the file's rate never exceeds the
        target (100 µbpp at 1024x1024 is 104 bits, 13 bytes). Less than one bit is a BudgetError;
        more than the largest .smc file (``MAX_SMC_BYTES``) is that size (``--ubpp 1e308``).
        """
        largest = 8 * MAX_SMC_BYTES
        if self.max_bits is not None:
            return min(self.max_bits, largest)
        if self.ubpp is None:
            return None
        if self.ubpp * width * height > largest * 1_000_000:  # also catches an overflow to inf
            return largest
        bits = int(self.ubpp * width * height // 1_000_000)
        if bits < 1:
            raise BudgetError(
                f"{self.ubpp:g} µbpp of a {width}x{height} image is less than one bit; raise the budget"
            )
        return bits

    @property
    def label(self) -> str:
        """``100 ubpp``, ``512 bits`` or ``full`` (no budget), as results name operating points."""
        if self.max_bits is not None:
            return f"{self.max_bits:g} bits"
        return f"{self.ubpp:g} ubpp" if self.ubpp is not None else "full"

    @property
    def slug(self) -> str:
        """The label as a file-name part: ``100ubpp``."""
        return self.label.replace(" ", "")


def word_target(budget: int | None, header_bits: int, coder: str) -> int | None:
    """About how many words of a description fit ``budget`` bits after a header of
    ``header_bits`` (None: no budget): what a describer or a shortening model is asked for.
    At least 2."""
    if budget is None:
        return None
    return max(2, (budget - header_bits) // BITS_PER_WORD.get(coder, 8))


def cap_length(text: str, limit: int = MAX_DESCRIPTION_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary (unchanged when shorter).
    Rate control cuts any longer description this far first, so that its search over cuts stays
    cheap whatever a describer returns."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    cut = max(head.rfind(" "), head.rfind("\n"))
    return head[:cut] if cut > 0 else head[:limit]


def normalize(text: str) -> str:
    """Collapse runs of white space into single spaces and strip the ends."""
    return " ".join(text.split())


def _join(words: Sequence[str]) -> str:
    text = " ".join(words)
    return text.rstrip(_EDGE_PUNCT + " ")


def truncate_candidates(text: str) -> list[str]:
    """Prefixes of ``text`` at word boundaries, longest first, without trailing function words
    (a prefix ending in "on a" spends bits on words that carry nothing)."""
    words = _WORD.findall(text)
    candidates: list[str] = []
    for k in range(len(words), 0, -1):
        prefix = words[:k]
        while len(prefix) > 1 and bare(prefix[-1]) in FUNCTION_WORDS:
            prefix = prefix[:-1]
        candidate = _join(prefix)
        if not candidates or candidates[-1] != candidate:
            candidates.append(candidate)
    return candidates


def select_candidates(text: str) -> list[str]:
    """Texts with ever more words dropped, most text first: function words (last first), then
    content words from the end."""
    words = _WORD.findall(text)
    function = [i for i in range(len(words) - 1, -1, -1) if bare(words[i]) in FUNCTION_WORDS]
    content = [i for i in range(len(words) - 1, -1, -1) if bare(words[i]) not in FUNCTION_WORDS]
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


def check_strategy(strategy: str) -> None:
    """InputError for a strategy name that does not exist."""
    if strategy not in ALL_STRATEGIES:
        raise InputError(f"unknown rate-control strategy {strategy!r}; choose one of {', '.join(ALL_STRATEGIES)}")


def fit_text(
    text: str,
    budget: int,
    file_bits: Callable[[str], int],
    strategy: str = "truncate",
    *,
    shorten: ShortenFn | None = None,
    max_words: int | None = None,
) -> str:
    """The most complete candidate of ``strategy`` whose whole file is at most ``budget`` bits.

    ``file_bits(text)`` must return the exact size in bits of the file that codes ``text``.
    ``rewrite`` asks ``shorten`` for about ``max_words`` words when the text does not fit.
    Raises BudgetError when not even one word fits.
    """
    check_strategy(strategy)
    text = cap_length(text)
    check_description(text)
    file_bits = functools.lru_cache(maxsize=None)(file_bits)  # each candidate is coded once
    if file_bits(text) <= budget:
        return text
    if strategy == "rewrite":
        if shorten is None:
            raise InputError("the rewrite strategy needs a language model to shorten the description")
        text = normalize(shorten(text, max_words or 2)) or text
        if file_bits(text) <= budget:
            return text
        strategy = "select"
    if strategy == "content":
        from .content import fit_content

        return fit_content(text, budget, file_bits, truncate=lambda t: fit_text(t, budget, file_bits, "truncate"))
    candidates = CANDIDATES[strategy](normalize(text))
    if not candidates or file_bits(candidates[-1]) > budget:
        # Not even the first word fits: keep the earliest content word that does, rather than
        # nothing (a rare first word spelled out letter by letter can cost 30 bits alone).
        for word in _WORD.findall(normalize(text)):
            if bare(word) and bare(word) not in FUNCTION_WORDS and file_bits(_join([word])) <= budget:
                return _join([word])
        empty = file_bits("")
        raise BudgetError(
            f"a budget of {budget} bits cannot hold even one word of the description "
            f"(an empty file already takes {empty} bits); raise the budget"
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


def content_note(text: str, kept: str, budget: int, file_bits: Callable[[str], int], strategy: str) -> str | None:
    """One sentence for the user when the kept text holds no content word although the
    description has one (None otherwise), naming the smallest budget whose cut would keep one.

    The smallest budget is found by bisection over whole-file budgets with the same strategy
    (``rewrite`` is measured as ``select``: no model is asked again).
    """
    if content_words(kept) or not content_words(text):
        return None
    strategy = "select" if strategy == "rewrite" else strategy

    def keeps_content(b: int) -> bool:
        try:
            return bool(content_words(fit_text(text, b, file_bits, strategy)))
        except BudgetError:
            return False

    lo, hi = budget, file_bits(text)  # keeps_content(hi): the whole text fits
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if keeps_content(mid) else (mid, hi)
    shown = kept if kept else "nothing"
    return (f"the {budget}-bit file keeps only {shown!r}, no word that names anything to draw; "
            f"a budget of {hi} bits would keep one (or use --strategy content)")
