"""Shared fixtures: running the CLI in-process and in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """No test may reach the network or a model hub."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture
def cli(capsys):
    """Run ``semcodec ARGS`` in-process; returns (exit code, stdout, stderr)."""
    from semcodec.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def run_fresh(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m semcodec ARGS`` in a new interpreter (nothing cached from this one)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "semcodec", *map(str, args)],
        capture_output=True, text=True, env=env, timeout=120, **kwargs,
    )


@pytest.fixture
def fresh():
    """``run_fresh`` as a fixture."""
    return run_fresh
