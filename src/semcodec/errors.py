"""The exceptions semcodec raises for things a user can act on.

Every error a user can cause (a bad file, a missing model, a missing key, an unreachable server,
an impossible budget) is a ``SemcodecError`` whose message is one plain sentence saying what went
wrong and what to do. The CLI prints that sentence and exits non-zero; it never shows a traceback
for these.
"""

from __future__ import annotations


class SemcodecError(Exception):
    """Base class: a failure the user can understand and act on."""

    exit_code = 1


class FormatError(SemcodecError):
    """A file is not a valid .smc file (truncated, corrupted, foreign, or from a newer version)."""

    exit_code = 2


class BudgetError(SemcodecError):
    """A bit budget is too small for any text, or the options asking for it are inconsistent."""

    exit_code = 3


class BackendError(SemcodecError):
    """A model backend failed: model missing, key missing, server unreachable or refusing."""

    exit_code = 4


class MissingDependency(SemcodecError):
    """An optional library is not installed; the message names the pip extra to install."""

    exit_code = 6


class InputError(SemcodecError):
    """A user-supplied input (image, size, option value, path) is unusable."""

    exit_code = 5
