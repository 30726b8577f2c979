"""Optional dependencies: import one, or fail in one sentence that names the extra to install.

semcodec's core needs only numpy, click, pillow and pydantic; models, the API, evaluation and
the web app live in pip extras (see pyproject.toml). ``require`` is the one place that turns a
missing optional library into a ``MissingDependency`` error a user can act on.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import MissingDependency


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """``import module``, or MissingDependency naming the pip extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        top = module.split(".")[0]
        raise MissingDependency(
            f"{purpose} needs the Python package {top!r}, which is not installed; "
            f"install it with: pip install 'semcodec[{extra}]'"
        ) from e
