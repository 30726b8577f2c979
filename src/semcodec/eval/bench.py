"""Run classical codecs over a dataset and collect CompressAI-style results documents.

Kept apart from the CLI so that the eval runner and the report can call it directly.
"""

from __future__ import annotations

import datetime
import logging
import math
import platform
from typing import Any

import numpy as np

from ..errors import InputError
from .baselines import CodecUnavailable, get_codec
from .datasets import open_dataset
from .metrics import DistributionMetric, ImageMetric, MetricUnavailable, check_installed, get_metric

log = logging.getLogger(__name__)


def load_metrics(names: list[str], *, clip_model: str | None = None,
                 patch: int | None = None) -> tuple[list[ImageMetric], list[DistributionMetric], dict[str, str]]:
    """Build the named metrics once: (per-image metrics, distribution metrics, {skipped: why}).

    A metric that cannot run here (missing package or weights) is skipped with its note printed
    on stderr; an unknown name is an InputError.
    """
    skipped: dict[str, str] = {}
    image_metrics: list[ImageMetric] = []
    dist_metrics: list[DistributionMetric] = []
    for name in dict.fromkeys(n.lower() for n in names):
        opts: dict[str, Any] = ({"model": clip_model} if name == "clip" and clip_model else
                                {"patch": patch} if name in ("fid", "kid") and patch else {})
        try:
            m = get_metric(name, **opts)
        except MetricUnavailable as e:
            skipped[name] = str(e)
            log.warning("skipping metric %s: %s", name, e)
            continue
        (dist_metrics if isinstance(m, DistributionMetric) else image_metrics).append(m)
    return image_metrics, dist_metrics, skipped


def _with_bar(ds: Any, desc: str, progress: bool) -> Any:
    """The dataset's (name, image) pairs, counted on a progress bar on stderr."""
    from ..progress import bar

    with bar(len(ds), desc, enabled=progress, unit="image", leave=False) as images:
        for item in ds:
            yield item
            images.update(1)


def _point_name(target: float | None) -> str:
    return "lowest" if target is None else f"{target:g} bpp"


def run_bench(dataset: str, *, data_dir: str | None = None, codecs: list[str], points: list[float | None],
              metrics: list[str], clip_model: str | None = None, fid_patch: int | None = None,
              progress: bool = True, limit: int | None = None) -> list[dict[str, Any]]:
    """One results document per available codec; ``points`` holds ``None`` (lowest) or target bpps;
    ``limit``: the first N images of the dataset only.

    Unavailable codecs and metrics are skipped; the reason is printed and kept in each meta.
    """
    from ..deps import check

    check_installed(metrics)
    check(("imagecodecs",), "eval", "semcodec bench")
    ds = open_dataset(dataset, data_dir).first(limit)
    image_metrics, dist_metrics, skipped = load_metrics(metrics, clip_model=clip_model, patch=fid_patch or ds.fid_patch)

    docs = []
    for cname in dict.fromkeys(codecs):
        try:
            codec = get_codec(cname)
        except CodecUnavailable as e:
            log.warning("skipping codec %s: %s", cname, e)
            continue
        results: dict[str, list[Any]] = {k: [] for k in ("setting", "target_bpp", "targets_met", "quality",
                                                         "bytes", "bpp")}
        for m in [*image_metrics, *dist_metrics]:
            results[m.name] = []
        rows: list[dict[str, Any]] = []
        for target in points:
            for m in dist_metrics:
                m.reset()
            point_rows = []
            for name, image in _with_bar(ds, f"{cname} {_point_name(target)}", progress):
                enc = codec.lowest(image) if target is None else codec.at_bpp(image, target)
                row: dict[str, Any] = {"image": name, "setting": _point_name(target), "quality": enc.quality,
                                       "bytes": enc.nbytes, "bpp": enc.bpp,
                                       "width": image.shape[1], "height": image.shape[0]}
                if target is not None:
                    row["target_met"] = enc.bpp <= target
                for m in image_metrics:
                    row[m.name] = m(image, enc.decoded)
                for m in dist_metrics:
                    m.update(image, enc.decoded)
                point_rows.append(row)
            rows += point_rows
            results["setting"].append(_point_name(target))
            results["target_bpp"].append(target)
            results["targets_met"].append(None if target is None else sum(r["target_met"] for r in point_rows))
            for key in ("quality", "bytes", "bpp", *(m.name for m in image_metrics)):
                results[key].append(float(np.mean([r[key] for r in point_rows])))
            for m in dist_metrics:
                results[m.name].append(m.compute())
        docs.append({
            "name": cname,
            "description": f"{codec.description} via imagecodecs, "
                           + ", ".join(_point_name(t) for t in points),
            "results": results,
            "per_image": rows,
            "meta": results_meta(ds.describe(), [*image_metrics, *dist_metrics], skipped, codec=codec.describe(),
                                 rate="bpp = 8 x whole-file bytes / (width x height); results are means over images"),
        })
    if not docs:
        raise InputError("none of the requested codecs is available in the installed imagecodecs.")
    return docs


def semcodec_version() -> str:
    """semcodec's version (``semcodec.__version__``, the one source the package metadata and
    ``semcodec --version`` read too)."""
    from .. import __version__

    return __version__


def results_meta(dataset: dict[str, Any], metrics: list[Any], skipped: dict[str, str], **extra: Any) -> dict[str, Any]:
    """The ``meta`` block every results document carries: dataset identity, how each metric was
    computed, what was skipped and why, versions and date; ``extra`` adds the producer's fields."""
    return {
        "dataset": dataset,
        **extra,
        "metrics": {m.name: m.describe() for m in metrics},
        "skipped_metrics": skipped,
        "semcodec_version": semcodec_version(),
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return f"{value:.4f}" if abs(value) < 1 else f"{value:.2f}"
    return str(value)


def markdown_table(docs: list[dict[str, Any]]) -> str:
    """One row per codec and operating point: means of bytes, bpp and every metric."""
    fixed = ("setting", "target_bpp", "targets_met", "quality", "bytes", "bpp")
    metric_names = list(dict.fromkeys(k for d in docs for k in d["results"] if k not in fixed))
    head = ["codec", "setting", "mean quality", "mean bytes", "mean bpp", *metric_names, "target met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for d in docs:
        r = d["results"]
        n = d["meta"]["dataset"]["images"]
        for i, setting in enumerate(r["setting"]):
            met = "—" if r["targets_met"][i] is None else f"{r['targets_met'][i]}/{n}"
            cells = [d["name"], setting, f"{r['quality'][i]:.1f}", f"{r['bytes'][i]:.0f}", f"{r['bpp'][i]:.4f}",
                     *(_fmt(r[m][i]) if m in r else "—" for m in metric_names), met]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
