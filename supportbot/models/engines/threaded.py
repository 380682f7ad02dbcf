"""One inference thread with micro-batching: the fallback engine.

For a model that continuous batching cannot serve (its attention has no paged version, say).
One thread owns the model, because model state (attention implementation, generation config,
compiled graphs) is not thread-safe and concurrent ``generate`` calls on several threads were
slower and erratic. Whenever it is free, it takes every waiting request that samples alike and
decodes them together in one left-padded ``model.generate`` call; requests arriving meanwhile
gather for the next batch. Slower than continuous batching under load (a new request waits for
the running batch to end), but the same interface, and still off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any, cast

import torch
from transformers import GenerationConfig, StoppingCriteria, StoppingCriteriaList

from ..errors import ModelError, ModelUnavailable
from ..options import ResolvedOptions
from . import LiveRequests

__all__ = ["ThreadEngine"]

log = logging.getLogger(__name__)

#: What the thread hands a request: new token ids, None at the end, or the error it failed with.
_Step = list[int] | None | BaseException


@dataclass(eq=False)
class _Job:
    """One request, as the inference thread sees it."""

    input_ids: list[int]
    options: ResolvedOptions
    deliver: Callable[[_Step], None] = field(repr=False)  # thread-safe
    cancelled: threading.Event = field(default_factory=threading.Event)
    generated: int = 0
    done: bool = False

    @property
    def sampling(self) -> tuple[float, ...]:
        """Requests with equal keys can share one ``generate`` call (its sampling is per call)."""
        if self.options.greedy:
            return ()
        return (self.options.temperature, self.options.top_k, self.options.top_p)

    def finish(self, step: _Step = None) -> None:
        if not self.done:
            self.done = True
            self.deliver(step)


class ThreadEngine:
    """Micro-batched ``model.generate`` calls on one dedicated thread."""

    kind = "thread"

    def __init__(self, model: Any, eos_token_id: int | list[int] | None, pad_token_id: int, max_batch: int) -> None:
        self._model = model
        eos = eos_token_id if isinstance(eos_token_id, list) else [eos_token_id]
        self._eos = [token for token in eos if token is not None]
        self._pad = pad_token_id
        self._max_batch = max_batch
        self._waiting: deque[_Job] = deque()
        self._running: list[_Job] = []
        self._stopping = False
        self._wakeup = threading.Condition()
        self._live = LiveRequests()
        self._thread = threading.Thread(target=self._serve, name="supportbot-generate", daemon=True)
        self._thread.start()

    async def tokens(self, input_ids: list[int], options: ResolvedOptions) -> AsyncGenerator[list[int], None]:
        loop = asyncio.get_running_loop()
        steps: asyncio.Queue[_Step] = asyncio.Queue()

        def deliver(step: _Step) -> None:
            try:
                loop.call_soon_threadsafe(steps.put_nowait, step)
            except RuntimeError:  # the loop has closed: nobody is listening any more
                pass

        job = _Job(list(input_ids), options, deliver)
        with self._wakeup:
            if self._stopping:
                raise ModelUnavailable("the generation thread has stopped")
            self._waiting.append(job)
            self._wakeup.notify()
        try:
            with self._live.track(steps):
                while (step := await steps.get()) is not None:
                    if isinstance(step, BaseException):
                        raise step
                    yield step
        finally:
            job.cancelled.set()  # stops its row at the next step, or drops it if still waiting

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self._stopping

    def abort(self, error: ModelError) -> None:
        self._live.fail_all(error)

    def stop(self) -> None:
        with self._wakeup:
            self._stopping = True
            for job in [*self._waiting, *self._running]:
                job.cancelled.set()
            self._wakeup.notify()
        self._thread.join(timeout=30)

    # ------------------------------------------------------------------ the inference thread

    def _serve(self) -> None:
        while True:
            with self._wakeup:
                while not self._waiting and not self._stopping:
                    self._wakeup.wait()
                if self._stopping:
                    for job in self._waiting:
                        job.finish(ModelUnavailable("the generation thread has stopped"))
                    return
                self._running = self._take_batch()
            try:
                if self._running:
                    self._generate(self._running)
            finally:
                with self._wakeup:
                    self._running = []

    def _take_batch(self) -> list[_Job]:
        """The oldest waiting request and every later one that samples alike, up to ``max_batch``."""
        batch: list[_Job] = []
        rest: deque[_Job] = deque()
        while self._waiting:
            job = self._waiting.popleft()
            if job.cancelled.is_set():
                continue  # its caller went away while it waited
            if len(batch) < self._max_batch and (not batch or job.sampling == batch[0].sampling):
                batch.append(job)
            else:
                rest.append(job)
        self._waiting = rest
        return batch

    def _generate(self, batch: list[_Job]) -> None:
        device = self._model.device
        longest = max(len(job.input_ids) for job in batch)
        # Left padding, so every row's next token is at the same position.
        input_ids = torch.full((len(batch), longest), self._pad, dtype=torch.long)
        attention_mask = torch.zeros((len(batch), longest), dtype=torch.long)
        for row, job in enumerate(batch):
            input_ids[row, longest - len(job.input_ids) :] = torch.tensor(job.input_ids)
            attention_mask[row, longest - len(job.input_ids) :] = 1
        options = batch[0].options
        sampling: dict[str, Any] = (
            {"do_sample": False}
            if options.greedy
            # top_k 0 is "off" for generate too; passing it keeps the model's own default out.
            else {"do_sample": True, "temperature": options.temperature, "top_k": options.top_k, "top_p": options.top_p}
        )
        config = GenerationConfig(
            max_new_tokens=max(job.options.max_new_tokens for job in batch),
            eos_token_id=self._eos or None,
            pad_token_id=self._pad,
            **sampling,
        )
        try:
            with torch.inference_mode():
                self._model.generate(
                    input_ids=input_ids.to(device),
                    attention_mask=attention_mask.to(device),
                    generation_config=config,
                    stopping_criteria=StoppingCriteriaList([_Rows(batch, set(self._eos))]),
                )
        except Exception as exc:
            log.exception("Generation failed for a batch of %d requests", len(batch))
            error = ModelError(f"generation failed: {type(exc).__name__}: {exc}")
            for job in batch:
                job.finish(error)
            return
        for job in batch:  # rows that ended with the batch (its longest max_new_tokens)
            job.finish()


class _Rows(StoppingCriteria):
    """Hands each row's new token to its request and stops the rows that are done.

    ``generate`` calls stopping criteria once per step with every token so far, so this is also
    the streamer: one place that knows each request's own limit, its end token and whether its
    caller is still there.
    """

    def __init__(self, batch: list[_Job], eos: set[int]) -> None:
        self._batch = batch
        self._eos = eos

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs: Any) -> torch.BoolTensor:
        last = input_ids[:, -1].tolist()
        for job, token in zip(self._batch, last, strict=True):
            if job.done:
                continue
            if job.cancelled.is_set() or token in self._eos:
                job.finish()
                continue
            job.generated += 1
            job.deliver([token])
            if job.generated >= job.options.max_new_tokens:
                job.finish()
        done = torch.tensor([job.done for job in self._batch], dtype=torch.bool, device=input_ids.device)
        return cast(torch.BoolTensor, done)  # a bool tensor is what StoppingCriteria return; torch types it plain
