"""Classical baselines: lowest setting, rate matching by bisection, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from semcodec.errors import InputError
from semcodec.eval.baselines import CODECS, CodecUnavailable, get_codec

pytest.importorskip("imagecodecs")


def _codec(name: str):
    try:
        return get_codec(name)
    except CodecUnavailable as e:
        pytest.skip(str(e))


@pytest.mark.parametrize("name", list(CODECS))
def test_lowest_is_smaller_than_mid_and_decodes_at_full_size(name: str, image: np.ndarray) -> None:
    codec = _codec(name)
    low, mid = codec.lowest(image), codec.run(image, 50)
    assert low.quality == codec.quality_range[0]
    assert low.nbytes < mid.nbytes
    assert low.decoded.shape == image.shape and low.decoded.dtype == np.uint8
    assert low.bpp == pytest.approx(8 * low.nbytes / (image.shape[0] * image.shape[1]))


@pytest.mark.parametrize("name", list(CODECS))
@pytest.mark.parametrize("target", [0.5, 1.5])
def test_rate_matching_hits_target_from_below(name: str, target: float, image: np.ndarray) -> None:
    codec = _codec(name)
    enc = codec.at_bpp(image, target)
    assert enc.bpp <= target
    assert enc.bpp > 0.8 * target  # within tolerance: one quality step below the target


def test_unreachable_target_returns_lowest(image: np.ndarray) -> None:
    codec = _codec("jpeg")
    enc = codec.at_bpp(image, 1e-4)
    assert enc.quality == codec.quality_range[0] and enc.bpp > 1e-4


def test_bad_names_and_qualities(image: np.ndarray) -> None:
    with pytest.raises(InputError, match="unknown codec"):
        get_codec("bpg")
    with pytest.raises(InputError, match="quality"):
        _codec("jpeg").run(image, 101)


def test_describe_names_library_and_encoder() -> None:
    d = _codec("avif").describe()
    assert d["library"] == "imagecodecs" and d["encoder"].startswith("libavif") and d["options"] == {"speed": 6}
