"""Fuzzing the decoder: a few thousand mutated files of every coder and header variant must each
decode to a canonical file or be refused with FormatError, quickly (issue 9). The long run is
``benchmarks/fuzz_decode.py``."""

from __future__ import annotations

from collections import Counter

from fuzzing import cases, check, seeds


def test_every_coder_is_seeded():
    from semcodec.codec import decompress

    coders = Counter(decompress(s).header.coder for s in seeds())
    assert set(coders) == {"ngram", "consonant", "raw"}


def test_mutated_files_decode_canonically_or_are_refused():
    outcomes: Counter[str] = Counter()
    slowest = 0.0
    for data in cases(2000, seed=9):
        outcome, seconds = check(data)
        outcomes[outcome] += 1
        slowest = max(slowest, seconds)
    assert outcomes["refused"] > 700 and outcomes["accepted"] > 70, outcomes
    assert slowest < 1.0
