"""The lm coder's tokenisation contract: byte-level BPE over the text's bytes, lossless.

A text is any Python ``str``. Its bytes are its UTF-8 encoding, with lone surrogates (which
UTF-8 cannot encode) written as their 3-byte "surrogatepass" forms, so every string has bytes.
Runs of text without surrogates are tokenised by the model's own byte-level BPE (its pre-tokenizer
and merges) with the normaliser switched off (Qwen's NFC would change the text), no prefix space,
no added BOS/EOS and special-token strings read as plain text; a lone surrogate becomes the
single-byte tokens of its three bytes. A token's bytes are fixed by the vocabulary, and a text is
the concatenation of its tokens' bytes, so decoding is exact. ``tokenize`` checks that, and
``detokenize`` refuses token sequences whose bytes are no valid text.

Only byte-level BPE tokenizers (GPT-2 style: SmolLM2, Qwen2.5, Llama 3) are accepted: they can
represent every byte. A SentencePiece tokenizer is refused at load time.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .quant import Fingerprint, UnsupportedModel

_SURROGATES = re.compile("([\ud800-\udfff]+)")


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's map of the 256 bytes to printable characters (the alphabet of byte-level BPE)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def _is_byte_level(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    if node.get("type") == "ByteLevel":
        return True
    return any(_is_byte_level(d) for d in node.get("decoders") or node.get("pretokenizers") or [])


def _no_prefix_space(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "ByteLevel":
            node["add_prefix_space"] = False
        for child in node.get("pretokenizers") or []:
            _no_prefix_space(child)


class ByteTokenizer:
    """Text <-> token ids under the contract above, for a model with ``vocab_size`` ids."""

    def __init__(self, hf_tokenizer: Any, vocab_size: int, eot: int, bos: int) -> None:
        from tokenizers import Tokenizer

        spec = json.loads(hf_tokenizer.backend_tokenizer.to_str())
        model = spec.get("model") or {}
        if model.get("type") != "BPE" or not _is_byte_level(spec.get("decoder")):
            raise UnsupportedModel("the lm coder needs a byte-level BPE tokenizer (like SmolLM2's or Qwen2.5's)")
        spec["normalizer"] = None
        spec["post_processor"] = None
        _no_prefix_space(spec.get("pre_tokenizer"))
        self._tok = Tokenizer.from_str(json.dumps(spec))
        self._tok.encode_special_tokens = True
        self._merges = [m.split(" ", 1) if isinstance(m, str) else list(m) for m in model.get("merges", [])]
        self.vocab_size, self.eot, self.bos = vocab_size, eot, bos
        self.token_bytes = self._byte_table(spec)
        single = {b[0]: i for i, b in enumerate(self.token_bytes) if len(b) == 1}
        if len(single) < 256 or not (0 <= eot < vocab_size and 0 <= bos < vocab_size):
            raise UnsupportedModel("the tokenizer lacks single-byte tokens or its special tokens are out of range")
        self._byte_ids = [single[b] for b in range(256)]

    def _byte_table(self, spec: dict) -> list[bytes]:
        decode = {c: b for b, c in bytes_to_unicode().items()}
        added = {t["id"]: t["content"] for t in spec.get("added_tokens") or []}
        table = [b""] * self.vocab_size
        for token, i in self._tok.get_vocab(with_added_tokens=True).items():
            if i >= self.vocab_size:
                continue
            if i in added:
                table[i] = added[i].encode("utf-8")
            elif all(c in decode for c in token):
                table[i] = bytes(decode[c] for c in token)
            else:
                raise UnsupportedModel("the tokenizer's vocabulary is not byte-level")
        return table

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text``; ValueError naming the first character the tokenizer loses."""
        ids: list[int] = []
        for i, part in enumerate(_SURROGATES.split(text)):
            if i % 2:
                ids += [self._byte_ids[b] for b in part.encode("utf-8", "surrogatepass")]
            elif part:
                ids += self._tok.encode(part, add_special_tokens=False).ids
        got, want = b"".join(self.token_bytes[i] for i in ids), text.encode("utf-8", "surrogatepass")
        if got != want:
            n = next((k for k, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            raise ValueError(f"the model's tokenizer cannot represent the character {_char_at(text, n)!r}")
        return ids

    def detokenize(self, ids: list[int]) -> str:
        """The text whose bytes are those of ``ids``; ValueError if they are not valid UTF-8."""
        try:
            return b"".join(self.token_bytes[i] for i in ids).decode("utf-8", "surrogatepass")
        except (UnicodeDecodeError, IndexError) as e:
            raise ValueError("the tokens do not spell a valid text") from e

    def add_to(self, fp: Fingerprint) -> None:
        """Hash what decides tokens and their bytes: the byte table, the merges, EOT and start ids."""
        fp.add("token_bytes", b"".join(len(b).to_bytes(2, "big") + b for b in self.token_bytes))
        fp.add("merges", json.dumps(self._merges, ensure_ascii=False).encode("utf-8"))
        fp.add("specials", f"{self.eot},{self.bos}".encode())


def _char_at(text: str, byte_offset: int) -> str:
    """The character of ``text`` that holds byte ``byte_offset`` of its encoding."""
    pos = 0
    for ch in text:
        pos += len(ch.encode("utf-8", "surrogatepass"))
        if pos > byte_offset:
            return ch
    return text[-1:] if text else ""
