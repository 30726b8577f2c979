"""Local language models through transformers (``hf:ORG/NAME``, ``hf:/local/dir``).

Two kinds of model, chosen from the model's config:

- chat vision-language models (``AutoProcessor`` + ``AutoModelForImageTextToText``, e.g.
  Qwen2-VL, LLaVA, SmolVLM): describe images, and answer text-only chats;
- causal language models (``AutoTokenizer`` + ``AutoModelForCausalLM``): answer chats (with the
  tokenizer's chat template when it has one) and expand consonant skeletons.

Decoding is greedy by default, so the same input gives the same text on the same hardware.
Weights come from the Hugging Face cache (``HF_HOME``); with ``HF_HUB_OFFLINE=1`` nothing is
downloaded and a missing model is a BackendError that says how to get it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from ..local import (
    LocalOptions,
    dtype_kwarg,
    friendly_load_errors,
    friendly_run_errors,
    model_location,
    progress_bars,
    resolve_device,
    resolve_dtype,
)
from ...deps import require
from ..base import Backend, ChatExpandMixin

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from ..registry import Spec


class HFOptions(LocalOptions):
    """Options of transformers models."""

    #: Longest answer, in tokens.
    max_new_tokens: int = Field(256, ge=1, le=8192)


class HFChat(Backend, ChatExpandMixin):
    """What both kinds share: loading onto a device, greedy generation, decoding the answer."""

    provider = "hf"
    roles = frozenset({"describer", "text", "expander"})
    requires = ("torch", "transformers")
    Options = HFOptions
    deterministic = True  # greedy decoding

    def __init__(self, model_id: str, revision: str | None, options: HFOptions) -> None:
        super().__init__(model_id, revision, options)
        self.device = resolve_device(options.device)
        self.dtype = resolve_dtype(options.dtype, self.device)
        with friendly_load_errors(model_id, revision), progress_bars(options.progress):
            self._load(model_location(model_id, revision))

    def _load(self, location: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _messages(self, system: str, user: Any) -> list[dict[str, Any]]:
        msgs: list[dict[str, Any]] = [{"role": "system", "content": self._content(system)}] if system else []
        return msgs + [{"role": "user", "content": user}]

    def _content(self, text: str) -> Any:
        return text

    def _generate(self, inputs: Any) -> str:
        """Greedy-decode from tokenised ``inputs`` and return the new text, stripped."""
        import torch

        tokenizer = getattr(self.processor, "tokenizer", self.processor)
        with friendly_run_errors(self.model_id), torch.inference_mode():
            inputs = inputs.to(self.device)
            if "pixel_values" in inputs:
                inputs["pixel_values"] = inputs["pixel_values"].to(self.dtype)
            out = self.model.generate(
                **inputs,
                max_new_tokens=self.options.max_new_tokens,
                do_sample=False,
                pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id,
            )
        new_tokens = out[:, inputs["input_ids"].shape[1] :]
        return tokenizer.batch_decode(new_tokens, skip_special_tokens=True)[0].strip()

    def _chat_prompt(self, system: str, user: Any) -> str:
        """The chat template applied to one exchange; a template without a system role gets the
        system text prepended to the user turn."""
        try:
            return self.processor.apply_chat_template(self._messages(system, user), add_generation_prompt=True, tokenize=False)
        except Exception:
            if not system:
                raise
            merged = self._merge(system, user)
            return self.processor.apply_chat_template(self._messages("", merged), add_generation_prompt=True, tokenize=False)

    def _merge(self, system: str, user: Any) -> Any:
        return f"{system}\n\n{user}"


class HFVisionChat(HFChat):
    """A chat vision-language model (``AutoModelForImageTextToText``)."""

    accepts_images = True

    def _load(self, location: str) -> None:
        transformers = require("transformers", "hf", "The hf backend")
        AutoModelForImageTextToText, AutoProcessor = transformers.AutoModelForImageTextToText, transformers.AutoProcessor

        self.processor = AutoProcessor.from_pretrained(location, revision=self.revision)
        self.model = AutoModelForImageTextToText.from_pretrained(location, revision=self.revision, **dtype_kwarg("transformers", self.dtype))
        self.model.to(self.device).eval()

    def _content(self, text: str) -> Any:
        return [{"type": "text", "text": text}]

    def _merge(self, system: str, user: Any) -> Any:
        return [{"type": "text", "text": system}, *user]

    def describe(self, image: Image.Image, instruction: str) -> str:
        """The model's answer to ``instruction`` about ``image``."""
        prompt = self._chat_prompt("", [{"type": "image"}, {"type": "text", "text": instruction}])
        with friendly_run_errors(self.model_id):
            inputs = self.processor(images=[image.convert("RGB")], text=[prompt], return_tensors="pt")
        return self._generate(inputs)

    def complete(self, system: str, user: str) -> str:
        """A text-only chat turn."""
        prompt = self._chat_prompt(system, self._content(user))
        return self._generate(self.processor(text=[prompt], return_tensors="pt"))


class HFTextChat(HFChat):
    """A causal language model (``AutoModelForCausalLM``), chat template when it has one."""

    def _load(self, location: str) -> None:
        transformers = require("transformers", "hf", "The hf backend")
        AutoModelForCausalLM, AutoTokenizer = transformers.AutoModelForCausalLM, transformers.AutoTokenizer

        self.processor = AutoTokenizer.from_pretrained(location, revision=self.revision)
        self.model = AutoModelForCausalLM.from_pretrained(location, revision=self.revision, **dtype_kwarg("transformers", self.dtype))
        self.model.to(self.device).eval()

    def complete(self, system: str, user: str) -> str:
        """One chat turn (or ``system``, a blank line and ``user`` for a model with no template)."""
        if getattr(self.processor, "chat_template", None):
            prompt, special = self._chat_prompt(system, user), False
        else:
            prompt, special = (f"{system}\n\n{user}\n" if system else f"{user}\n"), True
        return self._generate(self.processor([prompt], return_tensors="pt", add_special_tokens=special))


def backend_class(role: str, spec: Spec) -> type[Backend] | None:
    """Describers are VLMs; text roles use a VLM or a causal LM, as the model's config says."""
    if role == "describer":
        return HFVisionChat
    if role not in HFChat.roles:
        return None
    AutoConfig = require("transformers", "hf", "The hf backend").AutoConfig

    with friendly_load_errors(spec.model, spec.revision):
        config = AutoConfig.from_pretrained(model_location(spec.model, spec.revision), revision=spec.revision)
    return HFVisionChat if hasattr(config, "vision_config") else HFTextChat
