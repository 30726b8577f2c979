"""``encode-dir`` and ``decode-dir``: a collection of images into .smc files, and back.

The output folder is a run directory like eval's (``eval.rundir.open_run_dir``): ``config.json``
(the configuration: which input, models, encoding; a rerun with another one is refused),
``manifest.jsonl`` (one fsynced record per input: input, output, bytes, µbpp, text, seed,
timings, status), and one output file per input, written atomically before its record. A rerun
does only the inputs without a record (a failed input is recorded as such, and skipped too).

Workers read inputs from bytes and return bytes; only the driver touches the folder.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from ..errors import BudgetError, FormatError, InputError
from ..eval.datasets import IMAGE_SUFFIXES
from ..eval.rundir import open_run_dir, RecordStore
from ..pipeline.config import EncodeConfig, ModelsConfig, RuntimeConfig
from .inputs import Input, list_inputs, output_names
from .items import ItemFailed, WorkItem

MANIFEST = "manifest.jsonl"
#: Input files larger than this are recorded as failed without being read.
MAX_INPUT_BYTES = 256 << 20
#: Output image formats of decode-dir: suffix -> Pillow format.
IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}
#: Errors that concern one input only: recorded as that input's failure, the run goes on.
ITEM_ERRORS = (InputError, FormatError, BudgetError)


# -- the workers ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class EncodeTask:
    """Encode one image (bytes) into .smc bytes under ``encode``."""

    models: ModelsConfig
    encode: EncodeConfig
    runtime: RuntimeConfig

    def start(self) -> Callable[[WorkItem], dict[str, Any]]:
        from ..pipeline.modelset import ModelSet

        models = ModelSet(self.models, self.runtime)
        return lambda item: _timed(_encode_one, models, self.encode, item)


@dataclass(frozen=True)
class DecodeTask:
    """Decode one .smc file (bytes) into image bytes of ``format``."""

    models: ModelsConfig
    runtime: RuntimeConfig
    format: str = "png"

    def start(self) -> Callable[[WorkItem], dict[str, Any]]:
        from ..pipeline.modelset import ModelSet

        models = ModelSet(self.models, self.runtime)
        return lambda item: _timed(_decode_one, models, self.format, item)


def _timed(fn: Callable[..., dict[str, Any]], models: Any, setting: Any, item: WorkItem) -> dict[str, Any]:
    """``fn``'s result, with the item's wall time; an error of this input alone becomes a
    failed record."""
    start = time.perf_counter()
    try:
        result = fn(models, setting, item)
    except ITEM_ERRORS as e:
        result = {"record": {"status": "failed", "error": str(e)}, "data": None}
    record = result["record"]
    record["timings"] = {"seconds": round(time.perf_counter() - start, 3), **record.get("timings", {})}
    return result


def _costs(costs: dict[str, Any]) -> dict[str, Any]:
    """A record's ``timings`` (seconds of each stage that ran) and, for API models, ``usage``."""
    ran = {stage: c["seconds"] for stage, c in costs["stages"].items() if c["calls"]}
    usage = {k: costs["total"][k] for k in ("tokens_in", "tokens_out", "images") if costs["total"][k]}
    return {"timings": ran, **({"usage": usage} if usage else {})}


def _encode_one(models: Any, config: EncodeConfig, item: WorkItem) -> dict[str, Any]:
    from ..imageio import load_image
    from ..pipeline import encode

    src = io.BytesIO(item.payload)
    src.name = item.input  # names the input in load_image's messages
    res = encode(models, load_image(src), config)
    record = {"status": "ok", **res.encoded.summary(), "description": res.description, "generator": res.profile.name,
              "notes": res.notes, **_costs(res.costs)}
    return {"record": record, "data": res.encoded.data}


def _decode_one(models: Any, fmt: str, item: WorkItem) -> dict[str, Any]:
    from ..pipeline import decode

    res = decode(models, item.payload)
    out = io.BytesIO()
    res.image.save(out, format=IMAGE_FORMATS[fmt])
    record = {"status": "ok", **res.encoded.summary(), "prompt": res.prompt, "generator": res.profile.name,
              "notes": res.notes, **_costs(res.costs)}
    return {"record": record, "data": out.getvalue()}


# -- the driver ----------------------------------------------------------------------------------
class CollectionJob:
    """The driver side of ``encode-dir`` / ``decode-dir`` (a ``batch.items.Job``)."""

    def __init__(self, kind: str, source: str, out_dir: str, identity: dict[str, Any], task: Any, *,
                 suffixes: frozenset[str], what: str, out_suffix: str) -> None:
        self.task = task
        self.out_suffix = out_suffix
        out = Path(out_dir)
        self.inputs: dict[str, Input] = {i.id: i for i in list_inputs(source, suffixes, what, exclude=out)}
        self.root = open_run_dir(out, {"kind": kind, "input": str(Path(source).expanduser().resolve()), **identity},
                                 dirs=(), kind=kind)
        self.store = RecordStore(self.root / MANIFEST, manifest_problem)
        self.names: dict[str, str] = {}
        self.records: list[dict[str, Any]] = []

    def plan(self) -> tuple[list[WorkItem], int]:
        self.records = self.store.load()
        recorded = {r["input"]: r["output"] for r in self.records if r.get("output")}
        self.names = output_names(list(self.inputs.values()), self.out_suffix, recorded)
        done = {r["input"] for r in self.records}
        return [WorkItem(i, i) for i in self.inputs if i not in done], len(self.inputs)

    def prepare(self, item: WorkItem) -> WorkItem:
        """The item with its input's bytes (read here, so only items in flight are in memory)."""
        path = self.inputs[item.id].path
        try:
            size = path.stat().st_size
            if size > MAX_INPUT_BYTES:
                raise ItemFailed(f"{path} is {size:,} bytes, more than the {MAX_INPUT_BYTES:,} a batch input may have")
            return replace(item, payload=path.read_bytes())
        except OSError as e:
            raise ItemFailed(f"cannot read {path}: {e.strerror or e}") from None

    def record(self, item: WorkItem, result: dict[str, Any]) -> bool:
        """Write the output file, then its record."""
        from ..fileio import write_atomic

        record = result["record"]
        ok = record["status"] == "ok"
        name = self.names[item.id] if ok else None
        if ok:
            target = self.root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, result["data"])
        self._append({"input": item.id, "output": name, **record})
        return ok

    def give_up(self, item: WorkItem, reason: str) -> None:
        self._append({"input": item.id, "output": None, "status": "failed", "error": reason})

    def _append(self, record: dict[str, Any]) -> None:
        self.store.append(record)
        self.records.append(record)


def encode_job(source: str, out_dir: str, models: ModelsConfig, encode: EncodeConfig,
               runtime: RuntimeConfig) -> CollectionJob:
    """The job of ``semcodec encode-dir``: every image of ``source`` into ``out_dir``."""
    identity = {"models": models.to_dict(), "encode": encode.to_dict()}
    return CollectionJob("encode-dir", source, out_dir, identity, EncodeTask(models, encode, runtime),
                         suffixes=IMAGE_SUFFIXES, what="images", out_suffix=".smc")


def decode_job(source: str, out_dir: str, models: ModelsConfig, runtime: RuntimeConfig,
               fmt: str = "png") -> CollectionJob:
    """The job of ``semcodec decode-dir``: every .smc file of ``source`` into images in ``out_dir``."""
    if fmt not in IMAGE_FORMATS:
        raise InputError(f"the image format is one of {', '.join(IMAGE_FORMATS)}, not {fmt!r}", params=("format",))
    identity = {"models": models.to_dict(), "format": fmt}
    return CollectionJob("decode-dir", source, out_dir, identity, DecodeTask(models, runtime, fmt),
                         suffixes=frozenset({".smc"}), what=".smc files", out_suffix=f".{fmt}")


def manifest_problem(record: Any) -> str | None:
    """What makes ``record`` not a line of a manifest (None when it is one)."""
    if not isinstance(record, dict):
        return f"a JSON {type(record).__name__}, not an object"
    if not isinstance(record.get("input"), str):
        return "no input name"
    if record.get("status") not in ("ok", "failed"):
        return "no status ok or failed"
    if record["status"] == "ok" and not isinstance(record.get("output"), str):
        return "no output name"
    return None
