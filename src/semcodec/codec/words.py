"""The words rate control reads: which words are function words, which name something drawable.

Kept short and explicit on purpose: these lists are behaviour users can read. Both the cutting
strategies (``rate``) and the ``content`` strategy (``content``) use them.
"""

from __future__ import annotations

from ..errors import InputError

__all__ = ["FUNCTION_WORDS", "META_WORDS", "NUMBER_WORDS", "bare", "is_content", "content_words", "check_description"]

#: Function words: determiners, pronouns, prepositions, conjunctions, auxiliaries. Dropped first
#: by ``select``.
FUNCTION_WORDS = frozenset(
    """a an the this that these those there here it its it's is are was were be been being am
    has have had having do does did of in on at to from by with without for into onto over under
    above below between behind beside near through across along around about against among and
    or but nor so yet as than then also very quite just which who whom whose what where when
    while who's that's there's their they them he she his her him i we you our your my me us
    some any each every both either neither all such can could would should will may might must
    shall not no""".split()
)

#: Words about the picture itself: not content (a generator draws none of them).
META_WORDS = frozenset(
    """image images photo photos photograph picture pic snapshot shot scene frame illustration
    view composition captures captured shows shown depicts depicted features featured displays
    showcases highlights portrays visible seen appears appear""".split()
)
#: Counts and quantifiers: attributes, not content on their own ("two" keeps nothing drawable).
NUMBER_WORDS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve several many few multiple
    various numerous other another single pair couple lot lots""".split()
)

def bare(word: str) -> str:
    """``word`` without edge punctuation, in lower case."""
    return word.strip(".,;:!?\"'()[]").lower()


def is_content(word: str) -> bool:
    """True for a word that names something drawable: a letter in it, not a function, picture,
    or counting word."""
    b = bare(word)
    return any(c.isalpha() for c in b) and b not in FUNCTION_WORDS and b not in META_WORDS and b not in NUMBER_WORDS


def content_words(text: str) -> list[str]:
    """The content words of ``text`` (``is_content``), bare and in order."""
    return [bare(w) for w in text.split() if is_content(w)]



def check_description(text: str) -> None:
    """InputError for a description with no word that names anything to draw (empty, only
    punctuation, symbols or emoji, only boilerplate such as "The image shows"): a budget is
    for an image, and such a text describes none. (Without a budget any text is coded as given.)"""
    if not content_words(text):
        raise InputError("the description holds no word that names anything to draw (it is empty, or only "
                         "punctuation, symbols or boilerplate such as 'The image shows'); give a description")
