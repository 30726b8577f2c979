"""The human study's section of the HTML report (``semcodec report --human human.json``)."""

from __future__ import annotations

import base64
import json
from html import escape
from pathlib import Path
from typing import Any

from ...errors import InputError


def load_human(path: str | Path) -> dict[str, Any]:
    """The document ``semcodec study human`` wrote (human.json)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise InputError(f"cannot read the human study results {path} ({type(e).__name__})") from None
    doc = data[0] if isinstance(data, list) and data else data
    if not (isinstance(doc, dict) and doc.get("name") == "human-2afc"):
        raise InputError(f"{path} is not the output of semcodec study human")
    return doc


def human_section(doc: dict[str, Any]) -> str:
    """HTML: who took part and who was excluded, the table, and the figure (all text escaped)."""
    from ..plot import figure_png
    from .analysis import human_figure

    def ci(v: list[float] | None) -> str:
        return "—" if v is None else f"[{v[0]:.3f}, {v[1]:.3f}]"

    p, a = doc["participants"], doc["attention"]
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in (
            m["method"], "—" if m.get("bpp") is None else f"{m['bpp']:.5f}", m["comparisons"],
            "—" if m["win_rate"] is None else f"{m['win_rate']:.3f}", ci(m["win_rate_ci"]), f"{m['bt']:.2f}",
            ci(m["bt_ci"]))) + "</tr>"
        for m in sorted(doc["methods"], key=lambda r: -r["bt"]))
    head = "".join(f"<th>{h}</th>" for h in ("method", "bpp", "comparisons", "win rate", "95% CI", "Bradley-Terry", "95% CI"))
    return (
        "<h2>Human study (2AFC)</h2>"
        f"<p>{p['started']} participants started, {p['kept']} kept, <b>{p['excluded']} excluded</b> for failed attention "
        f"checks ({a['failed']} of {a['answered']} checks failed; more than {a['max_failures']} excludes), "
        f"{p['unchecked']} left out with no check answered; {doc['comparisons']} comparisons. "
        f"{escape(doc['meta']['win_rate_ci'])} intervals; {escape(doc['meta']['bt_ci'])}.</p>"
        f"<table><tr>{head}</tr>{rows}</table>"
        f'<img alt="human study results" src="data:image/png;base64,{base64.b64encode(figure_png(human_figure(doc))).decode()}">'
    )
