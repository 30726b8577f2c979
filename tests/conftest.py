"""Shared test fixtures.

The suite runs offline: the Hugging Face Hub is switched off before any HF library is imported,
real API keys and servers in the environment are hidden, and models are tiny random ones built
locally (tests/tiny_models.py). Tests marked ``cuda`` are skipped without a CUDA GPU.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Before huggingface_hub is imported anywhere: it reads these once, at import.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

import pytest  # noqa: E402

SRC = Path(__file__).resolve().parents[1] / "src"


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if any("cuda" in item.keywords for item in items) and not _cuda_available():
        skip = pytest.mark.skip(reason="needs a CUDA GPU")
        for item in items:
            if "cuda" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No real API key, key file, server or user cache leaks into a test."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.getbasetemp() / "home"
    monkeypatch.setenv("SEMCODEC_OPENAI_KEY_FILE", str(home / "no_such_key_file"))
    monkeypatch.setenv("SEMCODEC_CACHE", str(home / "cache.sqlite"))


@pytest.fixture(scope="session")
def tiny_models_dir(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("tiny_models")


@pytest.fixture(scope="session")
def tiny_vlm_dir(tiny_models_dir):
    """A saved tiny LLaVA chat VLM (CLIP vision + Llama text, word-level tokenizer)."""
    from tiny_models import save_tiny_vlm

    return save_tiny_vlm(tiny_models_dir / "vlm")


@pytest.fixture(scope="session")
def tiny_lm_dir(tiny_models_dir):
    """A saved tiny Llama chat LM with a chat template."""
    from tiny_models import save_tiny_lm

    return save_tiny_lm(tiny_models_dir / "lm")


@pytest.fixture(scope="session")
def tiny_causal_lm_dirs(tiny_models_dir):
    """Saved tiny LlamaForCausalLM and Qwen2ForCausalLM with deterministic weights and a
    byte-level BPE tokenizer (tests/tiny_lm.py), keyed "llama" and "qwen2"."""
    from tiny_lm import save_tiny_causal_lm

    return {kind: save_tiny_causal_lm(tiny_models_dir / f"causal-{kind}", kind) for kind in ("llama", "qwen2")}


@pytest.fixture(scope="session")
def tiny_int_lms(tiny_causal_lm_dirs):
    """The two tiny LMs loaded as integer ``LanguageModel``s (the lm coder's models)."""
    from semcodec.models.lm import load_model

    return {kind: load_model(str(path)) for kind, path in tiny_causal_lm_dirs.items()}


@pytest.fixture
def one_thread():
    """Run torch on one thread (tiny products are slower on two threads of a busy machine)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_sd_dir(tiny_models_dir):
    """A saved tiny Stable Diffusion pipeline."""
    from tiny_models import save_tiny_sd

    return save_tiny_sd(tiny_models_dir / "sd")


@pytest.fixture(scope="session")
def _openai_server():
    from openai_server import FakeOpenAIServer

    server = FakeOpenAIServer().start()
    yield server
    server.stop()


@pytest.fixture
def openai_server(_openai_server):
    """The local OpenAI-compatible server, its script and request log reset for each test."""
    _openai_server.reset()
    yield _openai_server
    _openai_server.reset()


@pytest.fixture
def fresh_backends():
    """Forget loaded models before and after a test that must load its own."""
    from semcodec.models import unload_all

    unload_all()
    yield
    unload_all()


@pytest.fixture
def cli(capsys):
    """Run ``semcodec ARGS`` in-process; returns (exit code, stdout, stderr)."""
    from semcodec.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def run_fresh(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m semcodec ARGS`` in a new interpreter (nothing cached from this one)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "semcodec", *map(str, args)],
        capture_output=True, text=True, env=env, timeout=120, **kwargs,
    )


@pytest.fixture
def fresh():
    """``run_fresh`` as a fixture."""
    return run_fresh


def synthetic_image(height: int = 128, width: int = 192, seed: int = 0):
    """A deterministic RGB uint8 array with gradients, edges and mild noise (compresses like a photo)."""
    import numpy as np

    y, x = np.mgrid[0:height, 0:width]
    rng = np.random.default_rng(seed)
    img = np.stack([x * 255 / max(width - 1, 1), (y * 2) % 256, ((x + y) * 3) % 256], axis=-1)
    img = img + rng.normal(0, 8, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.fixture
def image():
    """``synthetic_image()`` as a fixture."""
    return synthetic_image()


@pytest.fixture(scope="session")
def tiny_clip_dir(tiny_models_dir):
    """A saved tiny random CLIP model (for the CLIP judge and metric)."""
    import torch
    from tiny_models import save_tiny_clip

    torch.manual_seed(0)
    save_tiny_clip(tiny_models_dir / "clip")
    return tiny_models_dir / "clip"


# Ray (tests marked ``ray``): one local cluster for the whole session, on loopback only. Ray
# reads this variable when it is imported: it then binds a new node to 127.0.0.1, not to the
# machine's network address.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


@pytest.fixture(scope="session")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory):
    """A 2-CPU local Ray cluster shared by every Ray test; its workers see the test environment
    (no user cache or key, the tests' helpers importable)."""
    ray = pytest.importorskip("ray")
    home = tmp_path_factory.mktemp("ray-home")
    env = {"SEMCODEC_CACHE": str(home / "cache.sqlite"), "SEMCODEC_OPENAI_KEY_FILE": str(home / "no_key"),
           "PYTHONPATH": os.pathsep.join([str(SRC), str(Path(__file__).parent)]),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning",
             object_store_memory=100 << 20, runtime_env={"env_vars": env})
    yield ray
    ray.shutdown()
