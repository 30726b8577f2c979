"""Golden files: every .smc file a released version wrote must decode, bit-exactly, forever."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from semcodec.codec import compress_text, decompress

GOLDEN = Path(__file__).parent / "golden"
EXPECTED = json.loads((GOLDEN / "expected.json").read_text())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_golden_file_decodes(name):
    exp = EXPECTED[name]
    dec = decompress((GOLDEN / f"{name}.smc").read_bytes())
    summary = dec.summary()
    for key in ("version", "coder", "prior", "profile", "custom_hash", "width", "height", "seed", "text",
                "header_bits", "payload_bits", "file_bits"):
        assert summary[key] == exp[key], key


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_golden_file_encodes_to_same_bytes(name):
    assert compress_text(**EXPECTED[name]["input"]).data.hex() == EXPECTED[name]["hex"]


def test_golden_decodes_in_fresh_process(fresh):
    for name in sorted(EXPECTED):
        proc = fresh("inspect", GOLDEN / f"{name}.smc", "--json")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["text"] == EXPECTED[name]["text"]
