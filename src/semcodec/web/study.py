"""The 2AFC study's routes: the page (instructions, consent, trials) and its small JSON API.

A participant is an anonymous random id in an HttpOnly, SameSite=Strict cookie, issued only
after consent. The trials are drawn once, when the participant starts, and stored; the browser
learns only a trial's id and the addresses of its three images, never which method made which
image (the study stays blind). An answer is accepted only for a trial issued to the cookie's
participant. The answers leave the server through ``semcodec study human`` (the command line
reads the SQLite file) or ``GET /study/api/export`` with the admin token.
"""

from __future__ import annotations

import hmac
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from ..errors import InputError
from .errors import NotFound
from .pages import page

COOKIE = "semcodec_participant"
#: The images of a trial: the original on top, the two reconstructions below.
ROLES = ("reference", "left", "right")


class NotParticipant(InputError):
    """A study request without a participant's cookie (or with an unknown one)."""

    http_status = 401


class Forbidden(InputError):
    http_status = 403


class Start(BaseModel):
    consent: bool = Field(description="The participant agreed to the consent statement.")


class Answer(BaseModel):
    trial: int = Field(description="The trial's id, as /study/api/next gave it.")
    choice: Literal["left", "right"] = Field(description="The reconstruction the participant found closer.")
    ms: int | None = Field(None, ge=0, le=24 * 3600 * 1000, description="Response time in milliseconds.")


def router(design: Any, store: Any, settings: Any) -> APIRouter:
    """The study's routes over a ``StudyDesign`` and its ``AnswerStore``."""
    r = APIRouter(prefix="/study", tags=["study"])

    def participant(request: Request) -> str:
        pid = request.cookies.get(COOKIE, "")
        if not pid or len(pid) > 64 or not store.exists(pid):
            raise NotParticipant("start the study first (your participant cookie is missing or unknown)")
        return pid

    def progress(pid: str) -> dict[str, Any]:
        answered, total = store.progress(pid)
        return {"answered": answered, "total": total, "done": answered >= total}

    @r.get("", include_in_schema=False)
    def study_page() -> Any:
        return page("study.html")

    @r.post("/api/start", summary="Consent and start (or resume): sets the participant cookie")
    def start(body: Start, request: Request, response: Response) -> dict[str, Any]:
        pid = request.cookies.get(COOKIE, "")
        if pid and len(pid) <= 64 and store.exists(pid):
            return progress(pid)
        if not body.consent:
            raise InputError("taking part needs your consent; tick the box to agree")
        pid = store.add_participant(lambda counts: design.draw(counts, settings.trials, settings.checks))
        response.set_cookie(COOKIE, pid, max_age=90 * 24 * 3600, httponly=True, samesite="strict", path="/study")
        return progress(pid)

    @r.get("/api/next", summary="The participant's next trial (or done)")
    def next_trial(request: Request) -> dict[str, Any]:
        pid = participant(request)
        trial = store.next_trial(pid)
        out = progress(pid)
        if trial is None:
            return out
        base = f"/study/api/trials/{trial['id']}"
        return {**out, "trial": trial["id"], "position": trial["position"] + 1,
                "images": {role: f"{base}/{role}.png" for role in ROLES}}

    @r.get("/api/trials/{trial_id}/{role}.png", summary="One image of a trial issued to the participant",
           response_class=Response, responses={200: {"content": {"image/png": {}}}})
    async def trial_image(trial_id: int, role: str, request: Request) -> Response:
        from ..eval.human.design import ORIGINAL

        if role not in ROLES:
            raise NotFound(f"a trial's images are {', '.join(ROLES)}")
        pid = participant(request)
        trial = store.trial(pid, trial_id)
        method = ORIGINAL if role == "reference" else trial[role]
        png = await run_in_threadpool(design.png, trial["image"], method)
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    @r.post("/api/answer", summary="Record the answer to a trial issued to the participant")
    def answer(body: Answer, request: Request) -> dict[str, Any]:
        pid = participant(request)
        store.answer(pid, body.trial, body.choice, body.ms)
        return progress(pid)

    @r.get("/api/export", summary="Every answer (needs the admin token: Authorization: Bearer TOKEN)")
    def export(request: Request) -> dict[str, Any]:
        token = settings.admin_token
        given = request.headers.get("authorization", "")
        if token is None:
            raise Forbidden("this server exports no answers; use semcodec study human on the answers file")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise Forbidden("the admin token is missing or wrong")
        study = {k: v for k, v in store.study.items() if k != "sources"}
        return {"study": study, "participants": store.participants(), "answers": store.answers()}

    return r


def disabled_router() -> APIRouter:
    """``/study`` on a server started without a study."""
    r = APIRouter(prefix="/study", include_in_schema=False)

    @r.get("")
    @r.get("/{rest:path}")
    @r.post("/{rest:path}")
    def no_study(rest: str = "") -> Any:
        raise NotFound("this server runs no study; its operator starts one with the serve command's study options")

    return r
