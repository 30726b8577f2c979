"""The openai backend against a local OpenAI-compatible server, through the real SDK."""

from __future__ import annotations

import base64
import io
import logging
import socket

import pytest
from PIL import Image

pytest.importorskip("openai")

from openai_server import CHAT_TEXT, Reply, error_body  # noqa: E402
from semcodec.models import load# noqa: E402
from semcodec.errors import BackendError  # noqa: E402

KEY = "sk-test-SECRET-0123456789"


def backend(server, model="gpt-4o", **opts):
    opts = {"base_url": server.url, "api_key": KEY, "max_retries": 1, "timeout": 5.0, **opts}
    return load("generator", f"openai:{model}", **opts)


def test_describe_sends_the_image_as_a_png_data_url(openai_server):
    img = Image.new("RGB", (20, 10), (0, 128, 255))
    d = load("describer", "openai:gpt-4o", base_url=openai_server.url, api_key=KEY)
    assert d.describe(img, "Describe it.") == CHAT_TEXT
    req = openai_server.requests[-1]
    assert req.path == "/v1/chat/completions"
    assert req.headers["authorization"] == f"Bearer {KEY}"
    text, image = req.json["messages"][0]["content"]
    assert text == {"type": "text", "text": "Describe it."}
    prefix = "data:image/png;base64,"
    assert image["image_url"]["url"].startswith(prefix)
    sent = Image.open(io.BytesIO(base64.b64decode(image["image_url"]["url"][len(prefix):])))
    assert sent.size == (20, 10) and sent.convert("RGB").getpixel((0, 0)) == (0, 128, 255)


def test_complete_and_expand_are_chat_turns(openai_server):
    m = load("text", "openai:gpt-4o", base_url=openai_server.url, api_key=KEY, temperature=0.0)
    assert m.complete("be brief", "shorten this") == CHAT_TEXT
    req = openai_server.requests[-1].json
    assert req["messages"] == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "shorten this"}]
    assert req["temperature"] == 0.0 and req["max_tokens"] == 400  # compatible servers get max_tokens
    assert m.expand("th mg shws dg") == CHAT_TEXT
    assert openai_server.requests[-1].json["messages"][-1]["content"] == "th mg shws dg"


def test_dalle3_generation_returns_the_b64_image_and_logs_the_revised_prompt(openai_server, caplog):
    g = backend(openai_server, "dall-e-3")
    assert g.deterministic is False
    with caplog.at_level(logging.INFO, logger="semcodec.models.providers.openai"):
        img = g.generate("a red square", 1600, 900, seed=3)
    assert img.mode == "RGB" and img.size == (16, 16) and img.getpixel((0, 0)) == (255, 0, 0)
    req = openai_server.requests[-1]
    assert req.path == "/v1/images/generations"
    assert req.json["size"] == "1792x1024" and req.json["response_format"] == "b64_json"
    assert "seed" not in req.json
    assert "a revised prompt" in caplog.text


def test_gpt_image_1_asks_for_its_own_sizes_without_response_format(openai_server):
    backend(openai_server, "gpt-image-1").generate("a cat", 600, 900, seed=0)
    req = openai_server.requests[-1].json
    assert req["size"] == "1024x1536" and "response_format" not in req


def test_429_with_retry_after_is_retried(openai_server):
    openai_server.queue(Reply(429, error_body("slow down", "rate_limit_exceeded"), {"Retry-After": "0.1"}))
    assert backend(openai_server).complete("", "hi") == CHAT_TEXT
    assert len(openai_server.requests) == 2


def test_500_is_retried(openai_server):
    openai_server.queue(Reply(500, error_body("oops")))
    assert backend(openai_server).complete("", "hi") == CHAT_TEXT
    assert len(openai_server.requests) == 2


@pytest.mark.parametrize(
    "replies, opts, phrase",
    [
        ([Reply(401, error_body("Incorrect API key provided: " + KEY, "invalid_api_key"))], {}, "rejected the API key"),
        ([Reply(429, error_body("slow", "rate_limit_exceeded"), {"Retry-After": "0.05"})] * 2, {}, "rate limiting"),
        ([Reply(503, error_body("down"), {"Retry-After": "0.05"})] * 2, {}, "HTTP 503 after 1 retries"),
        ([Reply(body=b"{not json")], {}, "malformed response"),
        ([Reply(body={"choices": []})], {}, "malformed response"),
        ([Reply(delay=1.0)], {"timeout": 0.3, "max_retries": 0}, "did not answer within 0.3 s"),
        ([Reply(404, error_body("no such model", "model_not_found"))], {}, "has no model"),
    ],
    ids=["401", "429", "503", "bad-json", "no-choices", "timeout", "404"],
)
def test_faults_become_one_sentence_backend_errors(openai_server, replies, opts, phrase):
    openai_server.queue(*replies)
    with pytest.raises(BackendError) as err:
        backend(openai_server, **opts).complete("", "hi")
    msg = str(err.value)
    assert phrase in msg
    assert KEY not in msg and "\n" not in msg and msg.endswith(".")


def test_unreachable_server(openai_server):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    g = load("text", "openai:gpt-4o", base_url=f"http://127.0.0.1:{port}/v1", api_key=KEY, max_retries=0)
    with pytest.raises(BackendError, match="Could not connect to http://127.0.0.1"):
        g.complete("", "hi")


def test_missing_key_is_a_backend_error():
    with pytest.raises(BackendError, match="No OpenAI API key found; set OPENAI_API_KEY"):
        load("describer", "openai:gpt-4o")


def test_key_precedence_option_then_file_then_env(openai_server, monkeypatch, tmp_path):
    key_file = tmp_path / "openai_key"
    key_file.write_text("sk-from-file\n")
    monkeypatch.setenv("SEMCODEC_OPENAI_KEY_FILE", str(key_file))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)

    def sent_key(**opts) -> str:
        load("text", "openai:gpt-4o", **opts).complete("", "hi")
        return openai_server.requests[-1].headers["authorization"]

    assert sent_key(api_key="sk-from-option") == "Bearer sk-from-option"
    assert sent_key() == "Bearer sk-from-file"
    key_file.unlink()
    assert sent_key(max_tokens=7) == "Bearer sk-from-env"  # other options: a fresh instance


def test_key_never_reaches_cache_key_repr_or_cache_file(openai_server, tmp_path):
    from semcodec.models.cache import ResultCache

    d = load("describer", "openai:gpt-4o", base_url=openai_server.url, api_key=KEY)
    assert KEY not in d.cache_key() and KEY not in repr(d) and KEY not in repr(d.options)
    cache = ResultCache(tmp_path / "c.sqlite")
    cached = cache.wrap(d)
    cached.describe(Image.new("RGB", (4, 4)), "x")
    cached.describe(Image.new("RGB", (4, 4)), "x")
    assert len(openai_server.requests) == 1
    for f in tmp_path.iterdir():
        assert KEY.encode() not in f.read_bytes()
