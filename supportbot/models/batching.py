"""Micro-batching: many coroutines each embed a few texts, the encoder sees one batch."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["MicroBatcher"]

log = logging.getLogger(__name__)


@dataclass
class _Job:
    texts: list[str]
    future: asyncio.Future[np.ndarray] = field(repr=False)
    arrived: float = 0.0


class MicroBatcher:
    """Gathers concurrent :meth:`submit` calls for up to ``max_wait_s`` and encodes them together.

    A batch is sent as soon as it holds ``max_batch`` texts or the first job in it has waited
    ``max_wait_s``. One encoder call runs at a time, and the next batch gathers meanwhile, so
    under load batches grow by themselves. A job larger than ``max_batch`` goes alone.
    """

    def __init__(
        self,
        encode: Callable[[list[str]], Awaitable[np.ndarray]],
        *,
        max_batch: int,
        max_wait_s: float,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self._encode = encode
        self._max_batch = max_batch
        self._max_wait_s = max_wait_s
        self._on_batch = on_batch
        self._jobs: list[_Job] = []
        self._queued_texts = 0
        self._wakeup = asyncio.Event()
        self._full = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def submit(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts`` in whatever batch they land in; cancelling the caller drops the job."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="supportbot-embed-batcher")
        loop = asyncio.get_running_loop()
        job = _Job(list(texts), loop.create_future(), loop.time())
        self._jobs.append(job)
        self._queued_texts += len(job.texts)
        self._wakeup.set()
        if self._queued_texts >= self._max_batch:
            self._full.set()
        return await job.future

    async def close(self) -> None:
        """Stop the batching task; jobs still waiting fail with ``CancelledError``."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        for job in self._jobs:
            job.future.cancel()
        self._jobs.clear()
        self._queued_texts = 0

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            if not self._jobs:
                self._wakeup.clear()
                continue
            # The window opens when the oldest job arrived, so jobs that queued up behind a
            # running encoder call do not wait a second time.
            remaining = self._jobs[0].arrived + self._max_wait_s - asyncio.get_running_loop().time()
            if remaining > 0 and not self._full.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), remaining)
            batch = self._take_batch()
            if not batch:
                continue
            texts = [text for job in batch for text in job.texts]
            if self._on_batch is not None:
                self._on_batch(len(texts))
            try:
                vectors = await self._encode(texts)
            except Exception as exc:  # every job in the batch shares the failure
                for job in batch:
                    if not job.future.done():
                        job.future.set_exception(exc)
                continue
            start = 0
            for job in batch:
                end = start + len(job.texts)
                if not job.future.done():  # the caller may have gone away meanwhile
                    job.future.set_result(vectors[start:end])
                start = end

    def _take_batch(self) -> list[_Job]:
        # Jobs whose callers were cancelled while waiting are dropped before encoding.
        self._jobs = [job for job in self._jobs if not job.future.done()]
        batch: list[_Job] = []
        size = 0
        while self._jobs and (not batch or size + len(self._jobs[0].texts) <= self._max_batch):
            job = self._jobs.pop(0)
            batch.append(job)
            size += len(job.texts)
        self._queued_texts = sum(len(job.texts) for job in self._jobs)
        if not self._jobs:
            self._wakeup.clear()
        if self._queued_texts < self._max_batch:
            self._full.clear()
        return batch
