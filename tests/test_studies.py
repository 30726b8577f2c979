"""The studies on tiny inputs: text (tiny random BERT), resolution, and the image studies with
fake models (which prove the machinery only; fake numbers mean nothing)."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from eval_helpers import FAKE, image_folder
from semcodec.codec import Budget
from semcodec.pipeline import RuntimeConfig
from semcodec.eval.config import EvalConfig
from semcodec.eval.studies import load_corpus, run_coders_study, run_reflection_study

DESCRIPTIONS = [
    "a red fox sits in the snow near a green tree under a blue sky",
    "a black dog runs on the grass of a park with a red ball",
    "the cat sleeps on a mat beside a window with white curtains",
    "a small blue boat floats on calm water at sunset with mountains behind",
    "two people walk along a sandy beach while waves roll in",
]
VOCAB = ("[PAD] [UNK] [CLS] [SEP] [MASK] a the red blue green cat dog fox on in snow grass sky mat tree "
         "near under with ##s").split()


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    """A 2-layer random BertModel with a locally written WordPiece vocabulary."""
    transformers = pytest.importorskip("transformers")
    import torch

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("bert")
    (path / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    transformers.BertTokenizer(str(path / "vocab.txt")).save_pretrained(path)
    config = transformers.BertConfig(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                     intermediate_size=37, max_position_embeddings=128)
    transformers.BertModel(config).save_pretrained(path)
    return str(path)


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps({"image/key": f"k{i}", "IIW-P5B": d}) + "\n" for i, d in enumerate(DESCRIPTIONS)))
    return path


def test_corpus_field_is_found_or_named(corpus, tmp_path):
    assert load_corpus(corpus) == ("IIW-P5B", DESCRIPTIONS)
    assert load_corpus(corpus, "IIW-P5B", limit=2)[1] == DESCRIPTIONS[:2]
    other = tmp_path / "o.jsonl"
    other.write_text(json.dumps({"id": "x", "caption": "a dog on grass", "long_text": "a much longer text about a dog"}) + "\n")
    assert load_corpus(other)[0] == "caption"  # a known field name wins over length


def test_text_study(tiny_bert, corpus, tmp_path, cli):
    code, out, err = cli("study", "text", "--corpus", corpus, "--embedding-model", tiny_bert, "--limit", "4",
                         "--device", "cpu", "-o", tmp_path / "out")
    assert code == 0, err
    docs = json.loads(out)
    assert json.loads((tmp_path / "out" / "text.json").read_text()) == docs
    assert (tmp_path / "out" / "text.png").read_bytes()[:4] == b"\x89PNG"
    assert sorted(d["name"] for d in docs) == sorted(f"{c} {s}" for c in ("raw", "consonant", "ngram") for s in ("content", "truncate", "select"))
    for d in docs:
        r = d["results"]
        assert r["setting"] == ["104 bits", "524 bits", "1048 bits", "full"]
        assert r["words_kept"][-1] == 1.0 and all(0 <= w <= 1 for w in r["words_kept"])
        assert all(fb is None or fb <= b for fb, b in zip(r["file_bits"], r["budget_bits"]) if b)
    raw = next(d for d in docs if d["name"] == "raw truncate")["results"]
    assert raw["bits_per_char"][-1] == pytest.approx(8.0, abs=0.1) and raw["similarity"][-1] == pytest.approx(1.0, abs=1e-5)
    assert "| ngram | select | 104 bits |" in err


def test_resolution_study(corpus, tmp_path, cli):
    code, out, err = cli("study", "resolution", "--corpus", corpus, "--coders", "ngram,raw", "-o", tmp_path)
    assert code == 0, err
    ngram = json.loads(out)[0]["results"]
    assert ngram["setting"][0] == "256x256" and ngram["setting"][-1] == "4096x4096"
    # The same text: (almost) the same bits at every size, so µbpp falls as 1/pixels.
    assert max(ngram["file_bits"]) - min(ngram["file_bits"]) <= 8
    assert ngram["ubpp"][0] / ngram["ubpp"][-1] == pytest.approx(256, rel=0.05)
    assert (tmp_path / "resolution.png").is_file()
    code, _, err = cli("study", "resolution", "--coders", "zip", "--text", "a dog", "-o", tmp_path)
    assert code != 0 and "unknown text coder" in err


def _bag_of_words(texts):
    """A stand-in sentence embedding: hashed bag of words, L2-normalised."""
    out = np.zeros((len(texts), 64))
    for i, t in enumerate(texts):
        for w in t.lower().split():
            out[i, hashlib.sha256(w.encode()).digest()[0] % 64] += 1
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def _config(tmp_path, n=2):
    return EvalConfig(dataset=str(image_folder(tmp_path, n)), budgets=(Budget(max_bits=300),), metrics=("psnr",),
                      **FAKE)


def test_bitrate_study_with_fake_models(tmp_path, cli):
    folder = image_folder(tmp_path, 1)
    code, out, err = cli("study", "bitrate", folder, "-o", tmp_path / "out", "--describer", "fake:x", "--generator",
                         "fake:x", "--metrics", "psnr", "--no-cache", "--quiet")
    # A 64x48 image holds a few bits at most at these rates: the records fail, the study says so and exits 8
    assert code == 8, err
    assert "0 done, 3 failed, 0 skipped" in err and "most common failure (" in err
    assert json.loads(out)[0]["results"]["setting"] == ["100 ubpp", "500 ubpp", "1000 ubpp"]
    assert (tmp_path / "out" / "bitrate.png").is_file() and (tmp_path / "out" / "bitrate" / "results.json").is_file()


def test_reflection_study_with_fake_models(tmp_path):
    docs = run_reflection_study(_config(tmp_path), tmp_path / "out", ks=(0, 1), ns=(1, 2), runtime=RuntimeConfig(cache=False), progress=False)
    assert [d["meta"]["study"] for d in docs] == [{"reflect": 0, "seeds": 1}, {"reflect": 1, "seeds": 1},
                                                  {"reflect": 0, "seeds": 2}]
    assert (tmp_path / "out" / "reflection.png").is_file()
    assert json.loads((tmp_path / "out" / "reflection.json").read_text())[1]["name"] == "semcodec ngram K=1"


def test_coders_study_with_fake_models(tmp_path):
    docs = run_coders_study(_config(tmp_path), tmp_path / "out", embed=_bag_of_words, runtime=RuntimeConfig(cache=False),
                            progress=False)
    assert [d["name"] for d in docs] == ["semcodec raw", "semcodec consonant", "semcodec ngram"]
    for d in docs:
        assert 0 < d["results"]["text_similarity"][0] <= 1 + 1e-9 and 0 < d["results"]["words_kept"][0] <= 1
    assert (tmp_path / "out" / "coders.png").is_file()
