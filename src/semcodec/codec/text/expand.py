"""Offline restoration of consonant skeletons with the n-gram prior (no model download).

The ``consonant`` coder keeps only the consonant skeleton of each word ("th mg cptrs wmn"). The
expander searches, left to right with a beam, over vocabulary words whose skeleton equals each
skeleton word, scored by the word n-gram of the shipped prior; between two skeleton words it may
insert a word that has no consonants at all ("a", "I"), which the skeleton lost (with a bonus,
``SILENT_BONUS``). With a prior
that has a general English lexicon (``ngram-v2``), the lexicon's words are candidates too, scored
as the prior scores them (ESCAPE, then the word under the lexicon's unigram weights), so
"scssrs" becomes "scissors" although the description corpora never had it. A skeleton word with
no candidate is kept as it is. Floats are fine here: this is not a coding path.
"""

from __future__ import annotations

import math
from functools import lru_cache

from .consonant import _MAP, skeleton
from .escape import LEX
from .prior import EOT, ESC, NgramPrior, load_prior

__all__ = ["NgramExpander", "SILENT_BONUS"]

#: Log-probability bonus (nats) for inserting a consonant-free word ("a", "I"): the skeleton lost
#: them, and without a bonus the search drops too many. Chosen on the train halves of the style
#: splits (scripts/corpora.py; word accuracy of coco 83.2 -> 86.9 %, pali 87.4 -> 89.5 % from 0 to
#: 3 with priors trained without the style, docs/TEXT.md); reported on the test halves.
SILENT_BONUS = 3.0


class NgramExpander:
    """Restores words from a consonant skeleton: ``expand("th mg cptrs") -> "The image captures"``."""

    def __init__(self, prior: NgramPrior | str | None = None, beam: int = 8, candidates: int = 12) -> None:
        if prior is None or isinstance(prior, str):
            prior = load_prior(prior or "ngram-v2")
        self.prior = prior
        self.beam = beam
        self._cands, self._initial, self._silent = _candidates(prior, candidates)
        self._lexical = _lexicon_candidates(prior, candidates)

    def expand(self, skeleton_text: str) -> str:
        """The most probable text (under the prior) whose skeleton is ``skeleton_text``."""
        words = skeleton_text.split()
        if not words:
            return ""
        model, vocab = self.prior.words, self.prior.vocab
        start = (EOT,) * (self.prior.word_order - 1)
        # A hypothesis: context -> (log-prob, output pieces). Merging equal contexts is Viterbi.
        # The pieces are a linked list (piece, earlier pieces), so that extending a hypothesis
        # costs the same at the last word as at the first: the cost per skeleton byte is bounded.
        beam: dict[tuple[int, ...], tuple[float, tuple | None]] = {start: (0.0, None)}

        def extend(hyps, options_for):
            nxt: dict[tuple[int, ...], tuple[float, tuple[str, ...]]] = {}
            for ctx, (score, out) in hyps.items():
                opts = options_for(ctx, out)
                if not opts:
                    continue
                syms = [o[0] for o in opts]
                fs, total = model.freqs(ctx, syms)
                lt = math.log(total)
                for (s, text, *extra), f in zip(opts, fs):
                    sc = score + math.log(f) - lt + sum(extra)
                    c2 = (ctx[1:] + (s,)) if ctx else ctx
                    if c2 not in nxt or nxt[c2][0] < sc:
                        nxt[c2] = (sc, (text, out))
            return nxt

        def prune(hyps):
            best = sorted(hyps.items(), key=lambda kv: -kv[1][0])[: self.beam]
            return dict(best)

        for w in words:
            # Optionally a consonant-free word first ("a", "I"), then the skeleton word itself.
            with_silent = extend(beam, lambda ctx, out: [(s, vocab[s], SILENT_BONUS) for s in self._silent_for(out)])
            merged = dict(beam)
            for k, v in with_silent.items():
                if k not in merged or merged[k][0] < v[0]:
                    merged[k] = v
            beam = prune(extend(prune(merged), lambda ctx, out, w=w: self._options(w, out)))
        final = extend(beam, lambda ctx, out: [(EOT, "")])
        _, (_, out) = max(final.items(), key=lambda kv: kv[1][0])
        pieces = []
        while out is not None:
            pieces.append(out[0])
            out = out[1]
        return "".join(reversed(pieces)).strip()

    def _silent_for(self, out: tuple | None) -> list[int]:
        return self._silent[1] if out is not None else self._silent[0]

    def _options(self, w: str, out: tuple | None) -> list[tuple]:
        cands = self._cands.get(w, [])
        if out is None:
            cands = self._initial.get(w, []) + cands
        opts: list[tuple] = [(s, self.prior.vocab[s] if self.prior.vocab[s].startswith(" ") else " " + self.prior.vocab[s])
                             for s in cands]
        opts += [(ESC, " " + word, logp) for word, logp in self._lexical.get(w, [])]
        return opts or [(ESC, " " + w)]


@lru_cache(maxsize=4)
def _candidates(prior: NgramPrior, limit: int):
    """skeleton -> word ids (" word" tokens, most frequent first), the same for sentence-initial
    tokens without a space ("The"), and the consonant-free words (initial, later)."""
    by_key: dict[str, list[int]] = {}
    initial: dict[str, list[int]] = {}
    silent: tuple[list[int], list[int]] = ([], [])
    for i, tok in enumerate(prior.vocab):
        if i < 2:
            continue
        spaced = tok.startswith(" ")
        word = tok[1:] if spaced else tok
        if not word.isalpha():
            continue
        key = skeleton(word)
        if " " in key:
            continue
        if key == "":
            lst = silent[1] if spaced else silent[0]
            if len(lst) < 3:
                lst.append(i)
            continue
        table = by_key if spaced else initial
        lst = table.setdefault(key, [])
        if len(lst) < limit:
            lst.append(i)  # vocab ids are ordered by frequency
    return by_key, initial, silent


@lru_cache(maxsize=4)
def _lexicon_candidates(prior: NgramPrior, limit: int) -> dict[str, list[tuple[str, float]]]:
    """skeleton -> (lexicon word, log-probability after ESCAPE: kind LEX, the word, lower case
    with a space), most probable first; empty for a prior without a lexicon."""
    esc = prior.escape
    if esc is None:
        return {}
    kinds, shapes = esc.kinds, esc.shapes
    base = math.log((kinds[LEX + 1] - kinds[LEX]) / kinds[-1]) + math.log((shapes[1] - shapes[0]) / shapes[-1])
    total = math.log(esc.cum[-1])
    out: dict[str, list[tuple[str, float]]] = {}
    ascii_skeleton = str.maketrans({c: _MAP[c] for c in "abcdefghijklmnopqrstuvwxyz"})  # lexicon: a-z only
    for i, word in enumerate(esc.words):  # most frequent first
        key = word.translate(ascii_skeleton)
        if key and " " not in key:
            lst = out.setdefault(key, [])
            if len(lst) < limit:
                lst.append((word, base + math.log(esc.cum[i + 1] - esc.cum[i]) - total))
    return out
