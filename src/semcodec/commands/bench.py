"""``semcodec bench``: classical codecs at their lowest settings and rate-matched, over a dataset.

Output (stdout, and ``-o FILE``) is a JSON **list** with one document per codec in CompressAI's
schema: ``{"name", "description", "results": {metric: [one value per operating point]},
"per_image": [rows], "meta": {...}}``. Operating points are ``lowest`` and each ``--bpp`` target;
``results`` holds means over the images (FID/KID: one value over all patches). Progress and a
Markdown table go to stderr; ``--table`` prints the table to stdout instead of the JSON.
"""

from __future__ import annotations

import json

import click

from ..errors import InputError

DEFAULT_CODECS = "jpeg,webp,avif,jxl"
DEFAULT_METRICS = "psnr,ms-ssim"


def _split(value: str) -> list[str]:
    return [v.strip().lower() for v in value.split(",") if v.strip()]


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
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Also write the JSON here.")
@click.option("--table", is_flag=True, help="Print the Markdown table on stdout instead of the JSON.")
def bench(dataset: str, data_dir: str | None, codecs: str, lowest: bool, targets: tuple[float, ...],
          metrics: str, clip_model: str | None, fid_patch: int | None, output: str | None, table: bool) -> None:
    """Benchmark classical codecs (JPEG, WebP, AVIF, JPEG XL) on DATASET (kodak, clic2020, a folder)."""
    from ..eval.bench import run_bench, markdown_table

    if any(t <= 0 for t in targets):
        raise InputError("--bpp targets must be positive.")
    points: list[float | None] = ([None] if lowest or not targets else []) + list(targets)
    docs = run_bench(dataset, data_dir=data_dir, codecs=_split(codecs), points=points,
                     metrics=_split(metrics), clip_model=clip_model, fid_patch=fid_patch)
    text = json.dumps(docs, indent=2)
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    md = markdown_table(docs)
    if table:
        click.echo(md)
    else:
        click.echo(text)
        click.echo(md, err=True)
