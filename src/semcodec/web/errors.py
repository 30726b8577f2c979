"""Every failure of a request as JSON: ``{"error": sentence, "kind": class name, "status": code}``.

The sentence is the one the command line prints (a ``SemcodecError``'s message); the status says
whose fault it was: 400 a bad input, 413 too large, 422 a budget that holds no text, 503 busy,
504 too slow, 501 a missing optional library, 502 a model backend that failed, 500 anything else
(its traceback goes to the server's log, never into the response). Absolute paths in a message
are replaced by ``[path]``: a response never shows where the server keeps its files.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from ..errors import BackendError, BudgetError, MissingDependency, SemcodecError

log = logging.getLogger("semcodec.web")

#: An absolute path of two or more parts (POSIX, home-relative or Windows), not part of a URL.
_PATH = re.compile(r"""(?<![\w:/.])(?:~|[A-Za-z]:)?(?:[/\\][^\s/\\'"`(),;]+){2,}[/\\]?""")
#: Statuses of the error kinds that carry none of their own.
_STATUS: tuple[tuple[type[SemcodecError], int], ...] = (
    (BudgetError, 422), (MissingDependency, 501), (BackendError, 502),
)


class ServerBusy(SemcodecError):
    """The model queue is full."""

    http_status = 503


class RequestTimeout(SemcodecError):
    """A model job took longer than the server allows."""

    http_status = 504


class NotFound(SemcodecError):
    """Something the request names does not exist here."""

    http_status = 404


def scrub(message: str) -> str:
    """``message`` without absolute paths."""
    return _PATH.sub("[path]", message)


def status_of(error: SemcodecError) -> int:
    """The HTTP status of a user-facing error."""
    status = getattr(error, "http_status", None)
    if status is not None:
        return int(status)
    for kind, code in _STATUS:
        if isinstance(error, kind):
            return code
    return 400


def body(message: str, kind: str, status: int) -> dict[str, Any]:
    """The JSON body of an error response."""
    return {"error": scrub(message), "kind": kind, "status": status}


def install(app: Any) -> None:
    """Register the handlers that turn every exception into the JSON body above."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    def respond(message: str, kind: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
        return JSONResponse(body(message, kind, status), status_code=status, headers=headers)

    async def semcodec_error(request: Any, exc: SemcodecError) -> JSONResponse:
        status = status_of(exc)
        headers = {"Retry-After": "30"} if status == 503 else None
        return respond(str(exc), type(exc).__name__, status, headers)

    async def http_error(request: Any, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "the request failed"
        return respond(detail, "HTTPError", exc.status_code, getattr(exc, "headers", None))

    async def validation_error(request: Any, exc: RequestValidationError) -> JSONResponse:
        return respond(validation_sentence(exc.errors()), "InputError", 422)

    async def unexpected(request: Any, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in %s %s", request.method, request.url.path)
        return respond("the server failed unexpectedly; its log has the details", "InternalError", 500)

    app.add_exception_handler(SemcodecError, semcodec_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected)


def validation_sentence(errors: list[dict[str, Any]]) -> str:
    """One sentence for FastAPI's list of validation errors (the first one)."""
    if not errors:
        return "the request is invalid"
    first = errors[0]
    where = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header", "cookie", "form")]
    name = where[-1] if where else "the request"
    message = str(first.get("msg", "is invalid")).rstrip(".")
    if first.get("type") == "missing":
        return f"{name} is required"
    return f"{name} is invalid: {message[0].lower() + message[1:] if message else message}"
