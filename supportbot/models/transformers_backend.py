"""In-process generation with transformers' continuous batching.

One :class:`~transformers.ContinuousBatchingManager` lives as long as the runner: it owns the model
on its own thread and interleaves every request's prefill and decode steps in shared forward
passes over a paged KV cache. The event loop only tokenizes prompts, hands token ids over and
decodes the tokens that come back (delivered on the loop with ``call_soon_threadsafe``), so a
slow model never blocks the bot.

Sampling settings are per manager in transformers; per-request temperature, top-k and top-p use
its per-request processors, and greedy decoding is top-k 1 (sampling from one token is argmax).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import os
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from . import metrics
from .errors import ModelError, ModelUnavailable
from .options import ChatMessage, ResolvedOptions
from .settings import ModelSettings

if TYPE_CHECKING:
    from transformers import ContinuousBatchingManager, PreTrainedTokenizerBase
    from transformers.generation.continuous_batching.requests import GenerationOutput

__all__ = ["TransformersGenerator", "hub_offline", "resolve_device", "resolve_dtype"]

log = logging.getLogger(__name__)

_TRUTHY = {"1", "true", "yes", "on"}


def hub_offline() -> bool:
    """Whether ``HF_HUB_OFFLINE`` is set now (huggingface_hub reads it only once, at import)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUTHY


def resolve_device(device: str) -> str:
    """Turn ``auto`` into ``cuda`` when a GPU is visible, else ``cpu``."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def resolve_dtype(dtype: str, device: str) -> Any:
    """Turn ``auto`` into bfloat16 on a GPU and float32 on a CPU (bf16 matmuls are slow on most CPUs)."""
    import torch

    if dtype == "auto":
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    return getattr(torch, dtype)


class _IncrementalDecoder:
    """Turns one request's token ids into text pieces as they arrive, never splitting a character."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase) -> None:
        from tokenizers.decoders import DecodeStream

        self._backend = getattr(tokenizer, "backend_tokenizer", None)
        self._tokenizer = tokenizer
        self._stream = DecodeStream(skip_special_tokens=True) if self._backend is not None else None
        # Slow tokenizers have no DecodeStream: decode everything and emit the new suffix.
        self._ids: list[int] = []
        self._emitted = ""

    def feed(self, token_ids: list[int]) -> str:
        """The text that ``token_ids`` (the next tokens) complete; may be empty."""
        self._ids.extend(token_ids)
        if self._stream is not None:
            pieces = (self._stream.step(self._backend, token_id) for token_id in token_ids)
            piece = "".join(piece for piece in pieces if piece)
            self._emitted += piece
            return piece
        text = self._tokenizer.decode(self._ids, skip_special_tokens=True)
        if text.endswith("\ufffd"):  # an incomplete UTF-8 sequence: wait for its next byte
            return ""
        piece, self._emitted = text[len(self._emitted) :], text
        return piece

    def finish(self) -> str:
        """What is still held back at the end (bytes of a character that never completed)."""
        text = self._tokenizer.decode(self._ids, skip_special_tokens=True)
        return text[len(self._emitted) :] if text.startswith(self._emitted) else ""


class TransformersGenerator:
    """Serves a causal LM from this process to any number of concurrent chats."""

    name = "transformers"

    def __init__(self, settings: ModelSettings) -> None:
        self._settings = settings
        self._tokenizer: PreTrainedTokenizerBase | None = None
        self._manager: ContinuousBatchingManager | None = None
        self._vocab_size = 0
        self._ids = itertools.count()

    @property
    def manager(self) -> ContinuousBatchingManager | None:
        """The continuous-batching manager, once started (for diagnostics and benchmarks)."""
        return self._manager

    async def start(self) -> None:
        """Load the model and start the manager's thread, off the event loop."""
        await asyncio.to_thread(self._load)

    async def close(self) -> None:
        """Stop the manager; requests still running fail."""
        manager, self._manager = self._manager, None
        if manager is not None:
            await asyncio.to_thread(self._stop, manager)

    async def stream(self, messages: list[ChatMessage], options: ResolvedOptions) -> AsyncIterator[str]:
        """Yield the completion of ``messages`` piece by piece; closing the iterator cancels it."""
        manager, tokenizer = self._manager, self._tokenizer
        if manager is None or tokenizer is None:
            raise ModelUnavailable("the transformers generator is not started")
        input_ids = tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=True, return_dict=False
        )
        request_id = f"supportbot-{next(self._ids)}"
        outputs: asyncio.Queue[GenerationOutput] = asyncio.Queue()
        # The handler must be registered on the loop thread, before the request can produce output.
        manager.register_result_handler(request_id, outputs.put_nowait)
        added = manager.add_request(
            list(input_ids),
            request_id=request_id,
            max_new_tokens=options.max_new_tokens,
            streaming=True,
            **self._sampling_kwargs(options),
        )
        finished = False
        try:
            if added is None:
                raise ModelUnavailable("the generation loop is not accepting requests")
            decoder = _IncrementalDecoder(tokenizer)
            tokens_seen = 0
            while not finished:
                output = await outputs.get()
                finished = output.is_finished()
                if output.error is not None:
                    raise ModelError(f"generation failed: {output.error}")
                # Each output carries every token generated so far; only the tail is new.
                new_tokens = output.generated_tokens[tokens_seen:]
                tokens_seen = len(output.generated_tokens)
                metrics.GENERATED_TOKENS.labels(self.name).inc(len(new_tokens))
                piece = decoder.feed(new_tokens)
                if finished:
                    piece += decoder.finish()
                if piece:
                    yield piece
        finally:
            if not finished:
                manager.cancel_request(request_id)
                # A cancelled request never delivers a final output, so its handler would stay.
                with manager.output_router._lock:
                    manager.output_router.result_handlers.pop(request_id, None)

    def _sampling_kwargs(self, options: ResolvedOptions) -> dict[str, Any]:
        if options.greedy:
            return {"temperature": 1.0, "top_k": 1, "top_p": 1.0}
        top_k = options.top_k if options.top_k > 0 else self._vocab_size
        return {"temperature": float(options.temperature), "top_k": int(top_k), "top_p": float(options.top_p)}

    def _load(self) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer, ContinuousBatchingConfig

        settings = self._settings
        device = resolve_device(settings.device)
        dtype = resolve_dtype(settings.dtype, device)
        offline = hub_offline()
        tokenizer = AutoTokenizer.from_pretrained(settings.name, local_files_only=offline)
        if not tokenizer.chat_template:
            raise ValueError(f"{settings.name} has no chat template (a base model, not a chat model?)")
        model = AutoModelForCausalLM.from_pretrained(settings.name, dtype=dtype, local_files_only=offline)
        model = model.to(device).eval()

        num_blocks = settings.num_blocks
        if num_blocks is None and device == "cpu":
            # Left unset, transformers gives the cache most of the free RAM: size it for our load.
            num_blocks = math.ceil(settings.max_concurrent_requests * settings.tokens_per_request / settings.page_size)
        cb_config = ContinuousBatchingConfig(
            num_blocks=num_blocks,
            page_size=settings.page_size,
            max_batch_tokens=settings.max_batch_tokens,
            per_request_processors=True,
        )
        manager = model.init_continuous_batching(
            generation_config=self._generation_config(model, tokenizer), continuous_batching_config=cb_config
        )
        self._vocab_size = model.config.get_text_config().vocab_size
        manager.start()
        try:
            self._warm_up(manager, tokenizer)
        except BaseException:
            self._stop(manager)
            raise
        self._tokenizer, self._manager = tokenizer, manager
        log.info(
            "Loaded %s on %s (%s, %.1fM parameters); cache %s blocks of %d tokens, %d tokens per step",
            settings.name,
            device,
            str(dtype).removeprefix("torch."),
            sum(p.numel() for p in model.parameters()) / 1e6,
            num_blocks if num_blocks is not None else "auto",
            settings.page_size,
            settings.max_batch_tokens,
        )

    def _generation_config(self, model: Any, tokenizer: PreTrainedTokenizerBase) -> Any:
        from transformers import GenerationConfig

        defaults = model.generation_config
        eos = defaults.eos_token_id if defaults.eos_token_id is not None else tokenizer.eos_token_id
        pad = defaults.pad_token_id if defaults.pad_token_id is not None else tokenizer.pad_token_id
        # The sampling values here are placeholders: every request sends its own. They only have
        # to be "active" (temperature != 1, top_k > 0, top_p < 1) for the processors to exist.
        return GenerationConfig(
            do_sample=True,
            temperature=0.7,
            top_k=50,
            top_p=0.9,
            max_new_tokens=self._settings.max_new_tokens,
            eos_token_id=eos,
            pad_token_id=pad if pad is not None else eos,
        )

    @staticmethod
    def _warm_up(manager: ContinuousBatchingManager, tokenizer: PreTrainedTokenizerBase) -> None:
        # One token through the whole path: allocates the cache and proves the model runs, so a
        # broken model is reported at start rather than on a customer's first message.
        ids = tokenizer.apply_chat_template(
            [{"role": "user", "content": "Hello"}], add_generation_prompt=True, tokenize=True, return_dict=False
        )
        request_id = manager.add_request(
            list(ids), request_id="supportbot-warmup", max_new_tokens=1, temperature=1.0, top_k=1, top_p=1.0
        )
        if request_id is None:
            raise RuntimeError("the generation loop refused the warm-up request")
        for _ in range(600):
            output = manager.get_result(request_id=request_id, timeout=0.1)
            if output is not None and output.is_finished():
                if output.error is not None:
                    raise RuntimeError(f"warm-up generation failed: {output.error}")
                return
            if not manager.is_running():
                break
        raise RuntimeError("warm-up generation did not finish")

    @staticmethod
    def _stop(manager: ContinuousBatchingManager) -> None:
        manager.stop(block=True, timeout=30, hard_stop=True)
        manager.destroy()
