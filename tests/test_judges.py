"""Judges: tiny random CLIP/SigLIP/DINOv2 and BERT models saved and loaded like real checkpoints,
the VLM judge's score parsing, the fake judge and judge specs."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from PIL import Image

from semcodec.errors import BackendError, InputError
from semcodec.models import backend_class, load
from semcodec.models.base import Judge, SupportsScoreText
from semcodec.models.judges.embedding import ImageEmbeddingJudge
from semcodec.models.judges.fake import FakeJudge
from semcodec.models.judges.text import TextJudge, text_similarity
from semcodec.models.judges.vlm import VLMJudge, parse_score
from tiny_models import save_tiny_bert as _save_bert
from tiny_models import save_tiny_clip as _save_clip
from tiny_models import save_tiny_dinov2 as _save_dinov2
from tiny_models import save_tiny_siglip as _save_siglip

@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    """Directories of tiny random models, built once for this module."""
    import torch

    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("tiny-judges")
    saved = {}
    for name, save in (("clip", _save_clip), ("siglip", _save_siglip), ("dino", _save_dinov2), ("text", _save_bert)):
        save(root / name)
        saved[name] = str(root / name)
    return saved


class Describer:
    """A describer stand-in that answers with ``answer(image)`` and remembers what it saw."""

    def __init__(self, answer):
        self.answer, self.seen, self.questions = answer, [], []

    def describe(self, image, instruction):
        self.seen.append(image)
        self.questions.append(instruction)
        return self.answer(image)


def _images():
    rng = np.random.RandomState(0)
    noise = Image.fromarray(rng.randint(0, 256, (48, 40, 3), dtype=np.uint8))
    flat = Image.new("RGB", (40, 48), (200, 30, 30))
    return noise, flat


@pytest.mark.parametrize("kind", ["clip", "siglip", "dino"])
def test_image_embedding_judge(tiny_models, kind):
    judge = load("judge", f"{kind}:{tiny_models[kind]}", device="cpu")
    assert isinstance(judge, ImageEmbeddingJudge) and isinstance(judge, Judge)
    assert (judge.name, judge.model_id) == (kind, tiny_models[kind])
    noise, flat = _images()
    assert judge.score(noise, noise.copy()) == pytest.approx(1.0, abs=1e-4)
    assert judge.score(noise, flat) < 1.0 - 1e-4
    assert judge.score(noise, noise.convert("L")) == pytest.approx(judge.score(noise, noise.convert("L").convert("RGB")))


def test_image_judge_embeds_the_original_once(tiny_models, monkeypatch):
    judge = load("judge", f"clip:{tiny_models['clip']}", device="cpu")
    noise, flat = _images()
    sizes = []
    embed = judge.embed
    monkeypatch.setattr(judge, "embed", lambda images: sizes.append(len(images)) or embed(images))
    first, second = judge.score(noise, flat), judge.score(noise, flat)
    assert first == pytest.approx(second, abs=1e-6) and sizes == [2, 1]


def test_text_similarity_and_text_judge(tiny_models):
    model = tiny_models["text"]
    assert text_similarity("a red fox on snow", "a red fox on snow", model=model, device="cpu") == pytest.approx(1.0, abs=1e-5)
    assert text_similarity("a red fox on snow", "the blue sky", model=model, device="cpu") < 1.0 - 1e-4

    noise, flat = _images()
    describer = Describer(lambda image: "a red cat" if image is flat else "a green dog on grass")

    judge = load("judge", f"text:{model}", uses={"describer": describer}, device="cpu")
    assert isinstance(judge, TextJudge) and isinstance(judge, SupportsScoreText)
    assert judge.score_text("a red cat", "a red cat") == pytest.approx(1.0, abs=1e-5)
    assert judge.score(flat, flat) == pytest.approx(1.0, abs=1e-5)
    assert judge.score(flat, noise) < 1.0 - 1e-4
    assert describer.seen == [flat, flat, noise]  # the original is described once

    judge.reference = "a red cat"
    assert judge.score(noise, flat) == pytest.approx(1.0, abs=1e-5)  # the reference is used as given


def test_a_missing_model_is_a_clear_backend_error(tmp_path):
    with pytest.raises(BackendError, match="does not exist") as info:
        load("judge", f"clip:{tmp_path / 'nowhere'}", device="cpu")
    assert "\n" not in str(info.value)


@pytest.mark.cuda
@pytest.mark.skipif("not __import__('torch').cuda.is_available()", reason="needs a CUDA GPU")
def test_image_and_text_judges_on_cuda(tiny_models):
    noise, flat = _images()
    judge = load("judge", f"clip:{tiny_models['clip']}")  # auto: CUDA
    assert judge.device == "cuda" and str(judge.dtype) == "torch.float16"
    assert judge.score(noise, noise.copy()) == pytest.approx(1.0, abs=1e-3)
    assert judge.score(noise, flat) < 1.0
    assert text_similarity("a red fox", "a red fox", model=tiny_models["text"], device="cuda") == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize(
    "answer, score, explanation",
    [
        ("Score: 7\nExplanation: same fox, different snow.", 7.0, "same fox, different snow."),
        ("**Score:** 8.5/10\n**Explanation:** close.", 8.5, "close."),
        ("I'd rate them 6 out of 10 because the colours match.", 6.0, None),
        ("9. Both show a cat.", 9.0, None),
        ('```json\n{"score": 3, "explanation": "different scene"}\n```', 3.0, "different scene"),
        ('{"score": "10"}', 10.0, None),
        ("Score: 0 - unrelated", 0.0, None),
    ],
)
def test_vlm_scores_are_parsed_robustly(answer, score, explanation):
    parsed = parse_score(answer)
    assert parsed is not None and parsed[0] == score
    if explanation is not None:
        assert parsed[1] == explanation


@pytest.mark.parametrize("answer", ["", "They look alike.", "Score: 42", "11/10", "Score: high"])
def test_vlm_answers_without_a_valid_score(answer):
    assert parse_score(answer) is None


def test_vlm_judge_asks_the_describer_with_both_images_side_by_side():
    describer = Describer(lambda image: "Score: 7\nExplanation: similar.")
    noise, flat = _images()
    judge = load("judge", "vlm", uses={"describer": describer})
    assert isinstance(judge, VLMJudge) and judge.model_id == "describer"
    assert judge.score(noise, flat) == pytest.approx(0.7)
    (strip,), question = describer.seen, describer.questions[0]
    assert strip.size == (noise.width + flat.width, max(noise.height, flat.height))
    assert strip.getpixel((noise.width, 0)) == flat.getpixel((0, 0)) and "0" in question and "10" in question
    assert judge.last_explanation == "similar."


def test_vlm_judge_malformed_answer_raises_or_scores_zero(caplog):
    noise, flat = _images()
    describer = Describer(lambda image: "I cannot compare images.")
    with pytest.raises(BackendError, match="without a score"):
        load("judge", "vlm", uses={"describer": describer}).score(noise, flat)
    lenient = load("judge", "vlm", uses={"describer": describer}, on_malformed="zero")
    with caplog.at_level(logging.WARNING, logger="semcodec.models.judges.vlm"):
        assert lenient.score(noise, flat) == 0.0
    assert "cannot compare" in caplog.text and lenient.last_explanation == "I cannot compare images."


def test_fake_judges():
    noise, flat = _images()
    scripted = load("judge", "fake:0.2,0.9")
    assert [scripted.score(noise, flat), scripted.score(noise, flat)] == [0.2, 0.9]
    with pytest.raises(BackendError, match="only 2 scripted"):
        scripted.score(noise, flat)
    pixels = load("judge", "fake")
    assert pixels.score(noise, noise) == 1.0 and 0.0 <= pixels.score(noise, flat) < 1.0
    assert FakeJudge(fn=lambda a, b: 0.25).score(noise, flat) == 0.25
    assert load("judge", "fake:0.5") is not load("judge", "fake:0.5")  # scripted state is never shared


@pytest.mark.parametrize(
    "spec, message",
    [
        ("bogus:x", "Unknown model spec"),
        ("text:some/model", "needs a describer"),
        ("vlm", "needs a describer"),
        ("fake:high,low", "comma-separated"),
        ("hf:some/vlm", "has no judge"),
    ],
)
def test_bad_judge_specs(spec, message):
    with pytest.raises(InputError, match=message):
        load("judge", spec)


def test_a_judge_class_is_known_without_loading_its_model():
    cls, spec = backend_class("judge", "siglip")
    assert cls.provider == "siglip" and spec.model == "google/siglip-base-patch16-224"
    assert backend_class("judge", "text")[0].uses == ("describer",)
