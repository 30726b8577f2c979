"""``semcodec eval``: one semcodec configuration over a dataset, resumable.

Writes a run directory (``-o DIR``: config, per-image records, decoded PNGs, ``results.json``)
and prints the summary, one document in CompressAI's schema, on stdout; a one-line account of
the run (done, failed, skipped, the most common failure) goes to stderr, and a failed record
makes the exit code 8. Run the same command again to resume an interrupted run; nothing already
recorded is recomputed.
"""

from __future__ import annotations

import click

from ._common import info, print_json
from ._eval_common import eval_config, finish, interrupted, run_options, runner_options
from ._scale import executor_from, scale_options
from .options import FAKES_HELP


@click.command("eval", epilog=FAKES_HELP)
@click.argument("dataset")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Run directory (created; an existing run with the same configuration is resumed).")
@click.option("--ubpp", type=float, multiple=True, help="Budget in micro-bits per pixel (repeatable; default 100, 500, 1000).")
@click.option("--max-bits", type=int, multiple=True, help="Budget in whole-file bits (repeatable).")
@run_options
@scale_options
def eval_(dataset: str, out_dir: str, ubpp: tuple[float, ...], max_bits: tuple[int, ...], **kw) -> None:
    """Evaluate semcodec on DATASET (kodak, clic2020, a folder) at one or more budgets."""
    from ..eval.config import budgets_from
    from ..eval.run import run_eval

    config = eval_config(dataset, budgets_from(ubpp, max_bits), kw)
    executor = executor_from(kw, config.models, encode=config.encode, decode=True)
    try:
        summary = run_eval(config, out_dir, executor=executor, **runner_options(kw))
    except KeyboardInterrupt:
        raise interrupted(out_dir) from None
    finally:
        if executor is not None:
            executor.close()
    info(f"semcodec: results in {out_dir}/results.json")
    print_json(summary)
    finish([summary])
