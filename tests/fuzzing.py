"""A seeded mutator of .smc files, shared by the fuzz test and ``benchmarks/fuzz_decode.py``.

Seeds are valid files of every coder and header variant (priors, profiles, sizes, seeds, a
custom generator, check fields); each case mutates one or two of them the way storage and
transmission do (bit flips, byte changes, truncation, extension, insertion, deletion, splices).
``check(data)`` is the property: ``decompress`` either returns a file that re-encodes to exactly
``data`` or raises ``FormatError``; ``inspect`` agrees; anything else is a crash.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

from semcodec.codec import compress_text, decompress, inspect
from semcodec.errors import BackendError, FormatError

TEXTS = (
    "A golden retriever runs along a sandy beach at sunset.",
    "Red and white lighthouse on a rocky coast, blue sky.",
    "Ein Café in Zürich, 東京の夜景, emoji 🦊 and symbols ∑ ≠ ∞.",
    "a",
    "",
    "The image shows a crowded market with fruit stalls, awnings, people in bright clothes "
    "and a clock tower in the background under a hazy afternoon sky.",
)


def seeds() -> list[bytes]:
    """Valid files of every coder, with and without optional header fields and check fields."""
    out = []
    variants = ({}, dict(width=768, height=512, seed=5), dict(profile=3, width=1000, height=333),
                dict(profile=0, custom_hash=0xDEADBEEF), dict(check_bits=8), dict(check_bits=4, seed=2**40))
    for coder in ("ngram", "consonant", "raw"):
        for i, text in enumerate(TEXTS):
            kw = variants[i % len(variants)]
            try:
                out.append(compress_text(text, coder=coder, **kw).data)
            except Exception:  # noqa: BLE001 - e.g. an empty raw text: not a seed
                continue
    return out


def mutate(rng: random.Random, data: bytes, other: bytes) -> bytes:
    """One random mutation of ``data`` (``other``: a second seed for splices)."""
    b = bytearray(data)
    kind = rng.randrange(8)
    if kind == 0 and b:  # flip 1-3 bits
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(8 * len(b))
            b[i // 8] ^= 0x80 >> (i % 8)
    elif kind == 1 and b:  # replace a byte
        b[rng.randrange(len(b))] = rng.randrange(256)
    elif kind == 2 and b:  # truncate
        del b[rng.randrange(len(b)):]
    elif kind == 3:  # extend with random or zero bytes
        b += bytes(rng.randrange(256) if rng.random() < 0.5 else 0 for _ in range(rng.randint(1, 16)))
    elif kind == 4:  # insert a byte
        b.insert(rng.randrange(len(b) + 1), rng.randrange(256))
    elif kind == 5 and b:  # delete a byte
        del b[rng.randrange(len(b))]
    elif kind == 6:  # splice two files
        b = b[: rng.randrange(len(b) + 1)] + other[rng.randrange(len(other) + 1):]
    else:  # random bytes of a plausible length
        b = bytearray(rng.randrange(256) for _ in range(rng.randint(0, 40)))
    return bytes(b)


def cases(n: int, seed: int = 0) -> Iterator[bytes]:
    """``n`` mutated files, the same for the same ``seed``."""
    rng = random.Random(seed)
    pool = seeds()
    for _ in range(n):
        yield mutate(rng, rng.choice(pool), rng.choice(pool))


def check(data: bytes) -> tuple[str, float]:
    """("accepted" | "refused", seconds); raises AssertionError (or the crash itself) otherwise."""
    start = time.perf_counter()
    try:
        enc = decompress(data)
    except FormatError as e:
        assert str(e) and "\n" not in str(e)
        outcome = "refused"
    except BackendError as e:  # a header that names the lm coder, whose model is not here
        assert "language model" in str(e) and "\n" not in str(e)
        outcome = "refused"
    else:
        h = enc.header
        again = compress_text(enc.text, coder=h.coder, prior=h.prior, profile=h.profile, width=h.width,
                              height=h.height, seed=h.seed, custom_hash=h.custom_hash, version=h.version,
                              check_bits=h.check_bits)
        assert again.data == data, "an accepted file is not the canonical code of its text"
        assert inspect(data)["text"] == enc.text
        outcome = "accepted"
    return outcome, time.perf_counter() - start
