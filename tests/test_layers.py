"""The architecture holds: no module imports a higher layer, and no import cycle (see
docs/ARCHITECTURE.md and scripts/check_layers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import check_layers  # noqa: E402


def test_no_upward_import_and_no_cycle():
    upward, loops, edges = check_layers.check(ROOT / "src" / "semcodec")
    assert edges > 100
    assert upward == [] and loops == []


def test_every_top_level_name_has_a_layer():
    names = {p.stem if p.is_file() else p.name for p in (ROOT / "src" / "semcodec").iterdir()
             if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))}
    assert names <= set(check_layers.LAYERS), names - set(check_layers.LAYERS)
