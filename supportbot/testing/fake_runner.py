"""A model runner for tests: scripted replies, hashed embeddings, no model and no torch.

:class:`FakeRunner` is a real :class:`~supportbot.models.ModelRunner` whose backends are fakes,
so queueing, deadlines, variants and errors behave exactly as in production::

    runner = FakeRunner(["Your order ships today.", "Anything else?"])
    runner = FakeRunner(lambda messages: messages[-1]["content"].upper())
    runner = FakeRunner(fail_with=ModelUnavailable("backend down"))   # every request fails
    runner = FakeRunner(generation_available=False)                    # knowledge-only mode

It is ready on construction (``start`` is optional) and records what it was asked in ``calls``.
"""

from __future__ import annotations

import asyncio
import re
import zlib
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass

import numpy as np

from supportbot.models import EmbeddingSettings, ModelError, ModelRunner, ModelSettings, metrics
from supportbot.models.options import ChatMessage, ResolvedOptions

__all__ = ["FakeCall", "FakeRunner", "HashingEmbedder", "hashed_trigram_vectors"]

Replies = str | Sequence[str] | Callable[[list[ChatMessage]], str]


@dataclass(frozen=True)
class FakeCall:
    """One request the fake generator received (one per variant)."""

    messages: list[ChatMessage]
    options: ResolvedOptions


def hashed_trigram_vectors(texts: Sequence[str], dim: int = 384) -> np.ndarray:
    """Embed texts as signed hashed character trigrams, L2-normalised: cheap and deterministic.

    Texts sharing words get a high cosine similarity, which is enough for retrieval tests.
    """
    vectors = np.zeros((len(texts), dim), dtype=np.float32)
    for row, text in enumerate(texts):
        padded = f"  {' '.join(text.lower().split())}  "
        for i in range(len(padded) - 2):
            digest = zlib.crc32(padded[i : i + 3].encode("utf-8"))
            vectors[row, digest % dim] += 1.0 if digest & 0x80000000 else -1.0
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class HashingEmbedder:
    """An :class:`~supportbot.models.Embedder` built on :func:`hashed_trigram_vectors`."""

    name = "fake"

    def __init__(self, dim: int = 384) -> None:
        self._dim = dim
        #: An error to raise from every call, or None.
        self.fail_with: ModelError | None = None

    @property
    def dim(self) -> int:
        return self._dim

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def encode(self, texts: list[str]) -> np.ndarray:
        return self.encode_sync(texts, len(texts), False)

    def encode_sync(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        if self.fail_with is not None:
            raise self.fail_with
        return hashed_trigram_vectors(texts, self._dim)


class FakeGenerator:
    """A :class:`~supportbot.models.Generator` that streams scripted replies word by word."""

    name = "fake"

    def __init__(self, replies: Replies | None, delay_s: float) -> None:
        self._replies = replies
        self._turn = 0
        self.delay_s = delay_s
        self.fail_with: ModelError | None = None
        self.calls: list[FakeCall] = []

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def stream(self, messages: list[ChatMessage], options: ResolvedOptions) -> AsyncGenerator[str, None]:
        self.calls.append(FakeCall(messages, options))
        if self.fail_with is not None:
            raise self.fail_with
        for piece in re.findall(r"\s*\S+", self._next_reply(messages)):
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            metrics.record_tokens(self.name, 1)  # a word stands for a token
            yield piece

    def _next_reply(self, messages: list[ChatMessage]) -> str:
        replies = self._replies
        if replies is None:
            last_user = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
            return f"(fake reply to: {last_user})"
        if isinstance(replies, str):
            return replies
        if callable(replies):
            return replies(messages)
        if not replies:
            return ""
        # Scripted replies are used in turn; the last one repeats once they run out.
        reply = replies[min(self._turn, len(replies) - 1)]
        self._turn += 1
        return reply


class FakeRunner(ModelRunner):
    """A deterministic :class:`ModelRunner` for tests; see the module docstring."""

    def __init__(
        self,
        replies: Replies | None = None,
        *,
        fail_with: ModelError | None = None,
        generation_available: bool = True,
        embeddings_available: bool = True,
        delay_s: float = 0.0,
        dim: int = 384,
        settings: ModelSettings | None = None,
    ) -> None:
        """
        Args:
            replies: one reply for every request, a list used in turn, or a function of the messages.
            fail_with: raised by every generation request (e.g. ``ModelTimeout("slow")``).
            generation_available: False puts the runner in knowledge-only mode.
            embeddings_available: False makes :meth:`embed` raise ModelUnavailable.
            delay_s: pause before each streamed piece, to exercise timeouts and cancellation.
            dim: length of the hashed embeddings.
            settings: defaults for options (greedy, 256 tokens, 60 s by default).
        """
        self.fake_generator = FakeGenerator(replies, delay_s)
        self.fake_generator.fail_with = fail_with
        self.fake_embedder = HashingEmbedder(dim)
        super().__init__(
            self.fake_generator,
            self.fake_embedder,
            settings or ModelSettings(backend="none", temperature=0.0),
            EmbeddingSettings(backend="none", max_wait_ms=0),
        )
        self._set_ready(generation=generation_available, embeddings=embeddings_available)

    @property
    def calls(self) -> list[FakeCall]:
        """Every generation request received, in order (one entry per variant)."""
        return self.fake_generator.calls

    @property
    def fail_with(self) -> ModelError | None:
        """The error every generation request raises, or None; assignable mid-test."""
        return self.fake_generator.fail_with

    @fail_with.setter
    def fail_with(self, error: ModelError | None) -> None:
        self.fake_generator.fail_with = error

    def set_available(self, *, generation: bool = True, embeddings: bool = True) -> None:
        """Switch knowledge-only mode (``generation=False``) or the embedder on and off mid-test."""
        self._set_ready(generation=generation, embeddings=embeddings)

    async def start(self) -> None:
        """Nothing to load: the fake is ready on construction."""
