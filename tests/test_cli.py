"""The command line: encode/inspect/decode of text, JSON output, and one-sentence errors."""

from __future__ import annotations

import json

import pytest


def test_encode_inspect_decode(cli, tmp_path):
    out = tmp_path / "fox.smc"
    code, stdout, stderr = cli("encode", "--text", "A red fox in the snow.", "--size", "768x512", "-o", out, "--json")
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["file_bits"] == 8 * out.stat().st_size
    assert "µbpp" in stderr

    code, stdout, _ = cli("inspect", out, "--json")
    info = json.loads(stdout)
    for key in ("version", "coder", "prior", "profile", "width", "height", "seed", "text",
                "header_bits", "payload_bits", "file_bits", "ubpp"):
        assert key in info
    assert (info["width"], info["height"], info["text"]) == (768, 512, "A red fox in the snow.")
    assert info["ubpp"] == pytest.approx(1e6 * info["file_bits"] / (768 * 512), abs=1e-3)

    code, stdout, _ = cli("decode", out, "--text-only")
    assert code == 0 and stdout.strip() == "A red fox in the snow."


def test_budget_from_ubpp(cli, tmp_path):
    out = tmp_path / "a.smc"
    text = "A lighthouse on a rocky cliff above a stormy sea, seagulls circling, dramatic clouds at dusk."
    code, stdout, _ = cli("encode", "--text", text, "--ubpp", "100", "-o", out, "--json")
    assert code == 0
    assert json.loads(stdout)["file_bits"] <= 104


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["inspect", "missing.smc"], "cannot read"),
        (["encode", "--text", "x", "--size", "big", "-o", "a.smc"], "--size"),
        (["encode", "--text", "x", "--size", "0x5", "-o", "a.smc"], "out of range"),
        (["encode", "-o", "a.smc"], "IMAGE"),
        (["encode", "--text", "x", "--coder", "zip", "-o", "a.smc"], "nknown text coder"),
        (["encode", "--text", "a long description", "--max-bits", "3", "-o", "a.smc"], "budget"),
        (["encode", "--text", "x", "-o", "no/such/dir/a.smc"], "cannot write"),
    ],
)
def test_errors_are_one_sentence(cli, tmp_path, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = cli(*args)
    assert code != 0
    assert fragment in stderr
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n0000000", b"\xff" * 40, b"\x3f" * 3])
def test_bad_files(cli, tmp_path, content):
    bad = tmp_path / "bad.smc"
    bad.write_bytes(content)
    code, _, stderr = cli("inspect", bad)
    assert code == 7, stderr  # a bad .smc file, distinct from a usage error (2)
    assert stderr.startswith("semcodec: error:") and len(stderr.strip().splitlines()) == 1


def test_help_imports_nothing_heavy():
    """``semcodec --help`` must answer at once: no numpy, torch or model library at start-up."""
    import subprocess
    import sys

    from conftest import SRC

    code = (
        "import sys\n"
        "from semcodec.cli import main\n"
        "main(['--help'])\n"
        "print('HEAVY', [m for m in ('torch', 'transformers', 'diffusers', 'openai', 'numpy', 'PIL')"
        " if m in sys.modules])"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": str(SRC)}, timeout=60)
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr


def test_inspect_json_is_the_library_dict(cli, tmp_path):
    import semcodec

    smc = tmp_path / "a.smc"
    assert cli("encode", "--text", "A red fox in the snow", "--size", "768x512", "-o", smc)[0] == 0
    code, out, err = cli("inspect", smc, "--json")
    assert code == 0, err
    assert json.loads(out) == semcodec.inspect(smc.read_bytes())


def test_decoded_text_cannot_drive_the_terminal(cli, tmp_path):
    """An 85-byte raw file whose text clears the screen, sets the window title and rewrites a
    line: shown escaped in people's output, raw in --json (issue 9, item 10)."""
    evil = "a fox\x1b[2J\x1b]0;pwned\x07\r\x1b[2KFAKE: file verified OK\u202e"
    smc = tmp_path / "evil.smc"
    assert cli("encode", "--text", evil, "--coder", "raw", "-o", smc)[0] == 0
    for args in (("decode", smc, "--text-only"), ("inspect", smc)):
        code, out, err = cli(*args)
        assert code == 0, err
        assert not any(c in out + err for c in "\x1b\x07\r\u202e"), repr(out + err)
        assert "\\x1b[2J" in out and "FAKE: file verified OK" in out
    code, out, _ = cli("inspect", smc, "--json")
    assert json.loads(out)["text"] == evil
    code, out, _ = cli("decode", smc, "--text-only", "--json")
    assert json.loads(out)["text"] == evil


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--size", ""], "--size must look like"),
        (["--ubpp", "inf"], "positive finite"),
        (["--ubpp", "nan"], "positive finite"),
        (["--max-bits", "0"], "positive whole number"),
        (["--quality-target", "nan", "--max-bits", "100"], "finite number"),
        (["--seeds", "0"], "seeds must be"),
        (["--seeds", "-3"], "seeds must be"),
        (["--reflect", "-1"], "reflect must be"),
        (["--seed", str(2**65)], "seed must be"),
    ],
)
def test_loose_values_end_in_one_sentence(cli, tmp_path, args, fragment):
    """Issue 9, item 11: each value a user can get wrong ends in one sentence and a non-zero exit."""
    code, out, err = cli("encode", "--text", "a red fox", "-o", tmp_path / "a.smc", *args)
    assert code != 0 and fragment in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "a.smc").exists()


def test_huge_budgets_mean_the_largest_file(cli, tmp_path):
    for args in (["--ubpp", "1e308"], ["--max-bits", str(10**40)]):
        code, _, err = cli("encode", "--text", "a red fox", "-o", tmp_path / "a.smc", *args)
        assert code == 0, err


def test_an_unwritable_trace_folder_is_refused_before_any_model_runs(cli, tmp_path):
    (tmp_path / "file").write_text("x")
    img = tmp_path / "a.png"
    from PIL import Image

    Image.new("RGB", (16, 16), "red").save(img)
    code, _, err = cli("encode", img, "-o", tmp_path / "a.smc", "--reflect", "1", "--trace", tmp_path / "file" / "t",
                       "--describer", "fake:x", "--generator", "fake:x", "--judge", "fake", "--no-cache")
    assert code == 5 and "trace folder" in err and len(err.strip().splitlines()) == 1


def test_arguments_that_are_not_utf8(cli, tmp_path):
    import subprocess
    import sys

    from conftest import SRC

    code, _, err = cli("encode", "--text", "caf\udce9", "-o", tmp_path / "a.smc")
    assert code == 5 and "not valid Unicode" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli("inspect", tmp_path / "caf\udce9.smc")
    assert code == 5 and "\\udce9" in err
    proc = subprocess.run([sys.executable, "-m", "semcodec", "encode", "--text", b"caf\xe9", "-o", bytes(tmp_path) + b"/x\xff.smc"],
                          capture_output=True, env={"PYTHONPATH": str(SRC), "LC_ALL": "C.UTF-8"}, timeout=60)
    assert proc.returncode == 5 and b"Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_errors_come_alone(cli, tmp_path, monkeypatch):
    """Issue 9, item 13: library warnings and log messages are not printed before the sentence."""
    import logging
    import warnings

    from semcodec.errors import FormatError

    def noisy(path):
        warnings.warn("torchvision is not available, falling back to PIL", UserWarning)
        warnings.warn("this API is deprecated", DeprecationWarning)
        logging.getLogger("transformers.modeling_utils").warning("Some weights were not initialized")
        logging.getLogger("httpx").warning("connection reset")
        raise FormatError("the .smc file is corrupt or truncated")

    monkeypatch.setattr("semcodec.fileio.read_smc", noisy)
    code, out, err = cli("inspect", tmp_path / "a.smc")
    assert code == FormatError.exit_code
    assert err == "semcodec: error: the .smc file is corrupt or truncated\n"
