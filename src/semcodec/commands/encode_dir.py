"""``semcodec encode-dir``: every image of a folder (or a list file) into .smc files, resumably,
in this process or on a Ray cluster (``--ray``)."""

from __future__ import annotations

from typing import Any, Callable

import click

from ._common import info, print_json
from ._scale import executor_from, scale_options
from .options import encode_config, encoding_options, models_config, runtime_config


@click.command("encode-dir")
@click.argument("source", metavar="IN")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Output folder: one .smc per image, manifest.jsonl, config.json (an existing one is resumed).")
@click.option("--ubpp", type=float, help="Budget in micro-bits per pixel of each original image (e.g. 100).")
@click.option("--max-bits", type=int, help="Budget for each whole file in bits.")
@click.option("--quality-target", type=float, help="Smallest budget whose best candidate reaches this judge score.")
@encoding_options
@scale_options
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the run's summary as JSON on stdout.")
def encode_dir(source: str, out_dir: str, ubpp: float | None, max_bits: int | None, quiet: bool, as_json: bool,
               **kw: Any) -> None:
    """Encode every image in IN (a folder, searched recursively, or a list file of paths)."""
    from ..batch.collection import encode_job
    from ..codec.rate import Budget

    config, models = encode_config(kw, Budget(ubpp=ubpp, max_bits=max_bits)), models_config(kw)
    executor = executor_from(kw, models, encode=config)
    finish(lambda: encode_job(source, out_dir, models, config, runtime_config(kw)), executor,
           "semcodec encode-dir", quiet, as_json)


def finish(make_job: Callable[[], Any], executor: Any, desc: str, quiet: bool, as_json: bool) -> None:
    """Make the job and run it (in this process without ``executor``), then report it: one line
    on stderr, and the summary as JSON with ``--json``. The executor is closed whatever happens."""
    from ..batch.driver import drive
    from ..batch.local import LocalExecutor

    try:
        job = make_job()
        stats = drive(job, executor or LocalExecutor(), desc=desc, progress=not quiet)
    finally:
        if executor is not None:
            executor.close()
    info(f"semcodec: {stats.line('files')}; manifest: {job.store.path}")
    if as_json:
        print_json({"output": str(job.root), "manifest": str(job.store.path), "total": stats.total,
                    "done": stats.done, "ok": stats.ok, "failed": stats.failed, "already_done": stats.skipped,
                    "retried": stats.retried, "seconds": round(stats.seconds, 3), "where": stats.where})
