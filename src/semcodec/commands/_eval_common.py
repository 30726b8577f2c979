"""Options shared by ``semcodec eval`` and ``semcodec study``: which models and which search.

Each decorator adds click options; ``eval_config`` turns their values into an ``EvalConfig``.
"""

from __future__ import annotations

from typing import Any

import click

from ._common import encoding_options, parse_options


def run_options(fn: Any) -> Any:
    """Models, search and metrics of an evaluation run (budgets are added by each command)."""
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


def eval_config(dataset: str, budgets: Any, kw: dict[str, Any], **override: Any) -> Any:
    """An ``EvalConfig`` from the options of ``run_options`` (``kw``) and per-command values."""
    from ..eval.run import EvalConfig

    values = dict(
        dataset=dataset, budgets=budgets, coder=kw["coder"], strategy=kw["strategy"], preset=kw["preset"],
        describer=kw["describer"], generator=kw["generator"],
        generator_settings=parse_options(kw["generator_option"], "--generator-option"), expander=kw["expander"],
        text_model=kw["text_model"], judge=kw["judge"], reflect=kw.get("reflect", 0), seeds=kw.get("seeds", 1),
        patience=kw["patience"], describe=kw["describe_mode"], seed=kw["seed"], metrics=split_list(kw["metrics"]), clip_model=kw["clip_model"],
    )
    values.update(override)
    return EvalConfig(**values)


def runner_options(kw: dict[str, Any]) -> dict[str, Any]:
    """Options of ``EvalRunner`` that do not change results."""
    return dict(data_dir=kw["data_dir"], device=kw["device"], dtype=kw["dtype"], cpu_offload=kw["cpu_offload"],
                cache=not kw["no_cache"], progress=not kw["quiet"], base_url=kw["base_url"])
