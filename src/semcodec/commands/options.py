"""The command-line options shared by the subcommands, and the one mapping from them to the
configuration objects (``ModelsConfig``, ``EncodeConfig``, ``RuntimeConfig``).

A command declares its options with the decorators below and receives them as ``**kw``; it
builds its configuration with ``models_config(kw)``, ``encode_config(kw, budget)`` and
``runtime_config(kw)``, so every command maps an option to a setting in the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ._common import parse_options

#: Strategy names for --strategy (kept here so that --help imports nothing but click).
STRATEGIES = ("content", "truncate", "select", "rewrite")

#: How to try semcodec without model weights (the epilog of the commands that run models).
FAKES_HELP = (
    "Without model weights: --dry-run runs every model as a scripted fake (a describer that names the "
    "image's colours, a generator that paints a gradient, a judge that compares pixels) while the files "
    "keep the header of the real generator profile, so rates are the real ones; every output says it is "
    "a dry run. Fakes can also play single roles: --describer fake:x, --text-model fake:x, --judge fake, "
    "and --generator fake:x (a custom generator: 33 more header bits than profile 1)."
)


def _apply(fn: Callable[..., Any], decorators: list[Callable[[Any], Any]]) -> Callable[..., Any]:
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def _role_option(role: str, help_name: str) -> Callable[[Any], Any]:
    flag = f"--{role.replace('_', '-')}-option"
    return click.option(flag, f"{role}_option", multiple=True, metavar="KEY=VALUE",
                        help=f"An option of the {help_name} (repeatable), e.g. timeout=30.")


def model_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Which models play each role, and where they run: every command that runs models."""
    return _apply(fn, [
        click.option("--preset", default="open", show_default=True, help="Default models: open (local) or paper (OpenAI API)."),
        click.option("--describer", help="Vision-language model spec, e.g. hf:Qwen/Qwen2-VL-2B-Instruct or openai:gpt-4o."),
        _role_option("describer", "describer"),
        click.option("--generator", help="Generator: a profile name or id (see docs) or a spec such as "
                     "diffusers:org/model; default: the preset's (decode: the file's)."),
        _role_option("generator", "generator (steps=4, guidance=0.0, scheduler=... for a custom spec)"),
        click.option("--text-model", help="LLM spec for --strategy rewrite and reflection revisions."),
        _role_option("text_model", "text model"),
        click.option("--expander", help="Restores consonant text: 'ngram' (offline, default) or an LLM spec."),
        click.option("--lm", help="The language model of --coder lm: an LM table name (smollm2-135m, "
                     "qwen2.5-0.5b), a Hub id or a local folder; a file coded with a custom one needs it to decode."),
        click.option("--judge", help="Judge spec for the search: clip[:MODEL] (default), siglip, dino, text[:MODEL], "
                     "vlm, or fake (pixel similarity, no model: for tests and dry runs)."),
        click.option("--device", help="Device for local models (cuda, mps, cpu); default: the best available."),
        click.option("--dtype", help="Dtype for local models (float16, bfloat16, float32); default: the profile's, else by device."),
        click.option("--cpu-offload", is_flag=True, help="Offload diffusers models to the CPU (small GPUs)."),
        click.option("--base-url", help="OpenAI-compatible server for openai: specs (vLLM, Ollama...); "
                     "default: OPENAI_BASE_URL or the OpenAI API."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the result cache."),
        click.option("--dry-run", is_flag=True, help="Try it without model weights: scripted fakes stand in for every "
                     "model, files keep the real generator profile's header (the real rates), and outputs say "
                     "they are a dry run."),
        click.option("--quiet", is_flag=True, help="No progress bars (shown on stderr when it is a terminal)."),
    ])


def encoding_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """How a description is made, fitted and searched: ``encode``, ``eval`` and ``study`` (plus
    ``model_options``)."""
    return model_options(_apply(fn, [
        click.option("--coder", default="ngram", show_default=True,
                     help="Text coder: ngram, consonant, raw, or lm (a causal language model, see --lm)."),
        click.option("--strategy", type=click.Choice(STRATEGIES), default="content", show_default=True,
                     help="How a description is cut to the budget: content (whole phrases, the most meaning "
                     "per bit), truncate (the longest prefix), select (drop function words first), rewrite "
                     "(the text model shortens it)."),
        click.option("--format-version", type=click.Choice(["1", "2"]), default="2", show_default=True,
                     help="The .smc format to write: 2 (ngram-v2 is the default prior) or 1 (as semcodec "
                     "wrote before ngram-v2; any release decodes both)."),
        click.option("--describe", "describe_mode", type=click.Choice(["brief", "full"]), default="brief", show_default=True,
                     help="Ask the describer for about as many words as the budget holds (brief), or for a full "
                     "description that rate control cuts (full)."),
        click.option("--seed", type=int, default=0, show_default=True, help="Generator seed stored in the file (without --seeds)."),
        click.option("--reflect", type=int, default=0, show_default=True, help="Reflection iterations (describe, compare, revise)."),
        click.option("--seeds", type=int, default=1, show_default=True, help="Seeds to try; the best is stored in the file."),
        click.option("--patience", type=int, default=1, show_default=True, help="Stop reflecting after this many iterations without gain."),
        click.option("--check-bits", type=click.Choice(["0", "4", "8", "16", "32"]), default="0", show_default=True,
                     help="Bits of CRC over the file (counted in the rate), for channels that can damage files."),
    ]))


def models_config(kw: dict[str, Any]) -> Any:
    """The ``ModelsConfig`` the options name."""
    from ..pipeline.config import ModelsConfig

    options = {role: parse_options(kw.get(f"{role}_option") or (), f"--{role.replace('_', '-')}-option")
               for role in ("describer", "generator", "text_model")}
    return ModelsConfig(
        preset=kw.get("preset") or "open", describer=kw.get("describer"), generator=kw.get("generator"),
        text_model=kw.get("text_model"), expander=kw.get("expander"), judge=kw.get("judge"), lm=kw.get("lm"),
        options={role: opts for role, opts in options.items() if opts}, dry_run=bool(kw.get("dry_run")),
    )


def runtime_config(kw: dict[str, Any]) -> Any:
    """The ``RuntimeConfig`` the options name."""
    from ..pipeline.config import RuntimeConfig
    from ..progress import stderr_is_terminal

    return RuntimeConfig(device=kw.get("device"), dtype=kw.get("dtype"), cpu_offload=bool(kw.get("cpu_offload")),
                         base_url=kw.get("base_url"), cache=not kw.get("no_cache"),
                         progress=not kw.get("quiet") and stderr_is_terminal())


def encode_config(kw: dict[str, Any], budget: Any = None, **override: Any) -> Any:
    """The ``EncodeConfig`` the options name, under ``budget`` (a ``Budget``; None: no budget)."""
    from ..codec.rate import Budget
    from ..pipeline.config import EncodeConfig

    values = dict(budget=budget or Budget(), coder=kw["coder"], strategy=kw["strategy"], describe=kw["describe_mode"],
                  seed=kw["seed"], reflect=kw["reflect"], seeds=kw["seeds"], patience=kw["patience"],
                  quality_target=kw.get("quality_target"), check_bits=int(kw.get("check_bits") or 0),
                  format_version=int(kw.get("format_version") or 2))
    return EncodeConfig(**{**values, **override})
