"""The runner's Prometheus metrics, as served over HTTP by the process's one metrics server."""

from __future__ import annotations

import re

import aiohttp
import pytest

from supportbot import metrics as core_metrics
from supportbot.models import GenerationOptions, ModelTimeout, metrics
from supportbot.testing.fake_runner import FakeRunner

HI = [{"role": "user", "content": "Where is my order?"}]

RUNNER_METRICS = [
    "supportbot_model_queue_depth",
    "supportbot_model_active_requests",
    "supportbot_model_generated_tokens_total",
    "supportbot_model_tokens_per_second",
    "supportbot_model_time_to_first_token_seconds",
    "supportbot_model_request_latency_seconds",
    "supportbot_model_failures_total",
    "supportbot_model_embedded_texts_total",
    "supportbot_model_embed_batch_size",
]


def sample(text: str, name: str, labels: str) -> float:
    match = re.search(rf"^{re.escape(name)}\{{{re.escape(labels)}\}} (\S+)$", text, re.MULTILINE)
    assert match, f"{name}{{{labels}}} is not served"
    return float(match.group(1))


async def test_the_metrics_endpoint_serves_the_runner_metrics() -> None:
    core_metrics.serve("127.0.0.1", 0)  # once per process: a later call keeps the first server
    host, port = core_metrics.served_address()  # type: ignore[misc]
    assert host == "127.0.0.1"

    runner = FakeRunner("Your order ships today.", delay_s=0.05)
    assert await runner.generate(HI) == ["Your order ships today."]
    with pytest.raises(ModelTimeout):
        await runner.generate(HI, GenerationOptions(timeout_s=0.01))
    await runner.embed(["one", "two"])

    async with aiohttp.ClientSession() as session, session.get(f"http://{host}:{port}/metrics") as response:
        assert response.status == 200
        text = await response.text()

    for name in RUNNER_METRICS:
        assert f"# TYPE {name.removesuffix('_total')}" in text, name
    assert sample(text, "supportbot_model_generated_tokens_total", 'backend="fake"') >= 4
    assert sample(text, "supportbot_model_tokens_per_second", 'backend="fake"') > 0
    assert sample(text, "supportbot_model_failures_total", 'backend="fake",kind="chat",reason="timeout"') >= 1
    assert sample(text, "supportbot_model_time_to_first_token_seconds_count", 'backend="fake"') >= 1
    assert sample(text, "supportbot_model_request_latency_seconds_count", 'backend="fake",kind="embed"') >= 1
    assert sample(text, "supportbot_model_queue_depth", 'backend="fake"') == 0

    core_metrics.serve("127.0.0.1", 0)
    assert core_metrics.served_address() == (host, port), "the process must keep one metrics server"


def test_tokens_per_second_covers_a_sliding_window(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(metrics.time, "monotonic", lambda: now[0])
    rate = metrics._WindowRate(10)
    rate.add(30)
    now[0] += 5
    rate.add(20)
    assert rate.per_second() == 5.0
    now[0] += 6  # the first 30 tokens are now older than the window
    assert rate.per_second() == 2.0
    now[0] += 10
    assert rate.per_second() == 0.0
