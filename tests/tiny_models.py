"""Tiny, randomly initialised models of real classes, saved like real checkpoints.

Built from configs with locally written tokenizers (no download), in the spirit of the
``get_dummy_components()`` helpers of the diffusers and transformers test suites. Their outputs
are garbage, but loading and running them exercises the same code paths as real checkpoints.
"""

from __future__ import annotations

import json
from pathlib import Path

WORDS = (
    "a an the of on in with and image photo shows dog cat red blue green small large sky tree house "
    "beach water man woman car street light dark white black left right near far sunset mountain "
    "describe this so that text to model can recreate it restore"
).split()

#: A minimal chat template: role tags, text parts, and ``<image>`` for image parts.
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|> "
    "{% if m['content'] is string %}{{ m['content'] }}"
    "{% else %}{% for c in m['content'] %}{% if c['type'] == 'image' %}<image> {% else %}{{ c['text'] }}{% endif %}{% endfor %}"
    "{% endif %} </s> {% endfor %}{% if add_generation_prompt %}<|assistant|> {% endif %}"
)
SPECIALS = ["<unk>", "<pad>", "<s>", "</s>", "<image>", "<|system|>", "<|user|>", "<|assistant|>"]


def word_tokenizer(chat_template: str | None = CHAT_TEMPLATE):
    """A word-level fast tokenizer over ``WORDS`` plus a few punctuation marks."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate(SPECIALS + WORDS + list(".,;:'!?-()"))}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.decoder = decoders.WordPiece(prefix="##")  # joins word tokens with spaces
    tok.add_special_tokens(SPECIALS)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", bos_token="<s>", eos_token="</s>",
        extra_special_tokens={"image_token": "<image>"},
    )
    if chat_template:
        fast.chat_template = chat_template
    return fast


def _llama_config(vocab_size: int, **extra):
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=512, bos_token_id=2, eos_token_id=3, pad_token_id=1, **extra,
    )


def save_tiny_lm(path: Path, chat_template: str | None = CHAT_TEMPLATE) -> Path:
    """A 2-layer Llama chat LM with a word-level tokenizer."""
    import torch
    from transformers import LlamaForCausalLM

    torch.manual_seed(0)
    tok = word_tokenizer(chat_template)
    LlamaForCausalLM(_llama_config(len(tok))).save_pretrained(path)
    tok.save_pretrained(path)
    return path


def save_tiny_vlm(path: Path) -> Path:
    """A LLaVA chat VLM: 2-layer CLIP vision tower (32 px, 8 px patches) + 2-layer Llama."""
    import torch
    import transformers
    from transformers import CLIPVisionConfig, LlavaConfig, LlavaForConditionalGeneration, LlavaProcessor

    torch.manual_seed(0)
    tok = word_tokenizer()
    image_processor_cls = getattr(transformers, "CLIPImageProcessorPil", None) or transformers.CLIPImageProcessor
    image_processor = image_processor_cls(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    processor = LlavaProcessor(
        image_processor=image_processor, tokenizer=tok, patch_size=8, vision_feature_select_strategy="default",
        chat_template=CHAT_TEMPLATE, image_token="<image>", num_additional_image_tokens=1,
    )
    vision = CLIPVisionConfig(
        hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4, image_size=32,
        patch_size=8, projection_dim=32,
    )
    config = LlavaConfig(
        vision_config=vision, text_config=_llama_config(len(tok)), image_token_index=tok.convert_tokens_to_ids("<image>"),
        vision_feature_layer=-1, vision_feature_select_strategy="default",
    )
    LlavaForConditionalGeneration(config).save_pretrained(path)
    processor.save_pretrained(path)
    return path


def _clip_tokenizer(path: Path):
    """A byte-level BPE CLIP tokenizer with single-byte tokens only (no merges)."""
    from transformers import CLIPTokenizer

    from semcodec.models.lm.tokenizer import bytes_to_unicode

    chars = list(bytes_to_unicode().values())  # GPT-2's byte alphabet, in its own order
    tokens = chars + [c + "</w>" for c in chars] + ["<|startoftext|>", "<|endoftext|>"]
    path.mkdir(parents=True, exist_ok=True)
    (path / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}), encoding="utf-8")
    (path / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    return CLIPTokenizer(str(path / "vocab.json"), str(path / "merges.txt"), model_max_length=77)


def save_tiny_sd(path: Path) -> Path:
    """A Stable Diffusion pipeline with a 2-block UNet, a 2-block VAE and a tiny CLIP text encoder."""
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(0)
    tokenizer = _clip_tokenizer(path / "_tok_src")
    unet = UNet2DConditionModel(
        block_out_channels=(4, 8), layers_per_block=1, sample_size=16, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32, norm_num_groups=2, attention_head_dim=2,
    )
    vae = AutoencoderKL(
        block_out_channels=(4, 8), in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 2,
        up_block_types=("UpDecoderBlock2D",) * 2, latent_channels=4, norm_num_groups=2,
    )
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            bos_token_id=len(tokenizer) - 2, eos_token_id=len(tokenizer) - 1, pad_token_id=len(tokenizer) - 1,
            hidden_size=32, intermediate_size=37, layer_norm_eps=1e-5, num_attention_heads=4, num_hidden_layers=2,
            vocab_size=len(tokenizer), max_position_embeddings=77,
        )
    )
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", steps_offset=1)
    pipe = StableDiffusionPipeline(
        unet=unet, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, scheduler=scheduler,
        safety_checker=None, feature_extractor=None, image_encoder=None, requires_safety_checker=False,
    )
    pipe.save_pretrained(path)
    return path


# Judges: image-embedding models (CLIP, SigLIP, DINOv2) and a sentence-embedding BERT.
JUDGE_VISION = dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4, image_size=30, patch_size=6)
JUDGE_TEXT = dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4, vocab_size=99, max_position_embeddings=16)
JUDGE_VOCAB = "[PAD] [UNK] [CLS] [SEP] [MASK] a the red blue green cat dog fox on in snow grass sky mat ##s".split()


def save_tiny_clip(path):
    """A tiny random CLIPModel with its image processor."""
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel

    CLIPModel(CLIPConfig(vision_config=JUDGE_VISION, text_config=JUDGE_TEXT, projection_dim=16)).save_pretrained(path)
    CLIPImageProcessor(size={"shortest_edge": 30}, crop_size={"height": 30, "width": 30}).save_pretrained(path)


def save_tiny_siglip(path):
    """A tiny random SiglipModel with its image processor."""
    from transformers import SiglipConfig, SiglipImageProcessor, SiglipModel

    SiglipModel(SiglipConfig(vision_config=JUDGE_VISION, text_config=JUDGE_TEXT)).save_pretrained(path)
    SiglipImageProcessor(size={"height": 30, "width": 30}).save_pretrained(path)


def save_tiny_dinov2(path):
    """A tiny random DINOv2 model with its image processor."""
    from transformers import BitImageProcessor, Dinov2Config, Dinov2Model

    Dinov2Model(Dinov2Config(**{k: v for k, v in JUDGE_VISION.items() if k != "intermediate_size"}, mlp_ratio=1)).save_pretrained(path)
    BitImageProcessor(size={"shortest_edge": 30}, crop_size={"height": 30, "width": 30}).save_pretrained(path)


def save_tiny_bert(path):
    """A tiny random BertModel with a locally written WordPiece vocabulary."""
    from transformers import BertConfig, BertModel, BertTokenizer

    path.mkdir(parents=True, exist_ok=True)
    (path / "vocab.txt").write_text("\n".join(JUDGE_VOCAB) + "\n")
    BertTokenizer(str(path / "vocab.txt")).save_pretrained(path)
    config = BertConfig(vocab_size=len(JUDGE_VOCAB), hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37, max_position_embeddings=64)
    BertModel(config).save_pretrained(path)
