"""Prometheus metrics of the model runner, on the default registry.

The core serves ``/metrics``; this module only defines what is measured. Every metric carries a
``backend`` label (``transformers``, ``openai``, ``sentence-transformers``, ``fake``) so a merchant
who switches backends can compare them on one dashboard. Tokens per second is
``rate(supportbot_model_generated_tokens_total[1m])``.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "ACTIVE_REQUESTS",
    "EMBEDDED_TEXTS",
    "EMBED_BATCH_SIZE",
    "FAILURES",
    "GENERATED_TOKENS",
    "LATENCY",
    "QUEUE_DEPTH",
    "TIME_TO_FIRST_TOKEN",
]

# Generation on a CPU takes seconds; on a GPU, tens of milliseconds to first token.
_LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, float("inf"))

QUEUE_DEPTH = Gauge("supportbot_model_queue_depth", "Requests waiting for a free generation slot.", ["backend"])
ACTIVE_REQUESTS = Gauge("supportbot_model_active_requests", "Requests holding a generation slot.", ["backend"])
GENERATED_TOKENS = Counter(
    "supportbot_model_generated_tokens", "Tokens generated (text chunks for HTTP backends).", ["backend"]
)
TIME_TO_FIRST_TOKEN = Histogram(
    "supportbot_model_time_to_first_token_seconds",
    "From the call to the first piece of text, queueing included.",
    ["backend"],
    buckets=_LATENCY_BUCKETS,
)
LATENCY = Histogram(
    "supportbot_model_request_latency_seconds",
    "From the call to the last piece of text (generation) or the vectors (embedding).",
    ["backend", "kind"],
    buckets=_LATENCY_BUCKETS,
)
FAILURES = Counter(
    "supportbot_model_failures", "Requests that did not complete, by reason.", ["backend", "kind", "reason"]
)
EMBEDDED_TEXTS = Counter("supportbot_model_embedded_texts", "Texts embedded.", ["backend"])
EMBED_BATCH_SIZE = Histogram(
    "supportbot_model_embed_batch_size",
    "Texts per encoder call after micro-batching.",
    ["backend"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, float("inf")),
)
