"""Golden ``lm`` files: they pin the lm format and the engine's integer arithmetic, forever.

They were coded (scripts/make_golden.py --lm) under the tiny models of tests/tiny_lm.py, whose
weights are built deterministically, so any machine can rebuild the model and must decode the
files to the same text and re-encode them to the same bytes: in this process, in a fresh one, on
one thread and on two, and whether a text is scored in one pass or token by token.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from semcodec.codec import compress_text, decompress

GOLDEN = Path(__file__).parent / "golden" / "lm"
EXPECTED = json.loads((GOLDEN / "expected.json").read_text())
FIELDS = ("version", "coder", "prior", "profile", "custom_hash", "lm_hash", "width", "height", "seed", "text",
          "header_bits", "payload_bits", "file_bits")

pytestmark = pytest.mark.usefixtures("one_thread")


def _encode(case: dict, models: dict) -> bytes:
    kwargs = {k: v for k, v in case.items() if k != "model"}
    return compress_text(**kwargs, coder="lm", lm=models[case["model"]]).data


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_lm_golden_file_decodes(name, tiny_int_lms):
    exp = EXPECTED[name]
    summary = decompress((GOLDEN / f"{name}.smc").read_bytes(), lm=tiny_int_lms[exp["input"]["model"]]).summary()
    assert {k: summary[k] for k in FIELDS} == {k: exp[k] for k in FIELDS}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_lm_golden_file_encodes_to_same_bytes(name, tiny_int_lms):
    tiny_int_lms["llama"].engine.reset()
    assert _encode(EXPECTED[name]["input"], tiny_int_lms).hex() == EXPECTED[name]["hex"]


_CHILD = """
import hashlib, json, sys, torch
from pathlib import Path
from semcodec.codec import compress_text, decompress
from semcodec.models.lm import load_model
golden, dirs, two_threads = Path(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
models = {k: load_model(v) for k, v in dirs.items()}
expected, out = json.loads((golden / "expected.json").read_text()), {}
expected = {k: v for k, v in expected.items() if v["input"]["model"] in models}
for threads in (1, 2):
    torch.set_num_threads(threads)
    for name, exp in expected.items():
        if threads == 2 and name != two_threads:
            continue
        case = exp["input"]
        model = models[case["model"]]
        model.engine.reset()
        text = decompress((golden / (name + ".smc")).read_bytes(), lm=model).text   # token by token
        model.engine.reset()
        kwargs = {k: v for k, v in case.items() if k != "model"}
        data = compress_text(**kwargs, coder="lm", lm=model).data                    # one pass
        digests = []
        if name == two_threads:
            ids = model.tokenize(text)
            model.engine.reset()
            digests.append(hashlib.sha256(b"".join(f.tobytes() for f in model.frequencies(ids))).hexdigest())
            model.engine.reset()
            digests.append(hashlib.sha256(b"".join(next(iter(model.frequencies(ids[:i], i))).tobytes()
                                                   for i in range(len(ids) + 1))).hexdigest())
        out[f"{name}/{threads}"] = [text, data.hex(), *digests]
print(json.dumps(out))
"""


def test_lm_golden_files_in_a_fresh_process_on_one_and_two_threads(tiny_causal_lm_dirs):
    """The Llama golden files on one thread; one of them on two threads, where its frequencies
    scored in one pass and token by token must also agree (two-thread products: test_lm_engine.py).
    (One model only: most of this test's time is the child importing torch and transformers.)"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    dirs = json.dumps({"llama": str(tiny_causal_lm_dirs["llama"])})
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(GOLDEN), dirs, "lm-llama-unicode"],
                          capture_output=True, text=True, env=env, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout)
    for key, (text, hexdata, *digests) in got.items():
        name = key.split("/")[0]
        assert (text, hexdata) == (EXPECTED[name]["text"], EXPECTED[name]["hex"])
    assert len(got) == sum(e["input"]["model"] == "llama" for e in EXPECTED.values()) + 1
    assert got["lm-llama-unicode/1"][2:] == got["lm-llama-unicode/2"][2:]
    assert got["lm-llama-unicode/1"][2] == got["lm-llama-unicode/1"][3]
