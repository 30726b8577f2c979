"""Reading and writing the files a user names, safely.

Inputs: every file is checked to be a regular file before it is opened (a FIFO would block, a
device such as ``/dev/zero`` would never end), and read with a size limit (``semcodec.limits``).

Outputs (``write_atomic``, ``write_output``):

- Only regular files are written. A device, FIFO, socket or folder at the output path is refused,
  never replaced; ``-`` writes to standard output instead (``write_output``).
- An output that is the same file as one of the command's inputs (the same path, a hard link or a
  symlink to it) is refused, so ``encode a.png -o a.png`` cannot destroy the image.
- A symlink is written through: its target is replaced and the link stays (as a shell's ``>``
  would do).
- The file is written to a temporary file in the target's folder and renamed over the target, so
  an interrupted write leaves the old file or the new one, never a partial one. A new file gets
  the usual mode (0666 less the umask); a replaced file keeps its mode.

Failures are ``InputError`` sentences.
"""

from __future__ import annotations

import os
import secrets
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError
from .limits import MAX_SMC_BYTES

#: The output path that means standard output.
STDOUT = "-"

PathLike = str | os.PathLike[str]


def kind_of(mode: int) -> str | None:
    """What a non-regular file is ("a FIFO", "a character device"...), or None for a regular file."""
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def check_input(path: PathLike, what: str = "file") -> os.stat_result:
    """The ``os.stat`` of an input that is a regular file, or InputError in one sentence.

    Never opens the file: a FIFO or a device is refused before anything could block or run on.
    """
    p = os.fspath(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise InputError(f"cannot read the {what} {p}: it does not exist; check the path") from None
    except OSError as e:
        raise InputError(f"cannot read the {what} {p}: {e.strerror or e}") from None
    kind = kind_of(st.st_mode)
    if kind is not None:
        raise InputError(f"{p} is {kind}, not a regular file; give the path of a {what}")
    return st


def read_limited(path: PathLike, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or InputError in one sentence.

    The type is checked before opening, the file is opened non-blocking and checked again (it
    could have been swapped meanwhile), and at most ``limit + 1`` bytes are ever read.
    """
    p = os.fspath(path)
    st = check_input(p, what)
    if st.st_size > limit:
        raise InputError(f"the {what} {p} is {st.st_size:,} bytes, more than the limit of {limit:,}")
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise InputError(f"cannot read the {what} {p}: {e.strerror or e}") from None
    with os.fdopen(fd, "rb") as f:
        kind = kind_of(os.fstat(f.fileno()).st_mode)
        if kind is not None:
            raise InputError(f"{p} is {kind}, not a regular file; give the path of a {what}")
        try:
            data = f.read(limit + 1)
        except OSError as e:
            raise InputError(f"cannot read the {what} {p}: {e.strerror or e}") from None
    if len(data) > limit:
        raise InputError(f"the {what} {p} is more than the limit of {limit:,} bytes")
    return data


def read_text(path: PathLike, limit: int, what: str = "text file") -> str:
    """A UTF-8 text file of at most ``limit`` bytes, or InputError in one sentence."""
    data = read_limited(path, limit, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"the {what} {os.fspath(path)} is not UTF-8 text (byte {e.start}); save it as UTF-8") from None


def read_smc(path: PathLike) -> bytes:
    """The bytes of a .smc file (at most ``MAX_SMC_BYTES``), or InputError naming the problem."""
    return read_limited(path, MAX_SMC_BYTES, ".smc file")


def _same_as_input(target: str, inputs: Iterable[PathLike | None]) -> str | None:
    """The input that ``target`` is the same file as (by device and inode), or None."""
    try:
        mine = os.stat(target)
    except OSError:
        return None
    for src in inputs:
        if src is None or os.fspath(src) == STDOUT:
            continue
        try:
            other = os.stat(src)
        except OSError:
            continue
        if (mine.st_dev, mine.st_ino) == (other.st_dev, other.st_ino):
            return os.fspath(src)
    return None


def check_output(path: PathLike, inputs: Iterable[PathLike | None] = ()) -> str:
    """The real path an output will be written to (symlinks followed), or InputError when it
    is a device, FIFO, socket or folder, or the same file as one of ``inputs``."""
    p = os.fspath(path)
    real = os.path.realpath(p)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return real
    except OSError as e:
        raise InputError(f"cannot write {p}: {e.strerror or e}") from None
    kind = kind_of(st.st_mode)
    if kind is not None:
        raise InputError(f"{p} is {kind}, which semcodec does not overwrite; give a file path (or - for standard output)")
    same = _same_as_input(real, inputs)
    if same is not None:
        raise InputError(f"the output {p} is the input {same}; writing it would destroy the input, so choose another path")
    return real


def write_atomic(path: PathLike, data: bytes, *, inputs: Iterable[PathLike | None] = ()) -> None:
    """Write ``data`` to the regular file ``path`` (see the module docstring: never a device or
    an input, through symlinks, atomically, with the umask's mode)."""
    p = os.fspath(path)
    real = check_output(p, inputs)
    folder, name = os.path.split(real)
    try:
        old_mode = stat.S_IMODE(os.stat(real).st_mode)
    except OSError:
        old_mode = None
    tmp = None
    try:
        for _ in range(100):
            tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
                break
            except FileExistsError:
                continue
        else:  # pragma: no cover - 100 random names taken
            raise InputError(f"cannot write {p}: no free temporary file name in {folder}")
        with os.fdopen(fd, "wb") as f:
            if old_mode is not None:
                os.chmod(tmp, old_mode)
            f.write(data)
        os.replace(tmp, real)
        tmp = None
    except OSError as e:
        raise InputError(f"cannot write {p} ({e.strerror or e}); check that the folder exists and is writable") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def write_output(path: PathLike, data: bytes, *, inputs: Iterable[PathLike | None] = ()) -> None:
    """``write_atomic``, or standard output when ``path`` is ``-`` (refused on a terminal: the
    bytes are binary)."""
    if os.fspath(path) != STDOUT:
        write_atomic(path, data, inputs=inputs)
        return
    out = sys.stdout
    if out.isatty():
        raise InputError("-o - writes binary data to standard output, which is a terminal; redirect it to a file or a pipe")
    out.flush()
    out.buffer.write(data)
    out.buffer.flush()
