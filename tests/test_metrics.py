"""Metrics: documented edge cases, analytic PSNR, a tiny offline CLIP, FID/KID with a tiny extractor."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import synthetic_image
from semcodec.errors import InputError
from semcodec.eval.metrics import PSNR_CAP, ClipSimilarity, MetricUnavailable, PatchFid, PatchKid, extract_patches, get_metric

torch = pytest.importorskip("torch")
pytest.importorskip("torchmetrics")


def test_identical_images_psnr_capped_and_ms_ssim_one() -> None:
    img = synthetic_image(192, 192)
    assert get_metric("psnr")(img, img) == PSNR_CAP
    assert get_metric("ms-ssim")(img, img) == pytest.approx(1.0, abs=1e-6)


def test_psnr_of_exact_plus_minus_d_noise() -> None:
    # Every pixel off by exactly +-5: MSE = 25, PSNR = 20 log10(255/5).
    img = np.full((64, 64, 3), 128, np.uint8)
    sign = np.where(np.indices(img.shape).sum(axis=0) % 2 == 0, 5, -5)
    noisy = (img.astype(int) + sign).astype(np.uint8)
    assert get_metric("psnr")(img, noisy) == pytest.approx(20 * math.log10(255 / 5), abs=1e-4)


def test_psnr_of_gaussian_noise_matches_theory() -> None:
    img = np.full((256, 256, 3), 128, np.uint8)
    noise = np.random.default_rng(1).normal(0, 10, img.shape).round()
    noisy = np.clip(img + noise, 0, 255).astype(np.uint8)
    # Rounding adds 1/12 to the variance.
    assert get_metric("psnr")(img, noisy) == pytest.approx(10 * math.log10(255**2 / (100 + 1 / 12)), abs=0.05)


def test_size_mismatch_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="different sizes"):
        get_metric("psnr")(synthetic_image(64, 64), synthetic_image(64, 80))


def test_ms_ssim_too_small_is_a_clear_error() -> None:
    img = synthetic_image(64, 64)
    with pytest.raises(InputError, match="MS-SSIM needs"):
        get_metric("ms-ssim")(img, img)


def test_unknown_metric() -> None:
    with pytest.raises(InputError, match="unknown metric"):
        get_metric("vmaf")


def test_describe_names_library_and_version() -> None:
    d = get_metric("psnr").describe()
    assert d["library"] == "torchmetrics" and d["version"] and d["cap_db"] == PSNR_CAP


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> str:
    transformers = pytest.importorskip("transformers")
    path = tmp_path_factory.mktemp("tiny-clip")
    config = transformers.CLIPConfig(
        text_config={"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
                     "vocab_size": 64, "max_position_embeddings": 16},
        vision_config={"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
                       "image_size": 32, "patch_size": 8},
        projection_dim=8,
    )
    torch.manual_seed(0)
    transformers.CLIPModel(config).save_pretrained(path)
    transformers.CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}).save_pretrained(path)
    return str(path)


def test_tiny_clip_identical_images_similarity_one(tiny_clip: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    clip = get_metric("clip", model=tiny_clip)
    img = synthetic_image(48, 64)
    assert clip(img, img) == pytest.approx(1.0, abs=1e-5)
    assert -1.0 <= clip(img, 255 - img) <= 1.0
    assert clip.describe()["weights"] == tiny_clip


def test_clip_missing_model_is_unavailable(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(MetricUnavailable, match="CLIP similarity is unavailable"):
        ClipSimilarity(str(tmp_path / "nothing-here"))


class TinyFeatures(torch.nn.Module):
    """A stand-in for Inception: mean colour and contrast of each patch through a fixed linear map."""

    num_features = 6

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.lin = torch.nn.Linear(6, 6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.float() / 255
        return self.lin(torch.cat([x.mean(dim=(2, 3)), x.std(dim=(2, 3))], dim=1))


def test_patches_follow_hifics_grid_and_shift() -> None:
    # 128x192 with 64-pixel patches: 2x3 on the grid, 1x2 on the grid shifted by 32.
    assert extract_patches(synthetic_image(128, 192), 64).shape == (8, 64, 64, 3)


@pytest.mark.parametrize("cls", [PatchFid, PatchKid])
def test_fid_and_kid_run_with_a_tiny_extractor(cls: type) -> None:
    m = cls(patch=32, feature=TinyFeatures())
    for seed in range(3):
        ref = synthetic_image(96, 96, seed)
        m.update(ref, 255 - ref)
    value = m.compute()
    assert math.isfinite(value) and value > 0
    assert m.describe()["patch"] == 32
    m.reset()
    for seed in range(3):
        ref = synthetic_image(96, 96, seed)
        m.update(ref, ref)
    assert abs(m.compute()) < value / 5  # identical sets: about zero (KID's subset sampling adds noise)
