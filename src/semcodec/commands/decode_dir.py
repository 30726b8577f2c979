"""``semcodec decode-dir``: every .smc file of a folder (or a list file) into images, resumably,
in this process or on a Ray cluster (``--ray``)."""

from __future__ import annotations

from typing import Any

import click

from ._scale import executor_from, scale_options
from .encode_dir import finish
from .options import model_options, models_config, runtime_config


@click.command("decode-dir")
@click.argument("source", metavar="IN")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Output folder: one image per .smc file, manifest.jsonl, config.json (an existing one is resumed).")
@click.option("--format", "fmt", type=click.Choice(["png", "jpg", "webp"]), default="png", show_default=True,
              help="Format of the decoded images.")
@model_options
@scale_options
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the run's summary as JSON on stdout.")
def decode_dir(source: str, out_dir: str, fmt: str, quiet: bool, as_json: bool, **kw: Any) -> None:
    """Decode every .smc file in IN (a folder, searched recursively, or a list file of paths)."""
    from ..batch.collection import decode_job

    models = models_config(kw)
    executor = executor_from(kw, models, decode=True)
    finish(lambda: decode_job(source, out_dir, models, runtime_config(kw), fmt), executor,
           "semcodec decode-dir", quiet, as_json)
