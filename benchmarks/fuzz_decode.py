#!/usr/bin/env python
"""Fuzz the decoder at length: mutated .smc files through ``decompress``/``inspect`` and the CLI.

    python benchmarks/fuzz_decode.py [--cases 100000] [--seed 0] [--cli-every 100] [--hang 5]

Cases come from ``tests/fuzzing.py`` (valid files of every coder and header variant, mutated by
bit flips, byte changes, truncation, extension, insertion, deletion and splices). A case passes
when the file decodes to a canonical file (re-encoding gives the same bytes) or is refused with
``FormatError``. Every ``--cli-every``-th case also runs ``semcodec inspect`` in-process and must
exit 0 or with the bad-file code, with one line on stderr. A case still running after ``--hang``
seconds is stopped (SIGALRM) and counted as a hang. Prints a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from fuzzing import cases, check  # noqa: E402
from semcodec.errors import FormatError  # noqa: E402


class Hang(Exception):
    pass


def _alarm(signum, frame):  # noqa: ANN001
    raise Hang


def cli_case(data: bytes, folder: Path) -> str | None:
    """None when ``semcodec inspect`` handles ``data`` cleanly, else what went wrong."""
    from semcodec.cli import main

    path = folder / "case.smc"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["inspect", str(path)])
    lines = err.getvalue().strip().splitlines()
    if code == 0 and not lines:
        return None
    if code == FormatError.exit_code and len(lines) == 1 and "Traceback" not in err.getvalue():
        return None
    return f"exit {code}: {err.getvalue()[:200]!r}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cli-every", type=int, default=100)
    ap.add_argument("--hang", type=float, default=5.0)
    a = ap.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    outcomes: Counter[str] = Counter()
    crashes: list[str] = []
    slowest = (0.0, b"")
    cli_runs = cli_bad = 0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i, data in enumerate(cases(a.cases, a.seed)):
            signal.setitimer(signal.ITIMER_REAL, a.hang)
            try:
                outcome, seconds = check(data)
                outcomes[outcome] += 1
                if seconds > slowest[0]:
                    slowest = (seconds, data)
            except Hang:
                outcomes["hang"] += 1
            except BaseException as e:  # noqa: BLE001 - a crash is what we look for
                outcomes["crash"] += 1
                crashes.append(f"{type(e).__name__}: {e} on {data.hex()}")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if a.cli_every and i % a.cli_every == 0:
                cli_runs += 1
                problem = cli_case(data, Path(tmp))
                if problem:
                    cli_bad += 1
                    crashes.append(f"CLI {problem} on {data.hex()}")
            if (i + 1) % 10_000 == 0:
                print(f"{i + 1} cases ...", file=sys.stderr, flush=True)
    total = time.perf_counter() - start
    print("| measure | value |")
    print("|---|---:|")
    print(f"| cases (decompress + inspect) | {a.cases:,} |")
    print(f"| accepted (canonical: re-encode gives the same bytes) | {outcomes['accepted']:,} |")
    print(f"| refused with FormatError | {outcomes['refused']:,} |")
    print(f"| crashes (any other exception) | {outcomes['crash']:,} |")
    print(f"| hangs (over {a.hang:g} s) | {outcomes['hang']:,} |")
    print(f"| slowest case | {slowest[0] * 1000:.1f} ms ({len(slowest[1])} bytes) |")
    print(f"| CLI runs (semcodec inspect, in-process) / problems | {cli_runs:,} / {cli_bad} |")
    print(f"| wall time | {total:.0f} s |")
    for line in crashes[:20]:
        print(f"\n    {line}")
    return 1 if crashes or outcomes["hang"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
