"""Generation and embeddings from an OpenAI-compatible HTTP server.

For merchants who outgrow the in-process model: point ``model.openai.base_url`` at vLLM
(``:8000/v1``), llama.cpp's ``llama-server`` (``:8080/v1``), Ollama (``:11434/v1``) or
``transformers serve``. Only ``POST /chat/completions`` (streamed as server-sent events) and
``POST /embeddings`` are used: vLLM, llama.cpp and Ollama speak both, ``transformers serve`` only
the first (the bot then says so once at start and searches by words).

Connection errors and 5xx answers are retried with exponential backoff, but only before the
first piece of text reaches the caller: replaying a half-sent answer would repeat it. A 4xx is
the request's own fault and raises :class:`ModelRequestError` with the server's explanation.

Why not the official ``openai`` client: it was weighed for this (it has retries, streaming and
typed errors), and this module stayed the simpler of the two for the same behaviour. The bot
already runs on aiohttp (discord.py's HTTP stack), so the client would add a second one (httpx)
and its dependencies for two endpoints; and its errors would still need mapping to the runner's three
(:class:`ModelUnavailable`, :class:`ModelRequestError`, :class:`ModelError`). What is left here
of our own is a 15-line retry loop and a 15-line event-stream reader, both tested against a
real server (``transformers serve``) and a fault-injecting fake.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import aiohttp
import numpy as np

from . import metrics
from .errors import ModelError, ModelRequestError, ModelUnavailable
from .options import ChatMessage, ResolvedOptions
from .settings import OpenAISettings

__all__ = ["OpenAIClient", "OpenAIEmbedder", "OpenAIGenerator"]

log = logging.getLogger(__name__)

T = TypeVar("T")

# What a retry may fix: the server restarting, overloaded, or a proxy in between failing.
_RETRYABLE = (aiohttp.ClientConnectionError, asyncio.TimeoutError)


class _ServerError(Exception):
    """A 5xx answer, retried like a connection error."""


class OpenAIClient:
    """One HTTP session to the server: its URL, key, retries and error answers.

    The generator and the embedder each get their own, so closing one never cuts the other off.
    """

    def __init__(self, settings: OpenAISettings, model: str) -> None:
        self.settings = settings
        self.model = settings.model or model
        self.base_url = settings.base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is not None:
            return
        headers = {"Accept": "application/json"}
        # The key is read here and sent only as a header; it never reaches a log line.
        if api_key := os.environ.get(self.settings.api_key_env):
            headers["Authorization"] = f"Bearer {api_key}"
        timeout = aiohttp.ClientTimeout(total=None, connect=self.settings.connect_timeout_s)
        self._session = aiohttp.ClientSession(headers=headers, timeout=timeout)

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise ModelUnavailable("the OpenAI-compatible client is not started")
        return self._session

    async def with_retries(self, attempt: Callable[[], Awaitable[T]], what: str) -> T:
        """Run ``attempt`` until it succeeds, retrying connection errors and 5xx with backoff."""
        retries = self.settings.max_retries
        for number in range(retries + 1):
            try:
                return await attempt()
            except (*_RETRYABLE, _ServerError) as exc:
                if number == retries:
                    message = f"{what} at {self.base_url} failed after {retries + 1} tries: {exc}"
                    raise ModelUnavailable(message) from exc
                delay = self.settings.backoff_s * 2**number * random.uniform(0.8, 1.2)
                log.info("%s failed (%s); retry %d/%d in %.2fs", what, exc, number + 1, retries, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def raise_for_status(self, response: aiohttp.ClientResponse) -> None:
        """Turn an error answer into :class:`_ServerError` (retried) or :class:`ModelRequestError`."""
        if response.status < 400:
            return
        detail = _error_detail(await response.text())
        if response.status >= 500:
            raise _ServerError(f"HTTP {response.status}: {detail}")
        hint = ""
        if response.status in (401, 403):
            hint = f" (is the key in ${self.settings.api_key_env} right?)"
        raise ModelRequestError(
            f"{response.url.path} answered HTTP {response.status}: {detail}{hint}", status=response.status
        )


class OpenAIGenerator:
    """Streams chat completions from ``POST {base_url}/chat/completions``."""

    name = "openai"

    def __init__(self, client: OpenAIClient) -> None:
        self._client = client

    async def start(self) -> None:
        await self._client.start()

    async def close(self) -> None:
        await self._client.close()

    async def stream(self, messages: list[ChatMessage], options: ResolvedOptions) -> AsyncGenerator[str, None]:
        """Yield the completion piece by piece; closing the iterator closes the connection."""
        client = self._client
        body: dict[str, Any] = {
            "model": client.model,
            "messages": messages,
            "stream": True,
            "max_tokens": options.max_new_tokens,
            "temperature": max(options.temperature, 0.0),
        }
        if not options.greedy:
            body["top_p"] = options.top_p
            if options.top_k > 0:
                body["top_k"] = options.top_k  # not in OpenAI's API, but vLLM, llama.cpp and Ollama take it

        async def connect() -> aiohttp.ClientResponse:
            response = await client.session.post(f"{client.base_url}/chat/completions", json=body)
            try:
                await client.raise_for_status(response)
            except BaseException:
                response.release()
                raise
            return response

        response = await client.with_retries(connect, "chat completion")
        pieces = 0
        try:
            async for data in _server_sent_events(response):
                if data == "[DONE]":
                    return
                piece = _delta_content(data)
                if piece:
                    pieces += 1
                    metrics.record_tokens(self.name, 1)
                    yield piece
            # Some servers (transformers serve) end the stream without "[DONE]": that is a normal end.
        except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError, asyncio.IncompleteReadError) as exc:
            raise ModelUnavailable(f"the server closed the stream after {pieces} pieces: {exc}") from exc
        finally:
            response.close()


class OpenAIEmbedder:
    """Embeds texts with ``POST {base_url}/embeddings``; vectors are L2-normalised here."""

    name = "openai"

    def __init__(self, client: OpenAIClient, model: str) -> None:
        self._client = client
        self._model = model
        self._dim = 0

    @property
    def dim(self) -> int:
        return self._dim

    async def start(self) -> None:
        await self._client.start()
        # The dimension is the server's business: ask it once.
        self._dim = int((await self.encode(["dimension probe"])).shape[1])

    async def close(self) -> None:
        await self._client.close()

    async def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        client = self._client

        async def post() -> dict[str, Any]:
            async with client.session.post(
                f"{client.base_url}/embeddings", json={"model": self._model, "input": texts}
            ) as response:
                await client.raise_for_status(response)
                return await response.json(content_type=None)

        payload = await client.with_retries(post, "embedding")
        try:
            rows = sorted(payload["data"], key=lambda row: row.get("index", 0))
            vectors = np.asarray([row["embedding"] for row in rows], dtype=np.float32)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"unexpected /embeddings answer: {exc!r}") from exc
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def encode_sync(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        """Embed from synchronous code, on a private event loop in a helper thread."""
        from tqdm import tqdm

        async def run() -> np.ndarray:
            client = OpenAIClient(self._client.settings, self._client.model)
            embedder = OpenAIEmbedder(client, self._model)
            await client.start()
            try:
                batches = range(0, len(texts), batch_size)
                parts = [await embedder.encode(texts[i : i + batch_size]) for i in tqdm(batches, disable=not progress)]
            finally:
                await client.close()
            return np.concatenate(parts) if parts else np.zeros((0, self._dim), dtype=np.float32)

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, run()).result()


async def _server_sent_events(response: aiohttp.ClientResponse) -> AsyncIterator[str]:
    """Yield the ``data`` field of each server-sent event (multi-line data joined by newlines)."""
    data: list[str] = []
    async for raw in response.content:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield "\n".join(data)
                data = []
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
        # Comments (":"), "event:", "id:" and "retry:" fields carry nothing we use.
    if data:  # a last event without its blank line
        yield "\n".join(data)


def _delta_content(data: str) -> str:
    try:
        chunk = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ModelError(f"the server sent an event that is not JSON: {data[:200]!r}") from exc
    if "error" in chunk:
        raise ModelError(f"the server reported an error mid-stream: {_error_detail(json.dumps(chunk))}")
    choices = chunk.get("choices") or []
    if not choices:
        return ""  # e.g. a final usage-only chunk
    return (choices[0].get("delta") or {}).get("content") or ""


def _error_detail(body: str) -> str:
    """The ``error.message`` of an OpenAI-style error body, or the body itself, shortened."""
    try:
        error = json.loads(body).get("error")
    except (json.JSONDecodeError, AttributeError):
        return body.strip()[:300] or "(empty body)"
    if isinstance(error, dict):
        return str(error.get("message") or error)[:300]
    return str(error)[:300]
