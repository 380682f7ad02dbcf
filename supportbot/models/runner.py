"""The model runner: the one object every plugin uses to reach a model.

It puts what all backends share in one place: a bounded number of requests in flight, a bounded
line of requests waiting their turn (in order; callers past it get :class:`ModelOverloaded` at
once), a deadline per request, ``n`` variants, cancellation when a caller goes away,
micro-batched embeddings, the knowledge-only mode when no generator could be loaded, typed errors
for everything that can go wrong, and the metrics.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing

import numpy as np

from . import metrics
from .base import Embedder, Generator
from .batching import MicroBatcher
from .errors import ModelError, ModelOverloaded, ModelRequestError, ModelTimeout, ModelUnavailable
from .options import ChatMessage, GenerationOptions, ResolvedOptions
from .settings import EmbeddingSettings, ModelSettings

__all__ = ["ModelRunner"]

log = logging.getLogger(__name__)

#: Recent texts' embeddings kept: one message is embedded by the understander, then searched by
#: the knowledge base (products, passages, more than one plugin); its vector is computed once.
RECENT_EMBEDDINGS = 256


class ModelRunner:
    """Serves chat completions and embeddings to every plugin of the process.

    Build one with :func:`supportbot.models.create_runner`, ``await start()`` it once, and share it.
    A generator or embedder that cannot be loaded does not stop the bot: :meth:`start` logs one
    warning, the matching ``*_available`` property turns False, and calls raise
    :class:`ModelUnavailable`, which a plugin turns into a handoff.

    Streams should be closed when abandoned early, so the request is cancelled at once rather
    than when the iterator is garbage-collected::

        async with contextlib.aclosing(runner.stream_chat(messages)) as pieces:
            async for piece in pieces:
                ...
    """

    def __init__(
        self,
        generator: Generator | None,
        embedder: Embedder | None,
        model_settings: ModelSettings | None = None,
        embedding_settings: EmbeddingSettings | None = None,
    ) -> None:
        self._generator = generator
        self._embedder = embedder
        self._model_settings = model_settings or ModelSettings()
        self._embedding_settings = embedding_settings or EmbeddingSettings()
        self._started = False
        self._generation_ready = False
        self._embeddings_ready = False
        self._slots = asyncio.Semaphore(self._model_settings.max_concurrent_requests)
        self._waiting = 0  # requests in line for a slot
        self._batcher: MicroBatcher | None = None
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._gen_label = generator.name if generator is not None else "none"
        self._emb_label = embedder.name if embedder is not None else "none"

    # ------------------------------------------------------------------ lifecycle

    @property
    def generation_available(self) -> bool:
        """Whether chat completions can be served; False means knowledge-only mode."""
        return self._generation_ready

    @property
    def embeddings_available(self) -> bool:
        """Whether :meth:`embed` can be served."""
        return self._embeddings_ready

    @property
    def embedding_dim(self) -> int:
        """Length of the vectors :meth:`embed` returns."""
        if not self._embeddings_ready or self._embedder is None:
            raise ModelUnavailable("no embedder is loaded")
        return self._embedder.dim

    @property
    def generator(self) -> Generator | None:
        """The generation backend (None in knowledge-only configurations)."""
        return self._generator

    async def start(self) -> None:
        """Load the generator and the embedder, off the event loop. Both are started together, but
        the models themselves load one at a time (``MODEL_LOAD_LOCK``: transformers' lazy imports
        are not thread-safe).

        Never raises for a model that cannot be loaded: that is logged (one WARNING line each)
        and the runner carries on without it. A second call does nothing: loading again would
        start a second engine and leave the first one's thread running (a test that started the
        runner before handing it to the bot kept its process from exiting).
        """
        if self._started:
            return
        self._started = True
        await asyncio.gather(self._start_generator(), self._start_embedder())

    async def close(self) -> None:
        """Release models and connections. Requests still running fail."""
        self._started = False
        self._generation_ready = self._embeddings_ready = False
        if self._batcher is not None:
            await self._batcher.close()
            self._batcher = None
        for backend in (self._generator, self._embedder):
            if backend is not None:
                try:
                    await backend.close()
                except Exception:
                    log.exception("Closing the %s backend failed", backend.name)

    def _set_ready(self, *, generation: bool, embeddings: bool) -> None:
        """Declare backends usable without :meth:`start`; for backends that load nothing (tests)."""
        self._generation_ready = generation and self._generator is not None
        self._embeddings_ready = embeddings and self._embedder is not None

    async def _start_generator(self) -> None:
        if self._generator is None:
            log.info("No generator configured: knowledge-only mode")
            return
        try:
            await self._generator.start()
        except Exception as exc:
            log.warning(
                "Could not load the %s model %r (%s); knowledge-only mode: replies come from the "
                "knowledge base or go to staff",
                self._generator.name,
                self._model_settings.name,
                _one_line(exc),
            )
            return
        self._generation_ready = True

    async def _start_embedder(self) -> None:
        if self._embedder is None:
            log.info("No embedder configured: vector search is off")
            return
        try:
            await self._embedder.start()
        except Exception as exc:
            log.warning(
                "Could not load the %s embedder %r (%s); vector search is off",
                self._embedder.name,
                self._embedding_settings.model,
                _one_line(exc),
            )
            return
        self._embeddings_ready = True

    # ------------------------------------------------------------------ generation

    def stream_chat(self, messages: list[ChatMessage], options: GenerationOptions | None = None) -> AsyncIterator[str]:
        """Stream one completion of ``messages`` as text pieces.

        Raises :class:`ModelUnavailable` in knowledge-only mode or when the backend is down,
        :class:`ModelOverloaded` when the line of waiting requests is full, and
        :class:`ModelTimeout` once ``options.timeout_s`` (waiting in line included) has passed.
        ``options.n`` is ignored: a stream is one variant.
        """
        return self._stream(list(messages), ResolvedOptions.resolve(options, self._model_settings))

    async def generate(self, messages: list[ChatMessage], options: GenerationOptions | None = None) -> list[str]:
        """Return ``options.n`` complete variants, generated concurrently.

        If one variant fails, the others are cancelled (freeing their slots) and its error is raised.
        """
        resolved = ResolvedOptions.resolve(options, self._model_settings)
        count = options.n if options is not None else 1

        async def one() -> str:
            async with aclosing(self._stream(list(messages), resolved)) as pieces:
                return "".join([piece async for piece in pieces])

        variants = [asyncio.ensure_future(one()) for _ in range(count)]
        try:
            return list(await asyncio.gather(*variants))
        finally:
            for variant in variants:
                variant.cancel()  # no-op for those already done
            await asyncio.gather(*variants, return_exceptions=True)

    async def _stream(self, messages: list[ChatMessage], options: ResolvedOptions) -> AsyncGenerator[str, None]:
        generator = self._generator
        label = self._gen_label
        if not self._generation_ready or generator is None:
            metrics.FAILURES.labels(label, "chat", "unavailable").inc()
            raise ModelUnavailable("no generator is loaded (knowledge-only mode)")
        started = time.perf_counter()
        deadline = asyncio.get_running_loop().time() + options.timeout_s
        reason = "error"
        try:
            await self._acquire_slot(deadline)
            try:
                metrics.ACTIVE_REQUESTS.labels(label).inc()
                first = True
                async with aclosing(generator.stream(messages, options)) as pieces:
                    while True:
                        # The deadline guards each wait on the model, never the caller's own time
                        # between pieces (a timeout must not fire inside the caller's code).
                        try:
                            async with asyncio.timeout_at(deadline):
                                piece = await anext(pieces)
                        except StopAsyncIteration:
                            break
                        if first:
                            metrics.TIME_TO_FIRST_TOKEN.labels(label).observe(time.perf_counter() - started)
                            first = False
                        yield piece
            finally:
                metrics.ACTIVE_REQUESTS.labels(label).dec()
                self._slots.release()
            reason = ""
            metrics.LATENCY.labels(label, "chat").observe(time.perf_counter() - started)
        except TimeoutError:
            reason = "timeout"
            raise ModelTimeout(f"no answer within {options.timeout_s:g}s") from None
        except (asyncio.CancelledError, GeneratorExit):
            reason = "cancelled"
            raise
        except ModelError as exc:
            reason = _reason(exc)
            raise
        except Exception as exc:  # a backend bug must still reach the caller as a ModelError
            log.exception("The %s generator failed", label)
            raise ModelError(f"generation failed: {_one_line(exc)}") from exc
        finally:
            if reason:
                metrics.FAILURES.labels(label, "chat", reason).inc()

    async def _acquire_slot(self, deadline: float) -> None:
        """Take a generation slot, waiting in line until ``deadline`` if there is room in the line."""
        if self._slots.locked() and self._waiting >= self._model_settings.max_queued_requests:
            raise ModelOverloaded(
                f"{self._model_settings.max_concurrent_requests} requests are generating and "
                f"{self._waiting} are waiting; try again later"
            )
        depth = metrics.QUEUE_DEPTH.labels(self._gen_label)
        self._waiting += 1
        depth.inc()
        try:
            async with asyncio.timeout_at(deadline):
                await self._slots.acquire()
        finally:
            self._waiting -= 1
            depth.dec()

    # ------------------------------------------------------------------ embeddings

    async def embed(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts`` as a ``(len(texts), dim)`` float32 array of unit vectors.

        Calls from many coroutines are gathered into shared batches (``embeddings.max_wait_ms``);
        a text embedded lately is not encoded again (:data:`RECENT_EMBEDDINGS`).
        """
        if not self._embeddings_ready or self._embedder is None:
            metrics.FAILURES.labels(self._emb_label, "embed", "unavailable").inc()
            raise ModelUnavailable("no embedder is loaded")
        if self._batcher is None:
            settings = self._embedding_settings
            self._batcher = MicroBatcher(
                self._embedder.encode,
                max_batch=settings.batch_size,
                max_wait_s=settings.max_wait_ms / 1000,
                on_batch=metrics.EMBED_BATCH_SIZE.labels(self._emb_label).observe,
            )
        batcher = self._batcher
        if not texts:
            return np.zeros((0, self.embedding_dim), dtype=np.float32)
        started = time.perf_counter()
        found = {text: self._recent[text] for text in texts if text in self._recent}
        missing = [text for text in dict.fromkeys(texts) if text not in found]
        if missing:
            try:
                vectors = await batcher.submit(missing)
            except ModelError as exc:
                metrics.FAILURES.labels(self._emb_label, "embed", _reason(exc)).inc()
                raise
            except Exception as exc:  # the encoder's own errors (a torch RuntimeError, say)
                metrics.FAILURES.labels(self._emb_label, "embed", "error").inc()
                raise ModelError(f"embedding failed: {_one_line(exc)}") from exc
            found.update(zip(missing, vectors, strict=True))
            metrics.EMBEDDED_TEXTS.labels(self._emb_label).inc(len(missing))
        for text in texts:  # most recently used last; the oldest go first
            self._recent[text] = found[text]
            self._recent.move_to_end(text)
        while len(self._recent) > RECENT_EMBEDDINGS:
            self._recent.popitem(last=False)
        metrics.LATENCY.labels(self._emb_label, "embed").observe(time.perf_counter() - started)
        return np.stack([found[text] for text in texts])

    def embed_sync(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Embed many texts from synchronous code, such as a catalog import on the command line.

        Shows a tqdm progress bar when ``progress`` is True. Works before :meth:`start`: the
        embedder is then loaded on first use.
        """
        embedder = self._embedder
        if embedder is None:
            raise ModelUnavailable("no embedder is configured")
        if not self._embeddings_ready:
            load = getattr(embedder, "load", None)
            if load is None:
                raise ModelUnavailable("the embedder is not started")
            try:
                load()
            except Exception as exc:
                raise ModelUnavailable(f"could not load the embedder: {_one_line(exc)}") from exc
        vectors = embedder.encode_sync(list(texts), batch_size, progress)
        metrics.EMBEDDED_TEXTS.labels(self._emb_label).inc(len(texts))
        return vectors


def _reason(exc: ModelError) -> str:
    """The ``reason`` label of the failures metric for ``exc``."""
    if isinstance(exc, ModelOverloaded):
        return "overloaded"
    if isinstance(exc, ModelUnavailable):
        return "unavailable"
    if isinstance(exc, ModelTimeout):
        return "timeout"
    if isinstance(exc, ModelRequestError):
        return "refused"
    return "error"


def _one_line(exc: BaseException) -> str:
    """``Type: first line of the message``, for a log line that stays one line."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
