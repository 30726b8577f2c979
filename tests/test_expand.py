"""The offline expander restores words from consonant skeletons."""

from __future__ import annotations

import time

from semcodec.codec.text.consonant import skeleton
from semcodec.codec.text.expand import NgramExpander


def test_paper_example():
    e = NgramExpander()
    assert e.expand("th mg cptrs wmn wth blnd hr").lower() == "the image captures a woman with blonde hair"


def test_restores_vowel_only_words_and_keeps_unknowns():
    e = NgramExpander()
    assert e.expand(skeleton("A dog on a beach.")).lower() == "a dog on a beach"
    out = e.expand("dg n qqqq")
    assert out.endswith("qqqq")
    assert e.expand("") == ""


def test_skeleton_of_expansion_matches():
    e = NgramExpander()
    sk = skeleton("A close-up shot of a red car parked in front of a white building.")
    assert skeleton(e.expand(sk)) == sk


def test_sixty_words_fast():
    e = NgramExpander()
    text = " ".join(["A brown dog sits on the green grass near a wooden fence in the garden."] * 5)
    sk = skeleton(text)
    assert len(sk.split()) >= 50
    t = time.perf_counter()
    e.expand(sk)
    assert time.perf_counter() - t < 1.0


def test_lexicon_words_of_ngram_v2_are_candidates():
    """Words the description corpora never had (ngram-v1 leaves their skeletons as they are)."""
    v1, v2 = NgramExpander("ngram-v1"), NgramExpander("ngram-v2")
    for word in ("mysterious", "moody"):
        sk = skeleton(f"A {word} dress")
        assert word not in v1.expand(sk) and v2.expand(sk) == f"A {word} dress"
