"""Prometheus metrics of the core; the model runner registers its own beside these."""

from __future__ import annotations

import logging

from prometheus_client import Counter, Gauge, Histogram, start_http_server

__all__ = ["MESSAGES", "RESPONSE_SECONDS", "HANDOFFS", "WRITE_FAILURES", "WRITE_DROPPED", "RETRY_QUEUE", "SEND_RETRIES",
           "serve"]

log = logging.getLogger(__name__)

MESSAGES = Counter("supportbot_messages_total", "Inbound customer messages by outcome", ["outcome"])
RESPONSE_SECONDS = Histogram(
    "supportbot_response_seconds", "From receiving a message to recording its outcome",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
HANDOFFS = Counter("supportbot_handoffs_total", "Handoffs opened, by reason", ["reason"])
WRITE_FAILURES = Counter("supportbot_history_write_failures_total",
                         "Messages the history could not take, by cause (disk_full, read_only, locked, other)", ["error"])
WRITE_DROPPED = Counter("supportbot_history_write_dropped_total", "Messages lost because the retry queue was full")
RETRY_QUEUE = Gauge("supportbot_history_retry_queue", "Messages waiting for the history to be writable again")
SEND_RETRIES = Counter("supportbot_send_retries_total", "Sends tried again after the platform refused them for now")

_served: tuple[str, int] | None = None


def served_address() -> tuple[str, int] | None:
    """``(host, port)`` of this process's metrics server, or None before :func:`serve`."""
    return _served


def serve(host: str, port: int) -> None:
    """Serve /metrics on ``host:port`` (once per process)."""
    global _served
    if _served is not None:
        return
    server, _thread = start_http_server(port, addr=host)
    _served = (host, server.server_port)
    log.info("metrics on http://%s:%d/metrics", host, server.server_port)
