"""Every prompt semcodec sends to a model, in one place, versioned.

A prompt's wording changes what a model writes, and so the bits in a file and the images a
decoder makes. Each prompt therefore carries an id (``describe-v1``) that goes into result-cache
keys and traces. A released prompt is never edited: a better wording is a new constant
(``DESCRIBE_V2``) and the unversioned alias (``DESCRIBE``) moves to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Prompt:
    """A versioned chat prompt: a system message and a user template with ``{named}`` fields."""

    name: str
    version: int
    system: str
    user: str

    @property
    def id(self) -> str:
        """Stable identifier for cache keys and traces, e.g. ``describe-v1``."""
        return f"{self.name}-v{self.version}"

    def render(self, **fields: object) -> tuple[str, str]:
        """The (system, user) messages with ``fields`` filled in; a missing field is a KeyError."""
        return self.system, self.user.format(**fields)

    def instruction(self, **fields: object) -> str:
        """System and user text joined into one instruction, for describers (one user turn)."""
        system, user = self.render(**fields)
        return f"{system}\n\n{user}" if system else user


DESCRIBE_V1 = Prompt(
    "describe",
    1,
    "",
    "Describe this image so that a text-to-image model can recreate it. Name the main subject "
    "first, then the other salient objects with their attributes (colour, size, material, count), "
    "their positions and relations in the frame (left, right, foreground, background), the setting, "
    "the lighting, and the style or medium (photo, painting, illustration, 3D render). "
    "Order everything by importance, most important first. Write one compact paragraph of plain "
    "words, no preamble, no lists, no quotation marks.",
)

DESCRIBE_BRIEF_V1 = Prompt(
    "describe-brief",
    1,
    "",
    DESCRIBE_V1.user + " Use at most {max_words} words.",
)

EXPAND_V1 = Prompt(
    "expand",
    1,
    "You restore text from which every vowel was removed. The input is lower-case, uses only "
    "consonants and spaces, and describes an image (for example 'th mg shws dg n bch' is "
    "'the image shows a dog on a beach'; words that were only vowels are gone). "
    "Reply with the restored description only, nothing else.",
    "{skeleton}",
)

SHORTEN_V1 = Prompt(
    "shorten",
    1,
    "You shorten image descriptions for a text-to-image model. Keep what matters most for "
    "recreating the image: the main subject, key attributes and colours, layout, style. Drop "
    "filler words and minor details first. Reply with the shortened description only.",
    "Shorten this description to at most {max_words} words:\n{description}",
)

REVISE_V1 = Prompt(
    "revise",
    1,
    "You improve prompts for a text-to-image model. You get the description of a target image "
    "and the description of an image generated from the current prompt. List the differences "
    "that matter (missing or wrong objects, attributes, colours, layout, style), then write a "
    "revised prompt that fixes them, no longer than {max_words} words. Answer in exactly this "
    "form:\nDIFFERENCES:\n- ...\nREVISED PROMPT: ...",
    "Target description:\n{target}\n\nCurrent prompt:\n{prompt}\n\n"
    "Description of the generated image:\n{generated}",
)

#: The current version of each prompt; code uses these, caches record their ``id``.
DESCRIBE = DESCRIBE_V1
DESCRIBE_BRIEF = DESCRIBE_BRIEF_V1
EXPAND = EXPAND_V1
SHORTEN = SHORTEN_V1
REVISE = REVISE_V1

# --- BEGIN describer prompts v2 (issue 10: meaning per bit) ---------------------------------------
# Real describers open with boilerplate ("The image captures", "This photo shows"), which rate
# control then spends a tight budget on, and use rare words that the prior spells letter by letter.
# v2 asks for the most salient content first, no meta opening and plain common words. Its effect on
# real describers could not be measured where it was written (no vision-language model there);
# ``semcodec.codec.normalize.clean`` removes such openings either way where a budget cuts the text.
_PLAIN_V2 = (
    "Start with the main subject itself (for example 'A red brick house ...'), never with words about "
    "the picture such as 'The image shows', 'This photo captures' or 'In this image'. Then the other "
    "salient objects with their attributes (colour, size, material, count), their positions and "
    "relations, the setting, the lighting, and the style or medium if it is not a photo. Most "
    "important first. Use plain, common words rather than rare or flowery ones, one compact "
    "paragraph, no lists, no quotation marks."
)
DESCRIBE_V2 = Prompt("describe", 2, "", "Describe this image so that a text-to-image model can recreate it. " + _PLAIN_V2)
DESCRIBE_BRIEF_V2 = Prompt("describe-brief", 2, "", DESCRIBE_V2.user + " Use at most {max_words} words.")
SHORTEN_V2 = Prompt(
    "shorten",
    2,
    "You shorten image descriptions for a text-to-image model. Keep what matters most for recreating "
    "the image: the main subject first, then key attributes and colours, layout, style. Drop words "
    "about the picture itself ('The image shows', 'in this photo') and filler first; use plain, "
    "common words. Reply with the shortened description only.",
    SHORTEN_V1.user,
)
DESCRIBE = DESCRIBE_V2
DESCRIBE_BRIEF = DESCRIBE_BRIEF_V2
SHORTEN = SHORTEN_V2
# --- END describer prompts v2 ----------------------------------------------------------------------


def parse_revision(reply: str) -> tuple[list[str], str]:
    """Split a reply to ``REVISE`` into (differences, revised prompt).

    Lenient: a reply without the ``REVISED PROMPT:`` marker is taken whole as the revised prompt,
    so a model that ignores the format still yields something usable.
    """
    m = re.search(r"REVISED PROMPT:\s*(.*)", reply, flags=re.IGNORECASE | re.DOTALL)
    revised = (m.group(1) if m else reply).strip().strip('"').strip()
    head = reply[: m.start()] if m else ""
    diffs = [ln.strip()[1:].strip() for ln in head.splitlines() if ln.strip().startswith(("-", "*"))]
    return diffs, revised
