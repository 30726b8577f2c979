"""What a server allows and runs, beside the models (``ModelsConfig``, ``RuntimeConfig``).

Frozen like the pipeline's configuration objects; ``semcodec serve`` builds them from its options.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError


@dataclass(frozen=True)
class StudySettings:
    """A 2AFC study: the eval run it shows, where answers go, and how many trials a participant gets."""

    run_dir: str
    answers: str
    #: ``semcodec bench`` results files for the classical codecs (none: JPEG and AVIF at their lowest).
    baselines: tuple[str, ...] = ()
    #: The dataset's folder, if it moved since the eval run.
    data_dir: str | None = None
    trials: int = 20
    checks: int = 2
    #: The token that unlocks ``GET /study/api/export`` (None: export only from the command line).
    admin_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.trials <= 1000:
            raise InputError(f"the number of trials per participant must be from 1 to 1000, not {self.trials}")
        if not 0 <= self.checks <= 100:
            raise InputError(f"the number of attention checks must be from 0 to 100, not {self.checks}")
        if self.admin_token is not None and len(self.admin_token) < 16:
            raise InputError("the admin token must be at least 16 characters long")


@dataclass(frozen=True)
class WebSettings:
    """Limits of the server, and the study it runs (None: no study)."""

    #: Largest request body (an image upload) in bytes.
    max_upload_bytes: int = 20 * 1024 * 1024
    #: Largest image (width x height) the server decodes.
    max_pixels: int = 16_000_000
    #: Seconds a request waits for its model job, queue included, before a 504.
    timeout: float = 300.0
    #: Model jobs that may wait behind the running one; more is a 503.
    queue: int = 4
    #: Largest seed search and reflection a request may ask for.
    max_seeds: int = 8
    max_reflect: int = 3
    #: Longest side of the images a demo result shows (full-size images are scaled down).
    preview_side: int = 768
    #: Seconds a request body may stall between two chunks before a 408.
    read_timeout: float = 30.0
    study: StudySettings | None = None

    def __post_init__(self) -> None:
        for name in ("max_upload_bytes", "max_pixels", "queue", "preview_side"):
            value = getattr(self, name)
            if value < (0 if name == "queue" else 1):
                raise InputError(f"{name.replace('_', ' ')} must be positive, not {value}")
        if not (self.timeout > 0 and self.read_timeout > 0):
            raise InputError("timeouts must be positive numbers of seconds")
