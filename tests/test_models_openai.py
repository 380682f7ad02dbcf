"""The OpenAI-compatible backend against a small SSE server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass, field

import numpy as np
import pytest
from aiohttp import web

from supportbot.models import (
    EmbeddingSettings,
    GenerationOptions,
    ModelError,
    ModelRequestError,
    ModelRunner,
    ModelSettings,
    ModelTimeout,
    ModelUnavailable,
    OpenAISettings,
    create_runner,
)

API_KEY = "sk-test-secret-0123456789"
PIECES = ["Your ", "order ", "ships ", "today."]


@dataclass
class Server:
    """What the fake server saw, and how it should answer the next chat request."""

    base_url: str = ""
    chat_bodies: list[dict] = field(default_factory=list)
    auth_headers: list[str | None] = field(default_factory=list)
    # Status codes to answer with before streaming normally (e.g. [503] fails once).
    fail_first: list[int] = field(default_factory=list)
    send_done: bool = True
    disconnect_after: int | None = None
    delay_s: float = 0.0
    # Status codes the embeddings endpoint answers with before answering normally.
    embed_fail_first: list[int] = field(default_factory=list)
    # Streams the client closed before the end.
    disconnected: int = 0
    # A raw SSE event sent after the first piece instead of the rest of the answer.
    error_event: bytes | None = None


def chunk(content: str) -> bytes:
    payload = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": content}}]}
    return f"data: {json.dumps(payload)}\n\n".encode()


@pytest.fixture
async def server(unused_tcp_port: int) -> AsyncIterator[Server]:
    state = Server(base_url=f"http://127.0.0.1:{unused_tcp_port}/v1")

    async def chat(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        state.chat_bodies.append(body)
        state.auth_headers.append(request.headers.get("Authorization"))
        if state.fail_first:
            status = state.fail_first.pop(0)
            message = "model 'nope' not found" if status < 500 else "overloaded"
            return web.json_response({"error": {"message": message, "type": "error"}}, status=status)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b": keep-alive comment\n\n")
        for i, piece in enumerate(PIECES):
            if state.error_event is not None and i == 1:
                await response.write(state.error_event)
                await response.write_eof()
                return response
            if state.disconnect_after == i:
                request.transport.close()  # the server dies mid-stream
                return response
            await asyncio.sleep(state.delay_s)
            try:
                await response.write(chunk(piece))
            except ConnectionResetError:  # the client went away
                state.disconnected += 1
                return response
        await response.write(b'data: {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}\n\n')
        if state.send_done:
            await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def embeddings(request: web.Request) -> web.Response:
        body = await request.json()
        if state.embed_fail_first:
            status = state.embed_fail_first.pop(0)
            return web.json_response({"error": {"message": f"embedding error {status}"}}, status=status)
        rows = [{"index": i, "embedding": [float(len(text)), 1.0, 0.0]} for i, text in enumerate(body["input"])]
        return web.json_response({"object": "list", "data": rows[::-1]})  # out of order on purpose

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_post("/v1/embeddings", embeddings)
    app_runner = web.AppRunner(app)
    await app_runner.setup()
    site = web.TCPSite(app_runner, "127.0.0.1", unused_tcp_port)
    await site.start()
    yield state
    await app_runner.cleanup()


def openai_settings(base_url: str, **overrides: object) -> ModelSettings:
    openai = OpenAISettings(base_url=base_url, api_key_env="SUPPORTBOT_TEST_KEY", model="served-model", backoff_s=0.01)
    return ModelSettings(backend="openai", openai=openai, **overrides)


Factory = Callable[..., Awaitable[ModelRunner]]


@pytest.fixture
async def make_runner(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Factory]:
    monkeypatch.setenv("SUPPORTBOT_TEST_KEY", API_KEY)
    runners: list[ModelRunner] = []

    async def factory(base_url: str, embeddings: str = "none", **overrides: object) -> ModelRunner:
        settings = openai_settings(base_url, **overrides)
        runner = create_runner(settings, EmbeddingSettings(backend=embeddings, model="emb"))
        await runner.start()
        runners.append(runner)
        return runner

    yield factory
    for runner in runners:
        await runner.close()


async def test_streams_pieces_with_the_key_and_options(server: Server, make_runner: Factory) -> None:
    runner = await make_runner(server.base_url)
    options = GenerationOptions(max_new_tokens=7, temperature=0.5, top_p=0.8, top_k=20)
    pieces = [piece async for piece in runner.stream_chat([{"role": "user", "content": "hi"}], options)]

    assert pieces == PIECES
    [body] = server.chat_bodies
    assert body["model"] == "served-model" and body["stream"] is True
    assert (body["max_tokens"], body["temperature"], body["top_p"], body["top_k"]) == (7, 0.5, 0.8, 20)
    assert server.auth_headers == [f"Bearer {API_KEY}"]


async def test_a_stream_without_done_ends_normally(server: Server, make_runner: Factory) -> None:
    server.send_done = False
    runner = await make_runner(server.base_url)
    assert await runner.generate([{"role": "user", "content": "hi"}]) == ["".join(PIECES)]


async def test_variants_are_separate_requests(server: Server, make_runner: Factory) -> None:
    runner = await make_runner(server.base_url)
    variants = await runner.generate([{"role": "user", "content": "hi"}], GenerationOptions(n=3))
    assert variants == ["".join(PIECES)] * 3
    assert len(server.chat_bodies) == 3


async def test_mid_stream_disconnect_is_a_clear_error(server: Server, make_runner: Factory) -> None:
    server.disconnect_after = 2
    runner = await make_runner(server.base_url)
    received: list[str] = []
    with pytest.raises(ModelUnavailable, match="closed the stream after 2 pieces"):
        async for piece in runner.stream_chat([{"role": "user", "content": "hi"}]):
            received.append(piece)
    assert received == PIECES[:2]
    assert len(server.chat_bodies) == 1, "a half-sent answer must not be replayed"


async def test_5xx_is_retried(server: Server, make_runner: Factory) -> None:
    server.fail_first = [503, 502]
    runner = await make_runner(server.base_url)
    assert await runner.generate([{"role": "user", "content": "hi"}]) == ["".join(PIECES)]
    assert len(server.chat_bodies) == 3


async def test_5xx_until_retries_run_out(server: Server, make_runner: Factory) -> None:
    server.fail_first = [500] * 10
    runner = await make_runner(server.base_url)
    with pytest.raises(ModelUnavailable, match="overloaded"):
        await runner.generate([{"role": "user", "content": "hi"}])
    assert len(server.chat_bodies) == 4  # one try and max_retries=3


async def test_4xx_is_a_clear_error_and_not_retried(
    server: Server, make_runner: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    server.fail_first = [404]
    runner = await make_runner(server.base_url)
    with caplog.at_level(logging.DEBUG), pytest.raises(ModelRequestError, match=r"404.*model 'nope' not found") as info:
        await runner.generate([{"role": "user", "content": "hi"}])
    assert info.value.status == 404
    assert len(server.chat_bodies) == 1
    assert API_KEY not in caplog.text


async def test_connection_refused_is_retried_then_unavailable(unused_tcp_port: int, make_runner: Factory) -> None:
    runner = await make_runner(f"http://127.0.0.1:{unused_tcp_port}/v1")
    assert runner.generation_available  # a server may come up later; requests retry
    with pytest.raises(ModelUnavailable, match="after 4 tries"):
        await runner.generate([{"role": "user", "content": "hi"}])


async def test_timeout_closes_the_stream(server: Server, make_runner: Factory) -> None:
    server.delay_s = 0.5
    runner = await make_runner(server.base_url)
    with pytest.raises(ModelTimeout):
        await runner.generate([{"role": "user", "content": "hi"}], GenerationOptions(timeout_s=0.2))


async def test_embeddings_are_ordered_and_normalised(server: Server, make_runner: Factory) -> None:
    runner = await make_runner(server.base_url, embeddings="openai")
    assert runner.embeddings_available and runner.embedding_dim == 3
    vectors = await runner.embed(["a", "abc"])
    expected = np.array([[1, 1, 0], [3, 1, 0]], dtype=np.float32)
    np.testing.assert_allclose(vectors, expected / np.linalg.norm(expected, axis=1, keepdims=True), rtol=1e-6)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(await asyncio.to_thread(runner.embed_sync, ["a", "abc"], 1), vectors, rtol=1e-6)


async def test_an_error_event_mid_stream_is_a_model_error(server: Server, make_runner: Factory) -> None:
    server.error_event = b'data: {"error": {"message": "model crashed", "type": "server_error"}}\n\n'
    runner = await make_runner(server.base_url)
    received: list[str] = []
    with pytest.raises(ModelError, match="mid-stream: model crashed"):
        async for piece in runner.stream_chat([{"role": "user", "content": "hi"}]):
            received.append(piece)
    assert received == PIECES[:1]


async def test_embeddings_retry_5xx_and_refuse_4xx(server: Server, make_runner: Factory) -> None:
    runner = await make_runner(server.base_url, embeddings="openai")
    server.embed_fail_first = [502]
    assert (await runner.embed(["a"])).shape == (1, 3)
    server.embed_fail_first = [400]
    with pytest.raises(ModelRequestError, match="400.*embedding error 400") as info:
        await runner.embed(["b"])  # another text: "a" is in the runner's cache now
    assert info.value.status == 400


async def test_a_caller_leaving_mid_stream_closes_the_connection(server: Server, make_runner: Factory) -> None:
    server.delay_s = 0.05
    runner = await make_runner(server.base_url)
    async with aclosing(runner.stream_chat([{"role": "user", "content": "hi"}])) as pieces:
        async for _ in pieces:
            break
    for _ in range(200):  # the server notices the closed connection when it next writes
        if server.disconnected:
            break
        await asyncio.sleep(0.01)
    assert server.disconnected == 1
