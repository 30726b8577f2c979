"""An exclusive lock on a working folder (an eval run, a batch output folder), one process at a time.

Two processes appending to the same run folder would duplicate every record, so a command that
writes a folder holds ``FolderLock(folder)`` while it does. The lock is an OS lock on the file
``.semcodec.lock`` inside the folder (``flock`` on POSIX, ``msvcrt.locking`` on Windows), so the
operating system releases it when the process ends, however it ends (a crash, a kill -9): a
stale lock never blocks a resumed run. The file also records who holds it (process id, host,
start time), so that a refused second process can say in one sentence whom it waits for.

Usage::

    with FolderLock(run_dir, what="eval run"):
        ...  # read and append the folder's files

``FolderLock`` is re-entrant within one object (nested ``with`` blocks of the same lock are
fine) but a second lock object on the same folder is refused, also in the same process.
On a network file system without working locks the lock may not exclude another machine.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from .errors import InputError

#: The lock file's name inside a locked folder (folder listings ignore it).
LOCK_FILE = ".semcodec.lock"


def _try_lock(fd: int) -> bool:
    """Take an exclusive, non-blocking OS lock on ``fd``; False when another holder has it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


class FolderLock:
    """Exclusive use of ``folder`` by this process (see the module docstring)."""

    def __init__(self, folder: str | os.PathLike[str], what: str = "folder") -> None:
        self.folder = Path(folder)
        self.what = what
        self._fd: int | None = None
        self._depth = 0

    @property
    def path(self) -> Path:
        return self.folder / LOCK_FILE

    @property
    def held(self) -> bool:
        return self._fd is not None

    def holder(self) -> dict[str, object]:
        """Who holds the lock, as recorded in the lock file (empty if unknown)."""
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}
        return info if isinstance(info, dict) else {}

    def acquire(self) -> None:
        """Take the lock, or InputError naming the process that holds it."""
        if self._fd is not None:
            self._depth += 1
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
        except OSError as e:
            raise InputError(f"cannot lock the {self.what} {self.folder}: {e.strerror or e}") from None
        if not _try_lock(fd):
            os.close(fd)
            h = self.holder()
            who = f"process {h.get('pid', '?')} on {h.get('host', '?')}" if h else "another process"
            since = f" since {h['started']}" if h.get("started") else ""
            raise InputError(f"the {self.what} {self.folder} is in use by {who}{since}; wait for it to finish "
                             "or use another folder")
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, (json.dumps(info) + "\n").encode())
        self._fd, self._depth = fd, 1

    def release(self) -> None:
        """Give the lock up (the lock file stays: removing it would race with the next holder)."""
        if self._fd is None:
            return
        self._depth -= 1
        if self._depth:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> "FolderLock":
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
