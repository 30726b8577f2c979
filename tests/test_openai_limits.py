"""The OpenAI backend against hostile servers and careless settings: deadlines, reply limits, image
bombs, bad URLs, key files, and secrets that never leave memory (issue 9, items 2, 3, 5, 6, 11, 12).
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

pytest.importorskip("openai")

from openai_server import Reply  # noqa: E402
from semcodec.errors import BackendError, InputError  # noqa: E402
from semcodec.limits import MAX_REPLY_CHARS  # noqa: E402
from semcodec.models import load  # noqa: E402

SECRET = "sk-test-NEVER-SHOW-0123456789abcdef"


class DripServer:
    """Accepts connections and answers a status line one byte every ``interval`` seconds, forever:
    every read gets data, so no read timeout fires."""

    def __init__(self, interval: float = 0.1) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.interval = interval
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 10_000:
                if self.stopped.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(self.interval)

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()


@pytest.fixture
def drip():
    server = DripServer()
    yield server
    server.close()


def test_a_dripping_server_meets_the_deadline(drip):
    model = load("text", "openai:gpt-4o", base_url=drip.url, api_key=SECRET, timeout=1.0, deadline=1.5, max_retries=3)
    start = time.monotonic()
    with pytest.raises(BackendError, match="deadline of 1.5 s") as err:
        model.complete("", "hi")
    assert time.monotonic() - start < 4
    assert SECRET not in str(err.value)


def test_deadline_is_an_option_of_each_role(cli, tmp_path, drip):
    img = tmp_path / "a.png"
    Image.new("RGB", (16, 16), "red").save(img)
    start = time.monotonic()
    code, _, err = cli("encode", img, "-o", tmp_path / "a.smc", "--describer", "openai:gpt-4o", "--base-url", drip.url,
                       "--describer-option", "deadline=1", "--describer-option", "max_retries=0", "--no-cache")
    assert code == BackendError.exit_code and "deadline of 1 s" in err and len(err.strip().splitlines()) == 1
    assert time.monotonic() - start < 4
    for bad in ("deadline=0", "deadline=inf", "timeout=-1"):
        code, _, err = cli("encode", img, "-o", tmp_path / "a.smc", "--describer", "openai:gpt-4o",
                           "--base-url", drip.url, "--describer-option", bad, "--no-cache")
        assert code == InputError.exit_code and "Bad option" in err


def test_a_huge_reply_ends_in_one_sentence(openai_server, cli, tmp_path):
    huge = "a red fox " * 200_000  # 2 MB: a server that ignores max_tokens
    chat = {"id": "c", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": huge}}]}
    openai_server.queue(Reply(body=chat))
    model = load("describer", "openai:gpt-4o", base_url=openai_server.url, api_key=SECRET)
    with pytest.raises(BackendError, match=f"more than the limit of {MAX_REPLY_CHARS:,}"):
        model.describe(Image.new("RGB", (8, 8)), "Describe it.")
    img = tmp_path / "a.png"
    Image.new("RGB", (16, 16), "red").save(img)
    openai_server.queue(Reply(body=chat))
    code, _, err = cli("encode", img, "-o", tmp_path / "a.smc", "--describer", "openai:gpt-4o",
                       "--base-url", openai_server.url, "--max-bits", "200", "--no-cache")
    assert code == BackendError.exit_code and len(err.strip().splitlines()) == 1 and "MemoryError" not in err


def _png_b64(size: tuple[int, int]) -> str:
    buf = io.BytesIO()
    Image.new("L", size).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def test_an_image_from_the_server_gets_the_pixel_limit(openai_server, monkeypatch):
    model = load("generator", "openai:gpt-image-1", base_url=openai_server.url, api_key=SECRET)
    openai_server.queue(Reply(body={"created": 0, "data": [{"b64_json": _png_b64((9000, 8000))}]}))
    with pytest.raises(BackendError, match="more than the limit of 64,000,000 pixels"):
        model.generate("a fox", 1024, 1024, 0)  # 72 MP: a decompression bomb of 100 KB
    monkeypatch.setenv("SEMCODEC_MAX_PIXELS", "100")
    openai_server.queue(Reply(body={"created": 0, "data": [{"b64_json": _png_b64((16, 16))}]}))
    with pytest.raises(BackendError, match="SEMCODEC_MAX_PIXELS"):
        model.generate("a fox", 1024, 1024, 0)
    openai_server.queue(Reply(body={"created": 0, "data": [{"b64_json": "!!not base64!!"}]}))
    with pytest.raises(BackendError):
        model.generate("a fox", 1024, 1024, 0)


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com/v1", "http://", "http://host:port/v1"])
def test_a_bad_base_url_is_one_sentence(monkeypatch, cli, tmp_path, url):
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    with pytest.raises(InputError, match="OPENAI_BASE_URL"):
        load("describer", "openai:gpt-4o", api_key=SECRET)
    img = tmp_path / "a.png"
    Image.new("RGB", (16, 16), "red").save(img)
    code, _, err = cli("encode", img, "-o", tmp_path / "a.smc", "--describer", "openai:gpt-4o", "--no-cache")
    assert code == InputError.exit_code and "OPENAI_BASE_URL" in err and len(err.strip().splitlines()) == 1


def test_a_key_file_that_is_a_fifo_or_too_large_is_refused(monkeypatch, tmp_path):
    fifo = tmp_path / "key"
    os.mkfifo(fifo)
    monkeypatch.setenv("SEMCODEC_OPENAI_KEY_FILE", str(fifo))
    with pytest.raises(InputError, match="FIFO"):
        load("describer", "openai:gpt-4o", max_tokens=11)
    big = tmp_path / "big_key"
    big.write_bytes(b"k" * 100_000)
    monkeypatch.setenv("SEMCODEC_OPENAI_KEY_FILE", str(big))
    with pytest.raises(InputError, match="more than the limit"):
        load("describer", "openai:gpt-4o", max_tokens=12)


def test_the_api_key_never_leaves_memory(openai_server, cli, tmp_path, caplog):
    """eval and encode with the key given as an option: not in config.json, results.json, records,
    images, the cache, stdout, stderr, logs or a search trace; the profile is the same as without it."""
    from conftest import synthetic_image

    caplog.set_level(logging.DEBUG)
    folder = tmp_path / "imgs"
    folder.mkdir()
    Image.fromarray(synthetic_image(48, 64)).save(folder / "a.png")
    keyed = ["--describer", "openai:gpt-4o", "--describer-option", f"api_key={SECRET}",
             "--generator", "openai:gpt-image-1", "--generator-option", f"api_key={SECRET}",
             "--text-model", "openai:gpt-4o", "--text-model-option", f"api_key={SECRET}",
             "--base-url", openai_server.url]
    code, out, err = cli("eval", folder, "-o", tmp_path / "run", "--max-bits", "300", "--metrics", "", "--quiet", *keyed)
    assert code == 0, err
    assert json.loads(out)["results"]["images"] == [1]
    code2, out2, err2 = cli("encode", folder / "a.png", "-o", tmp_path / "a.smc", "--max-bits", "300", "--reflect", "1",
                            "--judge", "fake", "--trace", tmp_path / "trace", "--json", *keyed)
    assert code2 == 0, err2
    texts = [out, err, out2, err2, caplog.text]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    cache = Path(os.environ["SEMCODEC_CACHE"])
    files += list(cache.parent.glob(cache.name + "*"))
    assert cache.exists()
    assert {"config.json", "results.json", "records.jsonl", "trace.json"} <= {p.name for p in files}
    for text in texts:
        assert SECRET not in text
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path
    # The generator's profile, and so the file, do not depend on the key.
    plain = ["--describer", "openai:gpt-4o", "--generator", "openai:gpt-image-1", "--base-url", openai_server.url]
    code3, out3, _ = cli("encode", "--text", "a fox", "-o", tmp_path / "b.smc", "--json", *plain)
    code4, out4, _ = cli("encode", "--text", "a fox", "-o", tmp_path / "c.smc", "--json", *keyed,
                         "--generator-option", "timeout=7", "--generator-option", "deadline=9")
    assert code3 == code4 == 0 and json.loads(out3)["profile"] == json.loads(out4)["profile"] == 6
    assert (tmp_path / "b.smc").read_bytes() == (tmp_path / "c.smc").read_bytes()


def test_secret_option_names_are_dropped_and_settings_kept():
    from semcodec.pipeline.config import public_options

    options = {"api_key": 1, "API_KEY": 2, "key": 3, "hf_token": 4, "client_secret": 5, "password": 6,
               "max_tokens": 7, "max_new_tokens": 8, "keyframes": 9, "timeout": 10}
    assert public_options(options) == {"max_tokens": 7, "max_new_tokens": 8, "keyframes": 9, "timeout": 10}
