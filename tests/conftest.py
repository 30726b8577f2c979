"""Shared test fixtures: small synthetic images (no test depends on data outside the repository)."""

from __future__ import annotations

import numpy as np
import pytest


def synthetic_image(height: int = 128, width: int = 192, seed: int = 0) -> np.ndarray:
    """A deterministic RGB uint8 image with gradients, edges and mild noise (compresses like a photo)."""
    y, x = np.mgrid[0:height, 0:width]
    rng = np.random.default_rng(seed)
    img = np.stack([x * 255 / max(width - 1, 1), (y * 2) % 256, ((x + y) * 3) % 256], axis=-1)
    img = img + rng.normal(0, 8, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.fixture
def image() -> np.ndarray:
    return synthetic_image()
