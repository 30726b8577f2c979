"""The HTTP API: ``POST /api/encode``, ``/api/decode``, ``/api/inspect``, and the demo's jobs.

Options are multipart form fields with the command line's names and defaults (``ubpp`` or
``max_bits``, ``coder``, ``strategy``...), validated by the same configuration objects, so a bad
value gets the same sentence as on the command line. Model work goes through the server's one
model thread (``jobs.Worker``).
"""

from __future__ import annotations

import base64
import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from ..errors import InputError, SemcodecError
from . import service
from .errors import NotFound, ServerBusy, body, log

router = APIRouter(prefix="/api")

#: Error responses every model route can give (documented in the OpenAPI schema).
_ERROR = {"description": "An error: one sentence, as the command line prints it",
          "content": {"application/json": {"example": {"error": "the budget of 3 bits holds no word", "kind": "BudgetError",
                                                        "status": 422}}}}
ERRORS: dict[int | str, dict[str, Any]] = {code: _ERROR for code in (400, 413, 422, 503, 504)}
#: Inspections at once (they use no model, but a large file costs CPU).
_INSPECTIONS = threading.BoundedSemaphore(2)


class EncodeForm:
    """The encoding options of a request (multipart form fields)."""

    def __init__(
        self,
        ubpp: Annotated[float | None, Form(description="Budget in micro-bits per pixel of the original, e.g. 100.")] = None,
        max_bits: Annotated[int | None, Form(description="Budget for the whole file in bits.")] = None,
        coder: Annotated[str, Form(description="Text coder: ngram, consonant or raw.")] = "ngram",
        strategy: Annotated[str, Form(description="Rate control: content (default), truncate, select or rewrite.")] = "content",
        describe: Annotated[str, Form(description="brief (as many words as the budget holds) or full.")] = "brief",
        seed: Annotated[int, Form(description="Generator seed stored in the file (without seeds > 1).")] = 0,
        seeds: Annotated[int, Form(description="Seeds to try; the best is stored (a search).")] = 1,
        reflect: Annotated[int, Form(description="Reflection iterations (a search).")] = 0,
        patience: Annotated[int, Form(description="Stop reflecting after this many iterations without gain.")] = 1,
        text: Annotated[str | None, Form(description="Encode this description (no image, no describer).")] = None,
        size: Annotated[str | None, Form(description="Original size WxH when encoding a description (default 1024x1024).")] = None,
    ) -> None:
        self.fields = dict(ubpp=ubpp, max_bits=max_bits, coder=coder, strategy=strategy, describe=describe, seed=seed,
                           seeds=seeds, reflect=reflect, patience=patience)
        self.text, self.size = text, size

    def config(self, settings: Any) -> Any:
        """The ``EncodeConfig`` of these options, within the server's search limits."""
        from ..codec.rate import Budget
        from ..pipeline.config import EncodeConfig

        f = dict(self.fields)
        if f["seeds"] > settings.max_seeds:
            raise InputError(f"this server tries at most {settings.max_seeds} seeds, not {f['seeds']}")
        if f["reflect"] > settings.max_reflect:
            raise InputError(f"this server reflects at most {settings.max_reflect} times, not {f['reflect']}")
        budget = Budget(ubpp=f.pop("ubpp"), max_bits=f.pop("max_bits"))
        return EncodeConfig(budget=budget, **f)

    def original_size(self, has_image: bool) -> tuple[int, int] | None:
        if self.size is None:
            return None
        if has_image:
            raise InputError("size is for encoding a description without an image; the image has its own size")
        from ..commands._common import parse_size

        return parse_size(self.size)


def _state(request: Request) -> Any:
    return request.app.state


async def _read(upload: UploadFile | None) -> tuple[bytes | None, str]:
    if upload is None:
        return None, ""
    return await upload.read(), upload.filename or "upload"


@router.post("/encode", tags=["codec"], summary="Encode an image (or a description) into a .smc file",
             responses={**ERRORS, 200: {"description": "The file (base64) and its summary; with format=smc the raw bytes",
                                        "content": {"application/octet-stream": {}}}})
async def encode(request: Request, form: Annotated[EncodeForm, Depends()],
                 image: Annotated[UploadFile | None, File(description="The image to encode (PNG, JPEG, WebP...).")] = None,
                 format: Annotated[Literal["json", "smc"], Query(description="json: summary + base64 file; smc: the file")] = "json",
                 ) -> Any:
    """The summary is what `semcodec encode --json` prints (rate, header, text, costs, search)."""
    state = _state(request)
    config = form.config(state.settings)
    data, name = await _read(image)
    size = form.original_size(data is not None)
    if data is None and form.text is None:
        raise InputError("give an image to encode, or a description in text")

    def work(job: Any) -> Any:
        img = None if data is None else service.load_upload(data, name, state.settings.max_pixels)
        return service.encode_image(job, state.models, img, config, form.text, size)

    result = await state.worker.result(state.worker.submit(work))
    enc = result.encoded
    if format == "smc":
        return Response(enc.data, media_type="application/octet-stream",
                        headers={"Content-Disposition": 'attachment; filename="image.smc"'})
    return {"smc": base64.b64encode(enc.data).decode("ascii"),
            "summary": {**result.summary(), **service.summary(enc)}}


@router.post("/decode", tags=["codec"], summary="Decode a .smc file into a PNG image",
             responses={**ERRORS, 200: {"description": "The PNG; with format=json the summary and the PNG in base64",
                                        "content": {"image/png": {}}}})
async def decode(request: Request, file: Annotated[UploadFile, File(description="The .smc file.")],
                 format: Annotated[Literal["png", "json"], Query(description="png: the image; json: summary + base64 PNG")] = "png",
                 ) -> Any:
    """Regenerates the image with the generator the file names (or the one the server was started with)."""
    from ..codec import decompress

    state = _state(request)
    enc = decompress(service.check_smc((await _read(file))[0] or b""))  # a bad file fails before the queue

    def work(job: Any) -> tuple[Any, bytes]:
        result = service.decode_file(job, state.models, enc)
        return result, service.png_bytes(result.image)

    result, png = await state.worker.result(state.worker.submit(work))
    if format == "json":
        return {"summary": result.summary(), "png": base64.b64encode(png).decode("ascii")}
    return Response(png, media_type="image/png", headers={"Content-Disposition": 'inline; filename="decoded.png"'})


@router.post("/inspect", tags=["codec"], summary="Header fields, text, bits and rate of a .smc file", responses=ERRORS)
def inspect(file: Annotated[UploadFile, File(description="The .smc file.")]) -> dict[str, Any]:
    """The fields of `semcodec inspect --json`, the kept text and the generator profile's name."""
    if not _INSPECTIONS.acquire(blocking=False):
        raise ServerBusy("the server is busy inspecting other files; try again in a moment")
    try:
        return service.inspect_file(file.file.read())
    finally:
        _INSPECTIONS.release()


@router.post("/demo", tags=["demo"], status_code=202, summary="Start the demo's job (encode, decode, classical codecs)",
             responses=ERRORS)
async def demo(request: Request, form: Annotated[EncodeForm, Depends()],
               image: Annotated[UploadFile | None, File(description="The image (or give example).")] = None,
               example: Annotated[str | None, Form(description="A bundled example's name (see /api/examples).")] = None,
               ) -> dict[str, Any]:
    """Returns a job id; poll `GET /api/jobs/{id}` for its progress and result."""
    state = _state(request)
    config = form.config(state.settings)
    data, name = await _read(image)
    if (data is None) == (example is None):
        raise InputError("give either an image or the name of an example")
    if example is not None:
        path = service.example_path(example)
        data, name = path.read_bytes(), path.name

    def work(job: Any) -> dict[str, Any]:
        job.progress("reading the image")
        img = service.load_upload(data, name, state.settings.max_pixels)
        return service.demo(job, state.models, img, config, state.settings)

    job = state.worker.submit(work, keep=True)
    return {"job": job.id, "status": f"/api/jobs/{job.id}"}


@router.get("/jobs/{job_id}", tags=["demo"], summary="A demo job's progress and result", responses={404: _ERROR})
def job_status(request: Request, job_id: str) -> Any:
    """state: queued (with position), running (with stage), done (with result) or failed (with
    error, as any error response)."""
    import time

    worker = _state(request).worker
    job = worker.get(job_id)
    if job is None:
        raise NotFound("there is no such job (it finished long ago, or the server restarted); start again")
    now = time.monotonic()
    out: dict[str, Any] = {"job": job.id, "elapsed": round(now - job.created, 2), "stage": job.stage}
    if job.future.done() and not job.future.cancelled():
        error = job.future.exception()
        if error is None:
            return {**out, "state": "done", "result": job.future.result()}
        return {**out, "state": "failed", "error": _error_body(error)}
    if job.expired() or job.future.cancelled():
        return {**out, "state": "failed", "error": body(worker.timeout_message(), "RequestTimeout", 504)}
    if job.started is None:
        return {**out, "state": "queued", "position": worker.position(job)}
    return {**out, "state": "running"}


def _error_body(error: BaseException) -> dict[str, Any]:
    from .errors import status_of

    if isinstance(error, SemcodecError):
        return body(str(error), type(error).__name__, status_of(error))
    log.error("demo job failed", exc_info=error)
    return body("the server failed unexpectedly; its log has the details", "InternalError", 500)


@router.get("/examples", tags=["demo"], summary="The bundled example images")
def examples() -> list[dict[str, str]]:
    return [{"name": k, "url": f"/static/examples/{v}"} for k, v in service.EXAMPLES.items()]


@router.get("/health", tags=["server"], summary="Whether the server is up, and its models and limits")
def health(request: Request) -> JSONResponse:
    from ..codec.rate import ALL_STRATEGIES, RECOMMENDED_STRATEGY
    from ..codec.text import CODERS
    from .errors import scrub

    state = _state(request)
    models, s = state.models, state.settings
    return JSONResponse({
        "status": "ok", "generator": models.profile.name, "describer": scrub(str(models.specs["describer"])),
        "limits": {"max_upload_bytes": s.max_upload_bytes, "max_pixels": s.max_pixels, "timeout": s.timeout,
                   "queue": s.queue, "max_seeds": s.max_seeds, "max_reflect": s.max_reflect},
        "coders": list(CODERS), "strategies": sorted(ALL_STRATEGIES, key=lambda x: x != RECOMMENDED_STRATEGY),
        "study": s.study is not None,
    })
