#!/usr/bin/env python
"""Benchmark the image pipeline itself: start-up, overhead beyond the models, memory, model loads.

    PYTHONPATH=src:tests python benchmarks/bench_pipeline.py [--quick] [--images N] [--runs N]

Prints Markdown tables to stdout, progress to stderr. Models are the test suite's tiny random
ones (tests/tiny_models.py), built in a temporary directory at start, and the scripted ``fake``
backends; every number is a median over the stated N.

- **Start-up**: wall time of ``python -m semcodec --help`` in a fresh process, against a bare
  ``python -c pass``, and which heavy libraries (torch, transformers, diffusers, openai, numpy)
  that process imported (it should import none).
- **Overhead**: per image, the wall time of ``Pipeline.encode`` (describer, ``max_bits=300``,
  no search) and ``Pipeline.decode`` minus the seconds its cost recorder counted inside model
  calls (all stages; unrounded). With the fakes, model time is nearly nothing, so the wall time
  is nearly all pipeline. One untimed encode and decode first (first-use loads: models, prior).
- **Memory**: in fresh processes that import, load the four tiny models, encode one 64x48 image
  and decode it, then decode at 256x192: the process's peak resident set size
  (``getrusage(RUSAGE_SELF).ru_maxrss``, a high-water mark, so each phase includes the ones
  before), and in a separate process the Python-level peak of each encode/decode alone
  (``tracemalloc``; it does not see torch's tensor memory, which bypasses Python's allocator).
- **Model load**: one-time import and load seconds of the tiny models in those fresh processes.

The tiny generator is a Stable Diffusion pipeline whose VAE downsamples only 2x, so its UNet
self-attention grows with the fourth power of the side: a 768x512 decode took 36 s on one core
(2.3 s at 384x256). Tiny-model rows therefore use 64x48 and 256x192; the fakes also run at 768x512.

torch runs on one thread by default (``--threads``): see ``_tiny.set_threads``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _tiny import (  # noqa: E402  (sets the offline environment before any HF import)
    ROOT,
    TinyModels,
    exact_costs,
    fake_pipeline,
    load_models,
    log,
    machine_line,
    median,
    model_seconds,
    ms,
    print_table,
    sample_image,
    set_threads,
    timed_call,
)

HEAVY = ("torch", "transformers", "diffusers", "openai", "numpy")
MAX_BITS = 300


# -- start-up -------------------------------------------------------------------------------------
def _subprocess_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def wall_of(cmd: list[str], runs: int) -> float:
    """Median wall seconds of running ``cmd`` to completion."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=_subprocess_env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return median(times)


def heavy_imports_of_help() -> tuple[list[str], int]:
    """(heavy libraries imported by ``semcodec --help``, number of modules loaded in all)."""
    code = (
        "import runpy, sys\n"
        "sys.argv = ['semcodec', '--help']\n"
        "try:\n    runpy.run_module('semcodec', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print('@@', ','.join(m for m in {HEAVY!r} if m in sys.modules), len(sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=_subprocess_env(), check=True, capture_output=True,
                         text=True).stdout
    _, heavy, count = out.strip().splitlines()[-1].split(" ")
    return [m for m in heavy.split(",") if m], int(count)


def startup(runs: int) -> list[tuple[str, str]]:
    log(f"start-up: semcodec --help and bare python, {runs} runs each ...")
    help_s = wall_of([sys.executable, "-m", "semcodec", "--help"], runs)
    bare_s = wall_of([sys.executable, "-c", "pass"], runs)
    heavy, modules = heavy_imports_of_help()
    return [
        (f"`python -m semcodec --help`, fresh process (median of {runs})", f"{ms(help_s)} ms"),
        (f"bare `python -c pass` (median of {runs})", f"{ms(bare_s)} ms"),
        ("semcodec's share (difference)", f"{ms(help_s - bare_s)} ms"),
        (f"heavy libraries imported by `--help` (of {', '.join(HEAVY)})", ", ".join(heavy) or "none"),
        ("modules in `sys.modules` after `--help`", str(modules)),
    ]


# -- overhead -------------------------------------------------------------------------------------
def overhead_rows(pipe, label: str, size: tuple[int, int], n: int) -> list[tuple]:
    """One table row: medians over ``n`` images of encode/decode wall, model and overhead ms."""
    w, h = size
    pipe.decode(pipe.encode(sample_image(w, h, 99), max_bits=MAX_BITS).encoded.data)  # warm-up
    enc_wall, enc_model, dec_wall, dec_model, chars = [], [], [], [], []
    with exact_costs():
        for i in range(n):
            image = sample_image(w, h, i)
            result, wall = timed_call(lambda: pipe.encode(image, max_bits=MAX_BITS))
            enc_wall.append(wall)
            enc_model.append(model_seconds(result.costs))
            chars.append(len(result.description))
            decoded, wall = timed_call(lambda: pipe.decode(result.encoded.data))
            dec_wall.append(wall)
            dec_model.append(model_seconds(decoded.costs))
    enc_over = [a - b for a, b in zip(enc_wall, enc_model)]
    dec_over = [a - b for a, b in zip(dec_wall, dec_model)]
    return [(label, f"{w}x{h}", n, f"{median(chars):.0f}",
             ms(median(enc_wall)), ms(median(enc_model)), ms(median(enc_over)), ms(max(enc_over)),
             ms(median(dec_wall)), ms(median(dec_model)), ms(median(dec_over)), ms(max(dec_over)))]


# -- memory and load time, in fresh processes -----------------------------------------------------
def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(models_dir: Path, trace: bool, threads: int) -> dict:
    """Run in a fresh process: phases of import, load, encode, decode; peak RSS after each."""
    import tracemalloc

    rss = {"Python + semcodec.pipeline imported": _maxrss_mib()}
    _, imports = timed_call(lambda: [__import__(m) for m in ("torch", "transformers", "diffusers")])
    set_threads(threads)
    rss["+ torch, transformers, diffusers imported"] = _maxrss_mib()
    pipe = TinyModels.at(models_dir).pipeline()
    loads = load_models(pipe)
    rss["+ 4 tiny models loaded"] = _maxrss_mib()
    python_peak = {}

    def phase(name, fn):
        if trace:
            tracemalloc.reset_peak()
        out = fn()
        rss[name] = _maxrss_mib()
        if trace:
            python_peak[name] = tracemalloc.get_traced_memory()[1] / 2**20
        return out

    if trace:
        tracemalloc.start()
    enc = phase("+ encode 64x48 (describer)", lambda: pipe.encode(sample_image(64, 48), max_bits=MAX_BITS))
    phase("+ decode 64x48", lambda: pipe.decode(enc.encoded.data))
    big = pipe.encode(text="a red fox", size=(256, 192)).encoded.data
    phase("+ decode 256x192", lambda: pipe.decode(big))
    return {"rss_mib": rss, "python_peak_mib": python_peak, "import_s": imports, "load_s": loads}


def run_child(models_dir: Path, trace: bool, threads: int) -> dict:
    # Linux carries a process's ru_maxrss over fork and exec: a child forked from a parent that
    # holds torch would report the parent's size. So the parent starts these children before it
    # imports torch (the models are built in a subprocess too).
    cmd = [sys.executable, __file__, "--child", str(models_dir), "--threads", str(threads)]
    cmd += ["--trace"] if trace else []
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
    return json.loads(out.stdout.strip().splitlines()[-1])


def memory_and_load(models_dir: Path, runs: int, threads: int) -> tuple[list[tuple], list[tuple]]:
    log(f"memory and load time: {runs} fresh process(es), then 1 with tracemalloc ...")
    results = [run_child(models_dir, False, threads) for _ in range(runs)]
    traced = run_child(models_dir, True, threads)
    mem_rows, prev = [], 0.0
    for phase in results[0]["rss_mib"]:
        peak = median([r["rss_mib"][phase] for r in results])
        py = traced["python_peak_mib"].get(phase)
        step = f"{peak - prev:+.0f}" if prev else ""
        mem_rows.append((phase, f"{peak:.0f}", step, "" if py is None else f"{py:.1f}"))
        prev = peak
    load_rows = [("import torch, transformers, diffusers", ms(median([r["import_s"] for r in results])))]
    for model in results[0]["load_s"]:
        load_rows.append((f"load {model}", ms(median([r["load_s"][model] for r in results]))))
    load_rows.append(("all four models", ms(median([sum(r["load_s"].values()) for r in results]))))
    return mem_rows, load_rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats (for a smoke run)")
    ap.add_argument("--images", type=int, help="images per overhead row (default 20; --quick 4)")
    ap.add_argument("--runs", type=int, help="fresh processes for start-up (default 10) and memory (default 3)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1; see _tiny.set_threads)")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(child(a.child, a.trace, a.threads)))
        return 0
    images = a.images or (4 if a.quick else 20)
    startup_runs = a.runs or (3 if a.quick else 10)
    memory_runs = a.runs or (1 if a.quick else 3)
    started = time.perf_counter()

    startup_rows = startup(startup_runs)
    with tempfile.TemporaryDirectory(prefix="semcodec-bench-") as tmp:
        log("building the tiny models (in a subprocess, see run_child) ...")
        build = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); from pathlib import Path; "
                 f"from _tiny import TinyModels; TinyModels.build(Path({tmp!r}))")
        subprocess.run([sys.executable, "-c", build], check=True, stdout=subprocess.DEVNULL)
        mem_rows, load_rows = memory_and_load(Path(tmp), memory_runs, a.threads)
        models = TinyModels.at(Path(tmp))
        set_threads(a.threads)
        tiny = models.pipeline()
        load_models(tiny)
        rows = []
        for label, pipe, sizes in (("fake", fake_pipeline(), ((64, 48, images), (768, 512, images))),
                                   ("tiny", tiny, ((64, 48, images), (256, 192, images)))):
            for w, h, n in sizes:
                log(f"overhead: {label} models, {n} images of {w}x{h} ...")
                rows += overhead_rows(pipe, label, (w, h), n)

    print("## Pipeline: start-up, overhead, memory, model load\n")
    print(f"Measured on {machine_line()}. Total run time {time.perf_counter() - started:.0f} s.\n")
    print("### Start-up\n")
    print_table(("measure", "value"), startup_rows)
    print("### Overhead per image beyond the model calls (ms)\n")
    print_table(("models", "size", "N", "description chars",
                 "encode wall", "encode in models", "encode overhead", "(max)",
                 "decode wall", "decode in models", "decode overhead", "(max)"), rows,
                right=[False, False] + [True] * 10)
    print(f"Medians over N images (each a different synthetic image). Encode: describer on the image, "
          f"`max_bits={MAX_BITS}`, ngram coder, no search. Decode: the file's generator (custom profile). "
          "In models = the cost recorder's stage seconds (describe / generate / expand), unrounded; "
          "the generate stage includes fitting the image to the original size. Overhead = wall - in "
          "models, per image, then the median; (max) is the largest over the N images. Fake models do "
          "real but small work (resize to 1x1, paint a gradient). Encode overhead grows with the length "
          "of the description (median characters shown): rate control codes it several times while "
          "fitting it to the budget.\n")
    print("### Peak memory (tiny models, fresh process)\n")
    print_table(("phase (cumulative)", "max RSS, MiB", "step", "Python peak of the step alone, MiB"), mem_rows)
    print(f"max RSS: `getrusage(RUSAGE_SELF).ru_maxrss`, a high-water mark of the whole process (median of "
          f"{memory_runs} process(es)); step = increase over the phase before. Python peak: `tracemalloc` "
          "peak during that encode or decode alone, in one further process; it counts Python and numpy "
          "allocations but not torch tensor storage.\n")
    print("### One-time model load (tiny models, fresh process, files in the page cache)\n")
    print_table(("step", "ms"), load_rows)
    print(f"Median of {memory_runs} process(es). A model's first load also imports its transformers/diffusers "
          "submodules. Per-image times above exclude all of this.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
