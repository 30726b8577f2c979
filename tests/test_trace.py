"""The search trace: trace.json, the PNGs and an index.html whose every image exists."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from PIL import Image
from search_helpers import Fakes, by_text, original_image

from semcodec.pipeline.search import search
from semcodec.pipeline.trace import write_trace

DESC = 'a <script>alert("x")</script> & a fox'


class _Page(HTMLParser):
    """Collects image sources, figure classes and the visible text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.figures: list[str] = []
        self.scripts = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        elif tag == "figure":
            self.figures.append(attrs.get("class") or "")
        elif tag == "script":
            self.scripts += 1

    def handle_data(self, data):
        self.text.append(data)


def test_trace_is_written_and_readable(tmp_path):
    fakes = Fakes(lambda text, seed: {DESC: 0.3, "p1": 0.8}[text] + seed / 100, revisions=["p1"])
    result = search(original_image(), DESC, **fakes.kwargs(), reflect=1, seeds=2)
    page = write_trace(result, tmp_path / "trace")
    out = tmp_path / "trace"
    assert page == out / "index.html"

    trace = json.loads((out / "trace.json").read_text(encoding="utf-8"))
    assert trace["chosen"] == result.chosen == 2 and trace["original"] == "original.png"
    assert len(trace["candidates"]) == 3
    for record, candidate in zip(trace["candidates"], result.candidates):
        for key in ("iteration", "prompt", "text_bits", "seed", "score", "judge", "file_bits"):
            assert record[key] == getattr(candidate, key)
        with Image.open(out / record["image"]) as image:
            assert image.size == (16, 12)
    assert trace["candidates"][2]["seed"] == 1 and trace["candidates"][2]["prompt"] == "p1"

    parsed = _Page()
    parsed.feed(page.read_text(encoding="utf-8"))
    assert parsed.images[0] == "original.png" and len(parsed.images) == 4
    assert all((out / src).is_file() for src in parsed.images)
    assert parsed.figures == ["", "", "", "chosen"]  # the original, then the candidates
    assert parsed.scripts == 0 and DESC in "".join(parsed.text)  # escaped, shown as text


def test_trace_of_a_variable_rate_search_reports_the_budgets(tmp_path):
    fakes = Fakes(lambda text, seed: len(text.split()) / 10)
    result = search(original_image(), "aa bb cc dd ee ff", **fakes.kwargs(), budget=64, quality_target=0.2)
    write_trace(result, tmp_path)
    trace = json.loads((tmp_path / "trace.json").read_text())
    assert trace["budget"] == result.budget and trace["budgets_tried"] == result.budgets_tried
    assert trace["reached_target"] is True
    assert "budgets tried" in (tmp_path / "index.html").read_text()
