"""``create_app``: the FastAPI application over one ``ModelSet``, with its limits and study.

Two small ASGI middlewares wrap it: ``BodyLimit`` refuses a request body over the upload limit
(413, by its Content-Length before reading it, or as it streams in) and one that stalls between
chunks (408); ``SecurityHeaders`` adds a strict Content-Security-Policy (scripts and styles from
the server's own files only, images also from ``data:`` and ``blob:`` URLs) and friends to every
response.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from typing import Any

from .. import __version__
from . import errors
from .jobs import Worker
from .service import STATIC
from .settings import WebSettings

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
]
DESCRIPTION = ("semcodec stores an image as a few dozen bits of text and regenerates it with a text-to-image "
               "model. This server encodes, decodes and inspects .smc files with the models it was started with.")


async def _send_error(send: Any, status: int, message: str, kind: str = "InputError",
                      headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    """An error response sent from a middleware, before the application saw the request."""
    payload = json.dumps(errors.body(message, kind, status)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": payload})


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` (413) and bodies that stall (408)."""

    def __init__(self, app: Any, max_bytes: int, read_timeout: float) -> None:
        self.app, self.max_bytes, self.read_timeout = app, max_bytes, read_timeout

    def _too_large(self, size: int | None = None) -> str:
        said = "larger than" if size is None else f"{size} bytes, more than"
        return f"the request is {said} this server's limit of {self.max_bytes} bytes"

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers", [])).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_bytes:
            return await _send_error(send, 413, self._too_large(int(length)))
        received = 0

        async def limited() -> Any:
            from starlette.exceptions import HTTPException

            nonlocal received
            try:
                message = await asyncio.wait_for(receive(), self.read_timeout)
            except asyncio.TimeoutError:
                raise HTTPException(408, f"the request body stalled for {self.read_timeout:g} seconds") from None
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise HTTPException(413, self._too_large())
            return message

        await self.app(scope, limited, send)


class QueueGate:
    """Answer 503 to a model request while the queue is full, before its upload is read (the
    worker refuses it anyway; this spares the server parsing a body it cannot use)."""

    PATHS = ("/api/encode", "/api/decode", "/api/demo")

    def __init__(self, app: Any, worker: Worker) -> None:
        self.app, self.worker = app, worker

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in self.PATHS and self.worker.full():
            return await _send_error(send, 503, self.worker.busy_message(), "ServerBusy", ((b"retry-after", b"30"),))
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Add ``SECURITY_HEADERS`` to every HTTP response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)


def _study_router(settings: WebSettings) -> Any:
    from . import study

    if settings.study is None:
        return study.disabled_router()
    from ..eval.human.design import StudyDesign
    from ..eval.human.store import AnswerStore
    from ..eval.plot import load_documents

    s = settings.study
    design = StudyDesign(s.run_dir, load_documents(list(s.baselines)) if s.baselines else None, s.data_dir)
    store = AnswerStore(s.answers, design.identity())
    return study.router(design, store, s)


def create_app(models: Any, settings: WebSettings | None = None) -> Any:
    """The application serving ``models`` (a ``ModelSet``) under ``settings``."""
    from ..deps import require

    for module in ("fastapi", "python_multipart"):
        require(module, "web", "the web app")
    from fastapi import FastAPI
    from fastapi.staticfiles import StaticFiles

    from . import api, pages

    settings = settings or WebSettings()
    worker = Worker(settings.queue, settings.timeout)

    @asynccontextmanager
    async def lifespan(app: Any) -> Any:
        yield
        worker.shutdown()

    app = FastAPI(title="semcodec", version=__version__, description=DESCRIPTION, docs_url=None, redoc_url=None,
                  lifespan=lifespan)
    app.state.models, app.state.settings, app.state.worker = models, settings, worker
    errors.install(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(_study_router(settings))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(QueueGate, worker=worker)
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes, read_timeout=settings.read_timeout)
    app.add_middleware(SecurityHeaders)
    return app
