"""Rate control that keeps content: the normaliser, the ``content`` strategy, the note when a
kept text names nothing, and one clear sentence for descriptions that hold nothing to code."""

from __future__ import annotations

import pytest

from semcodec.codec import compress_text
from semcodec.codec.container import RECOMMENDED_VERSION
from semcodec.codec.content import content_words, is_content, phrases
from semcodec.codec.normalize import NORMALIZER, clean
from semcodec.codec.rate import RECOMMENDED_STRATEGY, STRATEGIES
from semcodec.errors import BudgetError, InputError, SemcodecError

LLAVA_LIKE = ("The image features a red brick building under a clear blue sky, with two white clouds. "
              "In the foreground, a man in a black coat walks his dog on the sidewalk of the image.")


@pytest.mark.parametrize("text, expected", [
    ("The image captures a red brick building.", "A red brick building."),
    ("This photo shows two dogs. In this image, a cat sleeps.", "Two dogs. A cat sleeps."),
    ("In the image, we can see a man.", "A man."),
    ("The image is a close-up of a flower.", "A close-up of a flower."),
    ("This is a photo of a beach at sunset, in the image.", "A beach at sunset."),
    ("A high-angle, close-up shot captures a bee.", "High-angle, close-up shot of a bee."),
    ("The black-and-white photograph depicts an old man.", "Black-and-white photograph of an old man."),
    ("A man and a woman in the image are dancing.", "A man and a woman are dancing."),
    ("The dog shows its teeth.", "The dog shows its teeth."),
    ("A dog in the frame of the door.", "A dog in the frame of the door."),
    ("The image shows.", ""),
    ("...", ""),
])
def test_clean_removes_meta_openings_and_self_references(text, expected):
    assert clean(text) == expected
    assert NORMALIZER == "clean-v1"


def test_content_words_and_phrases():
    assert not is_content("The") and not is_content("image") and not is_content("two")
    assert is_content("building") and content_words("The image of a red car.") == ["red", "car"]
    found = phrases(clean(LLAVA_LIKE))
    assert [p.words for p in found[:2]] == [("red", "brick", "building"), ("clear", "blue", "sky")]
    assert found[0].glue == ("A",) and found[1].glue == ("under", "a")


def test_content_is_a_strategy_and_the_recommended_one():
    assert "content" in STRATEGIES and RECOMMENDED_STRATEGY == "content"


@pytest.mark.parametrize("size, ubpp", [((768, 512), 100), ((1024, 1024), 100), ((1024, 1024), 150)])
def test_content_keeps_content_where_truncate_keeps_boilerplate(size, ubpp):
    w, h = size
    fields = dict(width=w, height=h, ubpp=ubpp, version=RECOMMENDED_VERSION)
    enc = compress_text(LLAVA_LIKE, strategy="content", **fields)
    assert content_words(enc.coded_text) and enc.file_bits <= int(ubpp * w * h // 1e6)
    assert "image" not in enc.coded_text.lower() and not enc.notes
    assert enc.text == enc.coded_text  # lossless coder: the decoder sees the kept text


def test_note_names_a_budget_that_keeps_a_content_word():
    enc = compress_text(LLAVA_LIKE, width=768, height=512, ubpp=100, strategy="truncate")
    assert not content_words(enc.coded_text) and len(enc.notes) == 1
    note = enc.notes[0]
    assert "no word that names anything" in note and enc.summary()["notes"] == [note]
    need = int(note.split("a budget of ")[1].split(" bits")[0])
    assert content_words(compress_text(LLAVA_LIKE, width=768, height=512, max_bits=need, strategy="truncate").coded_text)
    assert not content_words(compress_text(LLAVA_LIKE, width=768, height=512, max_bits=need - 1,
                                           strategy="truncate").coded_text)


def test_without_a_budget_the_text_is_coded_as_given():
    enc = compress_text(LLAVA_LIKE, strategy="content", version=RECOMMENDED_VERSION)
    assert enc.coded_text == LLAVA_LIKE and enc.notes == ()


@pytest.mark.parametrize("text", ["", "The image shows.", "... !!! ,,,", "\U0001f642\U0001f33b\U0001f642", "   "])
@pytest.mark.parametrize("strategy", ["content", "truncate", "select"])
def test_nothing_to_code_is_one_clear_sentence(text, strategy):
    with pytest.raises(SemcodecError) as info:
        compress_text(text, ubpp=100, strategy=strategy, version=RECOMMENDED_VERSION)
    assert isinstance(info.value, (InputError, BudgetError))
    message = str(info.value)
    assert message.count(". ") == 0 and "\n" not in message and len(message) < 300


def test_one_unknown_long_word_is_a_budget_error_naming_what_it_needs():
    word = "Qzxvbnmlkjhgfdsapoiuytrewqzxcvbnmasdfghj"
    assert len(word) == 40
    with pytest.raises(BudgetError, match=r"needs \d+ bits"):
        compress_text(word, ubpp=100, strategy="content", version=RECOMMENDED_VERSION)
    assert compress_text(word, strategy="content").coded_text == word  # no budget: coded as given
