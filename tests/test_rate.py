"""Rate control: budgets, strategies and the exact coded length."""

from __future__ import annotations

import pytest

from semcodec.codec import compress_text
from semcodec.errors import BudgetError, InputError
from semcodec.codec.rate import Budget, fit_text, select_candidates, truncate_candidates

DESCRIPTION = (
    "A golden retriever runs along a sandy beach at sunset, with waves breaking behind it "
    "and a red kite in the orange sky."
)


def test_ubpp_budget_is_floor_of_pixels():
    assert Budget(ubpp=100).bits(1024, 1024) == 104
    assert Budget(ubpp=1000).bits(1024, 1024) == 1048
    assert Budget(max_bits=250).bits(1, 1) == 250
    assert Budget().bits(8, 8) is None
    with pytest.raises(InputError):
        Budget(max_bits=100, ubpp=100)
    for bad in (-1, 0, float("inf"), float("nan"), 1e308 * 10):
        with pytest.raises(InputError):
            Budget(ubpp=bad)


def test_truncate_drops_trailing_function_words():
    cands = truncate_candidates("a dog on a beach")
    assert cands[0] == "a dog on a beach"
    assert "a dog on a" not in cands and "a dog" in cands


def test_select_drops_function_words_first():
    cands = select_candidates("a dog on a beach near the sea")
    assert cands[0] == "a dog on a beach near the sea"
    assert "dog beach sea" in cands
    assert cands.index("dog beach sea") < cands.index("dog beach")


@pytest.mark.parametrize("coder", ["raw", "ngram", "consonant"])
@pytest.mark.parametrize("strategy", ["truncate", "select"])
@pytest.mark.parametrize("budget", [64, 105, 524])
def test_fitted_file_never_exceeds_budget(coder, strategy, budget):
    enc = compress_text(DESCRIPTION, coder=coder, max_bits=budget, strategy=strategy)
    assert enc.file_bits <= budget
    if enc.coded_text != DESCRIPTION:  # cut: most of the budget is used
        assert enc.file_bits > budget - 8 * 12


def test_text_that_fits_is_kept_verbatim():
    enc = compress_text("  A  fox.\n", coder="raw", max_bits=1000)
    assert enc.text == "  A  fox.\n"


def test_too_small_budget_is_a_clear_error():
    with pytest.raises(BudgetError, match="cannot hold even one word"):
        compress_text(DESCRIPTION, coder="raw", max_bits=9)


def test_unknown_strategy():
    with pytest.raises(InputError, match="strategy"):
        fit_text(DESCRIPTION, 10, len, "magic")


def test_ubpp_below_one_bit_is_a_budget_error():
    with pytest.raises(BudgetError, match="less than one bit"):
        Budget(ubpp=100).bits(64, 64)


def test_when_the_first_word_does_not_fit_a_later_word_may():
    text = "Xylophonically captured lighthouse on a cliff"
    first = compress_text("Xylophonically", coder="ngram").file_bits
    cheap = compress_text("lighthouse", coder="ngram").file_bits
    assert cheap < first
    enc = compress_text(text, coder="ngram", max_bits=cheap)
    assert enc.file_bits <= cheap and enc.coded_text in ("captured", "lighthouse", "cliff")
