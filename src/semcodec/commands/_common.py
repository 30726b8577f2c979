"""Helpers shared by the subcommands: reading and writing files, parsing option values."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from ..errors import InputError

#: A .smc file holds a description, not an image: anything this large is not one.
MAX_SMC_BYTES = 1 << 20


def read_smc(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a .smc file, or InputError naming the problem (missing, a folder, too large)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise InputError(f"{p} is a folder, not a .smc file")
        if size > MAX_SMC_BYTES:
            raise InputError(f"{p} is {size} bytes, far too large to be a .smc file")
        return p.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {p}: {e.strerror or e}") from e


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so a failure leaves no partial file."""
    p = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=p.parent if str(p.parent) else ".", prefix=f".{p.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, p)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise InputError(f"cannot write {p}: {e.strerror or e}") from e


def parse_size(value: str) -> tuple[int, int]:
    """Parse ``WxH`` (e.g. 1024x1024) into positive integers."""
    try:
        w, h = (int(v) for v in value.lower().replace("×", "x").split("x"))
    except ValueError:
        raise InputError(f"--size must look like 1024x768, not {value!r}") from None
    if w <= 0 or h <= 0 or w > 1 << 20 or h > 1 << 20:
        raise InputError(f"--size {value} is out of range (each side from 1 to 1048576 pixels)")
    return w, h


def print_json(obj: Any) -> None:
    """One JSON document on stdout."""
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2))


def info(message: str) -> None:
    """A progress or summary line for people: stderr, so stdout stays machine-readable."""
    print(message, file=sys.stderr, flush=True)


def _parse_value(text: str) -> Any:
    """``4`` -> 4, ``7.5`` -> 7.5, ``true`` -> True, anything else stays a string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_options(pairs: tuple[str, ...], flag: str) -> dict[str, Any]:
    """``("steps=4", "guidance=0")`` -> ``{"steps": 4, "guidance": 0}``."""
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{flag} takes KEY=VALUE, not {pair!r}")
        options[key.strip()] = _parse_value(value.strip())
    return options


def model_options(fn):
    """The options every command that runs models shares: generator, device, cache."""
    decorators = [
        click.option("--generator", help="Generator: a profile name or id (see docs) or a spec such as "
                     "diffusers:org/model; default: the preset's."),
        click.option("--generator-option", "generator_option", multiple=True, metavar="KEY=VALUE",
                     help="A setting of a custom generator spec (steps=4, guidance=0.0, scheduler=...)."),
        click.option("--expander", help="Restores consonant text: 'ngram' (offline, default) or an LLM spec."),
        click.option("--device", help="Device for local models (cuda, mps, cpu); default: the best available."),
        click.option("--dtype", help="Dtype for local models (float16, bfloat16, float32); default: by device."),
        click.option("--cpu-offload", is_flag=True, help="Offload diffusers models to the CPU (small GPUs)."),
        click.option("--base-url", help="OpenAI-compatible server for openai: specs (vLLM, Ollama...); "
                     "default: OPENAI_BASE_URL or the OpenAI API."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the result cache."),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def encoding_options(fn):
    """How a description is made, fitted and searched: shared by ``encode``, ``eval`` and ``study``
    (plus ``model_options``)."""
    from ..codec.rate import STRATEGIES

    decorators = [
        click.option("--coder", default="ngram", show_default=True, help="Text coder: ngram, consonant or raw."),
        click.option("--strategy", type=click.Choice([*STRATEGIES, "rewrite"]), default="truncate", show_default=True,
                     help="How a description is cut to the budget (rewrite asks the text model to shorten it)."),
        click.option("--preset", default="open", show_default=True, help="Default models: open (local) or paper (OpenAI API)."),
        click.option("--describer", help="Vision-language model spec, e.g. hf:Qwen/Qwen2-VL-2B-Instruct or openai:gpt-4o."),
        click.option("--text-model", help="LLM spec for --strategy rewrite and reflection revisions."),
        click.option("--judge", help="Judge spec for the search, e.g. clip:openai/clip-vit-base-patch32, text:..., vlm:..."),
        click.option("--patience", type=int, default=1, show_default=True, help="Stop reflecting after this many iterations without gain."),
        click.option("--describe", "describe_mode", type=click.Choice(["brief", "full"]), default="brief", show_default=True,
                     help="Ask the describer for about as many words as the budget holds (brief), or for a full "
                     "description that rate control cuts (full)."),
        click.option("--seed", type=int, default=0, show_default=True, help="Generator seed stored in the file (without --seeds)."),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return model_options(fn)
