"""``semcodec inspect``: what is inside a .smc file."""

from __future__ import annotations

import click

from ..codec import decompress
from ._common import print_json, read_smc


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--expander", help="For consonant files: restore the words with this expander ('ngram' or an LLM spec).")
def inspect(path: str, as_json: bool, expander: str | None) -> None:
    """Show the header fields, decoded text, bits and rate of a .smc file."""
    from ..profiles import PROFILES

    enc = decompress(read_smc(path))
    summary = enc.summary()
    summary["profile_name"] = PROFILES[enc.header.profile].name if enc.header.profile in PROFILES else "custom"
    if expander and enc.header.coder == "consonant":
        from ..pipeline import Pipeline

        summary["skeleton"] = enc.text
        summary["restored"] = Pipeline(expander=expander, cache=False).restore(enc.text, "consonant")
    if as_json:
        print_json(summary)
        return
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        click.echo(f"{key:<{width}}  {value}")
