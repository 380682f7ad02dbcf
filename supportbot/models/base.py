"""What the runner needs from a backend.

A backend does one thing: turn a prompt into text pieces, or texts into vectors. Everything
around it (the request queue, timeouts, variants, metrics, micro-batching of embeddings) is the
runner's, so each backend stays small and they all behave alike.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Protocol

import numpy as np

from .options import ChatMessage, ResolvedOptions

__all__ = ["Embedder", "Generator"]


class Generator(Protocol):
    """Streams chat completions."""

    #: The ``backend`` label of this generator's metrics.
    name: str

    async def start(self) -> None:
        """Load the model or connect; raise if that is impossible."""

    async def close(self) -> None:
        """Release the model or the connection; safe to call twice."""

    def stream(self, messages: list[ChatMessage], options: ResolvedOptions) -> AsyncGenerator[str, None]:
        """Yield the completion in pieces.

        Closing the iterator (or cancelling the task awaiting it) must stop the generation and
        free what it holds: the runner relies on this for timeouts and callers that go away.
        """
        ...


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str

    @property
    def dim(self) -> int:
        """Length of one vector; valid after :meth:`start`."""
        ...

    async def start(self) -> None:
        """Load the model or connect; raise if that is impossible."""

    async def close(self) -> None:
        """Release the model or the connection; safe to call twice."""

    async def encode(self, texts: list[str]) -> np.ndarray:
        """Embed one batch without blocking the event loop."""
        ...

    def encode_sync(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        """Embed many texts from synchronous code (CLI imports), in batches of ``batch_size``."""
        ...
