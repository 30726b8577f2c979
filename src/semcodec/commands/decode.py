"""``semcodec decode``: a .smc file back into its description (and, with a generator, an image)."""

from __future__ import annotations

import click

from ..codec import decompress
from ._common import read_smc


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--text-only", is_flag=True, help="Print the decoded description instead of generating an image.")
def decode(path: str, text_only: bool) -> None:
    """Decode a .smc file."""
    enc = decompress(read_smc(path))
    click.echo(enc.text)
