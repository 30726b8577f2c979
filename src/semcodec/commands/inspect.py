"""``semcodec inspect``: what is inside a .smc file."""

from __future__ import annotations

import click

from ._common import print_json, printable


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print semcodec.inspect()'s dict as one JSON object instead of a table.")
@click.option("--expander", help="For consonant files: also restore the words with this expander ('ngram' or an LLM spec).")
@click.option("--lm", help="For lm files coded with a custom language model: the model (a Hub id or a folder).")
def inspect(path: str, as_json: bool, expander: str | None, lm: str | None) -> None:
    """Show the header fields, decoded text, bits and rate of a .smc file."""
    from ..codec import decompress
    from ..fileio import read_smc

    enc = decompress(read_smc(path), lm=lm)
    summary = enc.summary()
    if expander and enc.header.coder == "consonant":
        from ..pipeline import ModelSet, ModelsConfig, RuntimeConfig
        from ..pipeline.steps import restore

        summary["restored"] = restore(ModelSet(ModelsConfig(expander=expander), RuntimeConfig(cache=False)),
                                      enc.text, "consonant")
    if as_json:
        print_json(summary)
        return
    from ..models.profiles import PROFILES

    profile = PROFILES.get(enc.header.profile)
    rows = {**summary, "profile": f"{enc.header.profile} ({profile.name if profile else 'custom'})"}
    width = max(len(k) for k in rows)
    for key, value in rows.items():  # control characters escaped; --json has the raw text
        click.echo(f"{key:<{width}}  {printable(str(value))}")
