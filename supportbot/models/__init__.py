"""The shared model runner: one model, many concurrent chats, never blocking the bot.

Plugins receive a :class:`ModelRunner` from the core and use three calls::

    async for piece in runner.stream_chat(messages):        # a reply as it is written
        ...
    variants = await runner.generate(messages, GenerationOptions(n=3, temperature=0.8))
    vectors = await runner.embed(["where is my order?"])    # (1, dim) float32, unit length

Every failure is a :class:`ModelError`: :class:`ModelUnavailable` means knowledge-only mode or a
backend that is down, :class:`ModelOverloaded` (a kind of unavailable) a full waiting line,
:class:`ModelTimeout` a request past its deadline, :class:`ModelRequestError` a request the
server refused. All are meant to be turned into a handoff to staff.

Backends: ``transformers`` (in-process: continuous batching, or one inference thread with
micro-batching for a model that cannot be batched that way), ``openai`` (any OpenAI-compatible
server) or ``none``; embeddings from sentence-transformers (bundled all-MiniLM-L6-v2 by default)
or the same OpenAI-compatible server. Prometheus metrics are in :mod:`.metrics`.

Modules: ``runner`` (what all backends share), ``transformers_backend`` with ``engines/``,
``decoding`` and ``varlen_attention``; ``openai_backend``; ``embedder`` and ``batching``;
``options``, ``settings``, ``errors``, ``loading``, ``metrics``.
"""

from __future__ import annotations

from .base import Embedder, Generator
from .errors import ModelError, ModelOverloaded, ModelRequestError, ModelTimeout, ModelUnavailable
from .options import ChatMessage, GenerationOptions
from .runner import ModelRunner
from .settings import EmbeddingSettings, ModelSettings, OpenAISettings

__all__ = [
    "ChatMessage",
    "Embedder",
    "EmbeddingSettings",
    "GenerationOptions",
    "Generator",
    "ModelError",
    "ModelOverloaded",
    "ModelRequestError",
    "ModelRunner",
    "ModelSettings",
    "ModelTimeout",
    "ModelUnavailable",
    "OpenAISettings",
    "create_runner",
]


def create_runner(model: ModelSettings, embeddings: EmbeddingSettings) -> ModelRunner:
    """Build the process's runner from its settings; call ``await runner.start()`` next.

    Building is cheap and imports no model library: loading happens in :meth:`ModelRunner.start`.
    """
    generator: Generator | None = None
    if model.backend == "transformers":
        from .transformers_backend import TransformersGenerator

        generator = TransformersGenerator(model)
    elif model.backend == "openai":
        from .openai_backend import OpenAIClient, OpenAIGenerator

        generator = OpenAIGenerator(OpenAIClient(model.openai, model.name))

    embedder: Embedder | None = None
    if embeddings.backend == "sentence-transformers":
        from .embedder import SentenceTransformerEmbedder

        embedder = SentenceTransformerEmbedder(embeddings, cpu_threads=model.cpu_threads)
    elif embeddings.backend == "openai":
        from .openai_backend import OpenAIClient, OpenAIEmbedder

        embedder = OpenAIEmbedder(OpenAIClient(model.openai, model.name), embeddings.model)
    return ModelRunner(generator, embedder, model, embeddings)
