"""An HTML report of a ``semcodec eval`` run: curves, a table, and image grids.

One self-contained page: every image is embedded as a base64 ``data:`` URL, so the file can be
mailed or archived alone. Images wider or taller than ``max_side`` are shown scaled down (the
page says so); rates and metrics are always those of the full-resolution images. Each image row
shows the original, semcodec's decoded image at each rate with the text it was rendered from,
and the smallest JPEG and AVIF files (each codec's lowest setting, re-encoded here with
``semcodec.eval.baselines``), which are what a classical codec gives at its floor. Every piece of
text on the page is HTML-escaped.

A run folder may come from someone else, so the report reads nothing its records merely point
at: a decoded image is read only from inside the run folder, and the dataset folder recorded in
the run is used only if its images are the ones the run evaluated (the same manifest hash);
otherwise ``data_dir`` must name it.
"""

from __future__ import annotations

import base64
import io
import os
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from .baselines import lowest_files
from .datasets import load_image, open_dataset
from .plot import figure_png, is_semcodec, load_documents, plotted_metrics, rate_quality_figure
from .rundir import load_run
from .rundir import inside

#: Classical codecs whose smallest file is shown beside semcodec's images.
FLOOR_CODECS = ("jpeg", "avif")

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th:first-child,td:first-child{text-align:left}.grid{display:flex;gap:.8em;flex-wrap:wrap;margin-bottom:2em}
figure{margin:0;max-width:320px}figure img{max-width:320px;height:auto;display:block}
figcaption{font-size:.8em}figcaption .text{font-family:ui-monospace,monospace;color:#444;display:block;margin-top:.2em}
.note{color:#666;font-size:.9em}.warn{background:#fff4d6;border-left:4px solid #e0a000;padding:.4em .8em}
"""


def data_url(image: Any, max_side: int | None = None) -> str:
    """A PNG ``data:`` URL of an array or PIL image, scaled down to ``max_side`` if larger."""
    from PIL import Image

    im = image if hasattr(image, "save") else Image.fromarray(np.asarray(image))
    if max_side and max(im.size) > max_side:
        im = im.copy()
        im.thumbnail((max_side, max_side))
    buf = io.BytesIO()
    im.convert("RGB").save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def results_table(docs: list[dict[str, Any]]) -> str:
    """An HTML table: one row per method and operating point, mean rate and every metric."""
    metrics = plotted_metrics(docs)
    head = ["method", "setting", "images", "mean bytes", "mean bpp", "mean µbpp", *metrics]
    rows = []
    for d in docs:
        r = d["results"]
        for i, setting in enumerate(r.get("setting", [])):
            bpp = r["bpp"][i]
            images = r["images"][i] if "images" in r else d.get("meta", {}).get("dataset", {}).get("images")
            cells = [d.get("name"), setting, images, r["bytes"][i], bpp, None if bpp is None else 1e6 * bpp,
                     *(r.get(m, [None] * (i + 1))[i] for m in metrics)]
            rows.append("<tr>" + "".join(f"<td>{escape(_fmt(c))}</td>" for c in cells) + "</tr>")
    return ("<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"
            + "".join(rows) + "</table>")


def _figure(src: str, caption: str, text: str | None = None) -> str:
    body = f"<figcaption>{escape(caption)}"
    if text is not None:
        body += f'<span class="text">{escape(text)}</span>'
    return f'<figure><img src="{escape(src)}" alt="{escape(caption)}">{body}</figcaption></figure>'


def _names(doc: dict[str, Any]) -> set[str] | None:
    """The images a results document averages over (its per-image rows), None when it does not say."""
    rows = doc.get("per_image")
    return {str(r.get("image")) for r in rows} if isinstance(rows, list) and rows else None


def comparability_notes(summary: dict[str, Any], baselines: list[dict[str, Any]],
                        records: list[dict[str, Any]]) -> list[str]:
    """Sentences warning that the page compares unlike things: baselines averaged over another
    image set than semcodec's, a partial run, results older than the records, a dry run."""
    notes = []
    meta = summary.get("meta", {})
    if meta.get("dry_run"):
        notes.append("This is a dry run: scripted fakes stood in for the models, so its texts and images are "
                     "placeholders; only the rates are those of the real generator profile.")
    run = meta.get("run", {})
    if run.get("expected") and run.get("recorded", 0) < run["expected"]:
        notes.append(f"The run is partial: {run['recorded']} of its {run['expected']} records; run the same "
                     "semcodec eval command to complete it.")
    if len(records) > len(summary.get("per_image", [])):
        notes.append(f"results.json summarises {len(summary.get('per_image', []))} records but the run holds "
                     f"{len(records)}; run the same semcodec eval command to bring it up to date.")
    mine, manifest = _names(summary) or set(), meta.get("dataset", {}).get("manifest_sha256")
    for doc in baselines:
        theirs, dataset = _names(doc), doc.get("meta", {}).get("dataset", {})
        count = len(theirs) if theirs is not None else dataset.get("images")
        if theirs is not None and theirs != mine:
            notes.append(f"{doc.get('name')} is averaged over {count} images, semcodec over {len(mine)}: "
                         "their means are not over the same images.")
        elif theirs is None and count != len(mine):
            notes.append(f"{doc.get('name')} is averaged over {count if count is not None else 'an unknown number of'} "
                         f"images, semcodec over {len(mine)}: their means may not be over the same images.")
        elif (theirs == mine and dataset.get("manifest_sha256") and manifest
              and dataset.get("images") == meta.get("dataset", {}).get("images")
              and dataset["manifest_sha256"] != manifest):
            notes.append(f"{doc.get('name')} was computed on images with the same names but other pixels "
                         "(another manifest hash).")
    return notes


def _floor_figures(original: np.ndarray, max_side: int, notes: set[str]) -> list[str]:
    encodings, missing = lowest_files(original, FLOOR_CODECS)
    notes.update(missing)
    return [_figure(data_url(enc.decoded, max_side),
                    f"{enc.codec} lowest (q={enc.quality}): {enc.nbytes} bytes, {enc.bpp:.4f} bpp") for enc in encodings]


def render_report(run_dir: str | os.PathLike[str], *, baselines: list[str] | None = None,
                  data_dir: str | None = None, max_side: int = 768, human: str | None = None) -> str:
    """The report of ``run_dir`` as an HTML string (see the module docstring); ``human``: the
    results of ``semcodec study human`` to include."""
    config, records, summary = load_run(run_dir)
    if summary is None:
        raise InputError(f"{run_dir} has no results.json yet; finish or resume the run with semcodec eval first")
    root = Path(run_dir)
    docs = [summary, *(load_documents(baselines) if baselines else [])]
    dataset = _dataset(run_dir, config, summary, data_dir)
    dataset_root = dataset.root
    notes: set[str] = set()
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>semcodec report: {escape(str(root))}</title>"
             f"<style>{_STYLE}</style></head><body>",
             f"<h1>semcodec evaluation: {escape(str(config.get('dataset')))}</h1>",
             f"<p>{escape(summary.get('description', ''))}</p>"]
    if plotted_metrics(docs):
        parts.append(f'<h2>Rate–quality</h2><img alt="rate-quality curves" src="{data_url_bytes(figure_png(rate_quality_figure(docs)))}">')
    parts += [f'<p class="warn">{escape(n)}</p>' for n in comparability_notes(summary, docs[1:], records)]
    parts += ["<h2>Results (means over images)</h2>", results_table(docs)]
    if not any(is_semcodec(d) for d in docs[1:]) and baselines:
        parts.append('<p class="note">Classical codecs come from the given bench results.</p>')
    if human:
        from .human.report import human_section, load_human

        parts.append(human_section(load_human(human)))
    parts.append(f'<h2>Images</h2><p class="note">Images larger than {max_side} pixels are shown scaled down; '
                 "rates and metrics are those of the full-size files. Under each semcodec image: the text the "
                 "generator rendered.</p>")
    budgets = list(dict.fromkeys(r["setting"] for r in records))
    by_key = {(r["image"], r["setting"]): r for r in records}
    for name in dict.fromkeys(r["image"] for r in records):
        if name not in dataset.files:
            raise InputError(f"{name} of {run_dir} is not in {dataset_root}; give data_dir, the run's dataset folder",
                             params=("data_dir",))
        try:
            original = dataset.load(name)
        except InputError as e:  # recorded as failed by the run
            parts.append(f"<h3>{escape(name)}</h3><p class='note'>{escape(str(e))}</p>")
            continue
        description = next((r["description"] for r in records if r["image"] == name and r.get("description")), None)
        figs = [_figure(data_url(original, max_side), f"original {name} ({original.shape[1]}x{original.shape[0]}); "
                        "full description:", description)]
        for setting in budgets:
            r = by_key.get((name, setting))
            if r is None:
                continue
            if r["status"] != "ok":
                figs.append(f"<figure><figcaption>{escape(setting)}: not coded ({escape(r.get('error', ''))})</figcaption></figure>")
                continue
            png = inside(root, r.get("decoded_png"))
            if png is None:
                figs.append(f"<figure><figcaption>{escape(setting)}: decoded image not shown (its path is "
                            "missing or leaves the run folder)</figcaption></figure>")
                notes.add("Some records name decoded images outside the run folder; they were not read.")
                continue
            figs.append(_figure(data_url(load_image(png), max_side),
                                f"semcodec {setting}: {r['bytes']} bytes, {r['ubpp']:.1f} µbpp", r.get("prompt", r["text"])))
        figs += _floor_figures(original, max_side, notes)
        parts.append(f"<h3>{escape(name)}</h3><div class='grid'>{''.join(figs)}</div>")
    for note in sorted(notes):
        parts.append(f'<p class="note">{escape(note)}</p>')
    parts.append("</body></html>")
    return "\n".join(parts)


def _dataset(run_dir: Any, config: dict[str, Any], summary: dict[str, Any], data_dir: str | None) -> Any:
    """The run's dataset: ``data_dir`` (the user's choice), or the folder the run recorded if its
    images are the run's (same manifest hash), else InputError asking for ``--data-dir``."""
    recorded = summary.get("meta", {}).get("dataset", {}).get("root") if isinstance(summary, dict) else None
    root = data_dir or recorded
    if not isinstance(root, str) or not root or not Path(root).is_dir():
        raise InputError(f"the images of {run_dir} are not at {root!r}; give data_dir, the dataset's folder",
                         params=("data_dir",))
    dataset = open_dataset(root)
    if data_dir is None and dataset.manifest_hash() != config.get("dataset_manifest_sha256"):
        raise InputError(f"the images in {root}, named by {run_dir}, are not the ones the run evaluated (their manifest "
                         "hash differs), so they are not read; give data_dir, the run's dataset folder", params=("data_dir",))
    return dataset


def data_url_bytes(png: bytes) -> str:
    """A ``data:`` URL of PNG bytes."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def write_report(run_dir: str | os.PathLike[str], output: str | os.PathLike[str], **options: Any) -> Path:
    """Render the report and write it to ``output``."""
    from ..fileio import write_atomic

    from .rundir import CONFIG_FILE, RECORDS_FILE, RESULTS_FILE

    runs = [Path(run_dir) / name for name in (CONFIG_FILE, RECORDS_FILE, RESULTS_FILE)]
    write_atomic(output, render_report(run_dir, **options).encode("utf-8"), inputs=runs)
    return Path(output)
