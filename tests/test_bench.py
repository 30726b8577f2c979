"""``semcodec bench`` end to end on a tiny folder, in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from conftest import synthetic_image

pytest.importorskip("imagecodecs")
pytest.importorskip("torchmetrics")

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _semcodec(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "semcodec", *args], capture_output=True, text=True, env=env, timeout=120)


def test_bench_on_a_tiny_folder_prints_valid_json(tmp_path: Path) -> None:
    for i in range(2):
        Image.fromarray(synthetic_image(64, 96, seed=i)).save(tmp_path / f"im{i}.png")
    out = tmp_path / "baselines"
    proc = _semcodec("bench", str(tmp_path), "--codec", "jpeg,webp", "--lowest", "--bpp", "1.0",
                     "--metrics", "psnr,lpips", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    assert [d["name"] for d in docs] == ["jpeg", "webp"]
    # -o DIR: one results object per codec, what CompressAI's plot reads (data["results"]["bpp"], a metric)
    for doc in docs:
        written = json.loads((out / f"{doc['name']}.json").read_text())
        assert written == doc and isinstance(written["results"]["bpp"], list) and "psnr" in written["results"]
    res = docs[0]["results"]
    assert res["setting"] == ["lowest", "1 bpp"] and len(res["bpp"]) == len(res["psnr"]) == 2
    assert res["bpp"][1] <= 1.0 and res["targets_met"] == [None, 2]
    assert len(docs[0]["per_image"]) == 4
    meta = docs[0]["meta"]
    assert meta["dataset"]["images"] == 2 and meta["metrics"]["psnr"]["library"] == "torchmetrics"
    if "lpips" not in meta["metrics"]:
        assert "LPIPS is unavailable" in meta["skipped_metrics"]["lpips"]
    assert "| jpeg | lowest |" in proc.stderr


def test_bench_errors_are_one_sentence(tmp_path: Path) -> None:
    proc = _semcodec("bench", str(tmp_path))
    assert proc.returncode != 0 and "contains no images" in proc.stderr and "Traceback" not in proc.stderr
    Image.fromarray(synthetic_image(16, 16)).save(tmp_path / "a.png")
    proc = _semcodec("bench", str(tmp_path), "--codec", "bpg", "--metrics", "psnr")
    assert proc.returncode != 0 and "unknown codec 'bpg'" in proc.stderr and "Traceback" not in proc.stderr


def test_bench_limit_and_single_file_output(tmp_path: Path, cli) -> None:
    for i in range(3):
        Image.fromarray(synthetic_image(32, 48, seed=i)).save(tmp_path / f"im{i}.png")
    out = tmp_path / "jpeg.json"
    code, _, err = cli("bench", tmp_path, "--codec", "jpeg", "--metrics", "psnr", "--limit", "2", "-o", out)
    assert code == 0, err
    doc = json.loads(out.read_text())
    assert doc["name"] == "jpeg" and doc["meta"]["dataset"]["images"] == 2
    assert [r["image"] for r in doc["per_image"]] == ["im0.png", "im1.png"]  # the first N in sorted order
    code, _, err = cli("bench", tmp_path, "--codec", "jpeg,webp", "--metrics", "psnr", "-o", tmp_path / "b.json")
    assert code == 5 and "give -o a folder" in err
