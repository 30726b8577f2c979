"""Helpers for the eval, report and study tests: a tiny image folder and a counting fake pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from conftest import synthetic_image
from semcodec.pipeline import ModelSet, ModelsConfig, RuntimeConfig

#: Fake models for every role: ``EvalConfig(..., **FAKE)``.
FAKE = dict(models=ModelsConfig(describer="fake:x", generator="fake:x", text_model="fake:x", judge="fake"))


def image_folder(root: Path, n: int = 3) -> Path:
    """``n`` small synthetic PNGs in ``root/imgs``."""
    folder = root / "imgs"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        Image.fromarray(synthetic_image(48, 64, seed=i)).save(folder / f"im{i}.png")
    return folder


class Counting:
    """The fake models of a config, whose describe and generate calls are counted; generate can
    be made to raise ``KeyboardInterrupt`` on its ``interrupt_at``-th call (a user's Ctrl-C)."""

    def __init__(self, config: Any, interrupt_at: int | None = None, describe_text: str | None = None) -> None:
        self.models = ModelSet(config.models, RuntimeConfig(cache=False))
        self.calls = {"describe": 0, "generate": 0}
        counting, get, generator = self, self.models.get, self.models.generator

        class Describer:
            def __init__(self, model: Any) -> None:
                self.model = model

            def describe(self, image: Any, instruction: str) -> str:
                counting.calls["describe"] += 1
                return describe_text if describe_text is not None else self.model.describe(image, instruction)

        class Gen:
            def __init__(self, model: Any) -> None:
                self.model = model

            def generate(self, prompt: str, width: int, height: int, seed: int) -> Any:
                counting.calls["generate"] += 1
                if interrupt_at is not None and counting.calls["generate"] == interrupt_at:
                    raise KeyboardInterrupt
                return self.model.generate(prompt, width, height, seed)

        self.models.get = lambda name: Describer(get(name)) if name == "describer" else get(name)  # type: ignore[method-assign]
        self.models.generator = lambda profile=None: Gen(generator(profile))  # type: ignore[method-assign]
