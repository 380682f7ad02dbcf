"""Prometheus metrics of the model runner, on the default registry.

The core serves them with its own (``metrics:`` in config.yaml, one HTTP server per process, see
:func:`supportbot.metrics.serve`); this module only defines what is measured. Every metric carries
a ``backend`` label (``transformers``, ``openai``, ``sentence-transformers``, ``fake``) so a merchant
who switches backends can compare them on one dashboard.

Tokens per second is exported twice: the counter ``supportbot_model_generated_tokens_total``
(use ``rate()`` over it on a Prometheus server) and the gauge
``supportbot_model_tokens_per_second`` over the last :data:`RATE_WINDOW_S` seconds, for a look at
``/metrics`` without one.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "ACTIVE_REQUESTS",
    "EMBEDDED_TEXTS",
    "ENGINE_RESTARTS",
    "EMBED_BATCH_SIZE",
    "FAILURES",
    "GENERATED_TOKENS",
    "LATENCY",
    "QUEUE_DEPTH",
    "RATE_WINDOW_S",
    "TIME_TO_FIRST_TOKEN",
    "TOKENS_PER_SECOND",
    "record_tokens",
]

#: The window of the tokens-per-second gauge.
RATE_WINDOW_S = 10.0

# Generation on a CPU takes seconds; on a GPU, tens of milliseconds to first token.
_LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, float("inf"))

ENGINE_RESTARTS = Counter(
    "supportbot_model_engine_restarts", "Generation engines started again after their thread died.", ["backend", "engine"]
)
QUEUE_DEPTH = Gauge("supportbot_model_queue_depth", "Requests waiting for a free generation slot.", ["backend"])
ACTIVE_REQUESTS = Gauge("supportbot_model_active_requests", "Requests holding a generation slot.", ["backend"])
GENERATED_TOKENS = Counter(
    "supportbot_model_generated_tokens", "Tokens generated (text chunks for HTTP backends).", ["backend"]
)
TOKENS_PER_SECOND = Gauge(
    "supportbot_model_tokens_per_second",
    f"Tokens generated per second over the last {RATE_WINDOW_S:g} seconds.",
    ["backend"],
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
    "supportbot_model_failures",
    "Requests that did not complete, by reason (unavailable, overloaded, timeout, cancelled, refused, error).",
    ["backend", "kind", "reason"],
)
EMBEDDED_TEXTS = Counter("supportbot_model_embedded_texts", "Texts embedded.", ["backend"])
EMBED_BATCH_SIZE = Histogram(
    "supportbot_model_embed_batch_size",
    "Texts per encoder call after micro-batching.",
    ["backend"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, float("inf")),
)


class _WindowRate:
    """Events per second over a sliding window; read by the gauge when ``/metrics`` is scraped."""

    def __init__(self, window_s: float) -> None:
        self._window_s = window_s
        self._events: deque[tuple[float, int]] = deque()
        self._lock = threading.Lock()  # scrapes come from the metrics server's thread

    def add(self, count: int) -> None:
        now = time.monotonic()
        with self._lock:
            self._events.append((now, count))
            self._expire(now)

    def per_second(self) -> float:
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            return sum(count for _, count in self._events) / self._window_s

    def _expire(self, now: float) -> None:
        while self._events and self._events[0][0] < now - self._window_s:
            self._events.popleft()


_rates: dict[str, _WindowRate] = {}


def record_tokens(backend: str, count: int) -> None:
    """Count ``count`` newly generated tokens (or text chunks) of ``backend``."""
    GENERATED_TOKENS.labels(backend).inc(count)
    rate = _rates.get(backend)
    if rate is None:
        rate = _rates[backend] = _WindowRate(RATE_WINDOW_S)
        TOKENS_PER_SECOND.labels(backend).set_function(rate.per_second)
    rate.add(count)
