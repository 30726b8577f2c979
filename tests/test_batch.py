"""Batch work without Ray: the driver records each item once (duplicates dropped, lost items handed
out again, then given up), ``encode-dir`` / ``decode-dir`` in this process (files, manifest,
resume, refusal of another configuration, failures recorded, unique names), and no Ray import
without ``--ray``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from batch_helpers import FAKE_ARGS, comparable
from conftest import SRC
from eval_helpers import image_folder
from semcodec.batch.collection import MANIFEST, manifest_problem
from semcodec.batch.driver import MAX_ATTEMPTS, Outcome, drive
from semcodec.batch.inputs import Input, list_inputs, output_names
from semcodec.batch.items import ItemFailed, WorkItem
from semcodec.eval.rundir import RecordStore


class ListJob:
    """A job over named items whose results are their names; ``unreadable`` fail in prepare."""

    def __init__(self, names, unreadable=()):
        self.names, self.unreadable, self.records = names, set(unreadable), []
        self.task = None

    def plan(self):
        return [WorkItem(n, n) for n in self.names], len(self.names)

    def prepare(self, item):
        if item.id in self.unreadable:
            raise ItemFailed(f"cannot read {item.id}")
        return item

    def record(self, item, result):
        self.records.append((item.id, result))
        return True

    def give_up(self, item, reason):
        self.records.append((item.id, "failed: " + reason))


class ScriptedExecutor:
    """Two workers; ``script`` maps an item id to what happens to each hand-out of it:
    "ok", "dup" (its result arrives twice) or "lost" (its worker dies while running it)."""

    def __init__(self, script):
        self.script, self.held, self.handed = script, [], {}

    def start(self, task):
        pass

    def free(self):
        return 2 - len(self.held)

    def submit(self, item):
        self.held.append(item)

    def wait(self):
        out = []
        for item in self.held:
            n = self.handed[item.id] = self.handed.get(item.id, 0) + 1
            steps = self.script.get(item.id, ["ok"])
            what = steps[min(n, len(steps)) - 1]
            if what == "lost":
                out.append(Outcome(item, lost="worker died"))
            else:
                out += [Outcome(item, item.id)] * (2 if what == "dup" else 1)
        self.held = []
        return out

    def close(self, interrupted=False):
        pass

    def describe(self):
        return "2 scripted workers"


def test_driver_records_each_item_once():
    job = ListJob(["a", "b", "c", "d", "e"], unreadable=["e"])
    ex = ScriptedExecutor({"a": ["dup"], "b": ["lost", "ok"], "c": ["lost"] * MAX_ATTEMPTS})
    stats = drive(job, ex, progress=False)
    ids = [i for i, _ in job.records]
    assert sorted(ids) == ["a", "b", "c", "d", "e"]  # every item once, in whatever order
    results = dict(job.records)
    assert results["a"] == "a" and results["b"] == "b" and results["d"] == "d"
    assert results["c"].startswith(f"failed: the worker died {MAX_ATTEMPTS} times")
    assert results["e"] == "failed: cannot read e"
    assert ex.handed["b"] == 2 and ex.handed["c"] == MAX_ATTEMPTS and "e" not in ex.handed
    assert (stats.ok, stats.failed, stats.duplicates, stats.retried) == (3, 2, 1, 1 + MAX_ATTEMPTS - 1)


def test_output_names_are_unique_and_stable(tmp_path):
    (tmp_path / "a").mkdir()
    for rel in ("x.png", "x.jpg", "a/x.png", ".hidden/y.png", "notes.txt"):
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_bytes(b"")
    inputs = list_inputs(str(tmp_path), frozenset({".png", ".jpg"}), "images")
    assert [i.id for i in inputs] == ["a/x.png", "x.jpg", "x.png"]
    names = output_names(inputs, ".smc", {})
    assert names["a/x.png"] == "a/x.smc" and names["x.jpg"] == "x.smc" and names["x.png"].startswith("x-")
    # A name once recorded stays with its input, whatever comes first now.
    again = output_names(inputs, ".smc", {"x.png": "x.smc"})
    assert again["x.png"] == "x.smc" and again["x.jpg"].startswith("x-") and len(set(again.values())) == 3
    listed = tmp_path / "list.txt"
    listed.write_text(f"# two x.png\nx.png\n\n{tmp_path}/a/x.png\nx.png\n")
    inputs = list_inputs(str(listed), frozenset({".png"}), "images")
    assert [(i.id, str(i.stem)) for i in inputs] == [("x.png", "x"), (f"{tmp_path}/a/x.png", "x")]
    assert len(set(output_names(inputs, ".smc", {}).values())) == 2
    assert isinstance(inputs[0], Input)


def test_encode_dir_then_decode_dir(tmp_path, cli):
    folder = image_folder(tmp_path, 3)
    (folder / "bad.png").write_bytes(b"not an image")
    out = tmp_path / "smc"
    code, _, err = cli("encode-dir", folder, "-o", out, "--max-bits", "200", *FAKE_ARGS)
    assert code == 0, err
    assert "4 files done (3 ok, 1 failed)" in err
    records = RecordStore(out / MANIFEST, manifest_problem).load()
    assert [r["input"] for r in records] == ["bad.png", "im0.png", "im1.png", "im2.png"]
    bad, first = records[0], records[1]
    assert bad["status"] == "failed" and bad["output"] is None and "bad.png is not an image" in bad["error"]
    assert first["status"] == "ok" and first["output"] == "im0.smc" and first["file_bits"] <= 200
    assert {"input", "output", "bytes", "ubpp", "text", "seed", "timings", "status"} <= set(first)
    # Each file is what `semcodec encode` writes for that image.
    single = tmp_path / "one.smc"
    assert cli("encode", folder / "im0.png", "-o", single, "--max-bits", "200", *FAKE_ARGS[:-1])[0] == 0
    assert (out / "im0.smc").read_bytes() == single.read_bytes() and first["bytes"] == len(single.read_bytes())
    # A rerun does nothing; another configuration is refused.
    code, _, err = cli("encode-dir", folder, "-o", out, "--max-bits", "200", *FAKE_ARGS)
    assert code == 0 and "0 files done" in err and "4 already done" in err
    assert len(RecordStore(out / MANIFEST, manifest_problem).load()) == 4
    code, _, err = cli("encode-dir", folder, "-o", out, "--max-bits", "300", *FAKE_ARGS)
    assert code == 5 and "different configuration" in err and len(err.strip().splitlines()) == 1
    # Decode the folder of .smc files; the images are those of `semcodec decode`.
    dec = tmp_path / "png"
    code, out_json, err = cli("decode-dir", out, "-o", dec, "--json", *FAKE_ARGS)
    assert code == 0, err
    assert json.loads(out_json)["ok"] == 3
    drecords = RecordStore(dec / MANIFEST, manifest_problem).load()
    assert [r["output"] for r in drecords] == ["im0.png", "im1.png", "im2.png"] and drecords[0]["prompt"]
    assert cli("decode", out / "im0.smc", "-o", tmp_path / "one.png", *FAKE_ARGS[:-1])[0] == 0
    assert (dec / "im0.png").read_bytes() == (tmp_path / "one.png").read_bytes()


def test_an_interrupted_encode_dir_resumes(tmp_path):
    from semcodec.batch.collection import encode_job
    from semcodec.batch.local import LocalExecutor
    from semcodec.codec import Budget
    from semcodec.pipeline import EncodeConfig, ModelsConfig, RuntimeConfig

    from batch_helpers import InterruptAfter

    folder = image_folder(tmp_path, 4)
    args = (str(folder), str(tmp_path / "out"), ModelsConfig(describer="fake:x", generator="fake:x"),
            EncodeConfig(budget=Budget(max_bits=200)), RuntimeConfig(cache=False))
    with pytest.raises(KeyboardInterrupt):
        drive(InterruptAfter(encode_job(*args), 2), LocalExecutor(), progress=False)
    assert len(RecordStore(tmp_path / "out" / MANIFEST, manifest_problem).load()) == 2
    stats = drive(encode_job(*args), LocalExecutor(), progress=False)
    assert (stats.skipped, stats.ok) == (2, 2)
    records = RecordStore(tmp_path / "out" / MANIFEST, manifest_problem).load()
    assert sorted(r["input"] for r in records) == [f"im{i}.png" for i in range(4)]
    drive(encode_job(*args[:1], str(tmp_path / "again"), *args[2:]), LocalExecutor(), progress=False)
    assert comparable(RecordStore(tmp_path / "again" / MANIFEST, manifest_problem).load()) == comparable(records)


def test_ray_options_need_ray_and_a_good_address(tmp_path, cli):
    folder = image_folder(tmp_path, 1)
    base = ["encode-dir", folder, "-o", tmp_path / "out", *FAKE_ARGS]
    code, _, err = cli(*base, "--gpus-per-worker", "1")
    assert code == 5 and "add --ray" in err
    code, _, err = cli(*base, "--ray=not-an-address")
    assert code == 5 and "is not an address" in err
    import socket

    with socket.socket() as s:  # a port on loopback that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = cli(*base, f"--ray=127.0.0.1:{port}")
    assert code == 4 and "cannot be reached" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()  # nothing was done


def test_without_ray_option_ray_is_never_imported(tmp_path):
    folder = image_folder(tmp_path, 1)
    code = (
        "import sys\n"
        "from semcodec.cli import main\n"
        f"rc = main(['encode-dir', {str(folder)!r}, '-o', {str(tmp_path / 'out')!r}, '--max-bits', '200', "
        f"*{FAKE_ARGS!r}])\n"
        "print('RC', rc, 'RAY', 'ray' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(SRC), "SEMCODEC_CACHE": str(tmp_path / "c.sqlite")})
    assert "RC 0 RAY False" in proc.stdout, proc.stdout + proc.stderr
