"""``semcodec decode``: a .smc file back into an image (or just its description)."""

from __future__ import annotations

from typing import Any

import click

from ..errors import InputError
from ._common import info, notes, print_json, printable
from .options import model_options, models_config, runtime_config


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="The image to write (PNG, or any format by extension; - for PNG on standard output).")
@click.option("--text-only", is_flag=True, help="Print the decoded (and, for consonant files, restored) text; no image.")
@model_options
@click.option("--json", "as_json", is_flag=True, help="Print the file's summary and the generator's prompt as JSON.")
def decode(path: str, output: str | None, text_only: bool, as_json: bool, **kw: Any) -> None:
    """Decode a .smc file into an image with the generator its header names."""
    from ..codec import decompress
    from ..fileio import read_smc
    from ..pipeline import ModelSet, decode as run
    from ..pipeline.steps import restore

    from ..fileio import STDOUT, check_output

    if output is None and not text_only:
        raise InputError("give -o OUT.png for the image, or --text-only to print the decoded text")
    if output == STDOUT and as_json:
        raise InputError("-o - writes the image to standard output, so --json cannot print there too; drop one")
    if output is not None and output != STDOUT and not text_only:
        check_output(output, (path,))  # before any model runs
    enc = decompress(read_smc(path))
    models = ModelSet(models_config(kw), runtime_config(kw))
    if text_only:
        prompt = restore(models, enc.text, enc.header.coder)
        if as_json:
            print_json({**enc.summary(), "prompt": prompt})
        else:
            click.echo(printable(prompt))  # control characters escaped; --json has the raw text
        return
    from ..imageio import save_image

    result = run(models, enc)
    save_image(result.image, output, inputs=(path,))
    notes(result.notes)
    info(f"{output}: {result.image.width}x{result.image.height} from {result.profile.name} "
         f"(seed {enc.header.seed}): {result.prompt!r}")
    if as_json:
        print_json(result.summary())
