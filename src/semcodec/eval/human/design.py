"""What a 2AFC study shows: its methods, its images, and the trials drawn for a participant.

A study is built from a ``semcodec eval`` run directory: the originals (the run's dataset), and
semcodec's decoded image of every (image, budget) record. Classical codecs come from ``semcodec
bench`` results (each image re-encoded at the quality the bench recorded for it, with
``eval.baselines``), or, when none are given, JPEG and AVIF at their lowest setting, as the
report shows them. A **method** is one codec at one setting ("semcodec 100 µbpp", "jpeg lowest").

A trial shows the original and two methods' reconstructions of the same image, in random order
and on random sides; pairs shown least often so far are drawn first, so answers spread evenly
over the design. An **attention check** pairs the original itself with a heavy degradation of
it (a 16x pixelation): the original is the right answer.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import random
from dataclasses import asdict, dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import InputError

#: Pseudo-methods of attention checks (never analysed as methods).
ORIGINAL, DEGRADED = "original", "degraded"
#: Classical codecs shown at their lowest setting when no bench results are given.
FLOOR_CODECS = ("jpeg", "avif")
#: The pixelation factor of the attention check's degradation.
DEGRADE_FACTOR = 16


@dataclass(frozen=True)
class Method:
    """One codec at one setting, and its mean rate over the study's images."""

    method: str
    codec: str
    setting: str
    bpp: float | None


@dataclass(frozen=True)
class TrialSpec:
    """One trial as drawn: ``kind`` is ``pair`` or ``check``; ``correct`` is the side of the
    original in a check (None in a pair)."""

    kind: str
    image: str
    left: str
    right: str
    correct: str | None = None


def run_identity(config: dict[str, Any]) -> str:
    """sha256 of a run's recorded configuration: names the eval run a study was built from."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _png(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def degrade(pixels: np.ndarray, factor: int = DEGRADE_FACTOR) -> np.ndarray:
    """A heavy, obvious degradation: downscale by ``factor`` (box filter) and scale back up
    with nearest neighbour (blocks of ``factor`` pixels)."""
    from PIL import Image

    h, w = pixels.shape[:2]
    small = Image.fromarray(pixels).resize((max(1, w // factor), max(1, h // factor)), Image.Resampling.BOX)
    return np.asarray(small.resize((w, h), Image.Resampling.NEAREST))


class StudyDesign:
    """The methods, images and stimuli of a study built from ``run_dir`` (see the module
    docstring); ``baselines`` are ``semcodec bench`` results documents."""

    def __init__(self, run_dir: str | os.PathLike[str], baselines: list[dict[str, Any]] | None = None,
                 data_dir: str | None = None) -> None:
        from ..datasets import open_dataset
        from ..rundir import load_run

        self.root = Path(run_dir)
        # Per-instance caches of decoded stimuli (a server shows each one many times).
        self.original = functools.lru_cache(maxsize=8)(self._original)
        self._encode = functools.lru_cache(maxsize=4)(self._encode_uncached)
        self.png = functools.lru_cache(maxsize=64)(self._png)
        config, records, _ = load_run(run_dir)
        self.run = run_identity(config)
        self.dataset = open_dataset(str(config["dataset"]), data_dir, download=False)
        ok = [r for r in records if r.get("status") == "ok" and r["image"] in self.dataset.files]
        if not ok:
            raise InputError(f"{run_dir} has no decoded image of its dataset's images; run semcodec eval to the end first")
        self.images = list(dict.fromkeys(r["image"] for r in ok))
        #: (image, method) -> ("png", path) or ("codec", codec name, quality)
        self.sources: dict[tuple[str, str], tuple[Any, ...]] = {}
        methods: dict[str, list[float]] = {}
        for r in ok:
            key = f"semcodec {r['setting']}"
            self.sources[r["image"], key] = ("png", self.root / r["decoded_png"])
            methods.setdefault(key, []).append(r["bpp"])
        self.methods = [Method(k, "semcodec", k.split(" ", 1)[1], float(np.mean(v))) for k, v in methods.items()]
        self.methods += self._classical(baselines)
        if len(self.methods) < 2:
            raise InputError("a 2AFC study needs at least two methods; give bench results or a run with two budgets")

    def _classical(self, docs: list[dict[str, Any]] | None) -> list[Method]:
        """The classical codecs' methods: from bench documents, else each floor codec at its lowest."""
        from ..baselines import CODECS, CodecUnavailable, get_codec

        if not docs:
            docs = []
            for name in FLOOR_CODECS:
                try:
                    low = get_codec(name).quality_range[0]
                except CodecUnavailable:
                    continue
                docs.append({"name": name, "per_image": [{"image": i, "setting": "lowest", "quality": low}
                                                         for i in self.images]})
        out = []
        for doc in docs:
            name = str(doc.get("name", "")).lower()
            if name not in CODECS:
                raise InputError(f"bench results of {doc.get('name')!r} are not of a classical codec semcodec knows "
                                 f"({', '.join(CODECS)})")
            rows = [r for r in doc.get("per_image", []) if r.get("image") in self.images]
            for setting in dict.fromkeys(str(r["setting"]) for r in rows):
                key = f"{name} {setting}"
                here = [r for r in rows if str(r["setting"]) == setting]
                for r in here:
                    self.sources[r["image"], key] = ("codec", name, int(r["quality"]))
                bpp = [r["bpp"] for r in here if r.get("bpp") is not None] or [self._bpp(r["image"], key) for r in here]
                out.append(Method(key, name, setting, float(np.mean(bpp))))
        return out

    def _bpp(self, image: str, method: str) -> float:
        _, codec, quality = self.sources[image, method]
        return self._encode(image, codec, quality)[0]

    def identity(self) -> dict[str, Any]:
        """What the answers of this study refer to: the run, the methods and each stimulus."""
        sources = {f"{i}|{m}": ["png", Path(s[1]).name] if s[0] == "png" else list(s)
                   for (i, m), s in sorted(self.sources.items())}
        body = {"run": self.run, "methods": [asdict(m) for m in self.methods], "images": self.images, "sources": sources}
        return {**body, "fingerprint": hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()}

    def pairs(self) -> list[tuple[str, str, str]]:
        """Every (image, method a, method b) with both reconstructions available, a < b."""
        names = [m.method for m in self.methods]
        return [(i, a, b) for i in self.images for a, b in combinations(sorted(names), 2)
                if (i, a) in self.sources and (i, b) in self.sources]

    def draw(self, counts: dict[tuple[str, str, str], int], trials: int, checks: int,
             rng: random.Random | None = None) -> list[TrialSpec]:
        """A participant's trials: ``trials`` distinct pairs, the least shown so far first (ties
        at random), shuffled, sides at random; ``checks`` attention checks at random positions
        after the first trial."""
        rng = rng or random.SystemRandom()
        pool = self.pairs()
        rng.shuffle(pool)
        pool.sort(key=lambda p: counts.get(p, 0))
        chosen = pool[:trials]
        rng.shuffle(chosen)
        specs = [TrialSpec("pair", i, *((a, b) if rng.random() < 0.5 else (b, a))) for i, a, b in chosen]
        for _ in range(checks):
            left_is_original = rng.random() < 0.5
            check = TrialSpec("check", rng.choice(self.images), *((ORIGINAL, DEGRADED) if left_is_original else
                              (DEGRADED, ORIGINAL)), "left" if left_is_original else "right")
            specs.insert(rng.randint(min(1, len(specs)), len(specs)), check)
        return specs

    # -- pixels ---------------------------------------------------------------------------------
    def _original(self, image: str) -> np.ndarray:
        """The original's pixels (checked against the dataset's manifest where it has one)."""
        return self.dataset.load(image)

    def _encode_uncached(self, image: str, codec: str, quality: int) -> tuple[float, np.ndarray]:
        from ..baselines import get_codec

        enc = get_codec(codec).run(self.original(image), quality)
        return enc.bpp, enc.decoded

    def _png(self, image: str, method: str) -> bytes:
        """The PNG shown for ``method``'s reconstruction of ``image`` (or the original, or its
        degradation)."""
        if method == ORIGINAL:
            return _png(self.original(image))
        if method == DEGRADED:
            return _png(degrade(self.original(image)))
        source = self.sources.get((image, method))
        if source is None:
            raise InputError(f"the study has no {method!r} image of {image!r}")
        if source[0] == "png":
            from ...imageio import load_image, to_png_bytes

            return to_png_bytes(load_image(source[1]))
        return _png(self._encode(image, source[1], source[2])[1])
