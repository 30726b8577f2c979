"""Rate–quality curves from results documents (``semcodec eval`` and ``semcodec bench`` alike).

Both write CompressAI-style documents (``{"name", "results": {"bpp": [...], metric: [...]}}``);
a semcodec run is marked by ``meta.kind == "semcodec-eval"`` and drawn solid, every other
document (the classical codecs of ``semcodec bench``) dashed. The rate axis is bits per pixel on
a log scale, because semcodec and JPEG sit three to four decades apart. matplotlib is imported
only here, with a plain ``Figure`` (Agg canvas): no GUI backend, no global pyplot state.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from ..errors import InputError
from .metrics import METRICS

SEMCODEC_KIND = "semcodec-eval"


def load_documents(paths: list[str | os.PathLike[str]]) -> list[dict[str, Any]]:
    """Every results document in ``paths``: a file holds one document (CompressAI's form, and
    what ``semcodec bench -o DIR`` writes per codec) or a list of them (older semcodec bench
    files); a folder stands for its ``*.json`` files in name order."""
    docs: list[dict[str, Any]] = []
    from ..fileio import read_text
    from ..limits import MAX_DOCUMENT_BYTES

    files = []
    for path in paths:
        files += sorted(Path(path).glob("*.json")) if Path(path).is_dir() else [path]
    for path in files:
        text = read_text(path, MAX_DOCUMENT_BYTES, "results file")  # a regular file, of bounded size
        try:
            data = json.loads(text)
        except ValueError as e:
            raise InputError(f"{path} is not a JSON results file ({type(e).__name__})") from None
        for doc in data if isinstance(data, list) else [data]:
            if not (isinstance(doc, dict) and isinstance(doc.get("results"), dict) and "bpp" in doc["results"]):
                raise InputError(f"{path} is not a results file of semcodec eval or bench (no results.bpp)")
            docs.append(doc)
    if not docs:
        raise InputError("no results to plot")
    return docs


def is_semcodec(doc: dict[str, Any]) -> bool:
    """True for a ``semcodec eval`` document, False for a classical codec's."""
    return doc.get("meta", {}).get("kind") == SEMCODEC_KIND


def plotted_metrics(docs: list[dict[str, Any]]) -> list[str]:
    """The quality metrics any document has a value for, in the registry's order."""
    return [m for m in METRICS if any(any(v is not None for v in d["results"].get(m, [])) for d in docs)]


def _points(doc: dict[str, Any], metric: str) -> tuple[list[float], list[float]]:
    pairs = [(b, v) for b, v in zip(doc["results"]["bpp"], doc["results"].get(metric, [])) if b and v is not None]
    pairs.sort()
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _label(doc: dict[str, Any], names: list[str]) -> str:
    name = str(doc.get("name", "?"))
    if names.count(name) > 1:  # the same codec from two files: tell them apart by dataset
        name += f" ({doc.get('meta', {}).get('dataset', {}).get('name', '?')})"
    return name


def rate_quality_figure(docs: list[dict[str, Any]], metrics: list[str] | None = None) -> Any:
    """A matplotlib Figure: one panel per metric, quality against bpp (log scale)."""
    from ..deps import require

    Figure = require("matplotlib.figure", "eval", "Drawing figures").Figure

    unknown = [m for m in metrics or [] if m not in METRICS]
    if unknown:
        raise InputError(f"unknown metric {unknown[0]!r}; choose from {', '.join(METRICS)}")
    metrics = metrics or plotted_metrics(docs)
    if not metrics:
        raise InputError("the results hold no quality metric to plot (psnr, ms-ssim, lpips, dists, clip, fid, kid)")
    cols = min(3, len(metrics))
    rows = (len(metrics) + cols - 1) // cols
    fig = Figure(figsize=(4.8 * cols, 3.8 * rows), layout="constrained")
    names = [str(d.get("name")) for d in docs]
    for i, metric in enumerate(metrics):
        ax = fig.add_subplot(rows, cols, i + 1)
        for doc in docs:
            xs, ys = _points(doc, metric)
            if not xs:
                continue
            ax.plot(xs, ys, "-" if is_semcodec(doc) else "--", marker="o", ms=4, label=_label(doc, names))
        ax.set_xscale("log")
        ax.set_xlabel("rate (bpp, whole file; log scale)")
        better = "higher" if METRICS[metric].higher_is_better else "lower"  # type: ignore[attr-defined]
        ax.set_ylabel(f"{metric} ({better} is better)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("semcodec (solid) and classical codecs (dashed)", fontsize=9)
    return fig


def save_figure(fig: Any, path: str | os.PathLike[str]) -> None:
    """Write a figure (format from the suffix: .png, .svg, .pdf), as one clear error if it cannot."""
    try:
        fig.savefig(path, dpi=120)
    except (OSError, ValueError) as e:
        raise InputError(f"cannot write the figure {path}: {e}") from None


def figure_png(fig: Any) -> bytes:
    """A figure as PNG bytes (for embedding in a report)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()
