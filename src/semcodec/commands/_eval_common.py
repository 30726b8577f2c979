"""Options shared by ``semcodec eval`` and ``semcodec study``: the run's models, encoding and
metrics; ``eval_config`` turns them into an ``EvalConfig`` (with ``options``' mapping), and
``finish`` / ``interrupted`` end a run as the user should see it end."""

from __future__ import annotations

from typing import Any

import click

from ..errors import Interrupted, RecordsFailed
from ._common import info
from .options import encode_config, encoding_options, models_config, runtime_config


def run_options(fn: Any) -> Any:
    """Models, encoding, search and metrics of an evaluation run (budgets are added by each command)."""
    decorators = [
        click.option("--data-dir", type=click.Path(file_okay=False), help="Local copy of a named dataset (no download)."),
        click.option("--limit", type=click.IntRange(min=1), help="Evaluate only the first N images (in sorted order); "
                     "the same command without it later completes the run."),
        click.option("--metrics", default=",".join(("psnr", "ms-ssim", "lpips", "clip")), show_default=True,
                     help="Comma-separated: psnr, ms-ssim, lpips, dists, clip, fid, kid (missing weights: skipped with a note)."),
        click.option("--clip-model", default=None, help="CLIP model id or directory for the clip metric."),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return encoding_options(fn)


def split_list(value: str) -> tuple[str, ...]:
    """``"psnr, clip"`` -> ``("psnr", "clip")``."""
    return tuple(v.strip().lower() for v in value.split(",") if v.strip())


def eval_config(dataset: str, budgets: Any, kw: dict[str, Any], **encode_override: Any) -> Any:
    """An ``EvalConfig`` from the options of ``run_options`` (``kw``)."""
    from ..eval.config import EvalConfig

    return EvalConfig(dataset=dataset, budgets=budgets, models=models_config(kw),
                      encode=encode_config(kw, **encode_override), metrics=split_list(kw["metrics"]),
                      clip_model=kw["clip_model"])


def runner_options(kw: dict[str, Any]) -> dict[str, Any]:
    """Options of ``EvalRunner`` that do not change results."""
    return dict(data_dir=kw["data_dir"], runtime=runtime_config(kw), progress=not kw["quiet"], limit=kw["limit"])


def finish(docs: list[dict[str, Any]]) -> None:
    """The one-line summary of each eval run on stderr; RecordsFailed (exit code 8) when a record
    failed, after the results were written and printed."""
    from ..eval.outcome import failed_records, summary_line

    lines = [summary_line(d, d.get("meta", {}).get("run_dir", "")) for d in docs if d.get("meta", {}).get("run")]
    failed = sum(failed_records(d) for d in docs)
    if failed and len(lines) == 1:
        raise RecordsFailed(lines[0])
    for line in lines:
        info(f"semcodec: {line}")
    if failed:
        raise RecordsFailed(f"{failed} records of these runs failed; their reasons are in the lines above")


def interrupted(where: str) -> Interrupted:
    """What the user is told after Ctrl-C: how many records are kept and that the same command resumes."""
    from ..errors import SemcodecError
    from ..eval.rundir import load_run

    try:
        count = f"{len(load_run(where)[1])} records"
    except SemcodecError:  # a study: several runs under ``where``
        count = "the finished records"
    return Interrupted(f"interrupted; {where} keeps {count} (results.json summarises what is done, for plot and "
                       "report), and running the same command resumes where it stopped")
