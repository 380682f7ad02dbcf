"""The OpenAI-compatible backend against a real server: ``transformers serve`` on 127.0.0.1.

The other OpenAI tests use a small fake that can be told to fail; this one starts the server
merchants actually point the bot at (the one that ships in the ``transformers`` CLI), with the
tiny test model saved to a temporary folder, and talks to it through ``model.backend: openai``.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from supportbot.models import (
    EmbeddingSettings,
    GenerationOptions,
    ModelUnavailable,
    ModelSettings,
    OpenAISettings,
    create_runner,
)
from supportbot.models.options import ChatMessage
from supportbot.testing.tiny_model import build_tiny_chat_model

pytestmark = pytest.mark.slow

STARTUP_TIMEOUT_S = 240


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"transformers serve exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"transformers serve was not healthy after {STARTUP_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def served_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Start ``transformers serve`` on the tiny model; yield (base_url, model name)."""
    folder = tmp_path_factory.mktemp("served")
    model = build_tiny_chat_model(folder / "model")
    port = _free_port()
    log = folder / "serve.log"
    # Offline, with a private cache: the server must never reach for the hub.
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_HOME=str(folder / "hf-home"), TRANSFORMERS_NO_ADVISORY_WARNINGS="1")
    command = [sys.executable, "-m", "transformers.cli.transformers", "serve", str(model),
               "--host", "127.0.0.1", "--port", str(port), "--device", "cpu"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=folder)
    try:
        _wait_until_healthy(f"http://127.0.0.1:{port}/health", server, log)
        yield f"http://127.0.0.1:{port}/v1", str(model)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _settings(base_url: str, model: str) -> ModelSettings:
    return ModelSettings(backend="openai", name=model, openai=OpenAISettings(base_url=base_url, backoff_s=0.05))


async def test_a_conversation_streams_through_a_real_server(served_model: tuple[str, str]) -> None:
    base_url, model = served_model
    runner = create_runner(_settings(base_url, model), EmbeddingSettings(backend="none"))
    await runner.start()
    try:
        assert runner.generation_available
        greedy = GenerationOptions(max_new_tokens=6, temperature=0)
        conversation: list[ChatMessage] = [{"role": "user", "content": "Where is my order?"}]
        first = "".join([piece async for piece in runner.stream_chat(conversation, greedy)])
        assert first.strip()
        # The second turn carries the first answer, as a plugin's follow-up does.
        conversation += [{"role": "assistant", "content": first},
                         {"role": "user", "content": "And when will it arrive?"}]
        second = "".join([piece async for piece in runner.stream_chat(conversation, greedy)])
        assert second.strip()
        # Greedy decoding on the same prompt gives the same text: the server saw the options.
        again = await runner.generate(conversation, greedy)
        assert again == [second]
    finally:
        await runner.close()


async def test_a_server_without_embeddings_is_one_clear_warning_at_start(
    served_model: tuple[str, str], caplog: pytest.LogCaptureFixture,
) -> None:
    # transformers serve has no /v1/embeddings (vLLM, llama.cpp's server and Ollama do): the
    # merchant hears that once, at start, and the bot goes on with generation and word search.
    base_url, model = served_model
    runner = create_runner(_settings(base_url, model), EmbeddingSettings(backend="openai", model=model))
    with caplog.at_level(logging.WARNING, logger="supportbot.models.runner"):
        await runner.start()
    try:
        assert runner.generation_available and not runner.embeddings_available
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "/v1/embeddings answered HTTP 404" in warnings[0]
        with pytest.raises(ModelUnavailable):
            await runner.embed(["where is my parcel?"])
    finally:
        await runner.close()
