"""Helpers shared by the subcommands: reading and writing files, parsing option values."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from ..errors import InputError

#: A .smc file holds a description, not an image: anything this large is not one.
MAX_SMC_BYTES = 1 << 20


def read_smc(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a .smc file, or InputError naming the problem (missing, a folder, too large)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise InputError(f"{p} is a folder, not a .smc file")
        if size > MAX_SMC_BYTES:
            raise InputError(f"{p} is {size} bytes, far too large to be a .smc file")
        return p.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {p}: {e.strerror or e}") from e


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so a failure leaves no partial file."""
    p = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=p.parent if str(p.parent) else ".", prefix=f".{p.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, p)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise InputError(f"cannot write {p}: {e.strerror or e}") from e


def parse_size(value: str) -> tuple[int, int]:
    """Parse ``WxH`` (e.g. 1024x1024) into positive integers."""
    try:
        w, h = (int(v) for v in value.lower().replace("×", "x").split("x"))
    except ValueError:
        raise InputError(f"--size must look like 1024x768, not {value!r}") from None
    if w <= 0 or h <= 0 or w > 1 << 20 or h > 1 << 20:
        raise InputError(f"--size {value} is out of range (each side from 1 to 1048576 pixels)")
    return w, h


def print_json(obj: Any) -> None:
    """One JSON document on stdout."""
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2))


def info(message: str) -> None:
    """A progress or summary line for people: stderr, so stdout stays machine-readable."""
    print(message, file=sys.stderr, flush=True)
