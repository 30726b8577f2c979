"""A missing optional library ends in one sentence naming the extra to install, before any work.

Each test blocks one library the way a machine without it behaves (``sys.modules[name] = None``
makes ``import name`` fail and ``importlib.util.find_spec`` find nothing), runs a command in
process, and checks exit code 6, the sentence, and that nothing was written.
"""

from __future__ import annotations

import json
import sys

import pytest
from PIL import Image

from conftest import synthetic_image


def _block(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    for name in names:
        monkeypatch.setitem(sys.modules, name, None)


def _images(tmp_path):
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(2):
        Image.fromarray(synthetic_image(48, 64, seed=i)).save(folder / f"im{i}.png")
    return folder


def _results(tmp_path):
    """A minimal results document (plot and report inputs)."""
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"name": "x", "results": {"bpp": [0.1], "psnr": [20.0]}}))
    return path


def _assert_missing(code: int, stderr: str, package: str, extra: str) -> None:
    assert code == 6, stderr
    assert f"'{package}'" in stderr and f"pip install 'semcodec[{extra}]'" in stderr, stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr


@pytest.mark.parametrize("package, spec, extra", [
    ("torch", "hf:/no/such/model", "hf"),
    ("transformers", "hf:/no/such/model", "hf"),
    ("openai", "openai:gpt-4o", "openai"),
])
def test_encode_names_the_extra_of_the_describer(cli, tmp_path, monkeypatch, package, spec, extra):
    image = tmp_path / "a.png"
    Image.fromarray(synthetic_image(48, 64)).save(image)
    _block(monkeypatch, package)
    code, _, err = cli("encode", image, "--describer", spec, "--max-bits", "200", "-o", tmp_path / "a.smc")
    _assert_missing(code, err, package, extra)
    assert not (tmp_path / "a.smc").exists()


@pytest.mark.parametrize("package", ["diffusers", "torch"])
def test_decode_names_the_extra_of_the_generator(cli, tmp_path, monkeypatch, package):
    smc = tmp_path / "a.smc"
    assert cli("encode", "--text", "a red fox", "-o", smc)[0] == 0  # profile 1: SDXL through diffusers
    _block(monkeypatch, package)
    code, _, err = cli("decode", smc, "-o", tmp_path / "a.png")
    _assert_missing(code, err, package, "hf")
    assert not (tmp_path / "a.png").exists()


def test_search_checks_the_judge_before_describing(cli, tmp_path, monkeypatch):
    image = tmp_path / "a.png"
    Image.fromarray(synthetic_image(48, 64)).save(image)
    _block(monkeypatch, "transformers")
    code, _, err = cli("encode", image, "--describer", "fake:x", "--generator", "fake:x", "--seeds", "2",
                       "--max-bits", "200", "-o", tmp_path / "a.smc")  # the default judge is CLIP
    _assert_missing(code, err, "transformers", "hf")


@pytest.mark.parametrize("package, metrics", [("torchmetrics", "psnr"), ("torch", "ms-ssim"), ("transformers", "clip")])
def test_eval_checks_its_metrics_first(cli, tmp_path, monkeypatch, package, metrics):
    folder = _images(tmp_path)
    _block(monkeypatch, package)
    code, _, err = cli("eval", folder, "--dry-run", "--max-bits", "200", "--metrics", metrics, "-o", tmp_path / "run")
    _assert_missing(code, err, package, "eval")
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("args", [("plot", "{r}", "-o", "{t}/c.png"), ("report", "{t}", "-o", "{t}/r.html"),
                                  ("study", "text", "--text", "a red fox", "--no-similarity", "-o", "{t}/out"),
                                  ("study", "resolution", "--text", "a red fox", "-o", "{t}/out"),
                                  ("study", "bitrate", "{t}", "--dry-run", "-o", "{t}/out")])
def test_figures_need_matplotlib(cli, tmp_path, monkeypatch, args):
    results = _results(tmp_path)
    _block(monkeypatch, "matplotlib")
    code, _, err = cli(*(a.format(r=results, t=tmp_path) for a in args))
    _assert_missing(code, err, "matplotlib", "eval")
    assert not any(tmp_path.glob("out*")) and not (tmp_path / "c.png").exists()


def test_study_text_similarity_needs_torch(cli, tmp_path, monkeypatch):
    _block(monkeypatch, "torch")
    code, _, err = cli("study", "text", "--text", "a red fox", "-o", tmp_path / "out")
    _assert_missing(code, err, "torch", "eval")


def test_bench_and_report_need_imagecodecs(cli, tmp_path, monkeypatch):
    folder = _images(tmp_path)
    _block(monkeypatch, "imagecodecs")
    code, _, err = cli("bench", folder, "--metrics", "psnr", "-o", tmp_path / "b")
    _assert_missing(code, err, "imagecodecs", "eval")
    code, _, err = cli("report", tmp_path, "-o", tmp_path / "r.html")
    _assert_missing(code, err, "imagecodecs", "eval")
    assert not (tmp_path / "b").exists()


def test_library_imports_go_through_require(monkeypatch):
    from semcodec.errors import MissingDependency
    from semcodec.eval.baselines import get_codec
    from semcodec.models.local import dtype_kwarg

    _block(monkeypatch, "packaging", "packaging.version", "imagecodecs")
    with pytest.raises(MissingDependency, match=r"semcodec\[hf\]"):
        dtype_kwarg("transformers", None)
    with pytest.raises(MissingDependency, match=r"semcodec\[eval\]"):
        get_codec("jpeg")


def test_progress_without_tqdm_draws_nothing(monkeypatch, capsys):
    from semcodec.progress import bar

    _block(monkeypatch, "tqdm")
    with bar(3, "x", enabled=True) as b:
        b.update(3)
    assert capsys.readouterr().err == ""
