"""``semcodec encode``: an image (or a description) into a .smc file."""

from __future__ import annotations

import click

from ..codec import Encoded, compress_text
from ..errors import InputError
from ..rate import STRATEGIES
from ._common import info, parse_size, print_json, write_atomic


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
@click.option("--text", help="Encode this description (skips the describer).")
@click.option("--text-file", type=click.Path(dir_okay=False), help="Encode the description in this UTF-8 file.")
@click.option("--size", help="Original image size WxH, when no image is given (default 1024x1024).")
@click.option("--coder", default="ngram", show_default=True, help="Text coder: ngram, consonant or raw.")
@click.option("--max-bits", type=int, help="Budget for the whole file in bits (8 x bytes).")
@click.option("--ubpp", type=float, help="Budget in micro-bits per pixel of the original image.")
@click.option("--strategy", type=click.Choice(STRATEGIES), default="truncate", show_default=True,
              help="How a description is cut to the budget.")
@click.option("--seed", type=int, default=0, show_default=True, help="Generator seed stored in the file.")
@click.option("--json", "as_json", is_flag=True, help="Print the file's summary as JSON on stdout.")
def encode(image, output, text, text_file, size, coder, max_bits, ubpp, strategy, seed, as_json) -> None:
    """Encode IMAGE (or --text) into a .smc file of a few dozen bits."""
    if text is not None and text_file is not None:
        raise InputError("give either --text or --text-file, not both")
    if text_file is not None:
        from pathlib import Path

        try:
            text = Path(text_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"cannot read the description in {text_file}: {e}") from e
    if image is None and text is None:
        raise InputError("give an IMAGE to encode, or a description with --text")
    if image is not None:
        raise InputError("image encoding needs the model pipeline, which this build does not include yet")
    width, height = parse_size(size) if size else (1024, 1024)
    if seed < 0:
        raise InputError(f"--seed must be non-negative, not {seed}")
    enc = compress_text(text, coder=coder, width=width, height=height, seed=seed,
                        max_bits=max_bits, ubpp=ubpp, strategy=strategy)
    write_atomic(output, enc.data)
    report(output, enc)
    if as_json:
        print_json(enc.summary())
