"""The contracts every model fulfils, and what all backends share.

A backend wraps one model behind a small protocol, so that the rest of semcodec deals in plain
Python values (PIL images and strings) and never imports torch, transformers, diffusers or openai.
The roles:

- ``describer``: a vision-language model that writes a description of an image.
- ``generator``: a text-to-image model that renders a description at a size under a seed.
- ``expander``: restores the paper's consonant skeleton to words.
- ``text``: a chat language model answering one system + user message (rate control's
  ``rewrite`` strategy and reflection ask it to shorten or revise descriptions).
- ``judge``: scores how close a candidate image is to the original (the encoder's search).

A backend class declares what it is, so that callers ask the class and never the spec string
(llm's ``Model`` does the same): the ``roles`` it can play, ``accepts_images``, ``deterministic``
(a generator: the same prompt, size and seed give the same pixels), ``needs_key``, the models of
other roles it ``uses`` (a text judge describes images with the describer), and its options as
a pydantic model (``Options``): a runtime setting such as ``device``, ``dtype``,
``cpu_offload`` or ``base_url`` reaches a backend exactly when its options have that field.

Each backend has a ``model_id``, a ``revision`` and options; its ``cache_key()`` names everything
that changes its output (never an API key), so results can be cached and reproduced. This module
is import-light on purpose: no model library is imported.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

#: Every role a model can play, in the order users meet them.
ROLES = ("describer", "generator", "expander", "text", "judge")


class BackendOptions(BaseModel):
    """Base of every backend's options: immutable, unknown names rejected.

    Fields that must never reach a cache key, a log or an error (API keys) are declared with
    ``Field(exclude=True)`` and typed ``SecretStr``; ``cache_dict()`` leaves them out.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=())

    #: Options that cannot change a result (progress bars, timeouts), left out of cache keys.
    NOT_IN_CACHE_KEY: ClassVar[frozenset[str]] = frozenset()
    #: Options that say how to reach or run a model, not what it computes (keys, servers,
    #: timeouts, offloading, progress): never part of a generator profile's identity.
    TRANSPORT: ClassVar[frozenset[str]] = frozenset()

    def cache_dict(self) -> dict[str, Any]:
        """The options that change a backend's output, as JSON-ready values (secrets excluded)."""
        return self.model_dump(mode="json", exclude=set(self.NOT_IN_CACHE_KEY))

    def instance_key(self) -> str:
        """Identity for the in-process model table: all options, secrets only as a sha256."""
        import hashlib

        from pydantic import SecretStr

        secrets = {
            name: hashlib.sha256(value.get_secret_value().encode()).hexdigest()
            for name, value in self
            if isinstance(value, SecretStr)
        }
        return json.dumps([self.model_dump(mode="json"), secrets], sort_keys=True)


class Backend:
    """Shared identity of a backend: provider, model, revision, options and capability flags.

    Subclasses set the class attributes and call ``Backend.__init__`` from their constructor.
    A class whose ``uses`` names other roles receives those models as keyword arguments.
    """

    #: Provider name as written in a spec (``hf``, ``diffusers``, ``openai``, ``fake``, ``clip``...).
    provider: ClassVar[str] = ""
    #: The roles this class can play (see ``ROLES``).
    roles: ClassVar[frozenset[str]] = frozenset()
    #: The pydantic options model of this backend.
    Options: ClassVar[type[BackendOptions]] = BackendOptions
    #: Describer: the model reads images.
    accepts_images: ClassVar[bool] = False
    #: Generator: the same (prompt, size, seed) gives the same pixels on the same hardware.
    deterministic: ClassVar[bool] = False
    #: Other roles whose models this one needs (passed to the constructor by role name).
    uses: ClassVar[tuple[str, ...]] = ()
    #: The model used when a spec names only the provider (``clip``, ``ngram``); None: required.
    default_model: ClassVar[str | None] = None
    #: One instance per process for equal specs and options (weights loaded once). False for
    #: cheap objects that keep per-run state (scripted fakes, judges remembering an original).
    shared: ClassVar[bool] = True
    #: Results are worth keeping in the persistent result cache (False for fast offline models).
    cacheable: ClassVar[bool] = True
    #: Optional libraries the backend imports, and the pip extra that installs them.
    requires: ClassVar[tuple[str, ...]] = ()
    extra: ClassVar[str] = "hf"

    @classmethod
    def check_installed(cls) -> None:
        """MissingDependency (naming the extra) unless every library in ``requires`` is installed;
        imports nothing, so callers check before any work starts."""
        from ..deps import check

        check(cls.requires, cls.extra, f"The {cls.provider} backend")

    def __init__(self, model_id: str, revision: str | None, options: BackendOptions) -> None:
        self.model_id = model_id
        self.revision = revision
        self.options = options

    @classmethod
    def accepts_option(cls, name: str) -> bool:
        """True when ``name`` is one of this backend's options (``device``, ``base_url``...)."""
        return name in cls.Options.model_fields

    @property
    def needs_key(self) -> bool:
        """True when the backend needs an API key to work."""
        return False

    @property
    def spec(self) -> str:
        """The spec string naming this backend (``provider:model[@revision]``)."""
        rev = f"@{self.revision}" if self.revision else ""
        return f"{self.provider}:{self.model_id}{rev}"

    def cache_key(self) -> str:
        """Canonical JSON of provider, model, revision and options: what determines the output."""
        return json.dumps(
            {
                "provider": self.provider,
                "model": self.model_id,
                "revision": self.revision,
                "options": self.options.cache_dict(),
            },
            sort_keys=True,
            separators=(",", ":"),
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec}>"


@runtime_checkable
class Describer(Protocol):
    """A vision-language model that describes images."""

    accepts_images: bool
    model_id: str

    def describe(self, image: Image.Image, instruction: str) -> str:
        """Return the model's answer to ``instruction`` about ``image`` (stripped text).

        Raises ``BackendError`` when the model or server fails.
        """

    def cache_key(self) -> str: ...


@runtime_checkable
class Generator(Protocol):
    """A text-to-image model."""

    deterministic: bool
    model_id: str

    def generate(self, prompt: str, width: int, height: int, seed: int) -> Image.Image:
        """Render ``prompt`` as an RGB image of about ``width`` x ``height`` under ``seed``.

        The size may be snapped to what the model supports (a multiple of 8 or 16, or a hosted
        API's fixed sizes); callers bring it back with ``semcodec.imageio.fit_to_size``. A
        non-deterministic generator ignores the seed. Raises ``BackendError`` on failure.
        """

    def cache_key(self) -> str: ...


@runtime_checkable
class TextModel(Protocol):
    """A chat language model answering one system message and one user message."""

    model_id: str

    def complete(self, system: str, user: str) -> str:
        """Return the model's reply (stripped text); raises ``BackendError`` on failure."""

    def cache_key(self) -> str: ...


@runtime_checkable
class Expander(Protocol):
    """Restores the consonant skeleton of a description to words."""

    model_id: str

    def expand(self, skeleton: str) -> str:
        """Return the restored text, e.g. ``"th mg shws dg"`` -> ``"the image shows a dog"``."""

    def cache_key(self) -> str: ...


@runtime_checkable
class Judge(Protocol):
    """Scores a candidate image against the original: higher is closer.

    Scores are only compared within one judge, never across judges, so each judge keeps its
    natural scale (a cosine similarity, a 0-1 rating).
    """

    #: The kind of judge ("clip", "siglip", "dino", "text", "vlm", "fake").
    name: str
    #: The model it uses (a Hub id or a local directory).
    model_id: str

    def score(self, original: Image.Image, candidate: Image.Image) -> float:
        """Similarity of ``candidate`` to ``original``; higher is closer."""
        ...


@runtime_checkable
class SupportsScoreText(Judge, Protocol):
    """A judge that can also compare two descriptions directly."""

    def score_text(self, reference: str, candidate: str) -> float:
        """Similarity of two descriptions; higher is closer."""
        ...


class ChatExpandMixin:
    """``expand`` for any backend with ``complete``: one chat turn with the versioned prompt."""

    def complete(self, system: str, user: str) -> str:  # pragma: no cover - provided by subclass
        raise NotImplementedError

    def expand(self, skeleton: str) -> str:
        """Restore ``skeleton`` (lower-case consonants and spaces) to a plausible description."""
        from .prompts import EXPAND

        return self.complete(*EXPAND.render(skeleton=skeleton))
