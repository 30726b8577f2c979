"""What a run directory may be trusted with: record validation, paths kept inside the folder,
and file names derived from input names.

A run folder can come from someone else (to resume, to report on), so nothing in it is trusted
beyond its own boundaries: a record must have the fields a record has, a path it names is read
only if it stays inside the folder, and the names of the files a run writes are derived from
input names so that distinct inputs never share a file.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any


def record_problem(record: Any) -> str | None:
    """What makes ``record`` not a record of a run (None when it is one)."""
    if not isinstance(record, dict):
        return f"a JSON {type(record).__name__}, not an object"
    for key in ("image", "setting"):
        if not isinstance(record.get(key), str):
            return f"no {key} name"
    if record.get("status") not in ("ok", "failed"):
        return "no status ok or failed"
    if record["status"] == "ok":
        for key in ("bytes", "file_bits", "bpp", "ubpp"):
            if isinstance(record.get(key), bool) or not isinstance(record.get(key), (int, float)):
                return f"no number {key}"
        if not isinstance(record.get("metrics"), dict) or not isinstance(record.get("decoded_png"), str):
            return "no metrics or decoded image"
    return None


def inside(root: Path, relative: Any) -> Path | None:
    """``root / relative`` when it is a file inside ``root`` (symlinks resolved), else None:
    a run folder received from someone else must not make us read files elsewhere."""
    if not isinstance(relative, str) or not relative:
        return None
    base = os.path.realpath(root)
    target = os.path.realpath(os.path.join(base, relative))
    if os.path.commonpath([base, target]) != base or not os.path.isfile(target):
        return None
    return Path(target)


def file_part(name: str) -> str:
    """``name`` as one safe file name, unique per name: its whole name (``a.png``, so that
    ``a.jpg`` differs), unsafe characters replaced, plus a short hash when any was."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "_"
    if safe != name:
        safe += "-" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return safe
