"""A run directory: its layout, its append-only record store, and what it may be trusted with
(record validation, paths kept inside the folder, file names derived from input names).

Layout (``eval`` runs; ``encode-dir``/``decode-dir`` use the same store for their manifests):
``config.json`` (the configuration and the dataset's manifest hash), ``records.jsonl`` (one
fsynced JSON line per record), ``images/`` (decoded images), ``results.json`` (the summary).

A run folder can come from someone else (to resume, to report on), so nothing in it is trusted
beyond its own boundaries: a record must have the fields a record has, a path it names is read
only if it stays inside the folder, and the names of the files a run writes are derived from
input names so that distinct inputs never share a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..locks import LOCK_FILE

log = logging.getLogger(__name__)

CONFIG_FILE = "config.json"
RECORDS_FILE = "records.jsonl"
RESULTS_FILE = "results.json"
IMAGES_DIR = "images"
#: Version of the run directory's layout and record fields.
RUN_FORMAT = 2


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


class RecordStore:
    """An append-only JSONL file of records, each fsynced: a crash loses at most the line in progress."""

    def __init__(self, path: Path, problem: Callable[[Any], str | None] = record_problem) -> None:
        self.path = path
        #: What makes a line not a record of this store (None when it is one).
        self.problem = problem

    def load(self) -> list[dict[str, Any]]:
        """Every complete record; a torn last line (the run was killed while writing it) is cut off.
        A line that is JSON but not a record is an InputError naming the line."""
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        records, good = [], 0
        lines = data.split(b"\n")
        for i, line in enumerate(lines):
            last = i == len(lines) - 1
            if not line.strip():
                good += len(line) + (0 if last else 1)
                continue
            try:
                if last:  # no newline after it: the write did not finish
                    raise ValueError("torn")
                record = json.loads(line)
            except ValueError:
                if last or all(not rest.strip() for rest in lines[i + 1:]):
                    log.warning("dropped an incomplete last record of %s", self.path)
                    with open(self.path, "r+b") as f:
                        f.truncate(good)
                    break
                raise InputError(f"{self.path} has a corrupt record on line {i + 1}; it is not a semcodec run log") from None
            problem = self.problem(record)
            if problem:
                raise InputError(f"{self.path} line {i + 1} is not a semcodec record ({problem}); "
                                 "it is not a semcodec run log")
            records.append(record)
            good += len(line) + 1
        return records

    def append(self, record: dict[str, Any]) -> None:
        """Write one record durably (flush + fsync) before the run moves on."""
        line = json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n"
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())


def open_run_dir(path: str | os.PathLike[str], identity: dict[str, Any], *, dirs: tuple[str, ...] = (IMAGES_DIR,),
                 kind: str = "eval") -> Path:
    """Create a run directory for ``identity`` (with the subfolders ``dirs``), or check that an
    existing one was made for it. ``kind`` names the run in messages (``eval``, ``encode-dir``)."""
    root = Path(path)
    config_path = root / CONFIG_FILE
    recorded = {"format": RUN_FORMAT, "config": identity}
    if config_path.exists():
        try:
            old = json.loads(config_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise InputError(f"{config_path} is unreadable, so {root} cannot be resumed; use another -o directory") from None
        if old != recorded:
            before = old.get("config", {}) if isinstance(old, dict) else {}
            keys = sorted(k for k in set(before) | set(identity) if before.get(k) != identity.get(k)) or ["format"]
            diff = "; ".join(f"{k}: {before.get(k)!r} there, {identity.get(k)!r} now" for k in keys[:3])
            raise InputError(f"{root} holds a run with a different configuration ({diff}), so it cannot be resumed: "
                             "use another -o directory or the same options")
        return root
    if root.exists() and (not root.is_dir() or any(p.name != LOCK_FILE for p in root.iterdir())):
        raise InputError(f"{root} exists and is not a semcodec {kind} run (no {CONFIG_FILE}); use an empty or new directory")
    try:
        root.mkdir(parents=True, exist_ok=True)
        for sub in dirs:
            (root / sub).mkdir(exist_ok=True)
    except OSError as e:
        raise InputError(f"cannot create the run directory {root}: {e.strerror or e}") from None
    from ..fileio import write_atomic

    write_atomic(config_path, (json.dumps(recorded, indent=2, ensure_ascii=False) + "\n").encode())
    return root


def load_run(run_dir: str | os.PathLike[str]) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any] | None]:
    """(recorded configuration, records, summary or None) of a run directory."""
    root = Path(run_dir)
    config_path = root / CONFIG_FILE
    if not config_path.is_file():
        raise InputError(f"{root} is not a semcodec eval run: it has no {CONFIG_FILE}")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))["config"]
        results = root / RESULTS_FILE
        summary = json.loads(results.read_text(encoding="utf-8")) if results.is_file() else None
        if not isinstance(config, dict) or not (summary is None or isinstance(summary, dict)):
            raise ValueError("not an object")
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError(f"{root} has an unreadable {CONFIG_FILE} or {RESULTS_FILE}; it is not a semcodec eval run") from None
    records = RecordStore(root / RECORDS_FILE).load()
    return config, records, summary
