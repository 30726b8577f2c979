"""Spec strings, loading once per process, options, the fake backend, import lightness."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from semcodec.models import Describer, Expander, Generator, Spec, TextModel, load, parse_spec
from semcodec.errors import InputError


@pytest.mark.parametrize(
    "spec, parsed",
    [
        ("openai:gpt-4o", Spec("openai", "gpt-4o")),
        ("hf:Qwen/Qwen2-VL-2B-Instruct", Spec("hf", "Qwen/Qwen2-VL-2B-Instruct")),
        ("hf:Qwen/Qwen2-VL-2B-Instruct@abc123", Spec("hf", "Qwen/Qwen2-VL-2B-Instruct", "abc123")),
        ("hf:/local/dir@v2", Spec("hf", "/local/dir@v2")),  # a path keeps its @
        ("diffusers:stabilityai/sdxl-turbo", Spec("diffusers", "stabilityai/sdxl-turbo")),
        ("HF:./models/x", Spec("hf", "./models/x")),
        ("fake:any", Spec("fake", "any")),
    ],
)
def test_parse_spec(spec, parsed):
    assert parse_spec(spec) == parsed
    assert str(parsed).startswith(parsed.provider + ":")


@pytest.mark.parametrize("spec", ["gpt-4o", "nosuch:model", "hf:", ":x", "hf:org/name@"])
def test_bad_spec_lists_valid_forms(spec):
    with pytest.raises(InputError) as err:
        parse_spec(spec)
    assert "\n" not in str(err.value)


def test_unknown_provider_message_lists_forms():
    with pytest.raises(InputError, match=r"use one of: openai:MODEL .* fake:NAME\.$"):
        load("describer", "replicate:foo")


def test_models_load_once_per_spec_and_options(fresh_backends):
    a = load("describer", "fake:x", text="hi")
    assert load("describer", "fake:x", text="hi") is a
    assert load("describer", "fake:x", text="other") is not a
    assert load("describer", "fake:y", text="hi") is not a


def test_unknown_or_bad_option_is_an_input_error():
    with pytest.raises(InputError, match="Bad option 'colour' for fake:x"):
        load("describer", "fake:x", colour="red")
    with pytest.raises(InputError, match="Bad option 'max_retries'"):
        load("describer", "openai:gpt-4o", api_key="k", max_retries=-1)


def test_cache_key_names_provider_model_revision_options():
    d = load("describer", "fake:m@r1", text="t")
    assert d.cache_key() == '{"model":"m","options":{"detail":false,"replies":[],"text":"t"},"provider":"fake","revision":"r1"}'
    assert d.spec == "fake:m@r1" and not d.needs_key


def test_fake_backend_plays_every_role():
    f = load("generator", "fake:gen")
    assert all(isinstance(f, p) for p in (Describer, Generator, Expander, TextModel))
    a, b, c = f.generate("a dog", 30, 20, 1), f.generate("a dog", 30, 20, 1), f.generate("a dog", 30, 20, 2)
    assert a.size == (30, 20) and a.mode == "RGB"
    assert np.array_equal(np.asarray(a), np.asarray(b)) and not np.array_equal(np.asarray(a), np.asarray(c))
    assert f.describe(Image.new("RGB", (8, 4), (40, 70, 200)), "x") == "a mostly blue image, wider than tall"
    assert f.expand(" th dg ") == "th dg"
    scripted = load("expander", "fake:e", replies=("the dog", "a cat"))
    assert [scripted.expand("x"), scripted.complete("s", "u"), scripted.expand("x")] == ["the dog", "a cat", "the dog"]


def test_core_modules_import_no_model_library():
    code = (
        "import sys; import semcodec.codec, semcodec.pipeline, semcodec.models, semcodec.models.base, "
        "semcodec.models.profiles, semcodec.models.presets, semcodec.models.prompts, semcodec.models.cache, "
        "semcodec.imageio; semcodec.models.load('expander', 'ngram'); semcodec.models.load('generator', 'fake:x'); "
        "heavy = [m for m in ('torch', 'transformers', 'diffusers', 'openai') if m in sys.modules]; print(heavy)"
    )
    import semcodec

    env = {**os.environ, "PYTHONPATH": str(Path(semcodec.__file__).parents[1])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "[]"
