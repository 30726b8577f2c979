"""``semcodec serve``: the web app (demo, inspect page, HTTP API, 2AFC study) over one set of models."""

from __future__ import annotations

import os
from typing import Any

import click

from ..errors import InputError
from ._common import info
from .options import model_options, models_config, runtime_config

#: Where the study's admin token may come from besides --admin-token-file.
TOKEN_ENV = "SEMCODEC_ADMIN_TOKEN"


def _admin_token(path: str | None) -> str | None:
    if path is None:
        return os.environ.get(TOKEN_ENV) or None
    try:
        token = open(path, encoding="utf-8").read().strip()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read the admin token file {path}: {getattr(e, 'strerror', None) or e}") from None
    if not token:
        raise InputError(f"the admin token file {path} is empty")
    return token


def _listen(host: str, port: int) -> Any:
    """A listening socket on ``host``:``port`` (0: any free port), or one sentence why not."""
    import socket

    if not 0 <= port <= 65535:
        raise InputError(f"--port must be from 0 to 65535, not {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio sets TCP_NODELAY only on sockets that do, and without it every
    # keep-alive response waits about 40 ms for a delayed ACK (measured: 45 ms against 7 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except (OSError, OverflowError) as e:
        sock.close()
        raise InputError(f"cannot listen on {host} port {port}: {getattr(e, 'strerror', None) or e}") from None
    sock.listen(128)
    return sock


def _settings(kw: dict[str, Any]) -> Any:
    from ..web.settings import StudySettings, WebSettings

    study = None
    if kw["study_run"] is not None or kw["answers"] is not None:
        if kw["study_run"] is None or kw["answers"] is None:
            raise InputError("a study needs both --study RUN_DIR and --answers FILE")
        study = StudySettings(kw["study_run"], kw["answers"], tuple(kw["baselines"]), kw["data_dir"], kw["trials"],
                              kw["checks"], _admin_token(kw["admin_token_file"]))
    elif kw["baselines"] or kw["data_dir"]:
        raise InputError("--baselines and --data-dir are for a study: give --study RUN_DIR and --answers FILE too")
    return WebSettings(max_upload_bytes=int(kw["max_upload_mb"] * 1024 * 1024), max_pixels=kw["max_pixels"],
                       timeout=kw["timeout"], queue=kw["queue"], study=study)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 127.0.0.1 is this machine only, 0.0.0.0 exposes the server to the network.")
@click.option("--port", type=int, default=8000, show_default=True, help="Port to listen on (0: any free port, printed at start).")
@model_options
@click.option("--max-upload-mb", type=float, default=20.0, show_default=True, help="Largest request body (an image upload).")
@click.option("--max-pixels", type=int, default=16_000_000, show_default=True, help="Largest image (width x height) accepted.")
@click.option("--timeout", type=float, default=300.0, show_default=True,
              help="Seconds a request may wait for its encode or decode (queue included) before a 504.")
@click.option("--queue", type=int, default=4, show_default=True,
              help="Encodes and decodes that may wait behind the running one; more are refused with 503.")
@click.option("--study", "study_run", type=click.Path(file_okay=False), help="An eval run directory: run a 2AFC study of it at /study.")
@click.option("--answers", type=click.Path(dir_okay=False), help="The study's answers file (SQLite; created if missing).")
@click.option("--baselines", multiple=True, type=click.Path(dir_okay=False),
              help="semcodec bench results for the study's classical codecs (repeatable; default: JPEG and AVIF at their lowest).")
@click.option("--data-dir", type=click.Path(file_okay=False), help="The study's dataset folder, if it moved since the eval run.")
@click.option("--trials", type=int, default=20, show_default=True, help="Comparisons per participant.")
@click.option("--checks", type=int, default=2, show_default=True, help="Attention checks per participant (original vs a heavy degradation).")
@click.option("--admin-token-file", type=click.Path(dir_okay=False),
              help=f"A file holding the token that unlocks GET /study/api/export (or set {TOKEN_ENV}); without one, "
                   "answers leave only through semcodec study human.")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info", show_default=True,
              help="Server log level (info logs every request).")
def serve(host: str, port: int, log_level: str, **kw: Any) -> None:
    """Serve the demo, the inspect page, the HTTP API (/api) and a 2AFC study over HTTP.

    Models are built once, from the same options as encode (fake models for a dry run:
    --describer fake:x --generator fake:x).
    """
    from ..deps import require

    uvicorn = require("uvicorn", "web", "semcodec serve")
    from ..pipeline import ModelSet
    from ..web.app import create_app

    settings = _settings(kw)
    models = ModelSet(models_config(kw), runtime_config(kw))
    app = create_app(models, settings)
    models.get("describer")  # load the demo's models now: a missing model fails here, not on a request
    models.generator()
    sock = _listen(host, port)
    actual = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    info(f"semcodec: serving on http://{shown}:{actual}/ (generator {models.profile.name}"
         f"{', study at /study' if settings.study else ''}); Ctrl-C stops it")
    config = uvicorn.Config(app, log_level=log_level, timeout_keep_alive=5, limit_concurrency=200)
    uvicorn.Server(config).run(sockets=[sock])
