"""The SQLite result cache and its backend wrapper."""

from __future__ import annotations

import threading

import numpy as np
from PIL import Image

from semcodec.models import Describer, Generator, load
from semcodec.models.cache import ResultCache, default_cache_path


class Counting:
    """Counts calls through to a fake backend."""

    def __init__(self, inner):
        self.inner, self.calls = inner, 0

    def __getattr__(self, name):
        attr = getattr(self.inner, name)
        if name in ("describe", "generate", "expand", "complete"):
            def counted(*a):
                self.calls += 1
                return attr(*a)
            return counted
        return attr


def test_location_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SEMCODEC_CACHE", str(tmp_path / "x.sqlite"))
    assert default_cache_path() == tmp_path / "x.sqlite"
    monkeypatch.delenv("SEMCODEC_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if default_cache_path().parent.parent == tmp_path:  # Linux layout
        assert default_cache_path() == tmp_path / "semcodec" / "cache.sqlite"


def test_text_and_image_results_are_cached_by_input_seed_and_options(tmp_path):
    cache = ResultCache(tmp_path / "c.sqlite")
    inner = Counting(load("generator", "fake:g"))
    c = cache.wrap(inner)
    img = c.generate("a dog", 16, 8, 1)
    again = c.generate("a dog", 16, 8, 1)
    assert np.array_equal(np.asarray(img), np.asarray(again)) and inner.calls == 1
    c.generate("a dog", 16, 8, 2)
    c.generate("a cat", 16, 8, 1)
    assert inner.calls == 3
    pic = Image.new("RGB", (4, 4), "red")
    assert c.describe(pic, "d") == c.describe(pic, "d") and inner.calls == 4
    c.describe(Image.new("RGB", (4, 4), "blue"), "d")
    c.describe(pic, "other instruction")
    c.expand("th dg"), c.expand("th dg"), c.complete("s", "u"), c.complete("s", "u")
    assert inner.calls == 8
    other_options = cache.wrap(Counting(load("generator", "fake:g", text="fixed")))
    other_options.generate("a dog", 16, 8, 1)
    assert other_options.inner.calls == 1
    assert len(cache) == 9


def test_results_survive_a_new_cache_object(tmp_path):
    path = tmp_path / "c.sqlite"
    ResultCache(path).wrap(load("generator", "fake:g")).expand("th dg")
    inner = Counting(load("generator", "fake:g"))
    ResultCache(path).wrap(inner).expand("th dg")
    assert inner.calls == 0


def test_disabled_cache_stores_nothing(tmp_path):
    cache = ResultCache(tmp_path / "c.sqlite", enabled=False)
    inner = Counting(load("generator", "fake:g"))
    c = cache.wrap(inner)
    c.expand("a"), c.expand("a")
    assert inner.calls == 2 and not (tmp_path / "c.sqlite").exists() and len(cache) == 0


def test_wrapper_has_only_the_methods_of_the_backend(tmp_path):
    class OnlyDescribes:
        accepts_images, model_id = True, "m"

        def describe(self, image, instruction):
            return "x"

        def cache_key(self):
            return '{"provider":"t"}'

    w = ResultCache(tmp_path / "c.sqlite").wrap(OnlyDescribes())
    assert isinstance(w, Describer) and not isinstance(w, Generator)
    assert w.model_id == "m" and w.describe(Image.new("RGB", (2, 2)), "i") == "x"


def test_concurrent_writers(tmp_path):
    path = tmp_path / "c.sqlite"
    errors = []

    def work(n: int) -> None:
        try:
            c = ResultCache(path).wrap(load("generator", "fake:g"))
            for i in range(20):
                c.expand(f"{n}-{i}")
        except Exception as e:  # pragma: no cover - the assertion below reports it
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(ResultCache(path)) == 80


# -- an unusable cache is skipped, never fatal (issue 9, item 8) -----------------------------------
def _unusable_caches(tmp_path):
    import os

    not_db = tmp_path / "not_db.sqlite"
    not_db.write_bytes(b"this is not a database, just some text" * 100)
    folder = tmp_path / "folder.sqlite"
    folder.mkdir()
    under_file = tmp_path / "a_file"
    under_file.write_text("x")
    fifo = tmp_path / "fifo.sqlite"
    os.mkfifo(fifo)
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o500)
    cases = {"not a database": not_db, "a folder": folder, "under a file": under_file / "cache.sqlite", "a FIFO": fifo}
    if os.geteuid() != 0:  # root writes anywhere
        cases["unwritable"] = readonly / "sub" / "cache.sqlite"
    return cases


def test_an_unusable_cache_warns_once_and_runs_without(tmp_path, caplog):
    import logging

    from semcodec.models import cache as cache_module

    cache_module._WARNED.clear()
    caplog.set_level(logging.WARNING, logger="semcodec")
    for what, path in _unusable_caches(tmp_path).items():
        cache = ResultCache(path)
        inner = Counting(load("generator", "fake:g"))
        wrapped = cache.wrap(inner)
        wrapped.generate("a dog", 8, 8, 1)
        wrapped.generate("a dog", 8, 8, 1)
        assert inner.calls == 2 and not cache.enabled and len(cache) == 0, what
        assert wrapped.describe(Image.new("RGB", (4, 4)), "d")
        warnings = [r for r in caplog.records if str(path) in r.getMessage()]
        assert len(warnings) == 1, (what, caplog.text)


def test_home_under_proc_and_no_home(monkeypatch, caplog):
    import logging

    from semcodec.models import cache as cache_module

    cache_module._WARNED.clear()
    caplog.set_level(logging.WARNING, logger="semcodec")
    monkeypatch.delenv("SEMCODEC_CACHE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", "/proc/self")  # mkdir fails there; nothing is written
    cache = ResultCache()
    assert cache.get("k") is None and not cache.enabled
    assert "running without it" in caplog.text


def test_damaged_entries_are_recomputed(tmp_path, caplog):
    import sqlite3

    cache = ResultCache(tmp_path / "c.sqlite")
    inner = Counting(load("generator", "fake:g"))
    wrapped = cache.wrap(inner)
    wrapped.generate("a dog", 8, 8, 1)
    wrapped.expand("th dg")
    with sqlite3.connect(tmp_path / "c.sqlite") as con:
        con.execute("UPDATE results SET value = ?", (b"\xff\xfe not a png",))
    img = wrapped.generate("a dog", 8, 8, 1)
    assert img.size == (8, 8) and wrapped.expand("th dg") == "th dg" and inner.calls == 4
    assert "damaged entry" in caplog.text


def test_cli_runs_with_a_damaged_cache(tmp_path, cli, monkeypatch):
    bad = tmp_path / "cache.sqlite"
    bad.write_bytes(b"garbage" * 1000)
    monkeypatch.setenv("SEMCODEC_CACHE", str(bad))
    smc = tmp_path / "a.smc"
    assert cli("encode", "--text", "a red fox", "-o", smc, "--generator", "fake:gen")[0] == 0
    code, _, err = cli("decode", smc, "-o", tmp_path / "a.png", "--generator", "fake:gen")
    assert code == 0 and "Traceback" not in err
