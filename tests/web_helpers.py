"""Helpers for the web tests: fake models, an app, a tiny eval run to build a study from, and a
real ``semcodec serve`` process on 127.0.0.1."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from conftest import SRC
from eval_helpers import FAKE, image_folder
from semcodec.codec import Budget
from semcodec.pipeline import ModelSet, RuntimeConfig

ROOT = SRC.parent
LIGHTHOUSE = ROOT / "examples" / "lighthouse.png"
#: A description with markup in it: every page must show it as text.
NASTY = '<b id="bold">red</b> fox <img src=x onerror="document.title=1"> & <script>window.pwned=1</script>'
FAKE_ARGS = ("--describer", "fake:x", "--generator", "fake:x", "--judge", "fake", "--no-cache")


def fake_models(text: str | None = None) -> ModelSet:
    """Fake models for every role (the describer says ``text`` when given)."""
    from dataclasses import replace

    config = FAKE["models"]
    if text is not None:
        config = replace(config, options={"describer": {"text": text}})
    return ModelSet(config, RuntimeConfig(cache=False))


def make_app(text: str | None = None, **settings: Any) -> Any:
    from semcodec.web.app import create_app
    from semcodec.web.settings import WebSettings

    return create_app(fake_models(text), WebSettings(**settings))


def eval_run(root: Path, images: int = 2) -> Path:
    """A finished fake eval run over ``images`` small images at two budgets."""
    from semcodec.eval.config import EvalConfig
    from semcodec.eval.run import run_eval

    folder = image_folder(root, images)
    config = EvalConfig(dataset=str(folder), budgets=(Budget(max_bits=200), Budget(max_bits=400)), metrics=(), **FAKE)
    run_eval(config, root / "run", models=ModelSet(config.models, RuntimeConfig(cache=False)), progress=False)
    return root / "run"


class Server:
    """``python -m semcodec serve ARGS --port 0`` in a fresh process; ``url`` once it listens."""

    def __init__(self, *args: Any, cwd: Path | None = None) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "semcodec", "serve", "--host", "127.0.0.1", "--port", "0", "--log-level", "warning",
             *map(str, args)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env, cwd=cwd)
        self.url = self._wait()
        self.log: list[str] = []
        # Keep reading the server's log so that a full pipe never blocks it.
        threading.Thread(target=lambda: self.log.extend(self.proc.stderr), daemon=True).start()

    def _wait(self, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        lines = []
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line and self.proc.poll() is not None:
                raise RuntimeError("semcodec serve exited: " + "".join(lines))
            lines.append(line)
            found = re.search(r"serving on (http://\S+?)/ ", line)
            if found:
                return found.group(1)
        self.kill()
        raise RuntimeError("semcodec serve did not start in time: " + "".join(lines))

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Stop the server (SIGKILL by default: nothing gets a chance to flush)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
