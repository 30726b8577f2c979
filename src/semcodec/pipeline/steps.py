"""The pipeline's single steps, shared by encode, decode, the search and evaluation.

Each step takes the ``ModelSet`` and plain values. ``render`` is the decoder's image of a file;
the encoder's search calls the same function, so the score it keeps is the score of the image a
decoder will see (on the same hardware, for a deterministic generator).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..codec.normalize import clean
from ..codec.rate import normalize
from ..errors import BackendError
from ..models.prompts import DESCRIBE, DESCRIBE_BRIEF, REVISE, SHORTEN, parse_revision

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..codec import Encoded
    from ..models.profiles import Profile
    from .modelset import ModelSet


def describe(models: ModelSet, image: Image, max_words: int | None = None) -> str:
    """The describer's description of ``image`` (in about ``max_words`` words, if given),
    white space normalised."""
    instruction = DESCRIBE_BRIEF.instruction(max_words=max_words) if max_words else DESCRIBE.instruction()
    said = normalize(models.get("describer").describe(image, instruction))
    # A describer's meta opening ("The image shows") carries nothing a generator can draw.
    text = clean(said) or said
    if not text:
        raise BackendError(f"the describer {models.specs['describer']} returned an empty description")
    return text


def shorten(models: ModelSet, description: str, max_words: int) -> str:
    """The text model's shorter description (rate control's ``rewrite``)."""
    system, user = SHORTEN.render(max_words=max_words, description=description)
    return normalize(models.get("text_model").complete(system, user))


def revise(models: ModelSet, target: str, generated: str, prompt: str, max_words: int | None) -> str:
    """The text model's revision of ``prompt`` (reflection): what the target description has
    that the description of the generated image lacks."""
    system, user = REVISE.render(target=target, prompt=prompt, generated=generated, max_words=max_words or 200)
    return normalize(parse_revision(models.get("text_model").complete(system, user))[1]) or prompt


def restore(models: ModelSet, text: str, coder: str) -> str:
    """The text a generator should get: consonant skeletons are expanded back to words."""
    return models.get("expander").expand(text) if coder == "consonant" and text else text


def generate(models: ModelSet, prompt: str, enc: Encoded, profile: Profile) -> Image:
    """``prompt`` rendered by ``profile``'s generator at its size for the file's original, under
    the file's seed, then brought to the original width and height. Both sizes are held to the
    pixel limit before anything is rendered (a 12-byte file can ask for a terapixel image)."""
    from ..imageio import check_pixels, fit_to_size

    h = enc.header
    advice = "raise SEMCODEC_MAX_PIXELS to decode it"
    check_pixels(h.width, h.height, "the file asks for an image of", advice=advice)
    width, height = profile.render_size(h.width, h.height)
    check_pixels(width, height, "the generator would render", advice=advice)
    image = models.generator(profile).generate(prompt, width, height, h.seed)
    return fit_to_size(image, h.width, h.height)


def render(models: ModelSet, enc: Encoded, profile: Profile | None = None) -> Image:
    """The decoder's image of a file: its (restored) text rendered by ``profile`` (default: the
    set's)."""
    return generate(models, restore(models, enc.text, enc.header.coder), enc, profile or models.profile)
