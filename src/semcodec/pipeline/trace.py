"""A search trace on disk: what each candidate coded, what it rendered and how it scored.

``write_trace(result, dir)`` writes ``trace.json`` (one record per candidate plus the chosen
index), the original and every candidate image as PNG, and ``index.html``, a self-contained page
that shows them side by side with prompt, seed, bits and score, the chosen one highlighted. It
is for a person asking "why did the encoder pick this?" (``semcodec encode --trace DIR``).
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from ..errors import InputError
from .search import SearchResult

TRACE_VERSION = 1
ORIGINAL_PNG = "original.png"

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
.grid{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
figure{margin:0;padding:.6em;border:3px solid #ddd;border-radius:6px;width:260px}
figure.chosen{border-color:#1a7f37;background:#eefbf0}
img{width:256px;height:auto;display:block}
figcaption{font-size:.85em;margin-top:.4em}
.prompt{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-word}
.notes{font-size:.85em;color:#555}
"""


def candidate_png(index: int) -> str:
    """File name of candidate ``index``'s image inside a trace directory."""
    return f"candidate-{index:03d}.png"


def write_trace(result: SearchResult, directory: str | Path) -> Path:
    """Write the trace of ``result`` into ``directory`` (created if needed); returns the path of
    ``index.html``. Existing files of the same names are overwritten. InputError when the folder
    cannot be written."""
    try:
        return _write(result, Path(directory))
    except OSError as e:
        raise InputError(f"cannot write the search trace into {directory}: {e.strerror or e}") from None


def _write(result: SearchResult, out: Path) -> Path:
    """Every file through ``fileio``/``imageio``: atomic, never into a FIFO or a device."""
    from ..fileio import write_atomic
    from ..imageio import save_image

    out.mkdir(parents=True, exist_ok=True)
    save_image(result.original, out / ORIGINAL_PNG)
    records = []
    for i, candidate in enumerate(result.candidates):
        save_image(candidate.image, out / candidate_png(i))
        records.append({**candidate.record(), "image": candidate_png(i)})
    trace = {
        "trace_version": TRACE_VERSION,
        "original": ORIGINAL_PNG,
        "chosen": result.chosen,
        "candidates": records,
        **{k: v for k, v in result.summary().items() if k not in ("chosen", "candidates")},
    }
    write_atomic(out / "trace.json", (json.dumps(trace, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    page = out / "index.html"
    write_atomic(page, _html(trace).encode("utf-8"))
    return page


def _figure(image: str, caption: str, css_class: str = "") -> str:
    cls = f' class="{css_class}"' if css_class else ""
    return f'<figure{cls}><img src="{escape(image)}" alt="{escape(image)}"><figcaption>{caption}</figcaption></figure>'


def _html(trace: dict) -> str:
    """The page: the original, then each candidate with its numbers; all text escaped."""
    figures = [_figure(trace["original"], "<b>original</b>")]
    for i, c in enumerate(trace["candidates"]):
        chosen = i == trace["chosen"]
        of_budget = "" if c["budget"] is None else f" of {c['budget']}"
        caption = (
            f"<b>#{i}{' (chosen)' if chosen else ''}</b> {escape(c['stage'])}, iteration {c['iteration']}, "
            f"seed {c['seed']}<br>score {c['score']:.4f} ({escape(c['judge'])})<br>"
            f"{c['text_bits']} text bits, {c['file_bits']} file bits{of_budget}"
            f'<div class="prompt">{escape(c["prompt"])}</div>'
        )
        figures.append(_figure(c["image"], caption, "chosen" if chosen else ""))
    notes = "".join(f"<li>{escape(n)}</li>" for n in trace.get("notes", []))
    target = trace.get("target")
    rate = ""
    if target is not None:
        rate = (
            f"<p>Quality target {target}: {'reached' if trace['reached_target'] else 'not reached'} at a budget "
            f"of {trace['budget']} bits; budgets tried: {escape(', '.join(map(str, trace['budgets_tried'])))}.</p>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>semcodec search trace</title><style>{_STYLE}</style></head><body>"
        f"<h1>semcodec search trace</h1><p>{len(trace['candidates'])} candidates scored by "
        f"{escape(trace['judge'])}; chosen: #{trace['chosen']}.</p>{rate}"
        f'<div class="grid">{"".join(figures)}</div>'
        f'{f"<h2>Notes</h2><ul class=notes>{notes}</ul>" if notes else ""}'
        "</body></html>\n"
    )
