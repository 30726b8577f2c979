"""The worker side of an eval run: the computation of one record (describe where needed, encode,
decode from the file's bytes, score), in this process or in each Ray actor.

A worker writes nothing: the record and the decoded image (PNG bytes) go back to the driver
(``eval.run.EvalRunner``), which alone writes the run directory.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..codec import Budget
from ..errors import BudgetError, InputError
from ..pipeline.config import RuntimeConfig
from .bench import load_metrics
from .config import EvalConfig
from .rundir import IMAGES_DIR, file_part

if TYPE_CHECKING:
    from ..batch.items import WorkItem
    from ..pipeline.modelset import ModelSet


def decoded_png(name: str, budget: Budget) -> str:
    """The path of a record's decoded image, relative to the run directory."""
    return f"{IMAGES_DIR}/{file_part(name)}.{budget.slug}.png"


def finite(value: float) -> float | None:
    """``value``, or None for an infinity or NaN (JSON has neither)."""
    return value if math.isfinite(value) else None


class EvalWorker:
    """The computation of one record (describe where needed, encode, decode from the file's
    bytes, score), built once per worker: in this process, or in each Ray actor from an
    ``EvalTask``. It writes nothing: the decoded image goes back to the driver as PNG bytes."""

    def __init__(self, config: EvalConfig, models: ModelSet, image_metrics: list[Any]) -> None:
        self.config = config
        self.models = models
        self.image_metrics = image_metrics

    def __call__(self, item: WorkItem) -> dict[str, Any]:
        """One (image, budget) item, whose payload is (the original, its description or None):
        its record, its decoded PNG and the description (which the driver shares)."""
        (original, description), name, budget = item.payload, item.input, item.budget
        describe_s, png = None, None
        try:
            if description is None:
                start = time.perf_counter()
                description = self._describe(original, budget)
                describe_s = round(time.perf_counter() - start, 3)  # counted in this record only
            record, png = self.evaluate(name, original, description, describe_s, budget)
        except BudgetError as e:  # e.g. 100 µbpp of a thumbnail: less than one bit
            record = failed_record(name, budget, original, str(e))
        return {"record": record, "png": png, "description": description, "models": self.models.loaded_models()}

    # -- one record ---------------------------------------------------------------------------

    def evaluate(self, name: str, original: np.ndarray, description: str, describe_s: float | None,
                 budget: Budget) -> tuple[dict[str, Any], bytes]:
        """Encode, decode from the file's bytes and score: one record, and the decoded PNG."""
        from PIL import Image

        from ..imageio import to_png_bytes
        from ..pipeline import decode, encode

        height, width = original.shape[:2]
        record: dict[str, Any] = {"image": name, "setting": budget.label, "width": width, "height": height,
                                  "description": description, "describe_seconds": describe_s}
        start = time.perf_counter()
        enc = encode(self.models, Image.fromarray(original), self.config.at(budget), text=description)
        encode_s = time.perf_counter() - start
        start = time.perf_counter()
        dec = decode(self.models, enc.encoded.data)
        decode_s = time.perf_counter() - start
        png = decoded_png(name, budget)
        png_bytes = to_png_bytes(dec.image)
        e = enc.encoded
        record.update({
            "status": "ok", "bytes": len(e.data), "file_bits": e.file_bits, "header_bits": e.header_bits,
            "payload_bits": e.payload_bits, "bpp": e.file_bits / (width * height), "ubpp": e.ubpp,
            "text": e.text, "coded_text": e.coded_text, "prompt": dec.prompt, "seed": e.header.seed,
            "prior": e.header.prior, "smc": e.data.hex(), "decoded_png": png,
            "metrics": {}, "metric_notes": {},
            "costs": {"encode": enc.costs, "decode": dec.costs, "decode_seconds": round(decode_s, 3)},
            # CompressAI's names: seconds to encode (the description included when this record
            # made it) and to decode, as a user of the codec would wait for them.
            "encoding_time": round(encode_s + (describe_s or 0.0), 3), "decoding_time": round(decode_s, 3),
        })
        if enc.search is not None:
            summary = enc.search.summary()
            summary.pop("costs", None)
            record["search"] = summary
        decoded = np.array(dec.image.convert("RGB"))
        for m in self.image_metrics:
            try:
                record["metrics"][m.name] = finite(m(original, decoded))
            except InputError as err:  # e.g. MS-SSIM on an image too small for its five scales
                record["metrics"][m.name] = None
                record["metric_notes"][m.name] = str(err)
        return record, png_bytes

    def _description_key(self, name: str, setting: str) -> tuple[str, str]:
        """Brief descriptions are made per image and budget, full ones once per image."""
        return (name, setting if self.config.encode.describe == "brief" else "")

    def _describe(self, original: np.ndarray, budget: Budget) -> str:
        """The image's description for ``budget``: the encoder's own describe step."""
        from PIL import Image

        from ..pipeline.encode import describe_for

        return describe_for(self.models, Image.fromarray(original), self.config.at(budget))


def failed_record(name: str, budget: Budget, original: np.ndarray | None, error: str) -> dict[str, Any]:
    """The record of an item that could not be coded (a budget below one bit, an unreadable
    image, a dead worker)."""
    height, width = original.shape[:2] if original is not None else (None, None)
    return {"image": name, "setting": budget.label, "width": width, "height": height, "status": "failed",
            "error": error}


@dataclass(frozen=True)
class EvalTask:
    """The worker side of a run (``batch.items.Task``): configuration only, so it pickles to a
    Ray actor, which builds its own models and per-image metrics once."""

    config: EvalConfig
    runtime: RuntimeConfig

    def start(self) -> EvalWorker:
        from ..pipeline.modelset import ModelSet

        image_metrics, _, _ = load_metrics(list(self.config.metrics), clip_model=self.config.clip_model)
        return EvalWorker(self.config, ModelSet(self.config.models, self.runtime), image_metrics)
