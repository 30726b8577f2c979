"""``semcodec decode``: a .smc file back into an image (or just its description)."""

from __future__ import annotations

import click

from ..errors import InputError
from ._common import info, model_options, parse_options, print_json, read_smc


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="The image to write (PNG, or any format by extension).")
@click.option("--text-only", is_flag=True, help="Print the decoded (and, for consonant files, restored) text; no image.")
@model_options
@click.option("--json", "as_json", is_flag=True, help="Print the file's summary and the generator's prompt as JSON.")
def decode(path, output, text_only, generator, generator_option, expander, device, dtype, cpu_offload, base_url, no_cache,
           as_json) -> None:
    """Decode a .smc file into an image with the generator its header names."""
    from ..codec import decompress
    from ..pipeline import Pipeline

    if output is None and not text_only:
        raise InputError("give -o OUT.png for the image, or --text-only to print the decoded text")
    enc = decompress(read_smc(path))
    pipeline = Pipeline(expander=expander, cache=not no_cache, device=device, dtype=dtype, cpu_offload=cpu_offload, base_url=base_url)
    if text_only:
        prompt = pipeline.restore(enc.text, enc.header.coder)
        click.echo(prompt)
        if as_json:
            print_json({**enc.summary(), "prompt": prompt})
        return
    from ..imageio import save_image

    result = pipeline.decode(enc, generator=generator,
                             generator_settings=parse_options(generator_option, "--generator-option"))
    save_image(result.image, output)
    info(f"{output}: {result.image.width}x{result.image.height} from {result.generator.name} "
         f"(seed {enc.header.seed}): {result.prompt!r}")
    if as_json:
        print_json({**enc.summary(), "prompt": result.prompt, "generator": result.generator.name,
                    "costs": result.costs})
