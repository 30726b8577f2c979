#!/usr/bin/env python
"""Benchmark the encoder-side search: model calls and time per encode for reflection and seeds.

    PYTHONPATH=src:tests python benchmarks/bench_search.py [--quick] [--repeats N] [--patience P]

Prints Markdown tables to stdout, progress to stderr. One 64x48 synthetic image is encoded with
a fixed description (so the describer is called only to describe generated images) and
``max_bits=300``, for reflection K = 0..3 with N = 1 seed, and seed search N = 2, 4, 8 with
K = 0; one more row lets the describer describe the original (K = 2, N = 4). K = 0, N = 1 is
no search at all: the text is coded once, nothing is rendered.

Each cell runs with the test suite's tiny random models (tests/tiny_models.py; built in a
temporary directory at start) and with the scripted ``fake`` backends, whose model time is
nearly nothing, so what remains is the search's own work (rate control and coding of every
candidate, bookkeeping). Per cell: the calls the cost recorder counted per stage, the
reflection iterations actually run (the search stops once the score has not improved for
``patience`` iterations, default 1, so K = 3 may run fewer), the wall time, the seconds inside
model calls (sum of the recorder's stages, unrounded) and the rest (overhead). Times are medians
over the repeats; call counts are the same in every repeat (deterministic models), else marked.

A second table turns the calls into what an encode would request from a hosted API (counts,
no prices).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _tiny import (  # noqa: E402  (sets the offline environment before any HF import)
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

TEXT = "a red fox sitting in green grass under a blue sky"
MAX_BITS = 300
SIZE = (64, 48)
STAGES = ("describe", "revise", "generate", "judge")


@dataclass(frozen=True)
class Cell:
    reflect: int
    seeds: int
    describer: bool = False

    @property
    def label(self) -> str:
        return f"K={self.reflect}, N={self.seeds}" + (", describer" if self.describer else "")

    def upper_bound(self) -> dict[str, int]:
        """Calls with no early stop and no repeated file: iteration 0, K revisions, N-1 more seeds."""
        searching = self.reflect > 0 or self.seeds > 1
        renders = (1 + self.reflect + self.seeds - 1) if searching else 0
        return {"describe": int(self.describer) + self.reflect, "revise": self.reflect,
                "generate": renders, "judge": renders}


CELLS = ([Cell(k, 1) for k in range(4)] + [Cell(0, n) for n in (2, 4, 8)] + [Cell(2, 4, describer=True)])


@dataclass
class Measured:
    calls: dict[str, int]
    same_calls: bool
    candidates: int
    wall: float
    model: float
    overhead: float


def measure(pipe, cell: Cell, repeats: int, patience: int) -> Measured:
    image = sample_image(*SIZE)
    runs = []
    with exact_costs():
        for _ in range(repeats):
            result, wall = timed_call(lambda: pipe.encode(
                image, text=None if cell.describer else TEXT, max_bits=MAX_BITS, reflect=cell.reflect,
                seeds=cell.seeds, patience=patience))
            calls = {s: result.costs["stages"][s]["calls"] for s in STAGES}
            candidates = len(result.search.candidates) if result.search else 0
            runs.append((calls, candidates, wall, model_seconds(result.costs)))
    return Measured(
        calls=runs[0][0], same_calls=all(r[0] == runs[0][0] for r in runs), candidates=runs[0][1],
        wall=median([r[2] for r in runs]), model=median([r[3] for r in runs]),
        overhead=median([r[2] - r[3] for r in runs]),
    )


def run_cells(pipe, label: str, repeats: int, patience: int) -> dict[Cell, Measured]:
    pipe.encode(sample_image(*SIZE), max_bits=MAX_BITS, reflect=1, seeds=2)  # warm-up: first-use loads
    out = {}
    for cell in CELLS:
        log(f"{label} models: {cell.label}, {repeats} repeat(s) ...")
        out[cell] = measure(pipe, cell, repeats, patience)
    return out


def calls_table(results: dict[Cell, Measured], repeats: int) -> None:
    rows = []
    for cell, m in results.items():
        mark = "" if m.same_calls else " (varied)"
        rows.append((cell.label, *(m.calls[s] for s in STAGES), f"{m.calls['revise']} of {cell.reflect}{mark}",
                     m.candidates, ms(m.wall), ms(m.model), ms(m.overhead)))
    print_table(("search", "describe", "revise", "generate", "judge", "iterations run", "candidates",
                 f"wall ms (median of {repeats})", "in models ms", "overhead ms"), rows,
                right=[False] + [True] * 9)


def api_table(results: dict[Cell, Measured], patience: int) -> None:
    rows = []
    for cell, m in results.items():
        c, ub = m.calls, cell.upper_bound()
        requests = c["describe"] + c["revise"] + c["generate"]
        rows.append((cell.label, c["describe"], c["revise"], c["generate"], requests, c["judge"],
                     f"{ub['describe']} / {ub['revise']} / {ub['generate']}"))
    print_table(("search", "vision chat calls", "text chat calls", "images generated", "API requests",
                 "local judge calls", "most without early stop (vision / text / images)"), rows,
                right=[False] + [True] * 6)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one repeat per cell (for a smoke run)")
    ap.add_argument("--repeats", type=int, help="encodes per cell (default 10; --quick 1)")
    ap.add_argument("--patience", type=int, default=1, help="reflection patience (default 1, the pipeline's)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1; see _tiny.set_threads)")
    a = ap.parse_args(argv)
    repeats = a.repeats or (1 if a.quick else 10)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="semcodec-bench-") as tmp:
        log("building and loading the tiny models ...")
        models = TinyModels.build(Path(tmp))
        set_threads(a.threads)
        tiny = models.pipeline()
        load_models(tiny)
        results = {"tiny": run_cells(tiny, "tiny", repeats, a.patience),
                   "fake": run_cells(fake_pipeline(), "fake", repeats, a.patience)}

    print(f"## Encoder-side search: calls and time per encode (patience {a.patience})\n")
    print(f"Measured on {machine_line()}. Total run time {time.perf_counter() - started:.0f} s. "
          f"One {SIZE[0]}x{SIZE[1]} image, `max_bits={MAX_BITS}`, text \"{TEXT}\" unless the row says "
          "describer; K = reflection iterations asked for, N = seeds.\n")
    for label, what in (("tiny", "tiny random models (VLM, LM, 2-step SD at 64x48, CLIP judge)"),
                        ("fake", "fake models (the search's own overhead)")):
        print(f"### With {what}\n")
        calls_table(results[label], repeats)
    print("Calls per stage as the cost recorder counts them: describe = the describer (the original in "
          "the describer row, plus each reflection's generated image), revise = the text model, "
          "generate = a render of a candidate file, judge = a score against the original. Iterations run "
          "= revisions made (the search stops early when a revision does not beat the best so far). "
          "A candidate whose file equals an earlier one is not rendered again. In models = sum of the "
          "recorder's stage seconds; overhead = wall - in models (rate control and coding of every "
          "candidate, search bookkeeping), median over the repeats.\n")
    print("### What one encode would request from a hosted API (counts, not prices)\n")
    api_table(results["tiny"], a.patience)
    print("Counts from the tiny-model runs above: vision chat = one describe (one image in, text out), "
          "text chat = one revise, images = one text-to-image generation; the judge is a local CLIP model, "
          "not an API call. The last column is the most the search can ask for: the describer row's "
          "describe of the original, K revisions each with a describe of the best image so far, and "
          "1 + K + (N - 1) renders. Decoding costs one more image generation at the receiver, not counted. "
          "Seed search (N > 1) needs a seeded generator: semcodec refuses it for `openai:` image "
          "generation, which cannot be seeded, so with hosted images only the K rows apply.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
