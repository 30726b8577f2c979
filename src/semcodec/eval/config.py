"""What decides an eval run's results: ``EvalConfig`` (dataset, budgets, models, encoding,
metrics), and the budgets a command line asks for."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..codec import Budget
from ..errors import InputError
from ..pipeline.config import EncodeConfig, ModelsConfig

#: The paper's operating points, used when no budget is given.
PAPER_UBPP = (100.0, 500.0, 1000.0)
DEFAULT_METRICS = ("psnr", "ms-ssim", "lpips", "clip")


def budgets_from(ubpp: list[float] | tuple[float, ...] = (), max_bits: list[int] | tuple[int, ...] = ()) -> tuple[Budget, ...]:
    """Budgets from ``--ubpp`` and ``--max-bits`` values, in the order given; the paper's three
    operating points when none is given."""
    if any(v != int(v) for v in max_bits):
        raise InputError("max_bits takes whole numbers of bits", params=("max_bits",))
    out = [Budget(ubpp=v) for v in ubpp] + [Budget(max_bits=int(v)) for v in max_bits]
    out = out or [Budget(ubpp=v) for v in PAPER_UBPP]
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class EvalConfig:
    """Everything that decides a run's results: the dataset, the budgets, the models, how each
    image is encoded (its budget replaced by each of ``budgets``) and the metrics. Where models
    run (``RuntimeConfig``) is not part of it."""

    dataset: str
    budgets: tuple[Budget, ...] = tuple(Budget(ubpp=v) for v in PAPER_UBPP)
    models: ModelsConfig = field(default_factory=ModelsConfig)
    encode: EncodeConfig = field(default_factory=EncodeConfig)
    metrics: tuple[str, ...] = DEFAULT_METRICS
    clip_model: str | None = None

    def __post_init__(self) -> None:
        if not self.budgets:
            raise InputError("give at least one budget (ubpp or max_bits)", params=("ubpp", "max_bits"))
        if self.encode.quality_target is not None:
            raise InputError("eval runs at fixed budgets; a quality target is for semcodec encode")
        from .metrics import METRICS

        unknown = [m for m in self.metrics if m.lower() not in METRICS]
        if unknown:
            raise InputError(f"unknown metric {unknown[0]!r}; choose from {', '.join(METRICS)}", params=("metrics",))

    def identity(self) -> dict[str, Any]:
        """The JSON-ready configuration recorded in config.json and compared on resume."""
        encode = self.encode.to_dict()
        encode.pop("budget")
        return {"dataset": self.dataset, "budgets": [b.label for b in self.budgets], "models": self.models.to_dict(),
                "encode": encode, "metrics": list(self.metrics), "clip_model": self.clip_model}

    def at(self, budget: Budget) -> EncodeConfig:
        """How an image is encoded at ``budget``."""
        return replace(self.encode, budget=budget)
