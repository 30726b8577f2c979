"""The pipeline layer: image -> description -> .smc file -> regenerated image.

- ``config``: the configuration objects (``ModelsConfig``, ``EncodeConfig``, ``RuntimeConfig``).
- ``models``: ``ModelSet``, the lazily loaded models of one configuration.
- ``steps``: describe, shorten, revise, restore, render: the single steps.
- ``encode`` / ``decode``: the two directions, top to bottom.
- ``search``: reflection, seed search and variable rate that never regress; ``trace``: their record.

``Pipeline`` bundles a ``ModelSet`` with the two directions, for Python users::

    from semcodec.pipeline import Pipeline
    pipe = Pipeline(describer="hf:Qwen/Qwen2-VL-2B-Instruct")     # ModelsConfig/RuntimeConfig fields
    result = pipe.encode("photo.jpg", ubpp=100)                    # EncodeConfig fields, or config=
    image = pipe.decode(result.encoded.data).image
"""

from __future__ import annotations

import os
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

from ..codec.rate import Budget
from ..errors import InputError
from .config import EncodeConfig, ModelsConfig, RuntimeConfig, split_settings
from .decode import DecodeResult, decode
from .encode import EncodeResult, encode
from .modelset import ModelSet

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..codec import Encoded

__all__ = [
    "DecodeResult", "EncodeConfig", "EncodeResult", "ModelSet", "ModelsConfig", "Pipeline", "RuntimeConfig",
    "decode", "encode",
]


class Pipeline:
    """Models for encoding and decoding images (loaded once, on first use) and the two directions.

    Give ``models`` and ``runtime`` configuration objects, or their fields as keywords
    (``Pipeline(describer="fake:x", generator="sdxl-turbo", cache=False)``).
    """

    def __init__(self, models: ModelsConfig | None = None, runtime: RuntimeConfig | None = None, **settings: Any) -> None:
        model_kw, runtime_kw, unknown = split_settings(settings)
        if unknown:
            raise InputError(f"Pipeline has no setting {sorted(unknown)[0]!r}")
        self.models = ModelSet(replace(models or ModelsConfig(), **model_kw),
                               replace(runtime or RuntimeConfig(), **runtime_kw))

    def encode(self, image: Image | str | os.PathLike[str] | None = None, *, text: str | None = None,
               size: tuple[int, int] | None = None, trace: str | os.PathLike[str] | None = None,
               config: EncodeConfig | None = None, **settings: Any) -> EncodeResult:
        """Encode an image (or the description ``text``) into a .smc file.

        ``settings`` are ``EncodeConfig`` fields (``coder=``, ``reflect=``...) plus ``max_bits``
        or ``ubpp`` for the budget. A search (reflection, seeds, a quality target) keeps the
        best-scoring file and never a worse one.
        """
        return encode(self.models, image, encode_config(config, settings), text=text, size=size, trace=trace)

    def decode(self, data: bytes | Encoded) -> DecodeResult:
        """Regenerate the image of a .smc file with its generator profile (or this pipeline's
        generator, when one was given: then a custom-generator file decodes as it was made)."""
        return decode(self.models, data)


def encode_config(config: EncodeConfig | None, settings: dict[str, Any]) -> EncodeConfig:
    """``config`` (default: the defaults) with ``settings`` applied; ``max_bits``/``ubpp`` set
    the budget."""
    settings = dict(settings)
    budget = {k: settings.pop(k) for k in ("max_bits", "ubpp") if k in settings}
    names = {f.name for f in fields(EncodeConfig)}
    unknown = sorted(set(settings) - names)
    if unknown:
        raise InputError(f"encoding has no setting {unknown[0]!r}")
    if budget:
        settings["budget"] = Budget(**budget)
    return replace(config or EncodeConfig(), **settings)
