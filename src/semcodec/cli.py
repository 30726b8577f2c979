"""The ``semcodec`` command line.

Subcommands live in their own modules and are imported only when run, so ``semcodec --help``
answers without importing numpy, torch or any model library. Every ``SemcodecError`` ends as one
sentence on stderr and a non-zero exit; results go to stdout (JSON where asked), progress to stderr.
"""

from __future__ import annotations

import importlib
import sys

import click

from . import __version__

# name -> (module, attribute, one-line help). The help text is here so that listing commands
# imports nothing.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "encode": ("semcodec.commands.encode", "encode", "Encode an image (or a description) into a .smc file."),
    "decode": ("semcodec.commands.decode", "decode", "Decode a .smc file into an image (or its text)."),
    "encode-dir": ("semcodec.commands.encode_dir", "encode_dir", "Encode a folder (or list) of images into .smc files, resumably; --ray scales out."),
    "decode-dir": ("semcodec.commands.decode_dir", "decode_dir", "Decode a folder (or list) of .smc files into images, resumably; --ray scales out."),
    "inspect": ("semcodec.commands.inspect", "inspect", "Show a .smc file's header, text, bits and rate."),
    "bench": ("semcodec.commands.bench", "bench", "Benchmark classical codecs (JPEG, WebP, AVIF, JPEG XL) at their lowest rates."),
    "eval": ("semcodec.commands.eval", "eval_", "Evaluate semcodec over a dataset at one or more budgets (resumable)."),
    "plot": ("semcodec.commands.plot", "plot", "Plot rate-quality curves from eval and bench results."),
    "report": ("semcodec.commands.report", "report", "Write an HTML report of an eval run (curves, table, image grids)."),
    "study": ("semcodec.commands.study", "study", "Run one of the paper's studies (bitrate, reflection, coders, resolution, text)."),
    "serve": ("semcodec.commands.serve", "serve", "Serve the web demo, inspect page, HTTP API and a 2AFC human study."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, spec[2]) for name, spec in COMMANDS.items()])


def _epilog() -> str:
    from .errors import EXIT_CODES

    rows = "\n".join(f"{code:>5}  {meaning}" for code, meaning in EXIT_CODES)
    return ("Try it without model weights: semcodec encode --help (see --dry-run).\n\n"
            f"\b\nExit codes:\n{rows}")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=_epilog())
@click.version_option(version=__version__, prog_name="semcodec")
def cli() -> None:
    """semcodec: semantic image compression at micro-bits per pixel."""


def flag_hint(error: Exception) -> str:
    """`` (--max-bits, --ubpp)``: the command-line flags of the API parameters an error names."""
    params = getattr(error, "params", ())
    return f" (command line: {', '.join('--' + p.replace('_', '-') for p in params)})" if params else ""


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning user-facing errors into one sentence and an exit code.

    Errors come alone: other libraries' warnings (deprecations, fallbacks) and log messages are
    not shown, unless the user asks for Python warnings (``-W``, ``PYTHONWARNINGS``) or a
    library's verbosity (``TRANSFORMERS_VERBOSITY``...)."""
    import os
    import warnings

    for name in ("TRANSFORMERS_VERBOSITY", "DIFFUSERS_VERBOSITY"):
        os.environ.setdefault(name, "error")
    with warnings.catch_warnings():
        if not sys.warnoptions:
            warnings.simplefilter("ignore")
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    import logging

    from .errors import SemcodecError

    # Library code logs what a user should know; the CLI shows it as one line each on stderr.
    from .commands._common import printable

    class _Escaped(logging.Formatter):  # a server's or a file's text cannot drive the terminal
        def format(self, record: logging.LogRecord) -> str:
            return printable(super().format(record))

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Escaped("semcodec: note: %(message)s"))
    logger = logging.getLogger("semcodec")
    logger.addHandler(handler)
    # Other libraries' log records stop here instead of reaching logging's last-resort printer.
    quiet = logging.NullHandler()
    root = logging.getLogger()
    root.addHandler(quiet)
    try:
        cli.main(args=argv, prog_name="semcodec", standalone_mode=False)
    except SemcodecError as e:
        message, hint = printable(str(e)), flag_hint(e)
        if hint and message.endswith("."):
            message, hint = message[:-1], hint + "."
        click.echo(f"semcodec: error: {message}{hint}", err=True)
        return e.exit_code
    except click.exceptions.Abort:
        click.echo("semcodec: aborted", err=True)
        return 130
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except KeyboardInterrupt:
        click.echo("semcodec: interrupted", err=True)
        return 130
    except BrokenPipeError:
        return 141
    finally:
        logger.removeHandler(handler)
        root.removeHandler(quiet)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
