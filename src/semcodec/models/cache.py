"""A persistent cache of model results, so that reruns (evaluation, reflection, retries) do not
pay for the same model call twice.

Entries are keyed by a sha256 over: what was asked (``describe``, ``generate``, ``expand``,
``complete``), the backend's ``cache_key()`` (provider, model, revision, options — never an API
key), the prompt version, the seed, and a sha256 of the input (the image's pixels, or the text).
Texts are stored as UTF-8, images as PNG bytes.

Location: the file named by the environment variable ``SEMCODEC_CACHE``, else
``$XDG_CACHE_HOME/semcodec/cache.sqlite`` (``~/.cache/semcodec/cache.sqlite``; on macOS
``~/Library/Caches/semcodec``, on Windows ``%LOCALAPPDATA%\\semcodec\\cache``). Delete the file to
clear it. ``ResultCache(enabled=False)`` (the CLI's ``--no-cache``) stores and finds nothing.

Several processes may share one cache: SQLite in WAL mode, a busy timeout and a few retries.
Results of non-deterministic generators are cached too, one per seed: the seed then numbers the
sample, which keeps evaluations reproducible and resumable.

The cache is an optimisation, never a requirement: a cache that cannot be used (a file that is
not a database, a folder, an unwritable place, a home directory under /proc, a damaged entry) is
reported once on the ``semcodec`` logger and the command runs without it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

T = TypeVar("T")
log = logging.getLogger(__name__)
#: Caches already reported as unusable in this process (each is reported once).
_WARNED: set[str] = set()
#: What an unusable cache raises: SQLite errors, file-system errors, no home directory.
_CACHE_ERRORS = (sqlite3.Error, OSError, RuntimeError, ValueError)

_SCHEMA = """CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, meta TEXT NOT NULL, value BLOB NOT NULL, created REAL NOT NULL
)"""


def default_cache_path() -> Path:
    """Where the cache lives by default (see the module docstring)."""
    env = os.environ.get("SEMCODEC_CACHE")
    if env:
        return Path(env).expanduser()
    home = Path.home()
    if sys.platform == "darwin":
        base = home / "Library" / "Caches"
    elif os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    return base / "semcodec" / "cache.sqlite"


def digest_text(text: str) -> str:
    """sha256 of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest_image(img: Image.Image) -> str:
    """sha256 of an image's mode, size and raw pixels (independent of any file encoding)."""
    h = hashlib.sha256(f"{img.mode}:{img.width}x{img.height}:".encode())
    h.update(img.tobytes())
    return h.hexdigest()


class ResultCache:
    """SQLite key-value store of model results (text or PNG bytes)."""

    def __init__(self, path: str | os.PathLike | None = None, enabled: bool = True, retries: int = 5) -> None:
        self.enabled = enabled
        self.retries = retries
        self._ready = False
        try:
            self.path = Path(path) if path is not None else default_cache_path()
        except _CACHE_ERRORS as e:  # no home directory
            self.path = Path("<no cache location>")
            self.disable(e)

    def disable(self, error: BaseException) -> None:
        """Run without the cache from now on, and say so once per cache location."""
        self.enabled = False
        if str(self.path) not in _WARNED:
            _WARNED.add(str(self.path))
            reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
            log.warning("the result cache %s cannot be used (%s); running without it", self.path, reason)

    def _safely(self, fn: Callable[[], T], default: T) -> T:
        """``fn()``, or ``default`` with the cache disabled when the cache is unusable."""
        if not self.enabled:
            return default
        try:
            return fn()
        except _CACHE_ERRORS as e:
            self.disable(e)
            return default

    @staticmethod
    def make_key(kind: str, backend_key: str, prompt_version: str | None, seed: int | None, input_digest: str) -> tuple[str, str]:
        """(sha256 key, readable JSON meta) for one model call."""
        meta = json.dumps(
            {"kind": kind, "backend": json.loads(backend_key), "prompt": prompt_version, "seed": seed, "input": input_digest},
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(meta.encode()).hexdigest(), meta

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists():
                from ..fileio import kind_of

                kind = kind_of(self.path.stat().st_mode)
                if kind is not None:  # a FIFO would block SQLite for ever
                    raise OSError(f"it is {kind}, not a database file")
        con = sqlite3.connect(self.path, timeout=30.0)
        if not self._ready:
            try:
                self._with_retries(lambda: (con.execute("PRAGMA journal_mode=WAL"), con.execute(_SCHEMA), con.commit()))
            except BaseException:
                con.close()
                raise
            self._ready = True
        return con

    def _with_retries(self, fn: Callable[[], T]) -> T:
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e) or attempt == self.retries:
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def get(self, key: str) -> bytes | None:
        """The stored value for ``key``, or None (always None when disabled or unusable)."""

        def read() -> bytes | None:
            con = self._connect()
            try:
                row = self._with_retries(lambda: con.execute("SELECT value FROM results WHERE key=?", (key,)).fetchone())
            finally:
                con.close()
            return None if row is None else bytes(row[0])

        return self._safely(read, None)

    def put(self, key: str, kind: str, meta: str, value: bytes) -> None:
        """Store ``value`` under ``key`` (last writer wins; a no-op when disabled or unusable)."""

        def store() -> None:
            con = self._connect()
            try:

                def write() -> None:
                    with con:
                        con.execute(
                            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)", (key, kind, meta, value, time.time())
                        )

                self._with_retries(write)
            finally:
                con.close()

        self._safely(store, None)

    def __len__(self) -> int:
        def count() -> int:
            if not self.path.exists():
                return 0
            con = self._connect()
            try:
                return con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
            finally:
                con.close()

        return self._safely(count, 0)

    def wrap(self, backend: Any) -> Any:
        """``backend`` behind this cache: the same methods and attributes, results cached.

        The wrapper has exactly the methods (``describe``, ``generate``, ``expand``, ``complete``)
        that ``backend`` has, so protocol checks still tell the truth about it.
        """
        mixins = tuple(m for name, m in _MIXINS.items() if callable(getattr(backend, name, None)))
        cls = type(f"Cached{type(backend).__name__}", (*mixins, CachedBackend), {})
        return cls(backend, self)


class CachedBackend:
    """Delegates everything to the wrapped backend; the mixins add the cached calls."""

    def __init__(self, inner: Any, cache: ResultCache) -> None:
        self.inner = inner
        self.cache = cache

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def __repr__(self) -> str:
        return f"<cached {self.inner!r}>"

    def _text(self, kind: str, prompt: str | None, digest: str, call: Callable[[], str]) -> str:
        key, meta = self.cache.make_key(kind, self.inner.cache_key(), prompt, None, digest)
        hit = self.cache.get(key)
        if hit is not None:
            try:
                return hit.decode("utf-8")
            except UnicodeDecodeError as e:  # a damaged entry: computed again and replaced
                _warn_damaged(self.cache, e)
        out = call()
        self.cache.put(key, kind, meta, out.encode("utf-8"))
        return out


class _Describe:
    def describe(self: Any, image: Image.Image, instruction: str) -> str:
        digest = digest_image(image) + ":" + digest_text(instruction)
        return self._text("describe", None, digest, lambda: self.inner.describe(image, instruction))


class _Complete:
    def complete(self: Any, system: str, user: str) -> str:
        digest = digest_text(system) + ":" + digest_text(user)
        return self._text("complete", None, digest, lambda: self.inner.complete(system, user))


class _Expand:
    def expand(self: Any, skeleton: str) -> str:
        from .prompts import EXPAND

        return self._text("expand", EXPAND.id, digest_text(skeleton), lambda: self.inner.expand(skeleton))


class _Generate:
    def generate(self: Any, prompt: str, width: int, height: int, seed: int) -> Image.Image:
        from ..imageio import from_png_bytes, to_png_bytes

        key, meta = self.cache.make_key("generate", self.inner.cache_key(), None, seed, f"{width}x{height}:{digest_text(prompt)}")
        hit = self.cache.get(key)
        if hit is not None:
            from ..errors import InputError

            try:
                return from_png_bytes(hit, name=f"cached in {self.cache.path}")
            except InputError as e:  # a damaged entry: rendered again and replaced
                _warn_damaged(self.cache, e)
        img = self.inner.generate(prompt, width, height, seed)
        self.cache.put(key, "generate", meta, to_png_bytes(img))
        return img


def _warn_damaged(cache: ResultCache, error: BaseException) -> None:
    """Say once per cache that it holds a damaged entry (which is then recomputed)."""
    if f"damaged:{cache.path}" not in _WARNED:
        _WARNED.add(f"damaged:{cache.path}")
        log.warning("the result cache %s holds a damaged entry (%s); it is computed again", cache.path, error)


_MIXINS = {"describe": _Describe, "complete": _Complete, "expand": _Expand, "generate": _Generate}
