"""Generator profiles, presets and prompts."""

from __future__ import annotations

import hashlib

import pytest
from PIL import Image

from semcodec.codec.ids import DEFAULT_PROFILE
from semcodec.errors import InputError
from semcodec.imageio import fit_to_size
from semcodec.models import presets, profiles, prompts
from semcodec.models.profiles import PROFILES, build_generator, custom_profile_hash, get_profile, resolve_profile

# Released ids and what they mean. This list only grows: a failure here means a released id was
# changed, which would make existing files decode with the wrong generator.
RELEASED = {
    1: ("sdxl", "diffusers:stabilityai/stable-diffusion-xl-base-1.0", 30, 5.0, "EulerDiscreteScheduler"),
    2: ("sdxl-turbo", "diffusers:stabilityai/sdxl-turbo", 4, 0.0, "EulerAncestralDiscreteScheduler"),
    3: ("ssd-1b", "diffusers:segmind/SSD-1B", 30, 5.0, "EulerDiscreteScheduler"),
    4: ("flux-schnell", "diffusers:black-forest-labs/FLUX.1-schnell", 4, 0.0, None),
    5: ("dall-e-3", "openai:dall-e-3", None, None, None),
    6: ("gpt-image-1", "openai:gpt-image-1", None, None, None),
}


def test_released_profiles_never_change():
    for pid, (name, gen, steps, guidance, scheduler) in RELEASED.items():
        p = PROFILES[pid]
        assert (p.id, p.name, p.generator, p.steps, p.guidance, p.scheduler) == (pid, name, gen, steps, guidance, scheduler)
    assert 0 not in PROFILES and DEFAULT_PROFILE == 1
    assert len({p.name for p in PROFILES.values()}) == len(PROFILES)


def test_profile_table_is_sane():
    for p in PROFILES.values():
        assert p.buckets and p.licence and p.memory and p.custom_hash is None
        assert all(w % 8 == 0 and h % 8 == 0 for w, h in p.buckets)
        areas = [w * h for w, h in p.buckets]
        if p.deterministic:  # hosted APIs have fixed sizes of their own
            assert max(areas) / min(areas) < 1.15  # about the same pixel count
        assert p.deterministic == p.generator.startswith("diffusers:")


def test_unknown_profile_id():
    with pytest.raises(InputError, match="Generator profile 999 is unknown"):
        get_profile(999)


@pytest.mark.parametrize(
    "size, bucket",
    [((1024, 1024), (1024, 1024)), ((4000, 3000), (1152, 896)), ((3000, 4000), (896, 1152)),
     ((1920, 1080), (1344, 768)), ((500, 2000), (640, 1536)), ((768, 512), (1216, 832))],
)
def test_render_size_is_the_bucket_of_the_nearest_aspect_ratio(size, bucket):
    assert get_profile(1).render_size(*size) == bucket


def test_render_size_rejects_empty_sizes():
    with pytest.raises(InputError):
        get_profile(1).render_size(0, 10)


def test_fit_to_size_covers_and_centre_crops():
    img = Image.new("RGB", (300, 100), "blue")
    img.paste((255, 0, 0), (100, 0, 200, 100))  # red middle third
    out = fit_to_size(img, 50, 50)
    assert out.size == (50, 50)
    assert out.getpixel((25, 25))[0] > 200 and out.getpixel((2, 25))[0] > 200  # only the middle kept
    assert fit_to_size(img, 300, 100).tobytes() == img.tobytes()


def test_custom_profile_hash_is_stable_and_canonical():
    h = custom_profile_hash("diffusers:org/model", {"steps": 20, "guidance": 7.5})
    assert h == custom_profile_hash("diffusers:org/model", {"guidance": 7.5, "steps": 20, "scheduler": None})
    assert h != custom_profile_hash("diffusers:org/model", {"steps": 21, "guidance": 7.5})
    assert 0 <= h < 2**32
    # Pinned: the hash is part of the file format. It is the first 4 bytes of this sha256:
    canon = b'{"generator":"diffusers:org/model","settings":{"guidance":7.5,"steps":20}}'
    assert h == int.from_bytes(hashlib.sha256(canon).digest()[:4], "big") == 0xA9EA63DE


def test_find_profile_matches_settings():
    p = get_profile(1)
    assert profiles.find_profile(p.generator, p.settings()) is p
    assert profiles.find_profile(p.generator, {**p.settings(), "steps": 31}) is None


def _loader(monkeypatch):
    seen = {}
    monkeypatch.setattr("semcodec.models.registry.load", lambda role, spec, **o: seen.update(role=role, spec=spec, **o))
    return seen


def test_every_pinned_setting_dtype_included_reaches_the_generators_loader(monkeypatch):
    seen = _loader(monkeypatch)
    monkeypatch.setattr("semcodec.models.profiles._on_cpu", lambda device: False)  # as on a GPU
    _, notes = build_generator(get_profile(1), {"device": "cuda", "base_url": "http://x"})
    assert seen == {"role": "generator", "spec": "diffusers:stabilityai/stable-diffusion-xl-base-1.0", "steps": 30,
                    "guidance": 5.0, "scheduler": "EulerDiscreteScheduler", "variant": "fp16", "dtype": "float16",
                    "device": "cuda"}  # base_url: the diffusers backend has no such option
    assert notes == []


def test_a_float16_profile_renders_in_float32_on_the_cpu_with_a_note(monkeypatch):
    seen = _loader(monkeypatch)
    _, notes = build_generator(get_profile(1), {"device": "cpu"})
    assert seen["dtype"] == "float32" and len(notes) == 1 and "does not run on the CPU" in notes[0]


def test_a_dtype_that_departs_from_the_profile_is_honoured_with_a_note(monkeypatch):
    seen = _loader(monkeypatch)
    _, notes = build_generator(get_profile(4), {"dtype": "float32"})
    assert seen["dtype"] == "float32"
    assert len(notes) == 1 and "profile 4 (flux-schnell) renders in bfloat16" in notes[0]


def test_resolve_profile_by_id_name_and_spec():
    assert resolve_profile(None).id == 1 and resolve_profile(None, default=5).id == 5
    assert resolve_profile("sdxl-turbo").id == 2 and resolve_profile("3").id == 3 and resolve_profile(6).id == 6
    p2 = get_profile(2)
    assert resolve_profile(p2.generator, p2.settings()) is p2  # a spec with exactly a profile's settings
    custom = resolve_profile("diffusers:stabilityai/sdxl-turbo", {"steps": 2})
    assert custom.id == 0 and custom.custom_hash == custom_profile_hash("diffusers:stabilityai/sdxl-turbo", {"steps": 2})
    assert custom.render_size(768, 512) == (768, 512) and custom.deterministic  # custom: the original size
    assert not resolve_profile("openai:some-image-model").deterministic  # as the backend class declares
    with pytest.raises(InputError, match="No generator profile named"):
        resolve_profile("no-such-profile")
    with pytest.raises(InputError, match="only be given with a generator spec"):
        resolve_profile("sdxl", {"steps": 3})


def test_transport_options_and_secrets_never_change_the_profile():
    plain = resolve_profile("openai:my-image-model", {"quality": "hd"})
    same = resolve_profile("openai:my-image-model", {"quality": "hd", "api_key": "sk-secret", "timeout": 5,
                                                     "max_retries": 1, "base_url": "http://127.0.0.1:1/v1"})
    assert same.custom_hash == plain.custom_hash and "sk-secret" not in repr(same)
    assert resolve_profile("gpt-image-1", {"api_key": "sk-x", "timeout": 9}).id == 6  # allowed with a profile


def test_presets():
    assert presets.get_preset("open").generator.startswith("diffusers:")
    assert presets.get_preset("open").expander == "ngram"
    paper = presets.get_preset("paper")
    assert paper.describer == "openai:gpt-4o" and paper.generator == "openai:dall-e-3"
    with pytest.raises(InputError, match="choose one of: open, paper"):
        presets.get_preset("fast")
    table = presets.model_table_markdown()
    assert "Qwen/Qwen2-VL-2B-Instruct" in table and "Apache-2.0" in table


def test_prompts_are_versioned_and_render():
    ids = [p.id for p in (prompts.DESCRIBE, prompts.EXPAND, prompts.SHORTEN, prompts.REVISE)]
    assert ids == ["describe-v2", "expand-v1", "shorten-v2", "revise-v1"]
    assert prompts.DESCRIBE_V1.id == "describe-v1" and prompts.SHORTEN_V1.id == "shorten-v1"  # old ids stay
    system, user = prompts.SHORTEN.render(max_words=12, description="a dog")
    assert "12 words" in user and "a dog" in user and system
    assert prompts.DESCRIBE.instruction().startswith("Describe this image")
    assert "{" not in prompts.REVISE.render(target="t", prompt="p", generated="g", max_words=30)[1]


def test_parse_revision():
    reply = "DIFFERENCES:\n- the dog is brown, not black\n* missing ball\nREVISED PROMPT: a brown dog with a red ball"
    assert prompts.parse_revision(reply) == (["the dog is brown, not black", "missing ball"], "a brown dog with a red ball")
    assert prompts.parse_revision("just a prompt") == ([], "just a prompt")
