"""``semcodec encode``: an image (or a description) into a .smc file."""

from __future__ import annotations

from typing import Any

import click

from ..errors import InputError
from ._common import info, notes, parse_size, print_json
from .options import FAKES_HELP, encode_config, encoding_options, models_config, runtime_config


def report(path: str, enc: Any) -> None:
    """The one-line summary of a written file, on stderr."""
    h = enc.header
    info(
        f"{path}: {len(enc.data)} bytes = {enc.file_bits} bits, {enc.ubpp:.1f} µbpp at {h.width}x{h.height} "
        f"(header {enc.header_bits} bits, {h.coder} text {enc.payload_bits} bits): {enc.text!r}"
    )


def _description(text: str | None, text_file: str | None) -> str | None:
    if text is not None and text_file is not None:
        raise InputError("give either --text or --text-file, not both")
    if text_file is None:
        return text
    from ..fileio import read_text
    from ..limits import MAX_TEXT_FILE_BYTES

    return read_text(text_file, MAX_TEXT_FILE_BYTES, "description file")


@click.command(epilog=FAKES_HELP)
@click.argument("image", required=False, type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .smc file to write (- for standard output).")
@click.option("--ubpp", type=float, help="Budget in micro-bits per pixel of the original image (e.g. 100).")
@click.option("--max-bits", type=int, help="Budget for the whole file in bits (8 x bytes).")
@click.option("--text", help="Encode this description (skips the describer).")
@click.option("--text-file", type=click.Path(dir_okay=False), help="Encode the description in this UTF-8 file.")
@click.option("--size", help="Original image size WxH when no IMAGE is given (default 1024x1024).")
@click.option("--quality-target", type=float, help="Smallest budget whose best candidate reaches this judge score.")
@click.option("--trace", type=click.Path(file_okay=False), help="Write the search's candidates, scores and images here.")
@encoding_options
@click.option("--json", "as_json", is_flag=True, help="Print the summary (rate, text, costs, search) as JSON on stdout.")
def encode(image: str | None, output: str, ubpp: float | None, max_bits: int | None, text: str | None,
           text_file: str | None, size: str | None, trace: str | None, as_json: bool, **kw: Any) -> None:
    """Encode IMAGE (or --text) into a .smc file of a few dozen bits."""
    from ..codec.rate import Budget
    from ..fileio import STDOUT, check_output, write_output
    from ..pipeline import ModelSet, encode as run

    if output == STDOUT and as_json:
        raise InputError("-o - writes the file to standard output, so --json cannot print there too; drop one")
    if output != STDOUT:
        check_output(output, (image, text_file))  # before any model runs
    if trace is not None:
        from pathlib import Path

        try:
            Path(trace).mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise InputError(f"cannot create the trace folder {trace}: {e.strerror or e}") from None
    text = _description(text, text_file)
    if image is None and text is None:
        raise InputError("give an IMAGE to encode, or a description with --text")
    if image is not None and size is not None:
        raise InputError("--size is for encoding a description without an image; the image has its own size")
    config = encode_config(kw, Budget(ubpp=ubpp, max_bits=max_bits))
    models = ModelSet(models_config(kw), runtime_config(kw))
    result = run(models, image, config, text=text, size=parse_size(size) if size is not None else None, trace=trace)
    write_output(output, result.encoded.data, inputs=(image, text_file))
    notes(result.notes)
    report(output, result.encoded)
    if as_json:
        print_json({**result.summary(), **({"dry_run": True} if models.dry_run else {})})
