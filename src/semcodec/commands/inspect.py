"""``semcodec inspect``: what is inside a .smc file."""

from __future__ import annotations

import click

from ..codec import decompress
from ._common import print_json, read_smc


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
def inspect(path: str, as_json: bool) -> None:
    """Show the header fields, decoded text, bits and rate of a .smc file."""
    summary = decompress(read_smc(path)).summary()
    if as_json:
        print_json(summary)
        return
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        click.echo(f"{key:<{width}}  {value}")
