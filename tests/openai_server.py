"""A scripted OpenAI-compatible HTTP server on 127.0.0.1 for the real ``openai`` SDK to talk to.

By default it answers chat completions with a fixed description and image generations with a
small PNG in base64. Tests queue ``Reply`` objects to script faults (429 with Retry-After, 500,
slow answers, malformed JSON, 401); every request is recorded for assertions.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHAT_TEXT = "a red apple on a wooden table"


def png_b64(colour: str = "red", size: tuple[int, int] = (16, 16)) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


@dataclass
class Reply:
    """One scripted answer: status, JSON (dict) or raw bytes body, headers, delay before answering."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    json: Any


def default_reply(path: str, request: Any) -> Reply:
    if path.endswith("/chat/completions"):
        return Reply(body={
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": request.get("model", "m"),
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": CHAT_TEXT}}],
            "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150},
        })
    if path.endswith("/images/generations"):
        return Reply(body={"created": 0, "data": [{"b64_json": png_b64(), "revised_prompt": "a revised prompt"}]})
    return Reply(404, {"error": {"message": "not found", "type": "invalid_request_error"}})


def error_body(message: str, code: str = "error") -> dict[str, Any]:
    return {"error": {"message": message, "type": code, "code": code}}


class FakeOpenAIServer:
    """Start with ``start()``; ``url`` is the base URL (with ``/v1``); ``queue`` scripts replies."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.script: list[Reply] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                body = json.loads(raw or b"null")
                with server._lock:
                    server.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    reply = server.script.pop(0) if server.script else default_reply(self.path, body)
                time.sleep(reply.delay)
                data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self.script.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self.script.clear()
            self.requests.clear()

    def start(self) -> "FakeOpenAIServer":
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
