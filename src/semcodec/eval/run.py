"""``semcodec eval``: run one codec configuration over a dataset, resumably, and summarise it.

A run lives in a directory:

- ``config.json``: the configuration and the dataset's manifest hash. A run resumes only into a
  directory whose recorded configuration is the same, so every record in it answers one question.
- ``records.jsonl``: one JSON line per (image, budget), appended, flushed and fsynced as each
  completes. An interrupted run (Ctrl-C, a kill, a crash) loses at most the record in progress;
  a torn last line is dropped on resume. Resuming recomputes nothing that is recorded.
- ``images/``: the decoded image of every record as PNG (written before its record, so a record
  always has its image), used for distribution metrics (FID/KID) and the HTML report.
- ``results.json``: the summary in CompressAI's schema, rewritten at the end of every run, also
  of an interrupted one (Ctrl-C), so a partial run can be plotted and reported; its
  ``meta.run`` says how many records it covers and what this run did (``eval/outcome.py``).
- ``.semcodec.lock``: held by the process running in the directory (``semcodec.locks``); a
  second process is refused, so two runs never append the same records twice.

``limit`` evaluates only the first N images (in the dataset's sorted order) without changing the
run's identity, so the same command without it later completes the same run. An image of the
dataset that cannot be read becomes a failed record and the run goes on. Decoded images are named
after the whole file name of their input (``a.png`` and ``a.jpg`` never share one), and nothing
outside the directory is read through a record's paths.

Images are evaluated at their original resolution: the file's rate is counted against the
original's pixels, and metrics compare the original with the decoded image pixel for pixel.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..batch.items import WorkItem
from ..codec import Budget
from ..errors import BudgetError, InputError
from ..locks import LOCK_FILE, FolderLock
from ..pipeline.config import EncodeConfig, ModelsConfig, RuntimeConfig
from .bench import load_metrics, results_meta
from .datasets import Dataset, load_image, open_dataset
from .rundir import file_part, inside, record_problem

if TYPE_CHECKING:
    from ..batch.driver import Executor, Stats
    from ..pipeline.modelset import ModelSet

CONFIG_FILE = "config.json"
RECORDS_FILE = "records.jsonl"
RESULTS_FILE = "results.json"
IMAGES_DIR = "images"
#: Version of the run directory's layout and record fields.
RUN_FORMAT = 2
#: The paper's operating points, used when no budget is given.
PAPER_UBPP = (100.0, 500.0, 1000.0)
DEFAULT_METRICS = ("psnr", "ms-ssim", "lpips", "clip")

log = logging.getLogger(__name__)


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


class RecordStore:
    """An append-only JSONL file of records, each fsynced: a crash loses at most the line in progress."""

    def __init__(self, path: Path, problem: Callable[[Any], str | None] = record_problem) -> None:
        self.path = path
        #: What makes a line not a record of this store (None when it is one).
        self.problem = problem

    def load(self) -> list[dict[str, Any]]:
        """Every complete record; a torn last line (the run was killed while writing it) is cut off.
        A line that is JSON but not a record is an InputError naming the line."""
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        records, good = [], 0
        lines = data.split(b"\n")
        for i, line in enumerate(lines):
            last = i == len(lines) - 1
            if not line.strip():
                good += len(line) + (0 if last else 1)
                continue
            try:
                if last:  # no newline after it: the write did not finish
                    raise ValueError("torn")
                record = json.loads(line)
            except ValueError:
                if last or all(not rest.strip() for rest in lines[i + 1:]):
                    log.warning("dropped an incomplete last record of %s", self.path)
                    with open(self.path, "r+b") as f:
                        f.truncate(good)
                    break
                raise InputError(f"{self.path} has a corrupt record on line {i + 1}; it is not a semcodec run log") from None
            problem = self.problem(record)
            if problem:
                raise InputError(f"{self.path} line {i + 1} is not a semcodec record ({problem}); "
                                 "it is not a semcodec run log")
            records.append(record)
            good += len(line) + 1
        return records

    def append(self, record: dict[str, Any]) -> None:
        """Write one record durably (flush + fsync) before the run moves on."""
        line = json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n"
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())


def open_run_dir(path: str | os.PathLike[str], identity: dict[str, Any], *, dirs: tuple[str, ...] = (IMAGES_DIR,),
                 kind: str = "eval") -> Path:
    """Create a run directory for ``identity`` (with the subfolders ``dirs``), or check that an
    existing one was made for it. ``kind`` names the run in messages (``eval``, ``encode-dir``)."""
    root = Path(path)
    config_path = root / CONFIG_FILE
    recorded = {"format": RUN_FORMAT, "config": identity}
    if config_path.exists():
        try:
            old = json.loads(config_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise InputError(f"{config_path} is unreadable, so {root} cannot be resumed; use another -o directory") from None
        if old != recorded:
            before = old.get("config", {}) if isinstance(old, dict) else {}
            keys = sorted(k for k in set(before) | set(identity) if before.get(k) != identity.get(k)) or ["format"]
            diff = "; ".join(f"{k}: {before.get(k)!r} there, {identity.get(k)!r} now" for k in keys[:3])
            raise InputError(f"{root} holds a run with a different configuration ({diff}), so it cannot be resumed: "
                             "use another -o directory or the same options")
        return root
    if root.exists() and (not root.is_dir() or any(p.name != LOCK_FILE for p in root.iterdir())):
        raise InputError(f"{root} exists and is not a semcodec {kind} run (no {CONFIG_FILE}); use an empty or new directory")
    try:
        root.mkdir(parents=True, exist_ok=True)
        for sub in dirs:
            (root / sub).mkdir(exist_ok=True)
    except OSError as e:
        raise InputError(f"cannot create the run directory {root}: {e.strerror or e}") from None
    from ..fileio import write_atomic

    write_atomic(config_path, (json.dumps(recorded, indent=2, ensure_ascii=False) + "\n").encode())
    return root




def decoded_png(name: str, budget: Budget) -> str:
    """The path of a record's decoded image, relative to the run directory."""
    return f"{IMAGES_DIR}/{file_part(name)}.{budget.slug}.png"


def _finite(value: float) -> float | None:
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
            record = _failed(name, budget, original, str(e))
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
                record["metrics"][m.name] = _finite(m(original, decoded))
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


class EvalRunner:
    """Runs an ``EvalConfig`` into a directory; models load once (the model set is reused). It is
    the driver of the run (a ``batch`` job): it plans the (image, budget) items not yet recorded,
    hands them to the executor (default: in this process) and alone writes images and records.
    Workers elsewhere (``executor``: a ``batch.cluster.RayExecutor``) build their own models from
    the configuration; ``models`` then serves only this process."""

    def __init__(self, config: EvalConfig, out_dir: str | os.PathLike[str], *, runtime: RuntimeConfig | None = None,
                 models: ModelSet | None = None, data_dir: str | None = None, progress: bool = True,
                 limit: int | None = None, executor: Executor | None = None) -> None:
        from ..pipeline.modelset import ModelSet, roles_used
        from .metrics import check_installed

        self.config = config
        self.runtime = runtime or RuntimeConfig()
        # Every library the run will need, before a dataset download or a model load.
        check_installed(config.metrics)
        self.models = models or ModelSet(config.models, self.runtime)
        self.models.check_installed(roles_used(config.encode, describe=True, decode=True))
        self.dataset: Dataset = open_dataset(config.dataset, data_dir)
        self.identity = {**config.identity(), "dataset_manifest_sha256": self.dataset.manifest_hash()}
        #: The images this run evaluates (``limit``: the first N); the identity is the whole dataset's.
        self.selection = self.dataset.first(limit).files
        #: This run's counts (``eval/outcome.py`` words them): new records, and those found recorded.
        self.counts = {"done": 0, "failed": 0, "skipped": 0}
        self.lock = FolderLock(out_dir, "eval run directory")
        with self.lock:
            self.root = open_run_dir(out_dir, self.identity)
        self.store = RecordStore(self.root / RECORDS_FILE)
        self.progress = progress
        self.image_metrics, self.dist_metrics, self.skipped = load_metrics(
            list(config.metrics), clip_model=config.clip_model, patch=self.dataset.fid_patch)
        #: The in-process worker; ``executor`` (e.g. a ``RayExecutor``) runs the items elsewhere.
        self.worker = EvalWorker(config, self.models, self.image_metrics)
        self.executor = executor
        self.stats: Stats | None = None
        self.records: list[dict[str, Any]] = []
        self.descriptions: dict[tuple[str, str], str] = {}
        self._describing: set[tuple[str, str]] = set()
        self._worker_models: dict[str, str] = {}
        self._loaded: tuple[str, np.ndarray] | None = None

    # -- the run ------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        """Evaluate every (image, budget) of the selection not yet recorded, then write and return
        the summary; an interrupted run (KeyboardInterrupt) writes the summary of what it has first.
        The run directory is locked meanwhile."""
        from ..batch.driver import drive
        from ..batch.local import LocalExecutor

        with self.lock:
            executor = self.executor or LocalExecutor(self.worker)
            try:
                self.stats = drive(self, executor, desc="semcodec eval", unit="file", progress=self.progress)
            except KeyboardInterrupt:
                self._write_summary()
                raise
            return self._write_summary()

    def _write_summary(self) -> dict[str, Any]:
        from ..fileio import write_atomic

        summary = self.summarize(self.records)
        write_atomic(self.root / RESULTS_FILE, (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode())
        return summary

    # -- the driver's side of the items (batch.items.Job) ----------------------------------------
    @property
    def task(self) -> EvalTask:
        """What a worker elsewhere runs: the configuration, from which it builds its own models."""
        return EvalTask(self.config, self.runtime)

    def plan(self) -> tuple[list[WorkItem], int]:
        """The (image, budget) items without a record, image by image."""
        budgets = self.config.budgets
        self.records = self.store.load()
        done = {(r["image"], r["setting"]) for r in self.records}
        self.descriptions = {self.worker._description_key(r["image"], r["setting"]): r["description"]
                             for r in self.records if r.get("description")}
        todo = [WorkItem(f"{name}\t{b.label}", name, b) for name in self.selection for b in budgets
                if (name, b.label) not in done]
        total = len(self.selection) * len(budgets)
        self.counts["skipped"] = total - len(todo)
        return todo, total

    def prepare(self, item: WorkItem) -> WorkItem | None:
        """The item with (its original, the description it shares); None while another budget of
        the same image is making that description."""
        key = self.worker._description_key(item.input, item.budget.label)
        description = self.descriptions.get(key)
        if description is None:
            if key in self._describing:
                return None
            self._describing.add(key)
        return replace(item, payload=(self._load(item.input), description))

    def record(self, item: WorkItem, result: dict[str, Any]) -> bool:
        """Write the decoded image, then the record (so a record always has its image)."""
        from ..fileio import write_atomic

        record, key = result["record"], self.worker._description_key(item.input, item.budget.label)
        self._describing.discard(key)
        if result["description"] is not None:
            self.descriptions.setdefault(key, result["description"])
        if result["png"] is not None:
            write_atomic(self.root / record["decoded_png"], result["png"])
        self._worker_models.update(result["models"])
        self._append(record)
        return record["status"] == "ok"

    def give_up(self, item: WorkItem, reason: str) -> None:
        """Record an item that its workers could not compute."""
        self._describing.discard(self.worker._description_key(item.input, item.budget.label))
        self._append(_failed(item.input, item.budget, self._original_or_none(item.input), reason))

    def _append(self, record: dict[str, Any]) -> None:
        """Write one record durably and count it."""
        self.store.append(record)
        self.records.append(record)
        self.counts["done" if record["status"] == "ok" else "failed"] += 1

    def _load(self, name: str) -> np.ndarray:
        """The original image (the last one is kept: an image's budgets are handed out together);
        an unreadable one is ``ItemFailed``: a failed record, and the run goes on."""
        from ..batch.items import ItemFailed

        if self._loaded is None or self._loaded[0] != name:
            try:
                self._loaded = (name, self.dataset.load(name))
            except InputError as e:
                log.warning("%s", e)
                raise ItemFailed(str(e)) from None
        return self._loaded[1]

    def _original_or_none(self, name: str) -> np.ndarray | None:
        """The original for a failed record's size, or None when it cannot be read."""
        from ..batch.items import ItemFailed

        try:
            return self._load(name)
        except ItemFailed:
            return None

    # -- the summary --------------------------------------------------------------------------
    def _distribution(self, metric: Any, rows: list[dict[str, Any]]) -> float | None:
        """FID/KID of one operating point, from the saved decoded images (so resumes need no re-run)."""
        metric.reset()
        for r in rows:
            png = inside(self.root, r["decoded_png"])
            if png is None:
                raise InputError(f"the record of {r['image']} names a decoded image outside {self.root} or missing; "
                                 "the run directory was changed")
            metric.update(self.dataset.load(r["image"]), load_image(png))
        try:
            return _finite(metric.compute())
        except InputError as e:
            self.skipped.setdefault(metric.name, str(e))
            return None

    def summarize(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        """CompressAI-style document: means per budget over the images that were coded."""
        cfg, enc = self.config, self.config.encode
        names = [m.name for m in self.image_metrics] + [m.name for m in self.dist_metrics]
        results: dict[str, list[Any]] = {k: [] for k in ("setting", "images", "failed", "budget_bits", "bytes",
                                                          "file_bits", "bpp", "ubpp", *names,
                                                          "encoding_time", "decoding_time")}
        for budget in cfg.budgets:
            rows = [r for r in records if r["setting"] == budget.label]
            ok = [r for r in rows if r["status"] == "ok"]
            results["setting"].append(budget.label)
            results["images"].append(len(ok))
            results["failed"].append(len(rows) - len(ok))
            results["budget_bits"].append(_mean([_budget_bits(budget, r) for r in rows]))
            for key in ("bytes", "file_bits", "bpp", "ubpp", "encoding_time", "decoding_time"):
                results[key].append(_mean([r.get(key) for r in ok]))
            for m in self.image_metrics:
                results[m.name].append(_mean([r["metrics"].get(m.name) for r in ok]))
            for m in self.dist_metrics:
                results[m.name].append(self._distribution(m, ok) if ok else None)
        per_image = [{k: r[k] for k in ("image", "setting", "status", "bytes", "bpp", "ubpp", "text", "metrics",
                                        "encoding_time", "decoding_time", "error") if k in r}
                     for r in records]
        dry = " (dry run)" if cfg.models.dry_run else ""
        return {
            "name": f"semcodec {enc.coder}" + (f" K={enc.reflect}" if enc.reflect else "")
                    + (f" N={enc.seeds}" if enc.seeds > 1 else "") + dry,
            "description": f"semcodec, {enc.coder} coder, {enc.strategy} rate control, "
                           f"reflection K={enc.reflect}, seeds N={enc.seeds}, "
                           + ", ".join(b.label for b in cfg.budgets),
            "results": results,
            "per_image": per_image,
            "meta": results_meta(
                self.dataset.describe(), [*self.image_metrics, *self.dist_metrics], self.skipped,
                kind="semcodec-eval",
                rate="bpp = whole-file bits / (width x height) of the original; ubpp = 1e6 x bpp; "
                     "results are means over the images coded at each budget",
                config=self.identity, models=self._models(), seeds={"seed": enc.seed, "seeds": enc.seeds},
                runtime=self.runtime.to_dict(),
                prompts=_prompt_ids(), priors=sorted({r["prior"] for r in records if r.get("prior")}),
                run_dir=str(self.root), dry_run=cfg.models.dry_run,
                run={**self.counts, "recorded": len(records), "expected": len(self.dataset) * len(cfg.budgets)},
            ),
        }

    def _models(self) -> dict[str, Any]:
        """Specs of the models an image's encode and decode run (no others), with the cache keys
        (model, revision, options) of those loaded."""
        from ..pipeline.modelset import roles_used

        out = self.models.describe_config(roles_used(self.config.encode, describe=True, decode=True))
        # Loaded backends name their exact model, revision and options in cache_key().
        keys = {**self._worker_models, **self.models.loaded_models()}
        if keys:
            out["cache_keys"] = keys
        return out


def _failed(name: str, budget: Budget, original: np.ndarray | None, error: str) -> dict[str, Any]:
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


def _budget_bits(budget: Budget, record: dict[str, Any]) -> float | None:
    if not record.get("width") or not record.get("height"):  # the image could not be read
        return None
    try:
        b = budget.bits(record["width"], record["height"])
    except BudgetError:  # e.g. 100 ubpp of a thumbnail: less than one bit
        return 0.0
    return None if b is None else float(b)


def _mean(values: list[Any]) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return float(np.mean(vals)) if vals else None


def _prompt_ids() -> dict[str, str]:
    from ..models.prompts import DESCRIBE, DESCRIBE_BRIEF, EXPAND, REVISE, SHORTEN

    return {p.name: p.id for p in (DESCRIBE, DESCRIBE_BRIEF, EXPAND, REVISE, SHORTEN)}


def run_eval(config: EvalConfig, out_dir: str | os.PathLike[str], **options: Any) -> dict[str, Any]:
    """Run (or resume) ``config`` into ``out_dir``; returns the summary document."""
    return EvalRunner(config, out_dir, **options).run()


def load_run(run_dir: str | os.PathLike[str]) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any] | None]:
    """(recorded configuration, records, summary or None) of a run directory."""
    root = Path(run_dir)
    config_path = root / CONFIG_FILE
    if not config_path.is_file():
        raise InputError(f"{root} is not a semcodec eval run: it has no {CONFIG_FILE}")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))["config"]
        results = root / RESULTS_FILE
        summary = json.loads(results.read_text(encoding="utf-8")) if results.is_file() else None
        if not isinstance(config, dict) or not (summary is None or isinstance(summary, dict)):
            raise ValueError("not an object")
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError(f"{root} has an unreadable {CONFIG_FILE} or {RESULTS_FILE}; it is not a semcodec eval run") from None
    records = RecordStore(root / RECORDS_FILE).load()
    return config, records, summary
