"""``semcodec plot``: rate-quality curves from ``semcodec eval`` and ``semcodec bench`` results."""

from __future__ import annotations

import click

from ._common import info


@click.command("plot")
@click.argument("results", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The figure (.png, .svg or .pdf).")
@click.option("--metric", "metrics", multiple=True, help="Plot only this metric (repeatable; default: every metric present).")
def plot(results: tuple[str, ...], output: str, metrics: tuple[str, ...]) -> None:
    """Plot quality against rate for RESULTS.json files or folders of them (any mix of eval and
    bench results; a partial eval run plots what it has)."""
    from ..deps import check
    from ..eval.plot import load_documents, rate_quality_figure, save_figure

    check(("matplotlib",), "eval", "semcodec plot")
    docs = load_documents(list(results))
    save_figure(rate_quality_figure(docs, [m.lower() for m in metrics] or None), output)
    info(f"semcodec: wrote {output} ({len(docs)} result sets)")
