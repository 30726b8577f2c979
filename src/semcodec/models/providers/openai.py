"""The OpenAI API and any OpenAI-compatible server (vLLM, Ollama, llama.cpp): ``openai:MODEL``.

One backend does everything the API offers: vision chat to describe (the image travels as a
base64 PNG data URL), chat to expand and complete, and image generation (``dall-e-3``,
``gpt-image-1``; results as base64). Hosted image generation cannot be seeded, so the generator
is not deterministic. A different server is chosen with the ``base_url`` option or
``OPENAI_BASE_URL``.

The API key comes from the ``api_key`` option, else the key file (``SEMCODEC_OPENAI_KEY_FILE``,
default ``~/.config/semcodec/openai_key``), else ``OPENAI_API_KEY``. It is never printed, logged,
put in a cache key or in an error message. A custom ``base_url`` without any key gets a
placeholder, because local servers usually ignore the key.

Transient faults (429, 5xx, timeouts, dropped connections) are retried by the SDK with
exponential backoff, honouring ``Retry-After``; whatever still fails is a BackendError with one
sentence.

Time is bounded twice: ``timeout`` is the SDK's limit on one request's connect and each of its
reads, and ``deadline`` bounds a whole call (describe, generate, chat) with every retry and wait,
even against a server that drips its answer a byte at a time (which no read timeout catches).
The call runs in a worker thread that the caller waits for at most ``deadline`` seconds; an
abandoned call's client is closed, so it can make no further requests. Both are options of each
role (``--describer-option deadline=60``). Replies are bounded too: a text reply longer than
``MAX_REPLY_CHARS`` and an image larger than ``MAX_IMAGE_REPLY_BYTES`` (or than the pixel limit)
are refused, whatever ``max_tokens`` asked for.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import logging
import os
import threading
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Literal, TypeVar

from pydantic import Field, SecretStr

from ..costs import report_usage
from ...deps import require
from ...errors import BackendError, InputError
from ...limits import MAX_IMAGE_REPLY_BYTES, MAX_KEY_FILE_BYTES, MAX_REPLY_CHARS
from ..base import Backend, BackendOptions, ChatExpandMixin

T = TypeVar("T")

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from ..registry import Spec

log = logging.getLogger(__name__)

#: Sizes each hosted image model accepts; other models get the requested size as asked.
IMAGE_SIZES: dict[str, tuple[tuple[int, int], ...]] = {
    "dall-e-3": ((1024, 1024), (1792, 1024), (1024, 1792)),
    "dall-e-2": ((256, 256), (512, 512), (1024, 1024)),
    "gpt-image-1": ((1024, 1024), (1536, 1024), (1024, 1536)),
    "gpt-image-1-mini": ((1024, 1024), (1536, 1024), (1024, 1536)),
}


def default_key_file() -> Path:
    """Where the API key file is looked for (see the module docstring)."""
    env = os.environ.get("SEMCODEC_OPENAI_KEY_FILE")
    if env:
        return Path(env).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "semcodec" / "openai_key"


class OpenAIOptions(BackendOptions):
    """Options of the OpenAI backend."""

    NOT_IN_CACHE_KEY = frozenset({"timeout", "max_retries", "deadline"})
    TRANSPORT = frozenset({"api_key", "base_url", "timeout", "max_retries", "deadline"})

    #: The API key; never part of cache keys or messages.
    api_key: SecretStr | None = Field(None, exclude=True)
    #: An OpenAI-compatible server's URL, e.g. ``http://localhost:8000/v1``; default
    #: ``OPENAI_BASE_URL`` or the OpenAI API.
    base_url: str | None = None
    #: Seconds one HTTP request may wait to connect and for each read (image generation can
    #: take a minute).
    timeout: float = Field(120.0, gt=0, allow_inf_nan=False)
    #: Retries of transient faults (429, 5xx, timeouts), with exponential backoff.
    max_retries: int = Field(3, ge=0, le=20)
    #: Seconds one call (describe, generate, chat) may take in all, every retry and wait included.
    deadline: float = Field(300.0, gt=0, allow_inf_nan=False)
    #: Longest chat answer in tokens.
    max_tokens: int = Field(400, ge=1)
    #: Sampling temperature for chats; None: the server's default (some models accept no other).
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    #: Image detail for vision chats (``low`` costs fewer tokens).
    detail: Literal["auto", "low", "high"] = "auto"
    #: Image quality (e.g. ``standard``/``hd`` for dall-e-3, ``low``/``medium``/``high`` for
    #: gpt-image-1); None: the API's default.
    quality: str | None = None
    #: dall-e-3 style (``vivid`` or ``natural``); None: the API's default.
    style: str | None = None


class OpenAIBackend(Backend, ChatExpandMixin):
    """A model behind the OpenAI API (or a compatible server)."""

    provider = "openai"
    roles = frozenset({"describer", "generator", "text", "expander"})
    requires = ("openai",)
    extra = "openai"
    Options = OpenAIOptions
    accepts_images = True
    deterministic = False  # hosted generators take no seed

    def __init__(self, model_id: str, revision: str | None, options: OpenAIOptions) -> None:
        super().__init__(model_id, revision, options)
        self.base_url = _checked_url(options.base_url or os.environ.get("OPENAI_BASE_URL") or None)
        self._key = self._find_key()
        self.client = self._new_client()

    def _new_client(self) -> Any:
        openai = require("openai", "openai", "The OpenAI backend")

        return openai.OpenAI(api_key=self._key, base_url=self.base_url, max_retries=self.options.max_retries,
                             timeout=min(self.options.timeout, self.options.deadline))

    @property
    def needs_key(self) -> bool:
        """The OpenAI API needs a key; a custom server may not."""
        return self.base_url is None

    @property
    def server(self) -> str:
        """Where requests go, for messages."""
        return self.base_url or "the OpenAI API"

    def _find_key(self) -> str:
        if self.options.api_key is not None:
            return self.options.api_key.get_secret_value()
        path = default_key_file()
        if os.path.lexists(path):  # a FIFO, a device or a huge file is refused, never read
            from ...fileio import read_text

            key = read_text(path, MAX_KEY_FILE_BYTES, "API key file").strip()
            if key:
                return key
        key = os.environ.get("OPENAI_API_KEY", "").strip()
        if key:
            return key
        if self.base_url is not None:
            return "no-key"  # local servers usually accept any key
        raise BackendError(
            f"No OpenAI API key found; set OPENAI_API_KEY, write the key to {path}, or give the model the option api_key=KEY.",
            params=("describer_option", "text_model_option", "generator_option"),
        )

    @contextlib.contextmanager
    def _api(self, what: str) -> Iterator[None]:
        """Map the SDK's exceptions (after its retries) to one BackendError sentence."""
        openai = require("openai", "openai", "The OpenAI backend")

        tries = f"after {self.options.max_retries} retries"
        try:
            yield
        except BackendError:
            raise
        except openai.AuthenticationError:
            msg = f"{self.server} rejected the API key (401); check OPENAI_API_KEY or the key file {default_key_file()}."
        except openai.PermissionDeniedError:
            msg = f"{self.server} refused access to {self.model_id} (403); check that your key may use this model."
        except openai.NotFoundError:
            msg = f"{self.server} has no model {self.model_id!r} for {what} (404); check the model name."
        except openai.RateLimitError as e:
            quota = "insufficient_quota" in str(e)
            msg = (
                f"{self.server} says the account has no quota left (429); check your plan and billing."
                if quota
                else f"{self.server} is rate limiting requests (429) {tries}; wait a minute and try again."
            )
        except openai.BadRequestError as e:
            msg = f"{self.server} rejected the {what} request (400: {_short(e)}); check the model and options."
        except openai.APIStatusError as e:
            msg = f"{self.server} failed with HTTP {e.status_code} {tries} during {what}; try again later."
        except openai.APITimeoutError:
            msg = f"{self.server} did not answer within {self.options.timeout:g} s {tries}; raise the timeout option or try later."
        except openai.APIConnectionError:
            msg = f"Could not connect to {self.server}; check the network, or that the server at base_url/OPENAI_BASE_URL is running."
        except Exception as e:  # malformed JSON, missing fields, undecodable images
            msg = f"{self.server} returned a malformed response to {what} ({type(e).__name__}); check that it is OpenAI-compatible."
        else:
            return
        raise BackendError(self._scrub(msg)) from None

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "***") if len(self._key) >= 4 else text

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        """``fn()`` (one SDK call with its retries), in a worker thread waited for at most
        ``deadline`` seconds. A late call is abandoned: its client is closed (in the background,
        so that a blocked read cannot block us) and replaced, so it makes no more requests."""
        box: dict[str, Any] = {}
        context = contextvars.copy_context()  # cost accounting follows the call

        def work() -> None:
            try:
                box["value"] = context.run(fn)
            except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
                box["error"] = e

        worker = threading.Thread(target=work, name=f"semcodec-openai-{what}", daemon=True)
        worker.start()
        worker.join(self.options.deadline)
        if worker.is_alive():
            late, self.client = self.client, self._new_client()
            threading.Thread(target=late.close, daemon=True).start()
            raise BackendError(
                f"{self.server} did not finish the {what} call within its deadline of {self.options.deadline:g} s "
                "(retries included); raise the deadline option or try later."
            )
        if "error" in box:
            raise box["error"]
        return box["value"]

    def _chat(self, messages: list[dict[str, Any]], what: str) -> str:
        kwargs: dict[str, Any] = {"model": self.model_id, "messages": messages}
        # The OpenAI API renamed max_tokens; compatible servers mostly know only the old name.
        kwargs["max_tokens" if self.base_url else "max_completion_tokens"] = self.options.max_tokens
        if self.options.temperature is not None:
            kwargs["temperature"] = self.options.temperature
        with self._api(what):
            response = self._call(what, lambda: self.client.chat.completions.create(**kwargs))
            usage = getattr(response, "usage", None)
            if usage is not None:
                report_usage(tokens_in=usage.prompt_tokens or 0, tokens_out=usage.completion_tokens or 0)
            text = response.choices[0].message.content
            if not isinstance(text, str):
                raise ValueError("no text in the reply")
        if len(text) > MAX_REPLY_CHARS:
            raise BackendError(f"{self.server} answered the {what} request with {len(text):,} characters, more than "
                               f"the limit of {MAX_REPLY_CHARS:,} (it ignores max_tokens={self.options.max_tokens}); "
                               "check the server.")
        return text.strip()

    def describe(self, image: Image.Image, instruction: str) -> str:
        """Vision chat: ``instruction`` and the image as a PNG data URL in one user turn."""
        from ...imageio import to_png_bytes

        url = "data:image/png;base64," + base64.b64encode(to_png_bytes(image.convert("RGB"))).decode("ascii")
        content = [
            {"type": "text", "text": instruction},
            {"type": "image_url", "image_url": {"url": url, "detail": self.options.detail}},
        ]
        return self._chat([{"role": "user", "content": content}], "describe")

    def complete(self, system: str, user: str) -> str:
        """One chat turn."""
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": user}]
        return self._chat(messages, "chat")

    def image_size(self, width: int, height: int) -> tuple[int, int]:
        """The size the model is asked for: its supported size nearest in aspect ratio."""
        sizes = IMAGE_SIZES.get(self.model_id)
        if not sizes:
            return width, height
        from ...imageio import nearest_aspect

        return nearest_aspect(sizes, width, height)

    def generate(self, prompt: str, width: int, height: int, seed: int) -> Image.Image:
        """Hosted image generation; ``seed`` cannot be passed, so equal calls may differ."""
        from ...imageio import from_png_bytes

        w, h = self.image_size(width, height)
        kwargs: dict[str, Any] = {"model": self.model_id, "prompt": prompt, "size": f"{w}x{h}", "n": 1}
        if self.model_id.startswith("dall-e"):
            kwargs["response_format"] = "b64_json"  # gpt-image models always answer in base64
        for name in ("quality", "style"):
            if getattr(self.options, name) is not None:
                kwargs[name] = getattr(self.options, name)
        with self._api("image generation"):
            result = self._call("image generation", lambda: self.client.images.generate(**kwargs)).data[0]
            report_usage(images=1)
            if getattr(result, "revised_prompt", None):
                # dall-e-3 rewrites prompts; useful to see, never part of the coded bits.
                log.info("%s revised the prompt to: %s", self.model_id, result.revised_prompt)
            if not result.b64_json:
                raise ValueError("no b64_json image in the reply")
            b64 = result.b64_json
        if len(b64) > MAX_IMAGE_REPLY_BYTES // 3 * 4 + 4:
            raise BackendError(f"{self.server} returned an image of more than {MAX_IMAGE_REPLY_BYTES:,} bytes; "
                               "check the server.")
        try:
            # The server's image is as untrusted as a user's file: the same pixel limit applies.
            return from_png_bytes(base64.b64decode(b64), name=f"returned by {self.server}")
        except InputError as e:
            raise BackendError(self._scrub(str(e))) from None
        except ValueError:  # not base64
            raise BackendError(f"{self.server} returned an image that is not valid base64; check that it is "
                               "OpenAI-compatible.") from None


def _checked_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) URL with a host, else InputError naming where it came from."""
    if url is None:
        return None
    try:
        parts = urllib.parse.urlsplit(url.strip())
        _ = parts.port  # ValueError for a port that is not a number
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise InputError(f"the OpenAI-compatible server's URL (base_url or OPENAI_BASE_URL) must look like "
                         f"http://localhost:8000/v1, not {url!r}")
    return url.strip()


def _short(e: Exception) -> str:
    body = getattr(e, "body", None)
    message = body.get("message") if isinstance(body, dict) else None
    return str(message or e).splitlines()[0][:160]


def backend_class(role: str, spec: Spec) -> type[Backend]:
    """One class for every role."""
    return OpenAIBackend
