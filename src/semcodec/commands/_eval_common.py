"""Options shared by ``semcodec eval`` and ``semcodec study``: the run's models, encoding and
metrics; ``eval_config`` turns them into an ``EvalConfig`` (with ``options``' mapping)."""

from __future__ import annotations

from typing import Any

import click

from .options import encode_config, encoding_options, models_config, runtime_config


def run_options(fn: Any) -> Any:
    """Models, encoding, search and metrics of an evaluation run (budgets are added by each command)."""
    decorators = [
        click.option("--data-dir", type=click.Path(file_okay=False), help="Local copy of a named dataset (no download)."),
        click.option("--metrics", default=",".join(("psnr", "ms-ssim", "lpips", "clip")), show_default=True,
                     help="Comma-separated: psnr, ms-ssim, lpips, dists, clip, fid, kid (missing weights: skipped with a note)."),
        click.option("--clip-model", default=None, help="CLIP model id or directory for the clip metric."),
        click.option("--quiet", is_flag=True, help="No progress bar."),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return encoding_options(fn)


def split_list(value: str) -> tuple[str, ...]:
    """``"psnr, clip"`` -> ``("psnr", "clip")``."""
    return tuple(v.strip().lower() for v in value.split(",") if v.strip())


def eval_config(dataset: str, budgets: Any, kw: dict[str, Any], **encode_override: Any) -> Any:
    """An ``EvalConfig`` from the options of ``run_options`` (``kw``)."""
    from ..eval.run import EvalConfig

    return EvalConfig(dataset=dataset, budgets=budgets, models=models_config(kw),
                      encode=encode_config(kw, **encode_override), metrics=split_list(kw["metrics"]),
                      clip_model=kw["clip_model"])


def runner_options(kw: dict[str, Any]) -> dict[str, Any]:
    """Options of ``EvalRunner`` that do not change results."""
    return dict(data_dir=kw["data_dir"], runtime=runtime_config(kw), progress=not kw["quiet"])
