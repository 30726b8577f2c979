"""``semcodec bench``: classical codecs at their lowest settings and rate-matched, over a dataset.

Each codec's results are one document in CompressAI's schema: ``{"name", "description",
"results": {"bpp": [...], metric: [one value per operating point]}, "per_image": [rows],
"meta": {...}}``. Operating points are ``lowest`` and each ``--bpp`` target; ``results`` holds
means over the images (FID/KID: one value over all patches).

- stdout: a JSON list of those documents (one JSON document in all).
- ``-o DIR``: one file per codec, ``DIR/jpeg.json``, ``DIR/webp.json``...: exactly what
  CompressAI's ``python -m compressai.utils.plot -f DIR/*.json`` reads (one results object per
  file); ``semcodec plot``, ``report --baselines`` and ``study bitrate --baselines`` take the
  folder itself, its files, or the list of an older semcodec.
- ``-o FILE.json`` with a single ``--codec``: that codec's document.

Progress and a Markdown table go to stderr; ``--table`` prints the table to stdout instead of the JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..errors import InputError

DEFAULT_CODECS = "jpeg,webp,avif,jxl"
DEFAULT_METRICS = "psnr,ms-ssim"


def _split(value: str) -> list[str]:
    return [v.strip().lower() for v in value.split(",") if v.strip()]


def _write(docs: list[dict[str, Any]], output: str) -> None:
    """``output.json`` (one document), or one ``CODEC.json`` per document in the folder ``output``."""
    from ..fileio import write_atomic

    def dump(doc: dict[str, Any]) -> bytes:
        return (json.dumps(doc, indent=2) + "\n").encode()

    if output.lower().endswith(".json"):
        write_atomic(output, dump(docs[0]))
        return
    folder = Path(output)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"cannot create the folder {folder}: {e.strerror or e}") from None
    for doc in docs:
        write_atomic(folder / f"{doc['name']}.json", dump(doc))


@click.command("bench")
@click.argument("dataset")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Local copy of a named dataset (no download).")
@click.option("--codec", "codecs", default=DEFAULT_CODECS, show_default=True, help="Comma-separated codecs.")
@click.option("--lowest", is_flag=True, help="Run each codec at its lowest setting (the default without --bpp).")
@click.option("--bpp", "targets", type=float, multiple=True, help="Rate-match to this bpp (repeatable).")
@click.option("--metrics", default=DEFAULT_METRICS, show_default=True,
              help="Comma-separated: psnr, ms-ssim, lpips, dists, clip, fid, kid.")
@click.option("--clip-model", default=None, help="CLIP model id or directory for the clip metric.")
@click.option("--fid-patch", type=int, default=None, help="FID/KID patch size (default: 64 for Kodak, else 256).")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N images (in sorted order).")
@click.option("-o", "--output", type=click.Path(), help="A folder for one results file per codec (what CompressAI's "
              "plot reads), or FILE.json for a single --codec.")
@click.option("--table", is_flag=True, help="Print the Markdown table on stdout instead of the JSON.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def bench(dataset: str, data_dir: str | None, codecs: str, lowest: bool, targets: tuple[float, ...],
          metrics: str, clip_model: str | None, fid_patch: int | None, limit: int | None, output: str | None,
          table: bool, quiet: bool) -> None:
    """Benchmark classical codecs (JPEG, WebP, AVIF, JPEG XL) on DATASET (kodak, clic2020, a folder)."""
    from ..eval.bench import run_bench, markdown_table

    if any(t <= 0 for t in targets):
        raise InputError("--bpp targets must be positive.")
    if output and output.lower().endswith(".json") and len(_split(codecs)) != 1:
        raise InputError("bench writes one results file per codec, as CompressAI's plot reads them: give -o a folder "
                         "(it gets jpeg.json, webp.json...), or a single --codec for one .json file")
    points: list[float | None] = ([None] if lowest or not targets else []) + list(targets)
    docs = run_bench(dataset, data_dir=data_dir, codecs=_split(codecs), points=points,
                     metrics=_split(metrics), clip_model=clip_model, fid_patch=fid_patch, limit=limit,
                     progress=not quiet)
    text = json.dumps(docs, indent=2)
    if output:
        _write(docs, output)
    md = markdown_table(docs)
    if table:
        click.echo(md)
    else:
        click.echo(text)
        click.echo(md, err=True)
