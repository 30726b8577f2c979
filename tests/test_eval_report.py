"""``semcodec report``: one HTML page whose every image is embedded and whose text is escaped."""

from __future__ import annotations

import base64
import io
import json
from html.parser import HTMLParser

import pytest
from PIL import Image

from eval_helpers import FAKE, Counting, image_folder
from semcodec.codec import Budget
from semcodec.eval.config import EvalConfig
from semcodec.eval.run import run_eval

pytest.importorskip("imagecodecs")

NASTY = '<b>"red" & <script>alert(1)</script></b> fox'


class Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.srcs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.srcs.append(dict(attrs)["src"])
        assert tag != "script", "unescaped markup from a description reached the page"

    def handle_data(self, data):
        self.text.append(data)


def test_report_embeds_every_image_and_escapes_text(tmp_path, cli):
    folder = image_folder(tmp_path, 2)
    config = EvalConfig(dataset=str(folder), budgets=(Budget(max_bits=200), Budget(max_bits=16)), metrics=("psnr",), **FAKE)
    run_eval(config, tmp_path / "run", models=Counting(config, describe_text=NASTY).models, progress=False)
    bench = [{"name": "jpeg", "description": "JPEG", "results": {"setting": ["lowest"], "bpp": [0.3], "bytes": [115],
                                                                  "psnr": [24.0]}, "meta": {}}]
    (tmp_path / "bench.json").write_text(json.dumps(bench))
    code, _, err = cli("report", tmp_path / "run", "--baselines", tmp_path / "bench.json", "-o", tmp_path / "r.html")
    assert code == 0, err
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    parser = Images()
    parser.feed(html)
    # curves + per image: original, one semcodec image (the 16-bit budget failed), smallest JPEG (+ AVIF if built)
    assert len(parser.srcs) >= 1 + 2 * 3
    for src in parser.srcs:
        assert src.startswith("data:image/png;base64,")
        Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).verify()
    text = "".join(parser.text)
    assert NASTY in text and "&lt;script&gt;" in html
    assert "not coded" in text and "jpeg lowest" in text and "im1.png" in text


def test_report_of_an_unfinished_run_is_a_clear_error(tmp_path, cli):
    code, _, err = cli("report", tmp_path, "-o", tmp_path / "r.html")
    assert code != 0 and "not a semcodec eval run" in err
