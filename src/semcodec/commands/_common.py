"""Helpers shared by the subcommands: output for people and machines, parsing option values."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..errors import InputError


def parse_size(value: str) -> tuple[int, int]:
    """Parse ``WxH`` (e.g. 1024x1024) into positive integers."""
    try:
        w, h = (int(v) for v in value.lower().replace("×", "x").split("x"))
    except ValueError:
        raise InputError(f"--size must look like 1024x768, not {value!r}") from None
    from ..codec.container import MAX_SIDE

    if not (0 < w <= MAX_SIDE and 0 < h <= MAX_SIDE):
        raise InputError(f"--size {value} is out of range (each side from 1 to {MAX_SIDE} pixels)")
    return w, h


#: Unicode categories shown escaped in output for people: control, format (bidirectional
#: overrides), separators, surrogates, private and unassigned characters.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def printable(text: str) -> str:
    r"""``text`` with every control or invisible formatting character escaped (``\x1b``,
    ``\u202e``), so that decoded text cannot clear a terminal, retitle its window, rewrite a line
    or reorder what is shown. Output for people uses it; ``--json`` and the API keep the raw text."""
    import unicodedata

    if text.isprintable() and text.isascii():  # the common case, at once
        return text
    out = []
    for ch in text:
        if ch != " " and unicodedata.category(ch) in _UNPRINTABLE:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def print_json(obj: Any) -> None:
    """One JSON document on stdout."""
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2))


def info(message: str) -> None:
    """A progress or summary line for people: stderr, so stdout stays machine-readable."""
    print(message, file=sys.stderr, flush=True)


def notes(sentences: list[str]) -> None:
    """Each note a library call returned, once, on stderr."""
    for sentence in dict.fromkeys(sentences):
        info(f"semcodec: note: {printable(sentence)}")


def _parse_value(text: str) -> Any:
    """``4`` -> 4, ``7.5`` -> 7.5, ``true`` -> True, anything else stays a string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_options(pairs: tuple[str, ...], flag: str) -> dict[str, Any]:
    """``("steps=4", "guidance=0")`` -> ``{"steps": 4, "guidance": 0}``."""
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{flag} takes KEY=VALUE, not {pair!r}")
        options[key.strip()] = _parse_value(value.strip())
    return options
