"""The description normaliser: remove what carries nothing for a text-to-image generator.

Describers open with boilerplate ("The image captures", "This photo shows", "In this image,")
and refer to the picture itself ("in the image", "of the photo"). At 100 µbpp a Kodak-sized file
holds about 27 bits of text, and a cut that keeps "The image" keeps nothing a generator can
draw. ``clean`` removes:

1. Meta openings at the start of each sentence: a determiner, a picture noun and a verb of
   showing ("The image captures", "This photograph depicts", "The picture is of", "The image
   is" before "a"/"an"); "In this image," and "In the photo we can see"; "This is a photo of",
   "Here is an image of". A picture noun with modifiers keeps them, and the verb becomes "of":
   "A high-angle, close-up shot captures a bee" -> "High-angle, close-up shot of a bee",
   "The black-and-white photograph depicts a man" -> "Black-and-white photograph of a man".
2. Picture self-references anywhere: "in the image", "of this photo", "within the frame"
   (with their comma), when the noun is the picture itself.
3. The white space and punctuation those removals leave; the first letter of a sentence
   that lost its opening is capitalised. A text with no letter or digit left becomes "".

What it keeps: everything else, byte for byte (it adds no word but that "of"); photographic terms
that tell a generator something ("close-up", "aerial view", "black-and-white") stay.

Versioned like a prior: ``NORMALIZER`` names the rules; a released version never changes (a
better rule set gets a new id). Rate control applies it only where a budget cuts the text (the
``content`` strategy); without a budget a text is coded exactly as given.
"""

from __future__ import annotations

import re

__all__ = ["NORMALIZER", "clean"]

#: Id of these rules (results and traces record it).
NORMALIZER = "clean-v1"

_PICTURE = r"(?:image|photo|photograph|picture|pic|snapshot|shot|scene|frame|illustration|painting|drawing|artwork|render|rendering|view|composition)"
_THIS = r"(?:the|this|that|an?|our|given)"
_SHOW = (r"(?:captures|shows|depicts|features|displays|presents|portrays|illustrates|contains|"
         r"showcases|highlights|reveals|is\s+of|is\s+showing|is\s+a\s+(?:photo|picture|image)\s+of|"
         r"appears\s+to\s+(?:show|be\s+of)|is(?=\s+an?\s))")
_END = r"(?:\s+|(?=[.!?]|$))"
_SENTENCE_START = r"(?:^|(?<=[.!?]\s)|(?<=\n))"
_OPENINGS = [
    # "The image captures", "This photograph depicts", "The picture is of"
    rf"{_THIS}\s+{_PICTURE}\s+{_SHOW}{_END}",
    # "In this image," "In the photo, we can see", "Within the frame there is"
    rf"(?:in|within|on)\s+{_THIS}\s+{_PICTURE}\s*,?\s*(?:(?:we|you)\s+(?:can\s+)?see|there\s+(?:is|are))?\s*,?\s*",
    # "This is a photo of", "Here is an image of", "It is a picture of"
    rf"(?:this|here|it)\s+is\s+(?:an?|the)\s+{_PICTURE}\s+(?:of|showing|that\s+shows)\s+",
]
_OPENING = re.compile(_SENTENCE_START + r"(?:" + "|".join(_OPENINGS) + r")", re.IGNORECASE)
# "A high-angle, close-up shot captures" -> "High-angle, close-up shot of"
_MODIFIED = re.compile(_SENTENCE_START + rf"{_THIS}\s+((?:(?!(?:of|in|on|at|with|and|the|an?)\b)[\w-]+,?\s+){{1,3}}?{_PICTURE})\s+{_SHOW}\s+", re.IGNORECASE)
# ", in the image," / " of this photo" / " within the frame" as a picture self-reference.
_SELF_REF = re.compile(r",?\s+(?:in|of|within|inside|across|throughout)\s+(?:the|this)\s+(?:image|photo|photograph|picture|frame)\b(?!['’]s|\s+of)",
                       re.IGNORECASE)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_DOUBLE_COMMA = re.compile(r",\s*([,.;:!?])")
_LEADING_PUNCT = re.compile(r"^[\s,;:]+")


def clean(text: str) -> str:
    """``text`` without meta openings and picture self-references (see the module doc); runs of
    white space become one space. A text made only of boilerplate becomes ""."""
    out = " ".join(text.split())
    out = _OPENING.sub(_mark, out)
    out = _MODIFIED.sub(lambda m: "\x00" + m.group(1) + " of ", out)
    out = _SELF_REF.sub("", out)
    out = _SPACE_BEFORE_PUNCT.sub(r"\1", out)
    out = _DOUBLE_COMMA.sub(r"\1", out)
    out = _LEADING_PUNCT.sub("", out)
    out = re.sub(r"\x00\s*([a-z])", lambda m: m.group(1).upper(), out)
    out = out.replace("\x00", "")
    out = re.sub(r"(^|[.!?]\s)[\s,;:.!?]+", r"\1", out)
    out = out.strip(" ,;:")
    return out if any(c.isalnum() for c in out) else ""


def _mark(_: re.Match) -> str:
    """Replace an opening by a marker so that the next letter is capitalised."""
    return "\x00"
