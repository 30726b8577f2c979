"""Reading and writing the files a user names, safely.

Every output is written through a temporary file in the same folder and renamed over the
target, so an interrupted write leaves no partial file. Every input is read with a size limit.
Failures are ``InputError`` sentences.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError

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
