"""Generator profiles, presets and prompts."""

from __future__ import annotations

import hashlib

import pytest
from PIL import Image

from semcodec import presets, profiles, prompts
from semcodec.errors import InputError
from semcodec.profiles import PROFILES, bucket_for, custom_profile_hash, fit_to_size, get_profile

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
    assert 0 not in PROFILES and profiles.DEFAULT_PROFILE_ID == 1
    assert len({p.name for p in PROFILES.values()}) == len(PROFILES)


def test_profile_table_is_sane():
    for p in PROFILES.values():
        assert p.buckets and p.licence and p.memory
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
def test_bucket_for_picks_the_nearest_aspect_ratio(size, bucket):
    assert bucket_for(get_profile(1), *size) == bucket


def test_bucket_for_rejects_empty_sizes():
    with pytest.raises(InputError):
        bucket_for(get_profile(1), 0, 10)


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


def test_profile_load_uses_its_settings(monkeypatch):
    seen = {}
    monkeypatch.setattr("semcodec.backends.spec.load_generator", lambda spec, **o: seen.update(spec=spec, **o))
    get_profile(1).load(device="cpu", dtype="float32")
    assert seen == {"spec": "diffusers:stabilityai/stable-diffusion-xl-base-1.0", "steps": 30, "guidance": 5.0,
                    "scheduler": "EulerDiscreteScheduler", "variant": "fp16", "device": "cpu", "dtype": "float32"}


def test_presets():
    assert presets.get_preset("open").generator.startswith("diffusers:")
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
