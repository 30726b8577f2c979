"""Eval run folders under concurrent, careless or hostile use: the lock, unique names, records
and paths that are not trusted, unreadable images (issue 9, items 7, 9 and 11)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from PIL import Image

from conftest import SRC, synthetic_image
from eval_helpers import FAKE, Counting, image_folder
from semcodec.codec import Budget
from semcodec.errors import InputError
from semcodec.eval.config import EvalConfig
from semcodec.eval.run import run_eval
from semcodec.eval.rundir import RECORDS_FILE, RecordStore
from semcodec.locks import LOCK_FILE, FolderLock

ARGS = ["--max-bits", "300", "--metrics", "", "--describer", "fake:x", "--generator", "fake:x", "--no-cache", "--quiet"]


def _config(folder, **kw):
    return EvalConfig(dataset=str(folder), budgets=(Budget(max_bits=300),), metrics=(), **FAKE, **kw)


def test_a_second_process_is_refused_naming_the_holder(tmp_path, cli):
    folder = image_folder(tmp_path, 1)
    run = tmp_path / "run"
    with FolderLock(run, "eval run directory"):
        code, _, err = cli("eval", folder, "-o", run, *ARGS)
    assert code == InputError.exit_code and len(err.strip().splitlines()) == 1
    assert f"in use by process {os.getpid()} on " in err
    code, out, err = cli("eval", folder, "-o", run, *ARGS)  # released: the run proceeds
    assert code == 0, err
    assert [p.name for p in run.iterdir() if p.name.startswith(".")] == [LOCK_FILE]


def test_the_lock_dies_with_its_process(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from semcodec.locks import FolderLock; "
         "FolderLock(sys.argv[1]).acquire(); print('locked', flush=True); time.sleep(60)", str(tmp_path)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(SRC)})
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(InputError, match=f"process {holder.pid} on"):
            FolderLock(tmp_path).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    lock = FolderLock(tmp_path)
    lock.acquire()  # a killed holder leaves no stale lock
    lock.release()


def test_inputs_with_the_same_stem_get_their_own_images(tmp_path):
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i, ext in enumerate(("png", "jpg", "webp")):
        Image.fromarray(synthetic_image(48, 64, seed=i)).save(folder / f"a.{ext}")
    config = _config(folder)
    run_eval(config, tmp_path / "run", models=Counting(config).models, progress=False)
    records = RecordStore(tmp_path / "run" / RECORDS_FILE).load()
    pngs = [r["decoded_png"] for r in records]
    assert len(set(pngs)) == 3 and all((tmp_path / "run" / p).is_file() for p in pngs)


def test_an_unreadable_image_is_a_failed_record_and_the_run_goes_on(tmp_path, cli):
    folder = image_folder(tmp_path, 2)
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    code, out, err = cli("eval", folder, "-o", tmp_path / "run", *ARGS)
    assert code == 8 and "2 done, 1 failed" in err  # the run went on; the failure is counted
    summary = json.loads(out)
    assert summary["results"]["images"] == [2] and summary["results"]["failed"] == [1]
    failed = [r for r in RecordStore(tmp_path / "run" / RECORDS_FILE).load() if r["status"] == "failed"]
    assert [r["image"] for r in failed] == ["broken.png"] and "damaged" in failed[0]["error"]


@pytest.mark.parametrize("line", ["[1, 2]", '"text"', '{"image": "a"}', '{"image": "a", "setting": "x", "status": "ok"}'])
def test_a_json_line_that_is_not_a_record_is_one_sentence(tmp_path, cli, line):
    folder = image_folder(tmp_path, 1)
    run = tmp_path / "run"
    assert cli("eval", folder, "-o", run, *ARGS)[0] == 0
    with open(run / RECORDS_FILE, "a") as f:
        f.write(line + "\n" + json.dumps({"image": "x", "setting": "y", "status": "failed"}) + "\n")
    code, _, err = cli("eval", folder, "-o", run, *ARGS)
    assert code == InputError.exit_code and "not a semcodec record" in err and len(err.strip().splitlines()) == 1


def test_report_reads_nothing_outside_the_run_folder(tmp_path, cli):
    pytest.importorskip("imagecodecs")
    folder = image_folder(tmp_path, 1)
    config = _config(folder)
    run = tmp_path / "run"
    run_eval(config, run, models=Counting(config).models, progress=False)
    secret = tmp_path / "secret.png"
    Image.new("RGB", (40, 40), (1, 2, 3)).save(secret)
    records = (run / RECORDS_FILE).read_text().splitlines()
    forged = [json.dumps({**json.loads(r), "decoded_png": "../secret.png"}) for r in records]
    (run / RECORDS_FILE).write_text("\n".join(forged) + "\n")
    code, _, err = cli("report", run, "-o", tmp_path / "r.html")
    assert code == 0, err
    html = (tmp_path / "r.html").read_text()
    assert "leaves the run folder" in html
    # A results.json naming another folder (someone's private photos under the same names) is not trusted.
    private = tmp_path / "private"
    private.mkdir()
    Image.fromarray(synthetic_image(48, 64, seed=9)).save(private / "im0.png")
    results = json.loads((run / "results.json").read_text())
    results["meta"]["dataset"]["root"] = str(private)
    (run / "results.json").write_text(json.dumps(results))
    code, _, err = cli("report", run, "-o", tmp_path / "r2.html")
    assert code == InputError.exit_code and "not the ones the run evaluated" in err
    assert not (tmp_path / "r2.html").exists()
    code, _, err = cli("report", run, "-o", tmp_path / "r3.html", "--data-dir", folder)
    assert code == 0, err
