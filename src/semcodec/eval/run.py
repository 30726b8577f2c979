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

This module is the run's driver (``EvalRunner``, a ``batch`` job): it plans the items, hands them
to an executor and alone writes the directory (``rundir``). ``config`` holds ``EvalConfig``;
``worker`` the computation of one record, in this process or on a Ray actor.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..batch.items import WorkItem
from ..codec import Budget
from ..errors import BudgetError, InputError
from ..locks import FolderLock
from ..pipeline.config import RuntimeConfig
from .bench import load_metrics, results_meta
from .datasets import Dataset, load_image, open_dataset
from .rundir import RECORDS_FILE, RESULTS_FILE, RecordStore, inside, open_run_dir
from .config import EvalConfig
from .worker import EvalTask, EvalWorker, failed_record, finite

if TYPE_CHECKING:
    from ..batch.driver import Executor, Stats
    from ..pipeline.modelset import ModelSet

log = logging.getLogger(__name__)


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
        self._append(failed_record(item.input, item.budget, self._original_or_none(item.input), reason))

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
            return finite(metric.compute())
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
