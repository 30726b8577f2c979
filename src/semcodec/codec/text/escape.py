"""The escape layer of priors from ``ngram-v2`` on: common English words are never spelled out.

In ``ngram-v1`` a token outside the word model's vocabulary is ESCAPE followed by its spelling,
about 28 bits for a word such as " peaceful". From ``ngram-v2`` on, ESCAPE is followed by a
*kind* that says how the token is coded:

- ``CASE``: another case of a vocabulary word (" People", "WATCH"): the word model's symbol of
  its lower-case spaced form (" people"), coded in the same context, then its *shape*.
- ``LEX``: a word of a general English lexicon (a word-frequency list, ``priors/NOTICE.md``)
  that the description corpora never saw often enough: its index under the lexicon's unigram
  frequencies, then its shape.
- ``SPELL``: anything else (names, digits, odd spellings), spelled by the character model.

A shape is one of six ways to write a lower-case word: with or without a leading space, in
lower case, Capitalised or UPPER case. The encoder takes the first route that reproduces the
token exactly, in the order CASE, LEX, SPELL, and the first shape that does, so every text has
one code (the canonical-file check in ``semcodec.codec.compress`` relies on that). (Choosing the
cheaper of LEX and spelling per word was measured: it saved under 0.1 % of the bits.) All weights
are integers stored in the prior: the same bits on every machine.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

import numpy as np

__all__ = ["SPELL", "CASE", "LEX", "SHAPES", "Escape", "shape_of", "apply_shape"]

SPELL, CASE, LEX = 0, 1, 2
#: (leading space, case) of each shape id; case: 0 lower, 1 Capitalised, 2 UPPER.
SHAPES: tuple[tuple[bool, int], ...] = ((True, 0), (True, 1), (False, 1), (False, 0), (True, 2), (False, 2))


def apply_shape(word: str, shape: int) -> str:
    """Write the lower-case ``word`` in ``shape``."""
    space, case = SHAPES[shape]
    if case == 1:
        word = word[:1].upper() + word[1:]
    elif case == 2:
        word = word.upper()
    return " " + word if space else word


def shape_of(token: str) -> tuple[str, int] | None:
    """``(lower-case word, shape)`` of an ASCII-letter token, the first shape that gives it back
    exactly; None for other tokens (digits, punctuation, mixed case such as "McDonald")."""
    word = token[1:] if token.startswith(" ") else token
    if not (word.isascii() and word.isalpha()):
        return None
    low = word.lower()
    for i in range(len(SHAPES)):
        if apply_shape(low, i) == token:
            return low, i
    return None


class Escape:
    """The integer tables of the escape layer: kinds, shapes and the lexicon's unigram weights."""

    def __init__(self, meta: dict, arrays: dict[str, np.ndarray], vocab_index: dict[str, int]) -> None:
        self.kinds = _cumulative(meta["kinds"])
        self.shapes = _cumulative(meta["shapes"])
        self.words: list[str] = bytes(arrays["x_lexwords"]).decode("ascii").split("\n")
        self.index = {w: i for i, w in enumerate(self.words)}
        self.cum = _cumulative(arrays["x_lexweight"].astype(np.int64).tolist())
        self.vocab_index = vocab_index

    def route(self, token: str) -> tuple[int, int, int]:
        """``(kind, symbol, shape)`` for an out-of-vocabulary ``token``: the word-model symbol (CASE)
        or lexicon index (LEX) of its lower-case form and its shape; ``(SPELL, 0, 0)`` otherwise."""
        found = shape_of(token)
        if found is not None:
            low, shape = found
            s = self.vocab_index.get(" " + low)
            if s is not None:
                return CASE, s, shape
            i = self.index.get(low)
            if i is not None:
                return LEX, i, shape
        return SPELL, 0, 0


def _cumulative(weights) -> list[int]:
    return [0, *accumulate(int(w) for w in weights)]


def interval(cum: list[int], s: int) -> tuple[int, int, int]:
    """``(cum_low, cum_high, total)`` of symbol ``s`` in a cumulative table."""
    return cum[s], cum[s + 1], cum[-1]


def find(cum: list[int], target: int) -> int:
    """The symbol whose interval of the cumulative table holds ``target``."""
    return bisect_right(cum, target) - 1
