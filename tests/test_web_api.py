"""The HTTP API through an HTTP client: encode, decode, inspect, the demo's jobs, and every error
as JSON with the command line's sentence and the right status; limits, queue and timeouts."""

from __future__ import annotations

import base64
import io
import json
import threading
import time

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from PIL import Image  # noqa: E402

from web_helpers import LIGHTHOUSE, NASTY, make_app  # noqa: E402


@pytest.fixture
def client():
    with TestClient(make_app()) as c:
        yield c


def _png(w: int = 64, h: int = 48) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (40, 70, 200)).save(buf, format="PNG")
    return buf.getvalue()


def _error(r, status: int) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "kind", "status"} and body["status"] == status
    assert "Traceback" not in r.text and "/work" not in r.text and "/tmp" not in r.text
    return body["error"]


def test_encode_decode_inspect_round_trip(client):
    r = client.post("/api/encode", files={"image": ("blue.png", _png(), "image/png")}, data={"max_bits": "200"})
    assert r.status_code == 200, r.text
    smc = base64.b64decode(r.json()["smc"])
    summary = r.json()["summary"]
    assert summary["file_bits"] == 8 * len(smc) <= 200 and summary["text"] == "a mostly blue image, wider than tall"
    assert (summary["width"], summary["height"]) == (64, 48)

    raw = client.post("/api/encode?format=smc", files={"image": ("blue.png", _png(), "image/png")}, data={"max_bits": "200"})
    assert raw.content == smc and raw.headers["content-type"] == "application/octet-stream"

    info = client.post("/api/inspect", files={"file": ("a.smc", smc)}).json()
    assert info["text"] == summary["text"] and info["bytes"] == len(smc) and info["profile_name"] == "custom"

    png = client.post("/api/decode", files={"file": ("a.smc", smc)})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).size == (64, 48)
    as_json = client.post("/api/decode?format=json", files={"file": ("a.smc", smc)}).json()
    assert as_json["summary"]["prompt"] == summary["text"] and base64.b64decode(as_json["png"]) == png.content


def test_encode_a_description_like_the_cli(client, cli, tmp_path):
    r = client.post("/api/encode", data={"text": "A red fox in the snow.", "size": "768x512", "ubpp": "500"})
    assert r.status_code == 200, r.text
    code, _, err = cli("encode", "--text", "A red fox in the snow.", "--size", "768x512", "--ubpp", "500", "--generator", "fake:x",
                    "-o", tmp_path / "a.smc")
    assert code == 0, err
    assert base64.b64decode(r.json()["smc"]) == (tmp_path / "a.smc").read_bytes()


@pytest.mark.parametrize("fields, cli_args, status", [
    ({"text": "x", "coder": "zip"}, ["--text", "x", "--coder", "zip"], 400),
    ({"text": "a long description", "max_bits": "3"}, ["--text", "a long description", "--max-bits", "3"], 422),
    ({"text": "x", "size": "big"}, ["--text", "x", "--size", "big"], 400),
    ({"text": "x", "ubpp": "100", "max_bits": "100"}, ["--text", "x", "--ubpp", "100", "--max-bits", "100"], 400),
    ({"text": "x", "ubpp": "-5"}, ["--text", "x", "--ubpp", "-5"], 400),
])
def test_errors_are_the_cli_sentences(client, cli, tmp_path, fields, cli_args, status):
    sentence = _error(client.post("/api/encode", data=fields), status)
    code, _, err = cli("encode", *cli_args, "--generator", "fake:x", "-o", tmp_path / "a.smc")
    assert code != 0 and err.strip() == f"semcodec: error: {sentence}"


def test_bad_inputs_are_one_sentence_each(client):
    assert "empty" in _error(client.post("/api/inspect", files={"file": ("a.smc", b"")}), 400)
    assert "not a .smc" in _error(client.post("/api/inspect", files={"file": ("a.png", _png())}), 400)
    assert "image" in _error(client.post("/api/encode", data={"ubpp": "100"}), 400)
    assert "not an image" in _error(client.post("/api/encode", files={"image": ("x.png", b"not an image")}), 400)
    assert "ubpp is invalid" in _error(client.post("/api/encode", data={"text": "x", "ubpp": "lots"}), 422)
    assert "file is required" in _error(client.post("/api/decode"), 422)
    assert "at most 8 seeds" in _error(client.post("/api/demo", data={"example": "lighthouse", "seeds": "9"}), 400)
    assert "no example" in _error(client.post("/api/demo", data={"example": "../../etc/passwd"}), 400)
    assert "no such job" in _error(client.get("/api/jobs/nope"), 404)


def test_upload_and_pixel_limits():
    with TestClient(make_app(max_upload_bytes=10_000, max_pixels=1000)) as c:
        big = c.post("/api/encode", files={"image": ("big.bin", b"\0" * 20_000)})
        assert "limit of 10000 bytes" in _error(big, 413)
        def chunks():  # no Content-Length: the limit applies as the body streams in
            yield b'--B\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n'
            yield from (b"\0" * 4000 for _ in range(5))
            yield b"\r\n--B--\r\n"

        streamed = c.post("/api/encode", content=chunks(), headers={"content-type": "multipart/form-data; boundary=B"})
        assert "larger than this server's limit of 10000 bytes" in _error(streamed, 413)
        wide = c.post("/api/encode", files={"image": ("wide.png", _png(100, 20))})
        assert "more than the limit of 1,000 pixels" in _error(wide, 400)


def test_demo_job_reports_progress_and_result():
    with TestClient(make_app(text=NASTY)) as c:
        started = c.post("/api/demo", data={"example": "lighthouse", "ubpp": "1000", "seeds": "2"})
        assert started.status_code == 202, started.text
        for _ in range(200):
            job = c.get(started.json()["status"]).json()
            if job["state"] not in ("queued", "running"):
                break
            time.sleep(0.05)
        assert job["state"] == "done", job
        r = job["result"]
        assert r["summary"]["description"] == NASTY  # JSON carries the text; the page shows it as text
        assert r["decoded"]["url"].startswith("data:image/png;base64,") and (r["original"]["width"], r["original"]["height"]) == (768, 512)
        assert bytes.fromhex(r["hex"]) == base64.b64decode(r["smc"]) and len(r["search"]["candidates"]) == 2
        assert {b["codec"] for b in r["baselines"]} <= {"jpeg", "avif"} and all(b["bytes"] > 0 for b in r["baselines"])


def test_busy_server_answers_503_and_slow_requests_504():
    with TestClient(make_app(queue=0, timeout=0.3)) as c:
        worker, release = c.app.state.worker, threading.Event()
        worker.submit(lambda job: release.wait(5))
        busy = c.post("/api/encode", data={"text": "x"})  # refused before its body is read
        assert "busy" in _error(busy, 503) and busy.headers["retry-after"]
        from semcodec.web.errors import ServerBusy

        with pytest.raises(ServerBusy):  # and the worker itself refuses too
            worker.submit(lambda job: None)
        release.set()
        time.sleep(0.1)
    with TestClient(make_app(queue=2, timeout=0.3)) as c:
        worker, release = c.app.state.worker, threading.Event()
        worker.submit(lambda job: release.wait(5))
        assert "longer than the server's limit" in _error(c.post("/api/encode", data={"text": "x"}), 504)
        release.set()
        time.sleep(0.1)
        assert c.post("/api/encode", data={"text": "x"}).status_code == 200  # the timed-out job freed its slot


def test_unexpected_errors_show_no_traceback_or_path(monkeypatch):
    from semcodec.web import service
    from semcodec.web.errors import scrub

    def boom(*a, **k):
        raise RuntimeError("failed to open /srv/models/secret/weights.bin")

    monkeypatch.setattr(service, "encode_image", boom)
    with TestClient(make_app(), raise_server_exceptions=False) as c:
        assert _error(c.post("/api/encode", data={"text": "x"}), 500) == "the server failed unexpectedly; its log has the details"
    assert scrub("cannot load /home/a/models/x.bin (see ~/.cache/semcodec/a.log)") == "cannot load [path] (see [path])"
    assert scrub("1/2 of http://127.0.0.1:8000/api/encode at 100 µbpp") == "1/2 of http://127.0.0.1:8000/api/encode at 100 µbpp"


def test_pages_openapi_and_headers(client):
    for path in ("/", "/inspect", "/api", "/static/demo.js", "/static/style.css"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "script-src 'self'" in r.headers["content-security-policy"] and r.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in client.get("/").text.replace('<script src="', "")  # no inline script
    schema = client.get("/openapi.json").json()
    for path in ("/api/encode", "/api/decode", "/api/inspect"):
        op = schema["paths"][path]["post"]
        assert op["summary"] and {"400", "413", "422", "503", "504"} <= set(op["responses"])
    assert "ubpp" in json.dumps(schema["components"])
    assert "/api/encode" in client.get("/api").text
    assert "no study" in _error(client.get("/study"), 404)


def test_example_and_health(client):
    examples = client.get("/api/examples").json()
    assert examples == [{"name": "lighthouse", "url": "/static/examples/lighthouse.png"}]
    assert client.get(examples[0]["url"]).content == LIGHTHOUSE.read_bytes()
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and "ngram" in health["coders"] and health["limits"]["queue"] == 4


def test_serve_is_listed_and_its_help_stays_light():
    import subprocess
    import sys

    from conftest import SRC

    code = ("import sys\nfrom semcodec.cli import main\nmain(['serve', '--help'])\n"
            "print('HEAVY', [m for m in ('fastapi', 'uvicorn', 'numpy', 'PIL', 'torch') if m in sys.modules])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": str(SRC)}, timeout=60)
    assert "HEAVY []" in proc.stdout and "--host" in proc.stdout and "127.0.0.1" in proc.stdout, proc.stdout + proc.stderr


def test_serve_refuses_bad_options(cli, tmp_path):
    code, _, err = cli("serve", "--answers", tmp_path / "a.db")
    assert code == 5 and "both --study RUN_DIR and --answers" in err
    code, _, err = cli("serve", "--describer", "fake:x", "--generator", "fake:x", "--port", "70000")
    assert code == 5 and "--port must be from 0 to 65535" in err


def test_listening_socket_is_tcp_so_responses_are_not_delayed():
    """asyncio sets TCP_NODELAY only on sockets whose proto says TCP; without it each keep-alive
    response waited ~40 ms for a delayed ACK."""
    import socket

    from semcodec.commands.serve import _listen

    sock = _listen("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP and sock.getsockname()[1] > 0
    finally:
        sock.close()
