"""Optional dependencies: import one, or fail in one sentence that names the extra to install.

semcodec's core needs only numpy, click, pillow and pydantic; the other libraries live in pip
extras (see pyproject.toml), one per task a user has:

- ``hf``: open models on your own hardware (torch, transformers, diffusers, accelerate);
- ``openai``: the OpenAI API and OpenAI-compatible servers;
- ``eval``: everything ``eval``, ``bench``, ``plot``, ``report`` and ``study`` need (metrics,
  classical codecs, figures, progress bars).

``require`` imports one library or raises ``MissingDependency``; ``check`` tells, without
importing anything, whether libraries are installed, so a command can refuse before it starts
any work (a model download, a long run) rather than fail half-way through.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable
from types import ModuleType

from .errors import MissingDependency


def _missing(module: str, extra: str, purpose: str) -> MissingDependency:
    top = module.split(".")[0]
    return MissingDependency(
        f"{purpose} needs the Python package {top!r}, which is not installed; "
        f"install it with: pip install 'semcodec[{extra}]'"
    )


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """``import module``, or MissingDependency naming the pip extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise _missing(module, extra, purpose) from e


def installed(module: str) -> bool:
    """Whether the top-level package of ``module`` can be imported (nothing is imported)."""
    top = module.split(".")[0]
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):  # a broken or half-removed install counts as missing
        return False


def check(modules: Iterable[str], extra: str, purpose: str) -> None:
    """MissingDependency for the first of ``modules`` that is not installed (names ``extra``)."""
    for module in modules:
        if not installed(module):
            raise _missing(module, extra, purpose)
