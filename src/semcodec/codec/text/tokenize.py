"""A lossless word tokenizer for the n-gram prior.

A token is an optional single leading space followed by a run of letters, a run of digits, or
one other non-space character; any other character (another space, a newline, a tab, '_', a
control character) is a token of its own. Joining the tokens gives back exactly the input, for
every Unicode string, so the ``ngram`` coder is lossless by construction. Tokens are
case-sensitive (" The" and " the" differ) because capitals carry information the text keeps.
"""

from __future__ import annotations

import re

__all__ = ["tokenize", "detokenize"]

_TOKEN = re.compile(r" ?[^\W\d_]+| ?\d+| ?[^\w\s]|.", re.DOTALL)


def tokenize(text: str) -> list[str]:
    """Split ``text`` into tokens; ``"".join(tokenize(text)) == text`` always."""
    return _TOKEN.findall(text)


def detokenize(tokens: list[str]) -> str:
    """Inverse of ``tokenize``."""
    return "".join(tokens)
