"""The inputs of a batch command, and the output name of each.

An input source is a folder (searched recursively; hidden files and folders skipped), a list
file (one path per line, relative to the list's folder or absolute; blank lines and ``#``
comments skipped), or a single file of the input kind. Each input has an id (its path relative
to the folder or the list's folder, or the path as listed), which the manifest records and a
rerun matches.

Output names mirror the input's relative path with the output suffix (``a/b.png`` ->
``a/b.smc``); an input outside the folder (an absolute or ``..`` path in a list) keeps only its
file name. A name already taken by another input (``x.png`` and ``x.jpg``, or two ``x.png`` from
different folders of a list) gets a short hash of the input's id: ``x-1a2b3c4d.smc``. Names
recorded in a manifest stay with their input, so reruns never rename a file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import InputError


@dataclass(frozen=True)
class Input:
    """One input: its id, where to read it, and its output name without the suffix."""

    id: str
    path: Path
    stem: PurePosixPath


def list_inputs(source: str, suffixes: frozenset[str], what: str, exclude: Path | None = None) -> list[Input]:
    """The inputs of ``source`` whose suffix is in ``suffixes`` (``what`` names them in messages),
    in sorted order, without duplicates; ``exclude`` (the output folder) is skipped."""
    path = Path(source).expanduser()
    if path.is_dir():
        found = _folder(path, suffixes, exclude)
        if not found:
            raise InputError(f"{path} contains no {what} ({', '.join(sorted(suffixes))})")
        return found
    if path.is_file():
        if path.suffix.lower() in suffixes:
            return [Input(path.name, path, PurePosixPath(path.stem))]
        return _list_file(path, what)
    raise InputError(f"{source} is neither a folder of {what} nor a list file of their paths")


def _folder(root: Path, suffixes: frozenset[str], exclude: Path | None) -> list[Input]:
    skip = exclude.resolve() if exclude is not None else None
    out = []
    for p in root.rglob("*"):
        rel = p.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or p.suffix.lower() not in suffixes or not p.is_file():
            continue
        if skip is not None and skip in p.resolve().parents:
            continue
        posix = PurePosixPath(*rel.parts)
        out.append(Input(str(posix), p, posix.with_suffix("")))
    return sorted(out, key=lambda i: i.id)


def _list_file(path: Path, what: str) -> list[Input]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read the list of {what} {path}: {getattr(e, 'strerror', None) or e}") from None
    seen: dict[str, Input] = {}
    for line in lines:
        entry = line.strip()
        if not entry or entry.startswith("#") or entry in seen:
            continue
        listed = Path(entry).expanduser()
        inside = not listed.is_absolute() and ".." not in listed.parts
        posix = PurePosixPath(*listed.parts) if inside else PurePosixPath(listed.name)
        seen[entry] = Input(entry, listed if listed.is_absolute() else path.parent / listed, posix.with_suffix(""))
    if not seen:
        raise InputError(f"the list file {path} names no {what}")
    return list(seen.values())


def output_names(inputs: list[Input], suffix: str, recorded: dict[str, str]) -> dict[str, str]:
    """id -> output path (relative, POSIX) for every input: ``recorded`` ones keep their name,
    new ones take their natural name unless another input has it."""
    names = dict(recorded)
    taken = set(names.values())
    for i in inputs:
        if i.id in names:
            continue
        name = str(i.stem) + suffix
        if name in taken:
            digest = hashlib.sha256(i.id.encode("utf-8")).hexdigest()[:8]
            name = f"{i.stem}-{digest}{suffix}"
        names[i.id] = name
        taken.add(name)
    return names
