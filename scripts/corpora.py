"""The description corpora split by describer and style, for training priors and for honest,
leave-one-style-out measurement (deterministic: corpus order, no randomness).

Styles (who wrote the text, in which annotation framework):

- ``iiw``: human, ImageInWords framework: IIW-400 ``IIW`` and DOCCI_Test ``IIW`` (the IIW-400
  object-level descriptions are training-only text of the same style).
- ``docci``: human, DOCCI framework: DOCCI_Test ``DOCCI``.
- ``dci``: human, DCI_Test ``IIW``: DCI's images re-described in the IIW framework (the corpora
  hold no text written by DCI's own annotators).
- ``pali``: model-written, the IIW fine-tuned PaLI-5B (IIW-P5B): CM_3600, LocNar_Eval and the
  IIW-400 ``IIW-P5B`` field.
- ``coco``: human COCO 2017 val captions (short, one sentence).

GPT-4-class and LLaVA-class descriptions are not in the corpora and no model can write them
here, so no split stands for them.

Each style's test half is every second description (odd positions in corpus order); its other
half may be used to train an in-style prior, so an in-style and a cross-style figure are
measured on the very same text.
"""

from __future__ import annotations

import json
from pathlib import Path

STYLES = ("iiw", "docci", "dci", "pali", "coco")
#: The shipped priors' development split (never trained on), kept for ngram-v1's figures.
DEV_FILE = "iiw/CM_3600.jsonl"


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _field(corpora: Path, name: str, key: str) -> list[str]:
    return [r[key] for r in _jsonl(corpora / f"iiw/{name}.jsonl") if r.get(key)]


def style_texts(corpora: Path) -> dict[str, list[str]]:
    """Full descriptions of each style, in corpus order (what a describer would write)."""
    coco = json.loads((corpora / "coco/captions_val2017.json").read_text(encoding="utf-8"))
    return {
        "iiw": _field(corpora, "IIW-400", "IIW") + _field(corpora, "DOCCI_Test", "IIW"),
        "docci": _field(corpora, "DOCCI_Test", "DOCCI"),
        "dci": _field(corpora, "DCI_Test", "IIW"),
        "pali": _field(corpora, "CM_3600", "IIW-P5B") + _field(corpora, "LocNar_Eval", "IIW-P5B")
        + _field(corpora, "IIW-400", "IIW-P5B"),
        "coco": [a["caption"] for a in sorted(coco["annotations"], key=lambda a: a["id"])],
    }


def extra_texts(corpora: Path) -> dict[str, list[str]]:
    """Training-only text of a style (not whole descriptions): IIW-400 object descriptions."""
    objects = [o["description"] for r in _jsonl(corpora / "iiw/IIW-400.jsonl")
               for o in r.get("objects", []) if o.get("description")]
    return {"iiw": objects}


def halves(texts: list[str]) -> tuple[list[str], list[str]]:
    """(train half, test half): even and odd positions."""
    return texts[0::2], texts[1::2]


def test_texts(corpora: Path, style: str) -> list[str]:
    """The test half of ``style``."""
    return halves(style_texts(corpora)[style])[1]


def training_texts(corpora: Path, held_out: str | None = None, in_style: bool = False) -> list[str]:
    """Training text of a prior, in a fixed order.

    ``held_out=None``: every style except the development file CM_3600 (the shipped prior).
    ``held_out=S``: every style but ``S``; with ``in_style`` also the train half of ``S`` (and
    its training-only extras), so only the test half of ``S`` is left out.
    """
    styles, extras = style_texts(corpora), extra_texts(corpora)
    if held_out is None:
        dev = set(_field(corpora, "CM_3600", "IIW-P5B"))
        styles["pali"] = [t for t in styles["pali"] if t not in dev]
    elif held_out not in styles:
        raise ValueError(f"unknown style {held_out!r}; styles: {', '.join(STYLES)}")
    texts: list[str] = []
    for s in STYLES:
        if s == held_out:
            if in_style:
                texts += halves(styles[s])[0] + extras.get(s, [])
            continue
        texts += styles[s] + extras.get(s, [])
    return texts
