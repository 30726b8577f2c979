"""The image pipeline end to end: fake models, tiny real models, and the local OpenAI server."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from semcodec.codec import decompress
from semcodec.errors import BudgetError, InputError
from semcodec.pipeline import EncodeConfig, ModelsConfig, Pipeline, RuntimeConfig


def photo(width: int = 96, height: int = 64, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    arr = np.stack([x * 255 // width, y * 255 // height, (x + y) % 256], -1) + rng.integers(0, 20, (height, width, 3))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def fake_pipeline(**kw) -> Pipeline:
    defaults = dict(describer="fake:vlm", generator="fake:gen", text_model="fake:llm", judge="fake", cache=False)
    return Pipeline(**{**defaults, **kw})


# -- configuration objects ----------------------------------------------------------------------
def test_config_objects_pickle_and_record_without_secrets():
    import pickle

    from semcodec.codec import Budget

    models = ModelsConfig(describer="fake:x", generator="openai:img", options={"generator": {"api_key": "sk-1234", "quality": "hd"}})
    encode = EncodeConfig(budget=Budget(ubpp=100), coder="consonant", seeds=3)
    runtime = RuntimeConfig(device="cpu", cache=False)
    for config in (models, encode, runtime):
        assert pickle.loads(pickle.dumps(config)) == config
    assert "sk-1234" not in json.dumps(models.to_dict()) and models.to_dict()["options"]["generator"] == {"quality": "hd"}
    assert encode.to_dict()["budget"] == "100 ubpp"
    for bad in (dict(seeds=0), dict(reflect=-1), dict(seed=2**64), dict(coder="zip"), dict(strategy="magic"),
                dict(quality_target=float("nan"), budget=Budget(max_bits=100)), dict(quality_target=0.5)):
        with pytest.raises(InputError):
            EncodeConfig(**bad)


# -- fake models --------------------------------------------------------------------------------
def test_encode_decode_round_trip_with_fakes():
    pipe = fake_pipeline()
    image = photo()
    result = pipe.encode(image, max_bits=200)
    enc = result.encoded
    assert enc.file_bits <= 200
    assert enc.header.width == 96 and enc.header.height == 64
    assert enc.header.profile == 0  # fake:gen is not in the profile table
    assert result.description.startswith("a mostly")
    assert result.costs["stages"]["describe"]["calls"] == 1

    dec = pipe.decode(enc.data)
    assert dec.image.size == (96, 64)
    assert dec.prompt == enc.text
    again = fake_pipeline().decode(enc.data)
    assert np.array_equal(np.asarray(dec.image), np.asarray(again.image))  # deterministic


def test_custom_generator_needs_its_spec_to_decode():
    enc = fake_pipeline().encode(photo(), text="a red fox in the snow").encoded
    with pytest.raises(InputError, match="custom generator"):
        Pipeline(cache=False).decode(enc.data)


def test_a_pipeline_with_a_custom_generator_decodes_its_own_files():
    pipe = fake_pipeline()  # generator="fake:gen": not in the table, so profile 0 with a hash
    result = pipe.encode(photo(), text="a red fox in the snow")
    assert result.encoded.header.profile == 0
    decoded = pipe.decode(result.encoded.data)
    assert decoded.image.size == (96, 64) and decoded.notes == []


def test_decoding_with_another_generator_is_noted_not_printed(capsys):
    enc = fake_pipeline().encode(photo(), text="a red fox").encoded
    other = fake_pipeline(generator="fake:other").decode(enc.data)
    assert len(other.notes) == 1 and "gives a different image" in other.notes[0]
    assert capsys.readouterr().err == ""  # library code returns notes; the CLI prints them


def test_word_target_counts_the_real_header_seed_included():
    from semcodec.codec.container import Header, header_bits
    from semcodec.pipeline.encode import plan
    from semcodec.codec import Budget

    models = Pipeline(cache=False).models  # default profile: an 8-bit header at 1024x1024
    def words(bits, coder="ngram", size=(1024, 1024), seed=0):
        return plan(models, EncodeConfig(budget=Budget(max_bits=bits), coder=coder, seed=seed), *size)[2]
    assert words(104) == (104 - 8) // 6 and words(104, "consonant") == (104 - 8) // 16
    assert words(39, size=(768, 512)) == (39 - 12) // 6
    assert words(104, seed=1000) == (104 - header_bits(Header(seed=1000))) // 6 < words(104)
    assert words(10, "raw") == 2  # never below two words
    assert plan(models, EncodeConfig(), 1024, 1024)[1:] == (None, None)


def test_text_without_image_uses_size():
    result = fake_pipeline().encode(text="a lighthouse at dusk", size=(768, 512), ubpp=1000)
    assert (result.encoded.header.width, result.encoded.header.height) == (768, 512)
    assert result.encoded.file_bits <= 393


def test_consonant_files_are_restored_before_generation():
    pipe = fake_pipeline()
    enc = pipe.encode(photo(), text="a dog on a beach at sunset", coder="consonant").encoded
    assert enc.text == "dg n bch t snst"
    dec = pipe.decode(enc.data)
    assert "dog" in dec.prompt and "beach" in dec.prompt


def test_rewrite_strategy_asks_the_text_model():
    long = "a very long description of a red fox sitting in deep snow " * 6
    result = fake_pipeline().encode(photo(), text=long, max_bits=120, strategy="rewrite")
    assert result.costs["stages"]["rewrite"]["calls"] == 1
    assert result.encoded.file_bits <= 120
    short = fake_pipeline().encode(photo(), text="a fox", max_bits=120, strategy="rewrite")
    assert short.costs["stages"].get("rewrite", {}).get("calls", 0) == 0  # asked only if needed
    assert short.encoded.coded_text == "a fox"


def test_search_with_fakes_keeps_best_and_writes_trace(tmp_path):
    pipe = fake_pipeline(judge="fake")
    result = pipe.encode(photo(), max_bits=300, reflect=2, seeds=4, trace=tmp_path / "trace")
    search = result.search
    assert search is not None and len(search.candidates) >= 4
    best = max(c.score for c in search.candidates)
    assert search.candidates[search.chosen].score == best
    assert result.encoded.file_bits <= 300
    assert result.encoded.header.seed == search.candidates[search.chosen].seed
    trace = json.loads((tmp_path / "trace" / "trace.json").read_text())
    assert trace["chosen"] == search.chosen
    assert (tmp_path / "trace" / "index.html").exists()
    # The search renders exactly what a decoder renders.
    decoded = pipe.decode(result.encoded.data).image
    assert np.array_equal(np.asarray(decoded), np.asarray(search.candidates[search.chosen].image))


def test_search_needs_an_image():
    with pytest.raises(InputError, match="image"):
        fake_pipeline().encode(text="a fox", seeds=4)


def test_budget_too_small():
    with pytest.raises(BudgetError):
        fake_pipeline().encode(photo(), text="a fox in the snow", max_bits=4)


# -- the CLI with fake models -------------------------------------------------------------------
def test_cli_encode_decode_image(cli, tmp_path):
    src = tmp_path / "in.png"
    photo(120, 80).save(src)
    smc = tmp_path / "a.smc"
    code, out, err = cli("encode", src, "-o", smc, "--describer", "fake:vlm", "--generator", "fake:gen",
                         "--max-bits", "160", "--no-cache", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["file_bits"] <= 160 and summary["width"] == 120 and "costs" in summary
    png = tmp_path / "out.png"
    code, out, err = cli("decode", smc, "-o", png, "--generator", "fake:gen", "--no-cache")
    assert code == 0, err
    assert Image.open(png).size == (120, 80)
    code, out, err = cli("decode", smc, "-o", png, "--no-cache")
    assert code != 0 and "custom generator" in err


def test_cli_bad_image(cli, tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image at all")
    code, _, err = cli("encode", bad, "-o", tmp_path / "a.smc", "--describer", "fake:vlm", "--no-cache")
    assert code != 0 and "Traceback" not in err and len(err.strip().splitlines()) == 1


# -- tiny real models ---------------------------------------------------------------------------
@pytest.fixture
def tiny_pipeline(tiny_vlm_dir, tiny_sd_dir, tiny_lm_dir, tiny_clip_dir):
    return Pipeline(
        describer=f"hf:{tiny_vlm_dir}", generator=f"diffusers:{tiny_sd_dir}",
        options={"generator": {"steps": 2, "guidance": 1.0}}, text_model=f"hf:{tiny_lm_dir}",
        judge=f"clip:{tiny_clip_dir}", cache=False, device="cpu",
    )


def test_tiny_models_end_to_end(tiny_pipeline):
    image = photo(64, 48)
    result = tiny_pipeline.encode(image, max_bits=400)
    assert result.encoded.file_bits <= 400
    dec = tiny_pipeline.decode(result.encoded.data)
    assert dec.image.size == (64, 48)
    again = tiny_pipeline.decode(result.encoded.data)
    assert np.array_equal(np.asarray(dec.image), np.asarray(again.image))


def test_tiny_models_reflection_and_seed_search(tiny_pipeline, tmp_path):
    result = tiny_pipeline.encode(photo(64, 48), text="a red fox sitting in green grass under a blue sky",
                                  max_bits=300, reflect=2, seeds=4, trace=tmp_path)
    search = result.search
    assert 2 <= len(search.candidates) <= 1 + 2 + 4
    assert search.candidates[search.chosen].score == max(c.score for c in search.candidates)
    stages = result.costs["stages"]
    assert stages["generate"]["calls"] >= 2 and stages["judge"]["calls"] >= 2
    assert decompress(result.encoded.data).header.seed == search.candidates[search.chosen].seed


# -- the OpenAI-compatible server ---------------------------------------------------------------
def test_paper_preset_through_local_openai_server(openai_server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-123456")
    pipe = Pipeline(preset="paper", cache=False, base_url=openai_server.url, judge="fake")
    result = pipe.encode(photo(), ubpp=20000)
    assert result.encoded.header.profile == 5  # dall-e-3
    assert result.encoded.file_bits <= int(20000 * 96 * 64 / 1e6)
    from semcodec.codec.container import Header, header_bits

    words = (int(20000 * 96 * 64 / 1e6) - header_bits(Header(profile=5, width=96, height=64))) // 6
    first = openai_server.requests[0].json["messages"][-1]["content"][0]["text"]
    assert f"Use at most {words} words." in first  # brief: as long as the budget holds
    describe = result.costs["stages"]["describe"]
    assert (describe["calls"], describe["tokens_in"], describe["tokens_out"]) == (1, 120, 30)
    dec = pipe.decode(result.encoded.data)
    assert dec.image.size == (96, 64)
    assert dec.costs["stages"]["generate"]["images"] == 1
    paths = [r.path for r in openai_server.requests]
    assert any(p.endswith("/chat/completions") for p in paths) and any(p.endswith("/images/generations") for p in paths)
    with pytest.raises(InputError, match="seed"):
        pipe.encode(photo(), ubpp=20000, seeds=4)


def test_uncached_model_with_unreachable_hub_fails_fast(monkeypatch):
    """No minutes of retries: one sentence naming the model and what to do."""
    import socket
    import time

    import huggingface_hub.constants

    from semcodec.models import load
    from semcodec.errors import BackendError

    with socket.socket() as s:  # a port on this machine that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", f"http://127.0.0.1:{port}")
    start = time.perf_counter()
    with pytest.raises(BackendError, match="semcodec-tests/no-such-model.*cannot be reached"):
        load("describer", "hf:semcodec-tests/no-such-model", device="cpu")
    assert time.perf_counter() - start < 10


@pytest.mark.cuda
def test_tiny_models_end_to_end_on_cuda(tiny_vlm_dir, tiny_sd_dir, tiny_lm_dir, tiny_clip_dir):
    """The device and dtype paths (bf16/fp16 on a GPU), not only the CPU path."""
    pipe = Pipeline(describer=f"hf:{tiny_vlm_dir}", generator=f"diffusers:{tiny_sd_dir}",
                    options={"generator": {"steps": 2, "guidance": 1.0}}, text_model=f"hf:{tiny_lm_dir}",
                    judge=f"clip:{tiny_clip_dir}", cache=False, device="cuda")
    result = pipe.encode(photo(64, 48), max_bits=300, reflect=1, seeds=2)
    assert result.encoded.file_bits <= 300
    first = pipe.decode(result.encoded.data)
    second = pipe.decode(result.encoded.data)
    assert first.image.size == (64, 48)
    assert np.array_equal(np.asarray(first.image), np.asarray(second.image))


def test_arrays_and_tensors_are_images_too():
    import torch

    pipe = fake_pipeline()
    array = np.asarray(photo())
    from_array = pipe.encode(array, max_bits=200).encoded
    assert (from_array.header.width, from_array.header.height) == (96, 64)
    tensor = torch.from_numpy(array).permute(2, 0, 1).float() / 255.0  # CHW in 0..1, as diffusers takes it
    assert pipe.encode(tensor, max_bits=200).encoded.data == from_array.data
    with pytest.raises(InputError, match="HxW or HxWx3"):
        pipe.encode(np.zeros((4, 5, 6, 7), np.uint8), max_bits=200)
    with pytest.raises(InputError, match="not int"):
        pipe.encode(3, max_bits=200)
