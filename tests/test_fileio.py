"""Outputs that never destroy, inputs read with limits: the files a user names (issue 9, items 1 and 5).

Special files are made in the test's own folder (mkfifo, mknod where allowed, a Unix socket);
no test touches a real device under /dev.
"""

from __future__ import annotations

import os
import socket
import stat
import threading

import pytest
from PIL import Image

from semcodec.errors import InputError
from semcodec.fileio import read_limited, read_smc, write_atomic
from semcodec.limits import MAX_SMC_BYTES

FAKES = ("--describer", "fake:vlm", "--generator", "fake:gen", "--no-cache")


def _fifo(tmp_path, name="fifo"):
    path = tmp_path / name
    os.mkfifo(path)
    return path


def _char_device(tmp_path):
    """A character device node in tmp_path (the null device's numbers), or skip."""
    path = tmp_path / "chardev"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError, AttributeError) as e:
        pytest.skip(f"cannot make a device node here: {e}")
    return path


def _socket(tmp_path):
    path = tmp_path / "sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    return s, path


def _in_time(fn, seconds=5.0):
    """Run ``fn`` in a thread; fail if it blocks (e.g. by opening a FIFO)."""
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed to the test
            box["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "the call blocked"
    if "error" in box:
        raise box["error"]
    return box.get("value")


# -- outputs --------------------------------------------------------------------------------------
def test_output_fifo_is_refused_without_blocking(tmp_path):
    fifo = _fifo(tmp_path)
    with pytest.raises(InputError, match="FIFO") as err:
        _in_time(lambda: write_atomic(fifo, b"x"))
    assert "\n" not in str(err.value)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a FIFO


def test_output_device_is_refused_and_kept(tmp_path):
    dev = _char_device(tmp_path)
    with pytest.raises(InputError, match="character device"):
        write_atomic(dev, b"x")
    assert stat.S_ISCHR(os.stat(dev).st_mode)


def test_output_socket_and_folder_are_refused(tmp_path):
    s, path = _socket(tmp_path)
    with s:
        with pytest.raises(InputError, match="socket"):
            write_atomic(path, b"x")
    with pytest.raises(InputError, match="folder"):
        write_atomic(tmp_path, b"x")


def test_symlink_is_written_through(tmp_path):
    target = tmp_path / "target.smc"
    target.write_bytes(b"old")
    link = tmp_path / "link.smc"
    link.symlink_to(target)
    write_atomic(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    dangling = tmp_path / "dangling.smc"
    dangling.symlink_to(tmp_path / "made.smc")
    write_atomic(dangling, b"made")
    assert dangling.is_symlink() and (tmp_path / "made.smc").read_bytes() == b"made"


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_honour_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "a.smc", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "a.smc").st_mode) == mode


def test_replaced_files_keep_their_mode_and_leave_no_temporary(tmp_path):
    path = tmp_path / "a.smc"
    path.write_bytes(b"old")
    path.chmod(0o640)
    write_atomic(path, b"new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.smc"]


def test_output_that_is_an_input_is_refused_by_path_link_and_hard_link(tmp_path):
    src = tmp_path / "in.txt"
    src.write_bytes(b"keep me")
    (tmp_path / "sym.txt").symlink_to(src)
    os.link(src, tmp_path / "hard.txt")
    for out in (src, tmp_path / "sym.txt", tmp_path / "hard.txt"):
        with pytest.raises(InputError, match="would destroy the input"):
            write_atomic(out, b"x", inputs=[src])
    assert src.read_bytes() == b"keep me"


def test_encode_refuses_to_overwrite_its_image_or_text_file(cli, tmp_path):
    victim = tmp_path / "victim.png"
    Image.new("RGB", (32, 24), "red").save(victim)
    before = victim.read_bytes()
    code, _, err = cli("encode", victim, "-o", victim, *FAKES)
    assert code != 0 and "would destroy the input" in err and len(err.strip().splitlines()) == 1
    assert victim.read_bytes() == before
    text = tmp_path / "t.txt"
    text.write_text("a red fox in the snow")
    code, _, err = cli("encode", "--text-file", text, "-o", text)
    assert code != 0 and "would destroy the input" in err
    assert text.read_text() == "a red fox in the snow"


def test_decode_refuses_to_overwrite_its_input(cli, tmp_path):
    smc = tmp_path / "a.smc"
    assert cli("encode", "--text", "a red fox", "-o", smc, "--generator", "fake:gen")[0] == 0
    before = smc.read_bytes()
    code, _, err = cli("decode", smc, "-o", smc, "--generator", "fake:gen", "--no-cache")
    assert code != 0 and "would destroy the input" in err
    assert smc.read_bytes() == before


def test_encode_and_decode_to_stdout(tmp_path, capsysbinary):
    from semcodec.cli import main

    smc = tmp_path / "a.smc"
    assert main(["encode", "--text", "a red fox", "-o", str(smc), "--generator", "fake:gen"]) == 0
    capsysbinary.readouterr()
    assert main(["encode", "--text", "a red fox", "-o", "-", "--generator", "fake:gen"]) == 0
    assert capsysbinary.readouterr().out == smc.read_bytes()
    assert main(["decode", str(smc), "-o", "-", "--generator", "fake:gen", "--no-cache"]) == 0
    png = capsysbinary.readouterr().out
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert main(["encode", "--text", "a red fox", "-o", "-", "--json"]) != 0  # both on stdout


# -- inputs ---------------------------------------------------------------------------------------
def test_special_inputs_are_refused_without_blocking(tmp_path, cli):
    fifo = _fifo(tmp_path)
    for args in (("inspect", fifo), ("decode", fifo, "--text-only"),
                 ("encode", "--text-file", fifo, "-o", tmp_path / "o.smc"),
                 ("encode", fifo, "-o", tmp_path / "o.smc", *FAKES)):
        code, _, err = _in_time(lambda args=args: cli(*args))
        assert code != 0 and "FIFO" in err and len(err.strip().splitlines()) == 1, err
    with pytest.raises(InputError, match="FIFO"):
        _in_time(lambda: read_limited(fifo, 10))


def test_device_inputs_are_refused(tmp_path, cli):
    dev = _char_device(tmp_path)
    for args in (("inspect", dev), ("encode", "--text-file", dev, "-o", tmp_path / "o.smc")):
        code, _, err = _in_time(lambda args=args: cli(*args))
        assert code != 0 and "character device" in err


def test_inputs_are_read_with_a_limit(tmp_path, cli):
    big = tmp_path / "big.smc"
    big.write_bytes(b"\x01" * (MAX_SMC_BYTES + 1))
    with pytest.raises(InputError, match="more than the limit"):
        read_smc(big)
    code, _, err = cli("inspect", big)
    assert code != 0 and "more than the limit" in err
    text = tmp_path / "big.txt"
    text.write_bytes(b"a " * (1 << 20))
    code, _, err = cli("encode", "--text-file", text, "-o", tmp_path / "o.smc")
    assert code != 0 and "more than the limit" in err
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    code, _, err = cli("encode", "--text-file", bad, "-o", tmp_path / "o.smc")
    assert code != 0 and "not UTF-8" in err


# -- images the decoder makes ---------------------------------------------------------------------
def test_a_12_byte_file_asking_for_a_terapixel_image_is_refused_before_rendering(tmp_path, cli, monkeypatch):
    from semcodec.codec import compress_text
    from semcodec.models.providers.fake import FakeBackend

    data = compress_text("a", width=1 << 20, height=1 << 20).data
    assert len(data) == 12
    smc = tmp_path / "tera.smc"
    smc.write_bytes(data)

    def never(*args, **kwargs):
        raise AssertionError("the generator was called")

    monkeypatch.setattr(FakeBackend, "generate", never)
    code, _, err = cli("decode", smc, "-o", tmp_path / "out.png", "--generator", "fake:gen", "--no-cache")
    assert code == InputError.exit_code and "1048576x1048576" in err and "SEMCODEC_MAX_PIXELS" in err
    assert len(err.strip().splitlines()) == 1
    monkeypatch.setenv("SEMCODEC_MAX_PIXELS", "1000")
    small = tmp_path / "small.smc"
    small.write_bytes(compress_text("a red fox", width=40, height=30).data)
    code, _, err = cli("decode", small, "-o", tmp_path / "out.png", "--generator", "fake:gen", "--no-cache")
    assert code == InputError.exit_code and "more than the limit of 1,000 pixels" in err
