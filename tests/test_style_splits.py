"""The style splits of scripts/corpora.py on a tiny corpus of the same layout (never shared/)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import corpora  # noqa: E402


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    (tmp_path / "iiw").mkdir()
    (tmp_path / "coco").mkdir()

    def jsonl(name: str, rows: list[dict]) -> None:
        (tmp_path / "iiw" / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    jsonl("IIW-400", [{"IIW": f"iiw {i}", "IIW-P5B": f"p5b {i}", "objects": [{"description": f"obj {i}"}]}
                      for i in range(4)])
    jsonl("DOCCI_Test", [{"DOCCI": f"docci {i}", "IIW": f"iiw-docci {i}"} for i in range(2)])
    jsonl("DCI_Test", [{"IIW": f"dci {i}"} for i in range(2)])
    jsonl("CM_3600", [{"IIW-P5B": f"cm {i}"} for i in range(2)])
    jsonl("LocNar_Eval", [{"IIW-P5B": f"locnar {i}"} for i in range(2)])
    coco = {"annotations": [{"id": 9 - i, "caption": f"coco {i}"} for i in range(4)]}
    (tmp_path / "coco" / "captions_val2017.json").write_text(json.dumps(coco))
    return tmp_path


def test_styles_and_halves(tiny):
    styles = corpora.style_texts(tiny)
    assert styles["iiw"] == ["iiw 0", "iiw 1", "iiw 2", "iiw 3", "iiw-docci 0", "iiw-docci 1"]
    assert styles["pali"][:2] == ["cm 0", "cm 1"] and "p5b 0" in styles["pali"]
    assert styles["coco"] == ["coco 3", "coco 2", "coco 1", "coco 0"]  # by annotation id
    assert corpora.test_texts(tiny, "coco") == ["coco 2", "coco 0"]


def test_held_out_style_never_reaches_training(tiny):
    out = corpora.training_texts(tiny, "coco")
    assert not any(t.startswith("coco") for t in out) and "obj 0" in out
    inside = corpora.training_texts(tiny, "coco", in_style=True)
    assert set(corpora.test_texts(tiny, "coco")).isdisjoint(inside) and "coco 3" in inside
    iiw_out = corpora.training_texts(tiny, "iiw")
    assert not any(t.startswith(("iiw", "obj")) for t in iiw_out)
    shipped = corpora.training_texts(tiny)
    assert not any(t.startswith("cm") for t in shipped) and "locnar 0" in shipped
    assert corpora.training_texts(tiny, "pali") == corpora.training_texts(tiny, "pali")  # deterministic
    with pytest.raises(ValueError, match="unknown style"):
        corpora.training_texts(tiny, "gpt4")
