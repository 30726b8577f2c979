"""The lm coder from the command line and the pipeline: --coder lm with --lm (a custom local
model), decode and inspect with the same model, refusals in one sentence, and a seed search."""

from __future__ import annotations

import json

from PIL import Image


def test_encode_decode_and_inspect_with_a_custom_lm(cli, tmp_path, tiny_causal_lm_dirs):
    model = str(tiny_causal_lm_dirs["llama"])
    smc = tmp_path / "a.smc"
    text = "A red fox sits in the snow."
    code, out, err = cli("encode", "--text", text, "--coder", "lm", "--lm", model, "--size", "768x512", "-o", smc,
                         "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["coder"], summary["prior"]) == ("lm", "lm-custom") and summary["text"] == text
    code, out, err = cli("decode", smc, "--text-only", "--lm", model)
    assert code == 0 and out.strip() == text, err
    code, out, err = cli("inspect", smc, "--json", "--lm", model)
    assert code == 0 and json.loads(out)["lm_hash"] == summary["lm_hash"], err
    # Without the model, one sentence naming what to give.
    code, _, err = cli("inspect", smc, "--json")
    assert code == 4 and "custom language model" in err and len(err.strip().splitlines()) == 1


def test_a_budget_and_a_seed_search_work_with_the_lm_coder(tmp_path, tiny_causal_lm_dirs):
    from semcodec.pipeline import Pipeline

    pipe = Pipeline(describer="fake:x", generator="fake:gen", judge="fake", cache=False,
                    lm=str(tiny_causal_lm_dirs["qwen2"]))
    image = Image.new("RGB", (64, 48), (200, 40, 40))
    result = pipe.encode(image, text="A red square on a white wall under a lamp", coder="lm", max_bits=400, seeds=2)
    enc = result.encoded
    assert enc.file_bits <= 400 and enc.header.coder == "lm" and len(result.search.candidates) >= 1
    assert pipe.decode(enc.data).prompt == enc.text


def test_the_lm_coder_without_its_model_is_one_sentence(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code, _, err = cli("encode", "--text", "a fox", "--coder", "lm", "-o", tmp_path / "a.smc")
    assert code == 4 and "language model" in err and "Traceback" not in err
    assert not (tmp_path / "a.smc").exists()
