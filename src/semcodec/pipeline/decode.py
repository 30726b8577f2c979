"""Decode a .smc file into an image, top to bottom.

1. Read the file (header and text).
2. Choose the generator profile: the one the configuration names, else the file's.
3. Restore consonant text to words (the expander).
4. Render at the profile's size for the original's aspect ratio, under the file's seed, and
   bring the image to the original width and height.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..codec import Encoded, decompress
from ..models.costs import CostRecorder
from . import steps

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..models.profiles import Profile
    from .modelset import ModelSet


@dataclass
class DecodeResult:
    """What ``decode`` made: the image, the text it was rendered from, and notes."""

    image: Image
    encoded: Encoded
    #: The text handed to the generator (for consonant files: the restored text).
    prompt: str
    profile: Profile
    costs: dict[str, Any] = field(default_factory=dict)
    #: Plain sentences for the user (a generator other than the file's, a changed dtype).
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The JSON ``semcodec decode --json`` prints."""
        return {**self.encoded.summary(), "prompt": self.prompt, "generator": self.profile.name,
                "costs": self.costs, "notes": list(self.notes)}


def decode(models: ModelSet, data: bytes | Encoded) -> DecodeResult:
    """Regenerate the image of a .smc file (bytes, or an ``Encoded`` already read)."""
    enc = data if isinstance(data, Encoded) else decompress(data, lm=models.config.lm)
    profile, notes = models.profile_for(enc.header)
    models.check_installed(("expander", "generator") if enc.header.coder == "consonant" else ("generator",), profile)
    costs = CostRecorder()
    with costs.timed("expand"):
        prompt = steps.restore(models, enc.text, enc.header.coder)
    with costs.timed("generate"):
        image = steps.generate(models, prompt, enc, profile)
    return DecodeResult(image, enc, prompt, profile, costs.as_dict(), [*notes, *models.take_notes()])
