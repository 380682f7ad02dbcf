"""Build a small chat model on disk, with random weights, for tests and benchmarks.

Model hubs are out of reach in tests, so this writes what a hub download would: a Qwen2 causal LM
(``config.json`` + ``model.safetensors``) and a fast tokenizer with a ChatML chat template,
trained here on a few hundred synthetic support sentences. Load the folder the way a real model
is loaded (``from_pretrained(path)``), so tests exercise the production code path.

The text it generates is gibberish; what matters is that it is deterministic for a given seed,
and that greedy decoding never emits the end token, so answers run to ``max_new_tokens``.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast

__all__ = ["CHAT_TEMPLATE", "ModelSize", "build_tiny_chat_model", "support_sentences"]

ModelSize = Literal["tiny", "small"]

#: ChatML, as used by Qwen2 instruct models.
CHAT_TEMPLATE: Final = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

_SPECIAL_TOKENS: Final = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

# "tiny" is for unit tests (~0.5M parameters, builds in well under a second); "small" is ~30M
# parameters, the size the benchmark targets on a 2-core CPU.
_SIZES: Final[dict[str, dict[str, Any]]] = {  # Qwen2Config keyword arguments
    "tiny": {
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "vocab_size": 1024,
        # Wide initial weights so greedy decoding varies from token to token instead of repeating one.
        "initializer_range": 0.3,
    },
    "small": {
        "hidden_size": 512,
        "intermediate_size": 1536,
        "num_hidden_layers": 10,
        "num_attention_heads": 8,
        "num_key_value_heads": 2,
        "vocab_size": 4096,
        "initializer_range": 0.1,
    },
}

_SUBJECTS: Final = [
    "my order",
    "the parcel",
    "this hoodie",
    "the refund",
    "your shop",
    "the coupon",
    "the blue mug",
    "shipping",
    "the invoice",
    "my account",
    "the warranty",
    "the size chart",
]
_VERBS: Final = [
    "has not arrived",
    "is broken",
    "looks great",
    "was charged twice",
    "needs a change",
    "is missing a part",
    "ships to Canada",
    "costs too much",
    "cannot be found",
    "works fine",
]
_TAILS: Final = [
    "since Monday.",
    "again, sorry!",
    "— can you help?",
    "and I need it by Friday.",
    "according to the tracking page.",
    "(order #4521).",
    "in size XL.",
    "after 30 days?",
    "with express delivery.",
    "so what now?",
]


def support_sentences(count: int = 400, seed: int = 0) -> Iterator[str]:
    """Yield ``count`` deterministic customer-support sentences (tokenizer corpus, bench prompts)."""
    rng = random.Random(seed)
    combos = list(itertools.product(_SUBJECTS, _VERBS, _TAILS))
    rng.shuffle(combos)
    for subject, verb, tail in itertools.islice(itertools.cycle(combos), count):
        yield f"{subject.capitalize()} {verb} {tail}"


def _train_tokenizer(vocab_size: int) -> PreTrainedTokenizerFast:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=_SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(support_sentences(), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def build_tiny_chat_model(path: Path, *, size: ModelSize = "tiny", seed: int = 0) -> Path:
    """Write a random-weight Qwen2 chat model and its tokenizer into ``path`` and return ``path``.

    ``size="tiny"`` is for tests; ``size="small"`` (~30M parameters) is for benchmarks. The result
    is fully determined by ``size`` and ``seed``.
    """
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    dims = _SIZES[size]
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)

    tokenizer = _train_tokenizer(int(dims["vocab_size"]))
    eos_id, pad_id = (tokenizer.convert_tokens_to_ids(token) for token in ("<|im_end|>", "<|endoftext|>"))
    assert isinstance(eos_id, int) and isinstance(pad_id, int), "one token in, one id out"
    config = Qwen2Config(
        **{**dims, "vocab_size": len(tokenizer)},
        max_position_embeddings=2048,
        bos_token_id=pad_id,
        eos_token_id=eos_id,
        pad_token_id=pad_id,
        tie_word_embeddings=False,
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    with torch.no_grad():
        # The end token's logit is then always 0, far below the top of the others: greedy decoding
        # never stops early, so timeouts, cancellation and benchmarks can rely on long answers.
        model.lm_head.weight[eos_id].zero_()
    model.generation_config = GenerationConfig(eos_token_id=eos_id, pad_token_id=pad_id, bos_token_id=pad_id)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
