"""Batch work on a local Ray cluster (one for the session, 2 CPUs, loopback): eval and encode-dir
give the same files and records as in-process; a killed worker loses and duplicates nothing;
an interrupted driver stops its workers and the same run resumes; no GPU where one is asked for
fails in one sentence before any work. Deselect with ``-m 'not ray'``."""

from __future__ import annotations

import json

import pytest

from batch_helpers import FAKE_ARGS, DieOnce, InterruptAfter, comparable
from eval_helpers import FAKE, image_folder
from semcodec.batch.cluster import ClusterConfig, RayExecutor
from semcodec.batch.collection import MANIFEST, encode_job, manifest_problem
from semcodec.batch.driver import drive
from semcodec.batch.local import LocalExecutor
from semcodec.codec import Budget
from semcodec.eval.config import EvalConfig
from semcodec.eval.run import run_eval
from semcodec.eval.rundir import RECORDS_FILE, RecordStore
from semcodec.pipeline import EncodeConfig, ModelsConfig, RuntimeConfig

pytestmark = pytest.mark.ray

NO_CACHE = RuntimeConfig(cache=False)


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and p.suffix in (".smc", ".png")}


def test_eval_on_ray_is_the_in_process_eval(tmp_path, cli, ray_cluster):
    folder = image_folder(tmp_path, 3)
    # No metric: PSNR alone would import torchmetrics in each worker (seconds on a small machine).
    config = EvalConfig(dataset=str(folder), budgets=(Budget(max_bits=200), Budget(max_bits=400)), metrics=(),
                        encode=EncodeConfig(describe="full"), **FAKE)
    here = run_eval(config, tmp_path / "here", runtime=NO_CACHE, progress=False)
    code, out, err = cli("eval", folder, "-o", tmp_path / "ray", "--max-bits", "200", "--max-bits", "400",
                         "--metrics", "", "--describe", "full", "--describer", "fake:x", "--generator", "fake:x",
                         "--text-model", "fake:x", "--judge", "fake", "--no-cache", "--quiet", "--ray=auto")
    assert code == 0, err
    records = RecordStore(tmp_path / "ray" / RECORDS_FILE).load()
    assert comparable(records) == comparable(RecordStore(tmp_path / "here" / RECORDS_FILE).load())
    assert _files(tmp_path / "ray") == _files(tmp_path / "here") and len(_files(tmp_path / "ray")) == 6
    # describe=full: one description per image, made by whichever budget went first.
    assert sorted(r["image"] for r in records if r["describe_seconds"] is not None) == ["im0.png", "im1.png", "im2.png"]
    there = json.loads(out)
    timings = ("encoding_time", "decoding_time")
    assert {k: v for k, v in there["results"].items() if k not in timings} == {
        k: v for k, v in here["results"].items() if k not in timings} and there["results"]["images"] == [3, 3]
    assert there["meta"]["models"]["cache_keys"] == here["meta"]["models"]["cache_keys"]  # what the workers loaded


def test_encode_dir_on_ray_is_the_in_process_one(tmp_path, cli, ray_cluster):
    folder = image_folder(tmp_path, 4)
    (folder / "bad.png").write_bytes(b"not an image")
    args = ["encode-dir", folder, "--max-bits", "200", *FAKE_ARGS]
    assert cli(*args, "-o", tmp_path / "here")[0] == 0
    # Three workers on two CPUs: the third never starts, and holds no item meanwhile.
    code, _, err = cli(*args, "-o", tmp_path / "ray", "--ray=auto", "--workers", "3")
    assert code == 0, err
    assert "5 files done (4 ok, 1 failed)" in err and "on 3 Ray workers" in err
    assert _files(tmp_path / "ray") == _files(tmp_path / "here") and len(_files(tmp_path / "ray")) == 4
    assert comparable(RecordStore(tmp_path / "ray" / MANIFEST, manifest_problem).load()) == comparable(
        RecordStore(tmp_path / "here" / MANIFEST, manifest_problem).load())


def _job(tmp_path, out, delay=0.0):
    models = ModelsConfig(describer="fake:x", generator="fake:x",
                          options={"describer": {"delay": delay}} if delay else {})
    return encode_job(str(tmp_path / "imgs"), str(tmp_path / out), models, EncodeConfig(budget=Budget(max_bits=200)),
                      NO_CACHE)


def test_a_killed_worker_loses_nothing(tmp_path, ray_cluster):
    image_folder(tmp_path, 4)
    drive(_job(tmp_path, "here"), LocalExecutor(), progress=False)
    job = _job(tmp_path, "ray")
    job.task = DieOnce(job.task, victim="im1.png", marker=str(tmp_path / "died"))
    stats = drive(job, RayExecutor(ClusterConfig("auto", workers=2)), progress=False)
    assert (tmp_path / "died").exists() and stats.retried >= 1
    assert (stats.ok, stats.failed, stats.duplicates) == (4, 0, 0)
    records = RecordStore(tmp_path / "ray" / MANIFEST, manifest_problem).load()
    assert sorted(r["input"] for r in records) == [f"im{i}.png" for i in range(4)]  # each once
    assert comparable(records) == comparable(RecordStore(tmp_path / "here" / MANIFEST, manifest_problem).load())
    assert _files(tmp_path / "ray") == _files(tmp_path / "here")


def test_an_interrupted_driver_stops_its_workers_and_resumes(tmp_path, ray_cluster):
    image_folder(tmp_path, 5)
    executor = RayExecutor(ClusterConfig("auto"))  # default: one worker per CPU, as fake models need no GPU
    job = InterruptAfter(_job(tmp_path, "ray", delay=0.2), 2, executor)
    with pytest.raises(KeyboardInterrupt):
        drive(job, executor, progress=False)
    assert executor.describe().startswith("2 Ray workers") and len(job.actors) == 2
    for actor in job.actors:  # Ctrl-C killed the workers, items in flight with them
        with pytest.raises(ray_cluster.exceptions.RayActorError):
            ray_cluster.get(actor.pid.remote(), timeout=30)
    assert len(RecordStore(tmp_path / "ray" / MANIFEST, manifest_problem).load()) == 2
    stats = drive(_job(tmp_path, "ray", delay=0.2), RayExecutor(ClusterConfig("auto", workers=2)), progress=False)
    assert (stats.skipped, stats.ok) == (2, 3)
    records = RecordStore(tmp_path / "ray" / MANIFEST, manifest_problem).load()
    assert sorted(r["input"] for r in records) == [f"im{i}.png" for i in range(5)]


def test_no_gpu_fails_before_any_work(tmp_path, cli, ray_cluster):
    folder = image_folder(tmp_path, 1)
    code, _, err = cli("encode-dir", folder, "-o", tmp_path / "out", "--max-bits", "200", *FAKE_ARGS,
                       "--ray=auto", "--gpus-per-worker", "1")
    assert code == 4 and "has 0 GPUs, but each worker asks for 1" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "out").exists()
