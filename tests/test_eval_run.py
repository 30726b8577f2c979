"""``semcodec eval``: complete records, resume after an interruption without recomputing, refusal
to resume a different configuration, the summary's schema; ``semcodec plot``."""

from __future__ import annotations

import json

import pytest

from eval_helpers import FAKE, Counting, image_folder
from semcodec.errors import InputError
from semcodec.codec import Budget
from semcodec.eval.config import EvalConfig
from semcodec.eval.run import run_eval
from semcodec.eval.rundir import RECORDS_FILE, RecordStore
from semcodec.pipeline import EncodeConfig

BUDGETS = (Budget(max_bits=200), Budget(max_bits=400))


def _config(folder, **encode) -> EvalConfig:
    return EvalConfig(dataset=str(folder), budgets=BUDGETS, metrics=("psnr",), encode=EncodeConfig(**encode), **FAKE)


@pytest.mark.parametrize("describe, descriptions", [("full", 3), ("brief", 6)])
def test_eval_records_every_image_and_budget(tmp_path, describe, descriptions):
    folder = image_folder(tmp_path)
    config = _config(folder, describe=describe)
    counting = Counting(config)
    summary = run_eval(config, tmp_path / "run", models=counting.models, progress=False)
    records = RecordStore(tmp_path / "run" / RECORDS_FILE).load()
    assert sorted((r["image"], r["setting"]) for r in records) == sorted(
        (f"im{i}.png", b.label) for i in range(3) for b in BUDGETS)
    # full: one description per image; brief: one per image and budget; one decode per file.
    assert counting.calls == {"describe": descriptions, "generate": 6}
    for r in records:
        assert r["status"] == "ok" and r["file_bits"] <= int(r["setting"].split()[0])
        assert bytes.fromhex(r["smc"]) and len(bytes.fromhex(r["smc"])) == r["bytes"]
        assert r["ubpp"] == pytest.approx(1e6 * r["file_bits"] / (48 * 64))
        assert (tmp_path / "run" / r["decoded_png"]).is_file() and "psnr" in r["metrics"]
    # CompressAI schema: name, description, results with one value per budget, meta.
    assert set(summary) >= {"name", "description", "results", "meta"}
    res = summary["results"]
    assert res["setting"] == ["200 bits", "400 bits"] and res["images"] == [3, 3] and res["failed"] == [0, 0]
    assert all(len(res[k]) == 2 for k in ("bpp", "ubpp", "bytes", "psnr"))
    meta = summary["meta"]
    assert meta["kind"] == "semcodec-eval" and meta["dataset"]["manifest_sha256"] == meta["config"]["dataset_manifest_sha256"]
    assert meta["prompts"]["describe"] == "describe-v2" and meta["prompts"]["describe-brief"] == "describe-brief-v2"
    assert meta["priors"] == ["ngram-v2"]  # format 2: ngram-v2 is the default prior
    assert meta["models"]["describer"] == "fake:x" and meta["semcodec_version"]
    assert json.loads((tmp_path / "run" / "results.json").read_text()) == summary


@pytest.mark.parametrize("describe, redescribed", [("full", 1), ("brief", 3)])
def test_interrupted_run_resumes_without_recomputing(tmp_path, describe, redescribed):
    folder = image_folder(tmp_path)
    config = _config(folder, describe=describe)
    first = Counting(config, interrupt_at=4)  # Ctrl-C while decoding the 4th file
    with pytest.raises(KeyboardInterrupt):
        run_eval(config, tmp_path / "run", models=first.models, progress=False)
    done = RecordStore(tmp_path / "run" / RECORDS_FILE).load()
    assert len(done) == 3
    second = Counting(config)
    run_eval(config, tmp_path / "run", models=second.models, progress=False)
    records = RecordStore(tmp_path / "run" / RECORDS_FILE).load()
    assert records[:3] == done and len(records) == 6
    assert len({(r["image"], r["setting"]) for r in records}) == 6
    # Only the three missing files were decoded; full: im1's description was reused from its record.
    assert second.calls == {"describe": redescribed, "generate": 3}
    third = Counting(config)
    run_eval(config, tmp_path / "run", models=third.models, progress=False)
    assert third.calls == {"describe": 0, "generate": 0}


def test_a_torn_last_record_is_dropped(tmp_path):
    store = RecordStore(tmp_path / RECORDS_FILE)
    store.append({"image": "a", "setting": "full", "status": "failed"})
    with open(store.path, "a") as f:
        f.write('{"image": "b", "sett')  # killed mid-write
    assert store.load() == [{"image": "a", "setting": "full", "status": "failed"}]
    store.append({"image": "c", "setting": "full", "status": "failed"})
    assert [r["image"] for r in store.load()] == ["a", "c"]


def test_a_changed_configuration_refuses_to_resume(tmp_path, cli):
    folder = image_folder(tmp_path, 2)
    args = ["eval", str(folder), "-o", str(tmp_path / "run"), "--max-bits", "300", "--metrics", "psnr",
            "--describer", "fake:x", "--generator", "fake:x", "--no-cache", "--quiet"]
    code, out, err = cli(*args)
    assert code == 0, err
    assert json.loads(out)["results"]["images"] == [2]
    code, out, err = cli(*args, "--coder", "raw")
    assert code != 0 and "different configuration" in err and "coder" in err and "Traceback" not in err
    with pytest.raises(InputError, match="not a semcodec eval run"):
        run_eval(_config(folder), folder)  # a non-empty folder that is not a run


def test_a_budget_too_small_is_recorded_as_failed(tmp_path):
    folder = image_folder(tmp_path, 1)
    config = EvalConfig(dataset=str(folder), budgets=(Budget(max_bits=16),), metrics=("psnr",), **FAKE)
    summary = run_eval(config, tmp_path / "run", models=Counting(config).models, progress=False)
    assert summary["results"]["failed"] == [1] and summary["results"]["bpp"] == [None]


def test_plot_writes_a_png_from_bench_and_eval_results(tmp_path, cli):
    folder = image_folder(tmp_path, 2)
    config = _config(folder)
    run_eval(config, tmp_path / "run", models=Counting(config).models, progress=False)
    bench = [{"name": "jpeg", "description": "JPEG", "results": {"setting": ["lowest"], "bpp": [0.3], "bytes": [115],
                                                                  "psnr": [24.0]}, "meta": {"codec": {}}}]
    (tmp_path / "bench.json").write_text(json.dumps(bench))
    code, _, err = cli("plot", tmp_path / "bench.json", tmp_path / "run" / "results.json", "-o", tmp_path / "fig.png")
    assert code == 0, err
    assert (tmp_path / "fig.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = cli("plot", tmp_path / "run" / "config.json", "-o", tmp_path / "x.png")
    assert code != 0 and "not a results file" in err
