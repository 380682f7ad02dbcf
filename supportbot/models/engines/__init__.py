"""The two ways the in-process backend can run a model; both turn prompt ids into new token ids.

- :mod:`.continuous`: transformers' continuous batching, one persistent manager whose thread
  interleaves every request's steps in shared forward passes. The default.
- :mod:`.threaded`: one inference thread running ``model.generate`` on micro-batches of whatever
  requests are waiting. The fallback for a model that continuous batching cannot serve.

Both deliver tokens to the event loop with ``call_soon_threadsafe`` and never block it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from ..errors import ModelError
from ..options import ResolvedOptions

__all__ = ["Engine", "LiveRequests"]


class Engine(Protocol):
    """Runs the model: prompt token ids in, new token ids out, step by step."""

    #: ``continuous`` or ``thread``, for logs and diagnostics.
    kind: str

    def tokens(self, input_ids: list[int], options: ResolvedOptions) -> AsyncGenerator[list[int], None]:
        """Yield the ids generated since the last yield; closing the iterator cancels the request."""
        ...

    @property
    def alive(self) -> bool:
        """Still serving: False once its thread has died (the generator then starts a new one)."""
        ...

    def abort(self, error: ModelError) -> None:
        """Fail every request in flight with ``error``; called on the event loop before :meth:`stop`."""

    def stop(self) -> None:
        """Stop the engine's thread (blocking, so call it off the event loop)."""


class LiveRequests:
    """The output queues of the requests an engine is serving, so that closing can end them all.

    Without it, a request whose engine stops would wait for tokens that never come until its
    deadline, holding its caller (and its slot) for up to a minute.
    """

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[Any]] = set()

    @contextmanager
    def track(self, queue: asyncio.Queue[Any]) -> Iterator[None]:
        """Count ``queue`` as live for the duration of the block."""
        self._queues.add(queue)
        try:
            yield
        finally:
            self._queues.discard(queue)

    def fail_all(self, error: ModelError) -> None:
        """Put ``error`` into every live queue; each request raises it on its next read."""
        for queue in list(self._queues):
            queue.put_nowait(error)
