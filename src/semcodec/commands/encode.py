"""``semcodec encode``: an image (or a description) into a .smc file."""

from __future__ import annotations

from pathlib import Path

import click

from ..codec import Encoded
from ..errors import InputError
from ._common import encoding_options, info, parse_options, parse_size, print_json, write_atomic


def report(path: str, enc: Encoded) -> None:
    """The one-line summary of a written file, on stderr."""
    h = enc.header
    info(
        f"{path}: {len(enc.data)} bytes = {enc.file_bits} bits, {enc.ubpp:.1f} µbpp at {h.width}x{h.height} "
        f"(header {enc.header_bits} bits, {h.coder} text {enc.payload_bits} bits): {enc.text!r}"
    )


@click.command()
@click.argument("image", required=False, type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .smc file to write.")
@click.option("--ubpp", type=float, help="Budget in micro-bits per pixel of the original image (e.g. 100).")
@click.option("--max-bits", type=int, help="Budget for the whole file in bits (8 x bytes).")
@click.option("--text", help="Encode this description (skips the describer).")
@click.option("--text-file", type=click.Path(dir_okay=False), help="Encode the description in this UTF-8 file.")
@click.option("--size", help="Original image size WxH when no IMAGE is given (default 1024x1024).")
@click.option("--reflect", type=int, default=0, show_default=True, help="Reflection iterations (describe, compare, revise).")
@click.option("--seeds", type=int, default=1, show_default=True, help="Seeds to try; the best is stored in the file.")
@click.option("--quality-target", type=float, help="Smallest budget whose best candidate reaches this judge score.")
@click.option("--trace", type=click.Path(file_okay=False), help="Write the search's candidates, scores and images here.")
@encoding_options
@click.option("--json", "as_json", is_flag=True, help="Print the summary (rate, text, costs, search) as JSON on stdout.")
def encode(image, output, ubpp, max_bits, text, text_file, size, coder, strategy, preset, describer, text_model,
           judge, reflect, seeds, patience, describe_mode, quality_target, trace, seed, generator, generator_option, expander,
           device, dtype, cpu_offload, base_url, no_cache, as_json) -> None:
    """Encode IMAGE (or --text) into a .smc file of a few dozen bits."""
    from ..pipeline import Pipeline

    if text is not None and text_file is not None:
        raise InputError("give either --text or --text-file, not both")
    if text_file is not None:
        try:
            text = Path(text_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"cannot read the description in {text_file}: {e}") from e
    if image is None and text is None:
        raise InputError("give an IMAGE to encode, or a description with --text")
    if image is not None and size is not None:
        raise InputError("--size is for encoding a description without an image; the image has its own size")
    if seed < 0:
        raise InputError(f"--seed must be non-negative, not {seed}")
    pipeline = Pipeline(
        preset=preset, describer=describer, generator=generator,
        generator_settings=parse_options(generator_option, "--generator-option"), expander=expander,
        text_model=text_model, judge=judge, cache=not no_cache, device=device, dtype=dtype, cpu_offload=cpu_offload, base_url=base_url,
        brief=describe_mode == "brief",
    )
    result = pipeline.encode(
        image, text=text, size=parse_size(size) if size else None, coder=coder, max_bits=max_bits, ubpp=ubpp,
        strategy=strategy, seed=seed, reflect=reflect, seeds=seeds, patience=patience,
        quality_target=quality_target, trace=trace,
    )
    write_atomic(output, result.encoded.data)
    report(output, result.encoded)
    if as_json:
        print_json(result.summary())
