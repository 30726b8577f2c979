"""What the pipeline and search benchmarks share: tiny random models, pipelines over them,
unrounded cost timing, and Markdown tables.

Importing this module switches the Hugging Face Hub off (before any HF library is imported) and
puts ``src`` and ``tests`` on the path, so the scripts run from a checkout with no download. The
models are the test suite's own tiny builders (``tests/tiny_models.py``): random weights, real
classes, saved and loaded through ``from_pretrained`` like real checkpoints. Their outputs are
garbage; their speed says nothing about real models, only about what the pipeline adds.
"""

from __future__ import annotations

import os
import sys

# Before huggingface_hub, transformers or diffusers is imported anywhere: they read these once.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")

import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
for _p in (ROOT / "tests", ROOT / "src"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import semcodec.pipeline  # noqa: E402
from semcodec.models.costs import CostRecorder  # noqa: E402
from semcodec.pipeline import Pipeline  # noqa: E402

#: The tiny generator's settings, as in tests/test_pipeline.py.
GENERATOR_SETTINGS = {"steps": 2, "guidance": 1.0}
#: Every role played by the scripted ``fake`` backend: model time is (almost) nothing.
FAKE_SPECS = dict(describer="fake:vlm", generator="fake:gen", text_model="fake:llm", judge="fake")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[bool] | None = None) -> None:
    """A Markdown table on stdout; ``right`` marks right-aligned (numeric) columns."""
    right = right if right is not None else [i > 0 for i in range(len(headers))]
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---:" if r else "---" for r in right) + "|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    print()


def set_threads(n: int) -> None:
    """Use ``n`` torch threads. One is the default of these benchmarks: on this 2-core machine,
    with any other busy process, two OpenMP threads make the tiny models' millisecond calls take
    seconds (they wait on each other), and tiny models gain nothing from a second thread."""
    import torch

    torch.set_num_threads(n)


def machine_line() -> str:
    """Where the numbers were taken: CPU count, torch threads (if loaded), load average."""
    threads = ""
    if "torch" in sys.modules:
        threads = f", torch {sys.modules['torch'].__version__} with {sys.modules['torch'].get_num_threads()} threads"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{platform.machine()} CPU, {os.cpu_count()} cores{threads}, Python {platform.python_version()}; "
            f"load average (1/5/15 min) {load}")


@dataclass(frozen=True)
class TinyModels:
    """Directories of the saved tiny models."""

    vlm: Path
    lm: Path
    sd: Path
    clip: Path

    @classmethod
    def at(cls, root: Path) -> "TinyModels":
        """Where ``build(root)`` saves the models."""
        return cls(root / "vlm", root / "lm", root / "sd", root / "clip")

    @classmethod
    def build(cls, root: Path) -> "TinyModels":
        """Build and save the four tiny models under ``root`` (seeded: the same weights every run)."""
        import torch
        from tiny_models import save_tiny_clip, save_tiny_lm, save_tiny_sd, save_tiny_vlm

        paths = cls.at(root)
        for save, path in ((save_tiny_vlm, paths.vlm), (save_tiny_lm, paths.lm), (save_tiny_sd, paths.sd),
                           (save_tiny_clip, paths.clip)):
            torch.manual_seed(0)
            save(path)
        return paths

    def pipeline(self) -> Pipeline:
        """A pipeline over the tiny models on the CPU, without the result cache."""
        return Pipeline(describer=f"hf:{self.vlm}", generator=f"diffusers:{self.sd}",
                        options={"generator": GENERATOR_SETTINGS}, text_model=f"hf:{self.lm}",
                        judge=f"clip:{self.clip}", cache=False, device="cpu")


def fake_pipeline() -> Pipeline:
    """A pipeline over the scripted fakes, without the result cache."""
    return Pipeline(**FAKE_SPECS, cache=False)


def load_models(pipe: Pipeline) -> dict[str, float]:
    """Load the pipeline's four models now; seconds per model, in the order loaded.

    """
    models = pipe.models
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("describer (VLM)", lambda: models.get("describer")),
        ("text model (LM)", lambda: models.get("text_model")),
        ("generator (SD)", models.generator),
        ("judge (CLIP)", lambda: models.get("judge")),
    ]
    seconds = {}
    for name, load in steps:
        start = time.perf_counter()
        load()
        seconds[name] = time.perf_counter() - start
    return seconds


def sample_image(width: int, height: int, seed: int = 0):
    """A synthetic RGB image: a colour gradient with noise (seeded)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 // max(1, width - 1), y * 255 // max(1, height - 1), np.full_like(x, 40 * seed % 256)], -1)
    return Image.fromarray(np.clip(base + rng.integers(-25, 25, base.shape), 0, 255).astype(np.uint8))


class _ExactRecorder(CostRecorder):
    """A cost recorder whose ``as_dict`` keeps full-precision seconds (the stock one rounds to
    milliseconds, too coarse for an overhead of a few milliseconds)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exact: dict[str, float] = {}

    def record(self, stage: str, seconds: float, *args: Any, **kwargs: Any) -> None:
        super().record(stage, seconds, *args, **kwargs)
        self.exact[stage] = self.exact.get(stage, 0.0) + float(seconds)

    def as_dict(self) -> dict[str, Any]:
        out = super().as_dict()
        for stage, seconds in self.exact.items():
            out["stages"][stage]["seconds"] = seconds
        out["total"]["seconds"] = sum(self.exact.values())
        return out


@contextmanager
def exact_costs() -> Iterator[None]:
    """Within the block, ``Pipeline.encode``/``decode`` report unrounded stage seconds."""
    import importlib

    modules = [importlib.import_module(f"semcodec.pipeline.{name}") for name in ("encode", "decode")]
    saved = [m.CostRecorder for m in modules]
    for m in modules:
        m.CostRecorder = _ExactRecorder  # type: ignore[misc]
    try:
        yield
    finally:
        for m, recorder in zip(modules, saved):
            m.CostRecorder = recorder  # type: ignore[misc]


def model_seconds(costs: dict[str, Any]) -> float:
    """Seconds inside model calls: the sum over stages (no stage nests another with these judges)."""
    return sum(stage["seconds"] for stage in costs["stages"].values())


def timed_call(fn: Callable[[], Any]) -> tuple[Any, float]:
    """(fn(), wall seconds)."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.1f}"
