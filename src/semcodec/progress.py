"""Progress bars on stderr, tqdm's (as diffusers and transformers draw theirs), or none at all.

Progress never changes a result, so a missing tqdm (it comes with the ``hf`` and ``eval``
extras, not with the core) means no bar rather than an error; and a bar that is not wanted
costs nothing. Bars go to stderr, so stdout stays one JSON document where ``--json`` asks for one.
"""

from __future__ import annotations

import sys
from typing import Any


class _NoBar:
    """Stands in for a tqdm bar that is not shown."""

    def update(self, n: int = 1) -> None:
        """Nothing to draw."""

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        """Nothing to draw."""

    def close(self) -> None:
        """Nothing to close."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def bar(total: int | None, desc: str, *, enabled: bool, unit: str = "it", initial: int = 0,
        leave: bool = True) -> Any:
    """A tqdm bar on stderr when ``enabled`` and tqdm is installed, else a bar that draws nothing;
    ``leave=False`` clears it when done (for bars nested in a longer one)."""
    if not enabled:
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, desc=desc, unit=unit, initial=initial, file=sys.stderr, dynamic_ncols=True, leave=leave)


def stderr_is_terminal() -> bool:
    """Whether stderr is an interactive terminal (where progress bars belong)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False
