"""The hf (transformers) and diffusers backends on tiny random models loaded with from_pretrained."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("transformers")
pytest.importorskip("diffusers")

from semcodec.models import Describer, Expander, Generator, TextModel, load# noqa: E402
from semcodec.errors import BackendError, InputError  # noqa: E402

IMG = Image.new("RGB", (48, 40), (200, 30, 30))


def test_vlm_describes_and_chats(tiny_vlm_dir):
    d = load("describer", f"hf:{tiny_vlm_dir}", max_new_tokens=6)
    assert isinstance(d, Describer) and isinstance(d, TextModel) and d.accepts_images
    text = d.describe(IMG, "describe this image")
    assert isinstance(text, str) and text == d.describe(IMG, "describe this image")  # greedy
    assert isinstance(d.complete("restore", "th dg"), str)
    # The same model asked for as a text model is the same loaded instance.
    assert load("text", f"hf:{tiny_vlm_dir}", max_new_tokens=6) is d


def test_causal_lm_expands_and_completes(tiny_lm_dir):
    e = load("expander", f"hf:{tiny_lm_dir}", max_new_tokens=5)
    assert isinstance(e, Expander) and type(e).__name__ == "HFTextChat"
    out = e.expand("th mg shws dg")
    assert isinstance(out, str) and out == e.expand("th mg shws dg")
    assert isinstance(e.complete("be brief", "a dog on a beach"), str)


def test_causal_lm_without_chat_template(tmp_path):
    from tiny_models import save_tiny_lm

    e = load("text", f"hf:{save_tiny_lm(tmp_path / 'plain', chat_template=None)}", max_new_tokens=3)
    assert isinstance(e.complete("system", "the dog"), str)


def test_hf_has_no_generator(tiny_lm_dir):
    with pytest.raises(InputError, match="has no generator"):
        load("generator", f"hf:{tiny_lm_dir}")


def test_diffusers_is_seeded_and_snaps_sizes(tiny_sd_dir):
    g = load("generator", f"diffusers:{tiny_sd_dir}", steps=2, scheduler="DDIMScheduler", guidance=3.0)
    assert isinstance(g, Generator) and g.deterministic
    assert type(g.pipe.scheduler).__name__ == "DDIMScheduler"
    a = g.generate("a red dog", 42, 30, seed=7)
    assert a.mode == "RGB" and a.size == (40, 32)
    b = g.generate("a red dog", 42, 30, seed=7)
    c = g.generate("a red dog", 42, 30, seed=8)
    assert np.array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(c))


def test_unknown_scheduler(tiny_sd_dir):
    with pytest.raises(BackendError, match="no scheduler named 'NoSuchScheduler'"):
        load("generator", f"diffusers:{tiny_sd_dir}", scheduler="NoSuchScheduler")


@pytest.mark.parametrize("provider", ["hf", "diffusers"])
def test_missing_local_dir(provider, tmp_path):
    role = "describer" if provider == "hf" else "generator"
    with pytest.raises(BackendError, match="does not exist; give the directory"):
        load(role, f"{provider}:{tmp_path / 'nope'}")


@pytest.mark.parametrize("provider", ["hf", "diffusers"])
def test_uncached_hub_model_offline(provider):
    role = "describer" if provider == "hf" else "generator"
    with pytest.raises(BackendError) as err:
        load(role, f"{provider}:semcodec-tests/no-such-model")
    msg = str(err.value)
    assert "not in the Hugging Face cache and HF_HUB_OFFLINE is set" in msg
    assert "`hf download semcodec-tests/no-such-model`" in msg and "\n" not in msg


def test_dir_that_is_not_a_model(tmp_path):
    (tmp_path / "junk.txt").write_text("hello")
    with pytest.raises(BackendError, match="check it holds a complete model"):
        load("generator", f"diffusers:{tmp_path}")


def test_bad_device_option(tiny_lm_dir):
    with pytest.raises(InputError, match="Bad option 'device'"):
        load("expander", f"hf:{tiny_lm_dir}", device="tpu")


@pytest.mark.cuda
def test_tiny_models_on_cuda(tiny_vlm_dir, tiny_lm_dir, tiny_sd_dir):
    d = load("describer", f"hf:{tiny_vlm_dir}", device="cuda", max_new_tokens=4)
    assert isinstance(d.describe(IMG, "describe this image"), str)
    assert isinstance(load("expander", f"hf:{tiny_lm_dir}", device="cuda", max_new_tokens=4).expand("th dg"), str)
    g = load("generator", f"diffusers:{tiny_sd_dir}", device="cuda", steps=2)
    a, b = (np.asarray(g.generate("a dog", 32, 32, seed=1)) for _ in range(2))
    assert np.array_equal(a, b)
    off = load("generator", f"diffusers:{tiny_sd_dir}", device="cuda", steps=2, cpu_offload=True)
    assert off.generate("a dog", 32, 32, seed=1).size == (32, 32)
