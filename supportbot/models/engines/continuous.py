"""transformers' continuous batching behind the :class:`~supportbot.models.engines.Engine` interface.

One :class:`~transformers.ContinuousBatchingManager` lives as long as the runner: it owns the model
on its own thread and interleaves every request's prefill and decode steps in shared forward
passes over a paged KV cache, reusing the cache blocks of a prompt prefix that several requests
share (a system prompt). Requests join and leave between steps, so a new message does not wait
for the others to finish. Building a manager per call (``generate_batch``) stalled the event
loop for 150-180 ms each time: this one is built once.

Sampling settings are per manager in transformers; per-request temperature, top-k and top-p use
its per-request processors, and greedy decoding is top-k 1 (sampling from one token is argmax).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from ..errors import ModelError, ModelUnavailable
from ..options import ResolvedOptions
from ..settings import ModelSettings
from ..decoding import chat_token_ids
from . import LiveRequests

if TYPE_CHECKING:
    from transformers import ContinuousBatchingManager, PreTrainedTokenizerBase
    from transformers.generation.continuous_batching.requests import GenerationOutput

__all__ = ["CPU_MAX_BATCH_TOKENS", "ContinuousEngine", "start_continuous_engine"]

log = logging.getLogger(__name__)

#: Tokens per forward pass on a CPU when the config leaves it unset. With a 30M model on 2 cores,
#: 256 and 512 gave the same throughput; 1024 delayed first tokens (a new request waits for the
#: pass in progress), and smaller passes waste time in per-step overhead.
CPU_MAX_BATCH_TOKENS = 256

_GREEDY_ONE = ResolvedOptions(max_new_tokens=1, temperature=0.0, top_p=1.0, top_k=0, timeout_s=60)


class ContinuousEngine:
    """Every request shares every forward pass of one persistent manager."""

    kind = "continuous"

    def __init__(self, manager: ContinuousBatchingManager, vocab_size: int) -> None:
        self.manager = manager
        self._vocab_size = vocab_size
        self._ids = itertools.count()
        self._live = LiveRequests()

    async def tokens(self, input_ids: list[int], options: ResolvedOptions) -> AsyncGenerator[list[int], None]:
        manager = self.manager
        request_id = f"supportbot-{next(self._ids)}"
        outputs: asyncio.Queue[GenerationOutput | ModelError] = asyncio.Queue()
        # The handler must be registered on the loop thread (it captures the running loop), and
        # before the request can produce output.
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
            with self._live.track(outputs):
                if added is None:
                    raise ModelUnavailable("the generation loop is not accepting requests")
                seen = 0
                while not finished:
                    output = await outputs.get()
                    if isinstance(output, ModelError):
                        raise output
                    finished = output.is_finished()
                    if output.error is not None:
                        raise ModelError(f"generation failed: {output.error}")
                    # Each output carries every token generated so far; only the tail is new.
                    yield output.generated_tokens[seen:]
                    seen = len(output.generated_tokens)
        finally:
            if not finished:
                manager.cancel_request(request_id)
                # A cancelled request never delivers a final output, so transformers would keep its
                # handler forever; there is no public way to drop it (5.23).
                with manager.output_router._lock:
                    manager.output_router.result_handlers.pop(request_id, None)

    def sampling_kwargs(self, options: ResolvedOptions) -> dict[str, Any]:
        """The per-request processor values for ``options``; top-k 0 ("off") becomes the vocabulary."""
        if options.greedy:
            return {"temperature": 1.0, "top_k": 1, "top_p": 1.0}
        top_k = options.top_k if options.top_k > 0 else self._vocab_size
        return {"temperature": float(options.temperature), "top_k": int(top_k), "top_p": float(options.top_p)}

    @property
    def alive(self) -> bool:
        return bool(self.manager.is_running())

    def abort(self, error: ModelError) -> None:
        self._live.fail_all(error)

    def stop(self) -> None:
        self.manager.stop(block=True, timeout=30, hard_stop=True)
        self.manager.destroy()


def start_continuous_engine(
    model: Any, tokenizer: PreTrainedTokenizerBase, settings: ModelSettings, device: str, eos: Any, pad: Any
) -> ContinuousEngine:
    """Build the manager for ``model``, start its thread and prove it works with one token.

    Raises whatever transformers raises for a model it cannot batch (the caller falls back).
    Blocking: call it off the event loop.
    """
    from transformers import ContinuousBatchingConfig, GenerationConfig

    num_blocks = settings.num_blocks
    max_batch_tokens = settings.max_batch_tokens
    if device == "cpu":
        # Left unset, transformers gives the cache 60% of free RAM (3 GB for a 30M model) and
        # picks large batches meant for GPUs: size both for the load we expect instead.
        if num_blocks is None:
            num_blocks = math.ceil(settings.max_concurrent_requests * settings.tokens_per_request / settings.page_size)
        if max_batch_tokens is None:
            max_batch_tokens = CPU_MAX_BATCH_TOKENS
    cb_config = ContinuousBatchingConfig(
        num_blocks=num_blocks,
        page_size=settings.page_size,
        max_batch_tokens=max_batch_tokens,
        per_request_processors=True,
        scheduler_type=settings.scheduler,
    )
    # The sampling values here are placeholders: every request sends its own. They only have to
    # be "active" (temperature != 1, top_k > 0, top_p < 1) for the processors to exist.
    generation_config = GenerationConfig(
        do_sample=True,
        temperature=0.7,
        top_k=50,
        top_p=0.9,
        max_new_tokens=settings.max_new_tokens,
        eos_token_id=eos,
        pad_token_id=pad,
    )
    manager = model.init_continuous_batching(generation_config=generation_config, continuous_batching_config=cb_config)
    engine = ContinuousEngine(manager, model.config.get_text_config().vocab_size)
    manager.start()
    try:
        _warm_up(engine, tokenizer)
        if device == "cpu" and model.config._attn_implementation == "sdpa":
            from ..varlen_attention import VARLEN_SDPA

            # Set after the warm-up, so the batch keeps the masks SDPA expects if this is undone.
            with manager.pause():
                model.set_attn_implementation(VARLEN_SDPA)
    except BaseException:
        engine.stop()
        raise
    log.debug(
        "Continuous batching: %s cache blocks of %d tokens, %s tokens per step, %s scheduler",
        num_blocks if num_blocks is not None else "auto",
        settings.page_size,
        max_batch_tokens if max_batch_tokens is not None else "auto",
        settings.scheduler,
    )
    return engine


def _warm_up(engine: ContinuousEngine, tokenizer: PreTrainedTokenizerBase) -> None:
    # One token through the whole path: allocates the cache and proves the model runs, so a broken
    # model is reported at start rather than on a customer's first message.
    manager = engine.manager
    ids = tokenizer.apply_chat_template(
        [{"role": "user", "content": "Hello"}], add_generation_prompt=True, tokenize=True, return_dict=False
    )
    request_id = manager.add_request(
        chat_token_ids(ids), request_id="supportbot-warmup", max_new_tokens=1, **engine.sampling_kwargs(_GREEDY_ONE)
    )
    if request_id is None:
        raise RuntimeError("the generation loop refused the warm-up request")
    for _ in range(600):  # a minute at most
        output = manager.get_result(request_id=request_id, timeout=0.1)
        if output is not None and output.is_finished():
            if output.error is not None:
                raise RuntimeError(f"warm-up generation failed: {output.error}")
            return
        if not manager.is_running():
            break
    raise RuntimeError("warm-up generation did not finish")
