"""load_image / save_image: orientation, modes, bombs, bad files."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from semcodec.errors import InputError
from semcodec.imageio import from_png_bytes, load_image, save_image, to_png_bytes


def saved(tmp_path, img, name, **kw):
    path = tmp_path / name
    img.save(path, **kw)
    return path


def test_exif_orientation_is_applied(tmp_path):
    img = Image.new("RGB", (40, 20), "white")
    img.paste((255, 0, 0), (0, 0, 10, 20))  # red strip on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when shown
    out = load_image(saved(tmp_path, img, "o.jpg", exif=exif, quality=95))
    assert out.size == (20, 40)
    r, g, b = out.getpixel((10, 2))  # the strip is now at the top
    assert r > 200 and g < 60


@pytest.mark.parametrize(
    "img, name, expect",
    [
        (Image.new("L", (4, 4), 100), "l.png", (100, 100, 100)),
        (Image.new("RGBA", (4, 4), (255, 0, 0, 0)), "rgba.png", (255, 255, 255)),  # transparent -> white
        (Image.new("RGBA", (4, 4), (0, 0, 255, 255)), "opaque.png", (0, 0, 255)),
        (Image.new("LA", (4, 4), (0, 128)), "la.png", (127, 127, 127)),
        (Image.new("CMYK", (4, 4), (0, 0, 0, 0)), "cmyk.jpg", (255, 255, 255)),
        (Image.new("P", (4, 4), 0), "p.gif", (0, 0, 0)),
    ],
    ids=["L", "RGBA-transparent", "RGBA-opaque", "LA", "CMYK", "P"],
)
def test_modes_become_rgb(tmp_path, img, name, expect):
    out = load_image(saved(tmp_path, img, name))
    assert out.mode == "RGB"
    assert all(abs(a - b) <= 2 for a, b in zip(out.getpixel((1, 1)), expect))


def test_16_bit_grey_is_scaled_not_clipped(tmp_path):
    a = np.array([[0, 65535], [32896, 1000]], dtype=np.uint16)
    out = load_image(saved(tmp_path, Image.fromarray(a), "g16.png"))
    assert out.mode == "RGB"
    assert [out.getpixel(p)[0] for p in ((0, 0), (1, 0), (0, 1), (1, 1))] == [0, 255, 128, 4]


def test_file_object_and_png_round_trip():
    img = Image.new("RGB", (3, 2), (1, 2, 3))
    assert load_image(io.BytesIO(to_png_bytes(img))).tobytes() == img.tobytes()
    assert from_png_bytes(to_png_bytes(img)).tobytes() == img.tobytes()


def test_bad_inputs_are_one_sentence_input_errors(tmp_path):
    (tmp_path / "x.png").write_text("this is not an image")
    good = saved(tmp_path, Image.new("RGB", (64, 64), "red"), "g.png")
    (tmp_path / "t.png").write_bytes(good.read_bytes()[:60])
    cases = {
        tmp_path / "missing.png": "does not exist",
        tmp_path / "x.png": "is not an image file",
        tmp_path / "t.png": "damaged or truncated",
        tmp_path: "is a directory",
    }
    for path, phrase in cases.items():
        with pytest.raises(InputError) as err:
            load_image(path)
        assert phrase in str(err.value) and "\n" not in str(err.value)


def test_pixel_limit_refuses_decompression_bombs(tmp_path):
    # A 10000x10000 PNG that compresses to a few kilobytes.
    bomb = saved(tmp_path, Image.new("L", (10_000, 10_000)), "bomb.png")
    assert bomb.stat().st_size < 200_000
    with pytest.raises(InputError, match="more than the limit of 32,000,000 pixels"):
        load_image(bomb, max_pixels=64_000_000 // 2)  # 100 MP > 32 MP
    with pytest.raises(InputError, match="10000x10000"):
        load_image(bomb)
    assert load_image(saved(tmp_path, Image.new("L", (100, 100)), "s.png"), max_pixels=10_000).size == (100, 100)


def test_save_image_errors(tmp_path):
    img = Image.new("RGB", (2, 2))
    save_image(img, tmp_path / "ok.png")
    assert (tmp_path / "ok.png").exists()
    with pytest.raises(InputError, match="cannot write .*check that the folder exists"):
        save_image(img, tmp_path / "no" / "dir" / "x.png")
    with pytest.raises(InputError, match="Cannot tell the image format"):
        save_image(img, tmp_path / "x.unknownext")


def test_pixel_limit_from_the_environment(tmp_path, monkeypatch):
    img = saved(tmp_path, Image.new("L", (100, 100)), "s.png")
    monkeypatch.setenv("SEMCODEC_MAX_PIXELS", "5000")
    with pytest.raises(InputError, match="SEMCODEC_MAX_PIXELS"):
        load_image(img)
    monkeypatch.setenv("SEMCODEC_MAX_PIXELS", "lots")
    with pytest.raises(InputError, match="whole number"):
        load_image(img)
