"""Helpers for the eval, report and study tests: a tiny image folder and a counting fake pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from conftest import synthetic_image

FAKE = dict(describer="fake:x", generator="fake:x", text_model="fake:x", judge="fake")


def image_folder(root: Path, n: int = 3) -> Path:
    """``n`` small synthetic PNGs in ``root/imgs``."""
    folder = root / "imgs"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        Image.fromarray(synthetic_image(48, 64, seed=i)).save(folder / f"im{i}.png")
    return folder


class Counting:
    """A fake pipeline whose describe and generate calls are counted; generate can be made to
    raise ``KeyboardInterrupt`` on its ``interrupt_at``-th call (a user's Ctrl-C mid-run)."""

    def __init__(self, config: Any, interrupt_at: int | None = None, describe_text: str | None = None) -> None:
        self.pipeline = config.pipeline(cache=False)
        self.calls = {"describe": 0, "generate": 0}
        inner_describe = self.pipeline.describe
        inner_model = self.pipeline.generator_model

        def describe(image: Any, max_words: int | None = None) -> str:
            self.calls["describe"] += 1
            return describe_text if describe_text is not None else inner_describe(image, max_words)

        counting = self

        class Gen:
            def __init__(self, model: Any) -> None:
                self.model = model

            def generate(self, prompt: str, width: int, height: int, seed: int) -> Any:
                counting.calls["generate"] += 1
                if interrupt_at is not None and counting.calls["generate"] == interrupt_at:
                    raise KeyboardInterrupt
                return self.model.generate(prompt, width, height, seed)

            def __getattr__(self, name: str) -> Any:
                return getattr(self.model, name)

        self.pipeline.describe = describe  # type: ignore[method-assign]
        self.pipeline.generator_model = lambda choice=None: Gen(inner_model(choice))  # type: ignore[method-assign]
