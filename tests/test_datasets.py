"""Datasets: folder loading, EXIF orientation, clear errors, manifest verification, no network."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import synthetic_image
from semcodec.errors import InputError
from semcodec.eval import datasets
from semcodec.eval.datasets import (Dataset, kodak_manifest, load_image, open_dataset, pixel_sha256, read_manifest,
                                    verified_dataset)

HEADER = "file\twidth\theight\tmode\tbytes\tsha256_file\tsha256_rgb_pixels\n"


def _write(folder: Path, name: str, seed: int = 0, size: tuple[int, int] = (24, 32)) -> np.ndarray:
    pixels = synthetic_image(*size, seed=seed)
    Image.fromarray(pixels).save(folder / name)
    return pixels


def _manifest(folder: Path, names: list[str]) -> Path:
    rows = []
    for n in names:
        pixels = load_image(folder / n)
        data = (folder / n).read_bytes()
        rows.append(f"{n}\t{pixels.shape[1]}\t{pixels.shape[0]}\tRGB\t{len(data)}\t"
                    f"{hashlib.sha256(data).hexdigest()}\t{pixel_sha256(pixels)}\n")
    path = folder / "MANIFEST.tsv"
    path.write_text(HEADER + "".join(rows))
    return path


def test_folder_is_sorted_full_resolution_and_ignores_other_files(tmp_path: Path) -> None:
    b = _write(tmp_path, "b.png", 1, (40, 30))
    _write(tmp_path, "a.png", 0)
    (tmp_path / "README.txt").write_text("not an image")
    ds = open_dataset(f"folder:{tmp_path}")
    assert ds.files == ["a.png", "b.png"]
    loaded = dict(ds)
    assert np.array_equal(loaded["b.png"], b) and loaded["b.png"].shape == (40, 30, 3)
    assert open_dataset(str(tmp_path)).files == ds.files


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    pixels = synthetic_image(20, 30)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise for display
    Image.fromarray(pixels).save(tmp_path / "r.jpg", exif=exif, quality=95)
    assert load_image(tmp_path / "r.jpg").shape == (30, 20, 3)


def test_grayscale_and_alpha_become_rgb(tmp_path: Path) -> None:
    Image.new("L", (8, 6), 7).save(tmp_path / "g.png")
    Image.new("RGBA", (8, 6), (1, 2, 3, 4)).save(tmp_path / "a.png")
    for name in ("g.png", "a.png"):
        assert load_image(tmp_path / name).shape == (6, 8, 3)


def test_corrupt_image_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.png").write_bytes(b"this is not a png")
    ds = open_dataset(str(tmp_path))
    with pytest.raises(InputError, match="bad.png is not an image file"):
        list(ds)


def test_empty_folder_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="contains no images"):
        open_dataset(str(tmp_path))
    with pytest.raises(InputError, match="neither a known dataset"):
        open_dataset(str(tmp_path / "nope"))


def test_pixel_limit_refuses_huge_images(tmp_path: Path) -> None:
    _write(tmp_path, "x.png", size=(20, 20))
    with pytest.raises(InputError, match="more than the limit of 100 pixels"):
        load_image(tmp_path / "x.png", max_pixels=100)


def test_manifest_verification(tmp_path: Path) -> None:
    _write(tmp_path, "one.png", 1)
    _write(tmp_path, "two.png", 2)
    manifest = read_manifest(_manifest(tmp_path, ["one.png", "two.png"]))
    ds = verified_dataset("toy", tmp_path, manifest, "local")
    assert [n for n, _ in ds] == ["one.png", "two.png"]

    # A re-encoded file with the same pixels still verifies: pixels, not bytes, are checked.
    Image.open(tmp_path / "one.png").save(tmp_path / "one.png", compress_level=0)
    list(verified_dataset("toy", tmp_path, manifest, "local"))

    _write(tmp_path, "two.png", 3)
    with pytest.raises(InputError, match="does not match the toy manifest"):
        list(verified_dataset("toy", tmp_path, manifest, "local"))
    (tmp_path / "one.png").unlink()
    with pytest.raises(InputError, match="lacks 1 toy image"):
        verified_dataset("toy", tmp_path, manifest, "local")


def test_bad_manifest_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "m.tsv").write_text("name\tsize\n")
    with pytest.raises(InputError, match="is not a manifest"):
        read_manifest(tmp_path / "m.tsv")


def test_shipped_kodak_manifest() -> None:
    m = kodak_manifest()
    assert len(m) == 24 and m["kodim04.png"].width == 512 and m["kodim01.png"].width == 768
    assert all(len(e.sha256_pixels) == 64 for e in m.values())


def test_kodak_data_dir_is_checked_against_the_manifest(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="lacks 24 kodak image"):
        open_dataset("kodak", tmp_path)


def test_manifest_hash_depends_on_names_and_pixels(tmp_path: Path) -> None:
    _write(tmp_path, "a.png", 0)
    h1 = open_dataset(str(tmp_path)).manifest_hash()
    assert h1 == open_dataset(str(tmp_path)).manifest_hash()
    _write(tmp_path, "a.png", 1)
    assert open_dataset(str(tmp_path)).manifest_hash() != h1


def test_failed_download_says_to_pass_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.error

    def offline(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("no network")

    monkeypatch.setenv("SEMCODEC_DATA", str(tmp_path))
    monkeypatch.setattr(datasets.urllib.request, "urlopen", offline)
    for name in ("kodak", "clic2020"):
        with pytest.raises(InputError, match="give data_dir") as caught:
            open_dataset(name)
        assert caught.value.params == ("data_dir",)  # the CLI adds --data-dir
    assert not list(tmp_path.rglob("*.part"))


def test_dataset_describe(tmp_path: Path) -> None:
    _write(tmp_path, "a.png")
    d = open_dataset(str(tmp_path)).describe()
    assert d["images"] == 1 and len(d["manifest_sha256"]) == 64 and isinstance(open_dataset(str(tmp_path)), Dataset)
