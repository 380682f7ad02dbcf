"""In-process generation with transformers' continuous batching.

One :class:`~transformers.ContinuousBatchingManager` lives as long as the runner: it owns the model
on its own thread and interleaves every request's prefill and decode steps in shared forward
passes over a paged KV cache. The event loop only tokenizes prompts, hands token ids over and
decodes the tokens that come back (delivered on the loop with ``call_soon_threadsafe``), so a
slow model never blocks the bot.

Sampling settings are per manager in transformers; per-request temperature, top-k and top-p use
its per-request processors, and greedy decoding is top-k 1 (sampling from one token is argmax).

A model that continuous batching cannot serve (its attention has no paged version, say) falls
back to one inference thread that runs ``model.generate`` for one request at a time: slower under
load, but the same interface and still off the event loop.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import os
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Protocol

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


class _Engine(Protocol):
    """Runs the model: prompt token ids in, new token ids out, step by step."""

    def tokens(self, input_ids: list[int], options: ResolvedOptions) -> AsyncIterator[list[int]]:
        """Yield the ids generated since the last yield; closing the iterator cancels the request."""
        ...

    def stop(self) -> None:
        """Stop the engine's thread (blocking); requests still running fail."""


class _ContinuousEngine:
    """transformers' continuous batching: every request shares every forward pass."""

    def __init__(self, manager: ContinuousBatchingManager, vocab_size: int) -> None:
        self.manager = manager
        self._vocab_size = vocab_size
        self._ids = itertools.count()

    async def tokens(self, input_ids: list[int], options: ResolvedOptions) -> AsyncIterator[list[int]]:
        manager = self.manager
        request_id = f"supportbot-{next(self._ids)}"
        outputs: asyncio.Queue[GenerationOutput] = asyncio.Queue()
        # The handler must be registered on the loop thread, before the request can produce output.
        manager.register_result_handler(request_id, outputs.put_nowait)
        added = manager.add_request(
            input_ids,
            request_id=request_id,
            max_new_tokens=options.max_new_tokens,
            streaming=True,
            **self.sampling_kwargs(options),
        )
        finished = False
        try:
            if added is None:
                raise ModelUnavailable("the generation loop is not accepting requests")
            seen = 0
            while not finished:
                output = await outputs.get()
                finished = output.is_finished()
                if output.error is not None:
                    raise ModelError(f"generation failed: {output.error}")
                # Each output carries every token generated so far; only the tail is new.
                yield output.generated_tokens[seen:]
                seen = len(output.generated_tokens)
        finally:
            if not finished:
                manager.cancel_request(request_id)
                # A cancelled request never delivers a final output, so its handler would stay.
                with manager.output_router._lock:
                    manager.output_router.result_handlers.pop(request_id, None)

    def sampling_kwargs(self, options: ResolvedOptions) -> dict[str, Any]:
        if options.greedy:
            return {"temperature": 1.0, "top_k": 1, "top_p": 1.0}
        top_k = options.top_k if options.top_k > 0 else self._vocab_size
        return {"temperature": float(options.temperature), "top_k": int(top_k), "top_p": float(options.top_p)}

    def stop(self) -> None:
        self.manager.stop(block=True, timeout=30, hard_stop=True)
        self.manager.destroy()


class _ThreadEngine:
    """One inference thread, one ``model.generate`` at a time: the fallback."""

    def __init__(self, model: Any, eos_token_id: Any, pad_token_id: Any) -> None:
        self._model = model
        self._eos, self._pad = eos_token_id, pad_token_id
        # The model is not thread-safe: exactly one thread ever runs it.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="supportbot-generate")

    async def tokens(self, input_ids: list[int], options: ResolvedOptions) -> AsyncIterator[list[int]]:
        loop = asyncio.get_running_loop()
        steps: asyncio.Queue[list[int] | None] = asyncio.Queue()
        cancelled = threading.Event()
        done = loop.run_in_executor(self._executor, self._generate, input_ids, options, steps, loop, cancelled)
        try:
            while (new_tokens := await steps.get()) is not None:
                yield new_tokens
            await done  # re-raises what generate raised
        finally:
            cancelled.set()  # stops at the next step, or before starting if still queued

    def _generate(
        self,
        input_ids: list[int],
        options: ResolvedOptions,
        steps: asyncio.Queue[list[int] | None],
        loop: asyncio.AbstractEventLoop,
        cancelled: threading.Event,
    ) -> None:
        import torch
        from transformers import GenerationConfig, StoppingCriteria, StoppingCriteriaList

        class Cancelled(StoppingCriteria):
            def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor, **kwargs: Any) -> torch.Tensor:
                return torch.full((input_ids.shape[0],), cancelled.is_set(), dtype=torch.bool)

        class Streamer:
            prompt_seen = False

            def put(self, value: torch.Tensor) -> None:
                if self.prompt_seen:  # the first call carries the prompt
                    loop.call_soon_threadsafe(steps.put_nowait, value.flatten().tolist())
                self.prompt_seen = True

            def end(self) -> None:
                pass

        try:
            if cancelled.is_set():
                return
            sampling = (
                {"do_sample": False}
                if options.greedy
                else {
                    "do_sample": True,
                    "temperature": options.temperature,
                    "top_k": options.top_k or None,
                    "top_p": options.top_p,
                }
            )
            config = GenerationConfig(
                max_new_tokens=options.max_new_tokens, eos_token_id=self._eos, pad_token_id=self._pad, **sampling
            )
            ids = torch.tensor([input_ids], device=self._model.device)
            with torch.no_grad():
                self._model.generate(
                    input_ids=ids,
                    attention_mask=torch.ones_like(ids),
                    generation_config=config,
                    streamer=Streamer(),
                    stopping_criteria=StoppingCriteriaList([Cancelled()]),
                )
        finally:
            loop.call_soon_threadsafe(steps.put_nowait, None)

    def stop(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class TransformersGenerator:
    """Serves a causal LM from this process to any number of concurrent chats."""

    name = "transformers"

    def __init__(self, settings: ModelSettings) -> None:
        self._settings = settings
        self._tokenizer: PreTrainedTokenizerBase | None = None
        self._engine: _Engine | None = None

    @property
    def manager(self) -> ContinuousBatchingManager | None:
        """The continuous-batching manager, if that is the engine in use (for diagnostics and benchmarks)."""
        return self._engine.manager if isinstance(self._engine, _ContinuousEngine) else None

    @property
    def engine(self) -> str | None:
        """``continuous`` or ``thread`` once started."""
        if self._engine is None:
            return None
        return "continuous" if isinstance(self._engine, _ContinuousEngine) else "thread"

    async def start(self) -> None:
        """Load the model and start its thread, off the event loop."""
        await asyncio.to_thread(self._load)

    async def close(self) -> None:
        """Stop the engine; requests still running fail."""
        engine, self._engine = self._engine, None
        if engine is not None:
            await asyncio.to_thread(engine.stop)

    async def stream(self, messages: list[ChatMessage], options: ResolvedOptions) -> AsyncIterator[str]:
        """Yield the completion of ``messages`` piece by piece; closing the iterator cancels it."""
        engine, tokenizer = self._engine, self._tokenizer
        if engine is None or tokenizer is None:
            raise ModelUnavailable("the transformers generator is not started")
        input_ids = tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=True, return_dict=False
        )
        decoder = _IncrementalDecoder(tokenizer)
        tokens = metrics.GENERATED_TOKENS.labels(self.name)
        async with aclosing(engine.tokens(list(input_ids), options)) as steps:
            async for new_tokens in steps:
                tokens.inc(len(new_tokens))
                if piece := decoder.feed(new_tokens):
                    yield piece
        if piece := decoder.finish():
            yield piece

    def _load(self) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        settings = self._settings
        device = resolve_device(settings.device)
        dtype = resolve_dtype(settings.dtype, device)
        offline = hub_offline()
        tokenizer = AutoTokenizer.from_pretrained(settings.name, local_files_only=offline)
        if not tokenizer.chat_template:
            raise ValueError(f"{settings.name} has no chat template (a base model, not a chat model?)")
        model = AutoModelForCausalLM.from_pretrained(settings.name, dtype=dtype, local_files_only=offline)
        model = model.to(device).eval()
        eos, pad = _special_ids(model, tokenizer)

        engine: _Engine
        if settings.engine == "thread":
            engine = _ThreadEngine(model, eos, pad)
        else:
            try:
                engine = self._continuous_engine(model, tokenizer, device, eos, pad)
            except Exception as exc:
                if settings.engine == "continuous":
                    raise
                log.warning(
                    "Continuous batching cannot serve %s (%s); serving one request at a time instead",
                    settings.name,
                    exc,
                )
                engine = _ThreadEngine(model, eos, pad)
        self._tokenizer, self._engine = tokenizer, engine
        log.info(
            "Loaded %s on %s (%s, %.1fM parameters, %s engine)",
            settings.name,
            device,
            str(dtype).removeprefix("torch."),
            sum(p.numel() for p in model.parameters()) / 1e6,
            self.engine,
        )

    def _continuous_engine(
        self, model: Any, tokenizer: PreTrainedTokenizerBase, device: str, eos: Any, pad: Any
    ) -> _ContinuousEngine:
        from transformers import ContinuousBatchingConfig, GenerationConfig

        settings = self._settings
        num_blocks = settings.num_blocks
        if num_blocks is None and device == "cpu":
            # Left unset, transformers gives the cache most of the free RAM: size it for our load.
            num_blocks = math.ceil(settings.max_concurrent_requests * settings.tokens_per_request / settings.page_size)
        cb_config = ContinuousBatchingConfig(
            num_blocks=num_blocks,
            page_size=settings.page_size,
            max_batch_tokens=settings.max_batch_tokens,
            per_request_processors=True,
            scheduler_type=settings.scheduler,
        )
        # The sampling values here are placeholders: every request sends its own. They only have
        # to be "active" (temperature != 1, top_k > 0, top_p < 1) for the processors to exist.
        generation_config = GenerationConfig(
            do_sample=True,
            temperature=0.7,
            top_k=50,
            top_p=0.9,
            max_new_tokens=settings.max_new_tokens,
            eos_token_id=eos,
            pad_token_id=pad,
        )
        manager = model.init_continuous_batching(
            generation_config=generation_config, continuous_batching_config=cb_config
        )
        engine = _ContinuousEngine(manager, model.config.get_text_config().vocab_size)
        manager.start()
        try:
            self._warm_up(engine, tokenizer)
            if device == "cpu" and model.config._attn_implementation == "sdpa":
                from .varlen_attention import VARLEN_SDPA

                # Set after the warm-up, so the batch keeps the masks SDPA expects if this is undone.
                with manager.pause():
                    model.set_attn_implementation(VARLEN_SDPA)
        except BaseException:
            engine.stop()
            raise
        log.debug(
            "Continuous batching: %s cache blocks of %d tokens, %d tokens per step",
            num_blocks if num_blocks is not None else "auto",
            settings.page_size,
            settings.max_batch_tokens,
        )
        return engine

    @staticmethod
    def _warm_up(engine: _ContinuousEngine, tokenizer: PreTrainedTokenizerBase) -> None:
        # One token through the whole path: allocates the cache and proves the model runs, so a
        # broken model is reported at start rather than on a customer's first message.
        manager = engine.manager
        ids = tokenizer.apply_chat_template(
            [{"role": "user", "content": "Hello"}], add_generation_prompt=True, tokenize=True, return_dict=False
        )
        request_id = manager.add_request(
            list(ids), request_id="supportbot-warmup", max_new_tokens=1, **engine.sampling_kwargs(_GREEDY_ONE)
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


_GREEDY_ONE = ResolvedOptions(max_new_tokens=1, temperature=0.0, top_p=1.0, top_k=0, timeout_s=60)


def _special_ids(model: Any, tokenizer: PreTrainedTokenizerBase) -> tuple[Any, Any]:
    """End-of-sequence and padding ids: the model's generation config first, then the tokenizer."""
    defaults = model.generation_config
    eos = defaults.eos_token_id if defaults.eos_token_id is not None else tokenizer.eos_token_id
    pad = defaults.pad_token_id if defaults.pad_token_id is not None else tokenizer.pad_token_id
    return eos, pad if pad is not None else eos
