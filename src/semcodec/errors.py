"""The exceptions semcodec raises for things a user can act on, and the exit codes they map to.

Every error a user can cause (a bad file, a missing model, a missing key, an unreachable server,
an impossible budget) is a ``SemcodecError`` whose message is one plain sentence saying what went
wrong and what to do. The CLI prints that sentence and exits with the error's code; it never shows
a traceback for these.

Library messages speak of the library's own parameters (``max_bits``, ``reflect``); an error
that names some lists them in ``params``, and the CLI adds the matching command-line flags
(``--max-bits``, ``--reflect``) to the sentence it prints.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Every exit code of ``semcodec``, for ``semcodec --help`` and the README (one table, here).
EXIT_CODES: tuple[tuple[int, str], ...] = (
    (0, "success"),
    (1, "an unexpected error (a bug; please report it)"),
    (2, "usage error: an unknown option, a missing argument (click)"),
    (3, "the budget is too small for any text"),
    (4, "a model, key or server problem"),
    (5, "other bad input: an image, a size, an option value, a path"),
    (6, "an optional library is missing; the message names the extra to install"),
    (7, "not a valid .smc file (truncated, corrupted, foreign, or from a newer version)"),
    (8, "an evaluation finished, but some of its records failed (see its summary line)"),
    (130, "interrupted (Ctrl-C); an evaluation resumes with the same command"),
)


class SemcodecError(Exception):
    """Base class: a failure the user can understand and act on."""

    exit_code = 1

    def __init__(self, message: str = "", *, params: Iterable[str] = ()) -> None:
        super().__init__(message)
        #: The API parameter names the message speaks of (the CLI names their flags).
        self.params = tuple(params)


class FormatError(SemcodecError):
    """A file is not a valid .smc file (truncated, corrupted, foreign, or from a newer version)."""

    exit_code = 7


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


class RecordsFailed(SemcodecError):
    """An evaluation ran to its end, but some records failed; the message is its summary."""

    exit_code = 8


class Interrupted(SemcodecError):
    """The user interrupted a long run (Ctrl-C); the message says what was kept."""

    exit_code = 130
