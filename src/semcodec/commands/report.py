"""``semcodec report``: one self-contained HTML page of an eval run."""

from __future__ import annotations

import click

from ._common import info


@click.command("report")
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file to write.")
@click.option("--baselines", multiple=True, type=click.Path(dir_okay=False),
              help="Results JSON of semcodec bench (or other eval runs) to add to the curves and table (repeatable).")
@click.option("--data-dir", type=click.Path(file_okay=False), help="The dataset's folder, if it moved since the run.")
@click.option("--max-side", type=int, default=768, show_default=True, help="Show larger images scaled down to this many pixels.")
@click.option("--human", type=click.Path(dir_okay=False), help="human.json of semcodec study human: add the 2AFC study's results.")
def report(run_dir: str, output: str, baselines: tuple[str, ...], data_dir: str | None, max_side: int,
           human: str | None) -> None:
    """Write an HTML report of RUN_DIR (a semcodec eval -o directory): curves, table, image grids."""
    from ..deps import check
    from ..errors import InputError
    from ..eval.report import write_report

    check(("matplotlib", "imagecodecs"), "eval", "semcodec report")
    if max_side < 16:
        raise InputError(f"--max-side must be at least 16 pixels, not {max_side}")
    write_report(run_dir, output, baselines=list(baselines), data_dir=data_dir, max_side=max_side, human=human)
    info(f"semcodec: wrote {output} (images embedded as data URLs)")
