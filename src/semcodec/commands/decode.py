"""``semcodec decode``: a .smc file back into an image (or just its description)."""

from __future__ import annotations

from typing import Any

import click

from ..errors import InputError
from ._common import info, notes, print_json, printable
from .options import FAKES_HELP, model_options, models_config, runtime_config

#: The text chunk a dry run's decoded PNG carries.
DRY_RUN_MARK = "dry run: a placeholder painted by a fake generator, not the generator profile's image"


@click.command(epilog=FAKES_HELP)
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
    enc = decompress(read_smc(path), lm=kw.get("lm"))
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
    # A dry run's placeholder says so inside the file (a PNG text chunk), not only on the console.
    save_image(result.image, output, inputs=(path,), text={"semcodec": DRY_RUN_MARK} if models.dry_run else None)
    notes(result.notes)
    made_by = f"a dry run's placeholder for {result.profile.name}" if models.dry_run else result.profile.name
    info(f"{output}: {result.image.width}x{result.image.height} from {made_by} "
         f"(seed {enc.header.seed}): {result.prompt!r}")
    if as_json:
        print_json({**result.summary(), **({"dry_run": True} if models.dry_run else {})})
