"""In-process generation with transformers and torch.

The event loop only applies the chat template, hands token ids to an engine and decodes the
tokens that come back; the model itself runs on the engine's own thread, so a slow model never
blocks the bot. Two engines (see :mod:`supportbot.models.engines`):

- ``continuous``: transformers' continuous batching, through one persistent manager. The default.
- ``thread``: one inference thread with micro-batching, for a model that continuous batching
  cannot serve. ``engine: auto`` falls back to it with one warning.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from . import metrics
from .decoding import IncrementalDecoder, chat_token_ids
from .errors import ModelUnavailable
from .loading import MODEL_LOAD_LOCK, cpu_threads, local_files_only, resolve_device, resolve_dtype
from .options import ChatMessage, ResolvedOptions
from .settings import ModelSettings

if TYPE_CHECKING:
    from transformers import ContinuousBatchingManager, PreTrainedTokenizerBase

    from .engines import Engine

__all__ = ["TransformersGenerator"]

log = logging.getLogger(__name__)


class TransformersGenerator:
    """Serves a causal LM from this process to any number of concurrent chats."""

    name = "transformers"

    def __init__(self, settings: ModelSettings) -> None:
        self._settings = settings
        self._tokenizer: PreTrainedTokenizerBase | None = None
        self._engine: Engine | None = None
        self._model: Any = None
        self._device = "cpu"
        self._restarting = asyncio.Lock()

    @property
    def engine(self) -> str | None:
        """``continuous`` or ``thread`` once started."""
        return self._engine.kind if self._engine is not None else None

    @property
    def manager(self) -> ContinuousBatchingManager | None:
        """The continuous-batching manager, if that is the engine in use (for diagnostics and tests)."""
        return getattr(self._engine, "manager", None)

    async def start(self) -> None:
        """Load the model and start its engine, off the event loop.

        On the CPU, torch's thread count is set first, for the whole process (``cpu_threads``):
        before the model's threads start, and before the embedder loading beside it can build its
        model (importing sentence-transformers takes longer than this step).
        """
        await asyncio.to_thread(self._set_cpu_threads)
        await asyncio.to_thread(self._load)

    async def close(self) -> None:
        """Stop the engine; requests still running fail with :class:`ModelUnavailable`."""
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.abort(ModelUnavailable("the model was unloaded"))
            await asyncio.to_thread(engine.stop)

    async def stream(self, messages: list[ChatMessage], options: ResolvedOptions) -> AsyncGenerator[str, None]:
        """Yield the completion of ``messages`` piece by piece; closing the iterator cancels it."""
        engine, tokenizer = await self._live_engine(), self._tokenizer
        if engine is None or tokenizer is None:
            raise ModelUnavailable("the transformers generator is not started")
        input_ids = chat_token_ids(
            tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=False))
        decoder = IncrementalDecoder(tokenizer)
        async with aclosing(engine.tokens(input_ids, options)) as steps:
            async for new_tokens in steps:
                metrics.record_tokens(self.name, len(new_tokens))
                if piece := decoder.feed(new_tokens):
                    yield piece
        if piece := decoder.finish():
            yield piece

    async def _live_engine(self) -> Engine | None:
        """The engine, started again first if its thread died (a request that broke the batch,
        say): one bad request must not leave every later one to fail."""
        engine = self._engine
        if engine is None or engine.alive:
            return engine
        async with self._restarting:
            if self._engine is engine:  # nobody restarted it while this request waited
                log.error("the %s generation engine stopped serving; starting a new one", engine.kind)
                metrics.ENGINE_RESTARTS.labels(backend=self.name, engine=engine.kind).inc()
                engine.abort(ModelUnavailable("the generation engine stopped"))
                self._engine = await asyncio.to_thread(self._restart_engine, engine)
        return self._engine

    def _restart_engine(self, dead: Engine) -> Engine:
        try:
            dead.stop()
        except Exception:  # it is dead already; what is left of it must not stop the new one
            log.warning("the stopped engine did not shut down cleanly", exc_info=True)
        assert self._tokenizer is not None
        from .varlen_attention import VARLEN_SDPA

        if self._model.config._attn_implementation == VARLEN_SDPA:
            # Set by the continuous engine after its warm-up; a new manager starts from plain SDPA.
            self._model.set_attn_implementation("sdpa")
        return self._start_engine(self._model, self._tokenizer, self._device)

    def _set_cpu_threads(self) -> None:
        import torch

        if resolve_device(self._settings.device) == "cpu":
            torch.set_num_threads(cpu_threads(self._settings.cpu_threads))

    def _load(self) -> None:
        settings = self._settings
        offline = local_files_only(settings.name)  # may wait on the network: before taking the lock
        with MODEL_LOAD_LOCK:
            from transformers import AutoModelForCausalLM, AutoTokenizer

            device = resolve_device(settings.device)
            dtype = resolve_dtype(settings.dtype, device)
            tokenizer = AutoTokenizer.from_pretrained(settings.name, local_files_only=offline)
            if not tokenizer.chat_template:
                raise ValueError(f"{settings.name} has no chat template (a base model, not a chat model?)")
            model = AutoModelForCausalLM.from_pretrained(settings.name, dtype=dtype, local_files_only=offline)
            # transformers' decorator on .to() hides its self from mypy, which takes the device for it.
            model = model.to(device).eval()  # type: ignore[arg-type]
            self._tokenizer, self._engine = tokenizer, self._start_engine(model, tokenizer, device)
            self._model, self._device = model, device  # kept to start the engine again if it dies
        import torch

        log.info(
            "Loaded %s on %s (%s, %.1fM parameters, %s engine%s)",
            settings.name,
            device,
            str(dtype).removeprefix("torch."),
            sum(p.numel() for p in model.parameters()) / 1e6,
            self.engine,
            f", {torch.get_num_threads()} threads" if device == "cpu" else "",
        )

    def _start_engine(self, model: Any, tokenizer: PreTrainedTokenizerBase, device: str) -> Engine:
        from .engines.continuous import start_continuous_engine
        from .engines.threaded import ThreadEngine

        settings = self._settings
        eos, pad = _special_ids(model, tokenizer)
        if settings.engine == "thread":
            return ThreadEngine(model, eos, pad, settings.max_concurrent_requests)
        try:
            return start_continuous_engine(model, tokenizer, settings, device, eos, pad)
        except Exception as exc:
            if settings.engine == "continuous":
                raise
            log.warning(
                "Continuous batching cannot serve %s (%s: %s); using one inference thread with micro-batching",
                settings.name,
                type(exc).__name__,
                str(exc).strip().splitlines()[0] if str(exc).strip() else "",
            )
            return ThreadEngine(model, eos, pad, settings.max_concurrent_requests)


def _special_ids(model: Any, tokenizer: PreTrainedTokenizerBase) -> tuple[Any, int]:
    """End-of-sequence and padding ids: the model's generation config first, then the tokenizer."""
    defaults = model.generation_config
    eos = defaults.eos_token_id if defaults.eos_token_id is not None else tokenizer.eos_token_id
    pad = defaults.pad_token_id if defaults.pad_token_id is not None else tokenizer.pad_token_id
    if pad is None:  # only used to fill rows that have ended; any id will do
        pad = (eos[0] if isinstance(eos, list) else eos) or 0
    return eos, pad

