"""A judge that asks a chat vision model how similar two images are, on a 0-10 scale (``vlm``).

The model is the describer (a transformers chat VLM, the OpenAI API, ...). It is shown the
original and the candidate side by side in one picture and asked for a score and a one-sentence
explanation. Chat models do not always follow a format, so the number is read robustly (JSON,
"Score: 7", "7/10", "**7** out of 10", a leading number). An answer with no readable score in
0..10 raises BackendError by default: scoring it 0 silently would make the search keep whatever
came first. The option ``on_malformed="zero"`` scores it 0 instead and logs the answer.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Literal

from ...errors import BackendError
from ..base import Backend, BackendOptions, Describer

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..registry import Spec

log = logging.getLogger(__name__)

#: Bumped whenever the wording changes: scores under different questions are not comparable.
VLM_JUDGE_QUESTION_VERSION = "vlm-judge-v1"
VLM_JUDGE_QUESTION = (
    "The first image is an original photo; the second was generated from a short text "
    "description of it. How similar are they in content: the objects and people, their "
    "attributes, colours, layout, setting and style? Answer with a score from 0 (unrelated) to "
    "10 (the same scene) and one sentence of explanation, in exactly this format:\n"
    "Score: <number>\nExplanation: <sentence>"
)

_NUMBER = r"(\d+(?:\.\d+)?)"
_PATTERNS = (
    re.compile(r"score\W{0,4}" + _NUMBER, re.IGNORECASE),  # "Score: 7", "**Score**: 7.5"
    re.compile(_NUMBER + r"\s*(?:/|out of)\s*10\b", re.IGNORECASE),  # "7/10", "7 out of 10"
    re.compile(r"^\W*" + _NUMBER + r"\b"),  # "7. The images ..."
)
_EXPLANATION = re.compile(r"explanation\W{0,4}(.+)", re.IGNORECASE | re.DOTALL)


def parse_score(answer: str) -> tuple[float, str] | None:
    """The 0..10 score and the explanation in a chat model's answer, or None if it has none."""
    text = answer.strip()
    explanation = text
    value: float | None = None
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        try:
            data = json.loads(text[start : end + 1])
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("score"), (int, float, str)):
            try:
                value = float(data["score"])
                explanation = str(data.get("explanation", text))
            except ValueError:
                value = None
    for pattern in _PATTERNS:
        if value is not None:
            break
        match = pattern.search(text)
        if match:
            value = float(match.group(1))
    if value is None or not 0.0 <= value <= 10.0:
        return None
    match = _EXPLANATION.search(explanation)
    return value, (match.group(1).strip() if match else explanation)


def side_by_side(images: list[Image]) -> Image:
    """The images pasted left to right on white, top-aligned, in one RGB picture."""
    from PIL import Image as PILImage

    height = max(im.height for im in images)
    strip = PILImage.new("RGB", (sum(im.width for im in images), height), "white")
    x = 0
    for im in images:
        strip.paste(im.convert("RGB"), (x, 0))
        x += im.width
    return strip


class VLMOptions(BackendOptions):
    """Options of the VLM judge."""

    #: What an answer without a readable score does: raise (``error``) or score 0 (``zero``).
    on_malformed: Literal["error", "zero"] = "error"


class VLMJudge(Backend):
    """Asks the describer for a 0-10 similarity; scores are that number / 10 (0..1)."""

    provider = "vlm"
    roles = frozenset({"judge"})
    Options = VLMOptions
    uses = ("describer",)
    default_model = "describer"
    shared = False
    name = "vlm"

    def __init__(self, model_id: str, revision: str | None, options: VLMOptions, *, describer: Describer) -> None:
        super().__init__(model_id, revision, options)
        self.describer = describer
        self.question = VLM_JUDGE_QUESTION
        #: The explanation given with the last score (or the malformed answer).
        self.last_explanation = ""

    def score(self, original: Image, candidate: Image) -> float:
        """The model's 0-10 rating of the pair, divided by 10.

        Raises BackendError for an answer without a score in 0..10, unless ``on_malformed`` is
        "zero", in which case it returns 0.0 and logs a warning with the answer.
        """
        answer = self.describer.describe(side_by_side([original, candidate]), self.question)
        parsed = parse_score(answer)
        if parsed is None:
            self.last_explanation = answer
            snippet = " ".join(answer.split())[:120]
            if self.options.on_malformed == "zero":
                log.warning("the VLM judge %s gave no score in 0-10, scoring 0: %r", self.model_id, snippet)
                return 0.0
            raise BackendError(f"the VLM judge {self.model_id} answered without a score from 0 to 10: {snippet!r}")
        value, self.last_explanation = parsed
        return value / 10.0


def backend_class(role: str, spec: Spec) -> type[Backend] | None:
    """A chat vision model only judges here (it describes as the describer)."""
    return VLMJudge if role == "judge" else None
