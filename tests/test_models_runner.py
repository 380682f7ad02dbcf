"""What the runner adds around any backend: backpressure, variants, typed errors, metrics.

The generator here is a stub whose pieces are released by the test, so every ordering is
decided by the test and nothing depends on timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import numpy as np
import pytest

from supportbot.models import (
    EmbeddingSettings,
    GenerationOptions,
    ModelError,
    ModelOverloaded,
    ModelRunner,
    ModelSettings,
    ModelTimeout,
    ModelUnavailable,
    metrics,
)
from supportbot.models.options import ChatMessage, ResolvedOptions

HI = [{"role": "user", "content": "hi"}]


class GatedGenerator:
    """Streams "a", then waits for :attr:`gate` before "b"; fails on request if told to."""

    name = "gated"

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.started = 0
        self.running = 0
        self.closed = 0  # streams that ended, however they ended
        self.fail_with: BaseException | None = None

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def stream(self, messages: list[ChatMessage], options: ResolvedOptions) -> AsyncIterator[str]:
        self.started += 1
        self.running += 1
        try:
            if self.fail_with is not None:
                raise self.fail_with
            yield "a"
            await self.gate.wait()
            yield "b"
        finally:
            self.running -= 1
            self.closed += 1


def make_runner(generator: GatedGenerator, **settings: object) -> ModelRunner:
    runner = ModelRunner(generator, None, ModelSettings(backend="none", **settings), EmbeddingSettings(backend="none"))
    runner._set_ready(generation=True, embeddings=False)
    return runner


async def until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    """Let the loop run until ``condition()`` holds (no deadline is asserted, only progress)."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"never happened: {what}")


def failures(backend: str, reason: str) -> float:
    return metrics.FAILURES.labels(backend, "chat", reason)._value.get()


async def test_a_full_line_raises_overloaded_at_once_and_waiting_callers_are_served_in_turn() -> None:
    generator = GatedGenerator()
    runner = make_runner(generator, max_concurrent_requests=1, max_queued_requests=2)
    depth = metrics.QUEUE_DEPTH.labels("gated")
    overloaded_before = failures("gated", "overloaded")

    first = asyncio.create_task(runner.generate(HI))
    await until(lambda: generator.running == 1, "the first request holds the slot")
    waiting = [asyncio.create_task(runner.generate(HI)) for _ in range(2)]
    await until(lambda: depth._value.get() == 2, "two requests wait in line")

    with pytest.raises(ModelOverloaded, match="1 requests are generating and 2 are waiting"):
        await runner.generate(HI)
    with pytest.raises(ModelUnavailable):  # an overload is a kind of unavailability for callers
        async for _ in runner.stream_chat(HI):
            pass
    assert failures("gated", "overloaded") == overloaded_before + 2
    assert generator.started == 1, "waiting requests must not start before a slot is free"

    generator.gate.set()
    assert await first == ["ab"]
    assert [await task for task in waiting] == [["ab"], ["ab"]]
    assert depth._value.get() == 0 and generator.running == 0


async def test_no_line_at_all_when_max_queued_requests_is_zero() -> None:
    generator = GatedGenerator()
    runner = make_runner(generator, max_concurrent_requests=2, max_queued_requests=0)
    holders = [asyncio.create_task(runner.generate(HI)) for _ in range(2)]
    await until(lambda: generator.running == 2, "both slots taken")
    with pytest.raises(ModelOverloaded):
        await runner.generate(HI)
    generator.gate.set()
    await asyncio.gather(*holders)
    assert await runner.generate(HI) == ["ab"]  # slots came back


async def test_a_caller_that_gives_up_while_waiting_leaves_the_line() -> None:
    generator = GatedGenerator()
    runner = make_runner(generator, max_concurrent_requests=1, max_queued_requests=1)
    holder = asyncio.create_task(runner.generate(HI))
    await until(lambda: generator.running == 1, "the slot is taken")
    waiter = asyncio.create_task(runner.generate(HI))
    await until(lambda: metrics.QUEUE_DEPTH.labels("gated")._value.get() == 1, "one waits")
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    # Its place in line is free again: another caller may wait instead of being refused.
    replacement = asyncio.create_task(runner.generate(HI))
    await until(lambda: metrics.QUEUE_DEPTH.labels("gated")._value.get() == 1, "the replacement waits")
    generator.gate.set()
    assert await holder == ["ab"] and await replacement == ["ab"]
    assert generator.started == 2


async def test_timeout_while_waiting_in_line() -> None:
    generator = GatedGenerator()
    runner = make_runner(generator, max_concurrent_requests=1)
    holder = asyncio.create_task(runner.generate(HI))
    await until(lambda: generator.running == 1, "the slot is taken")
    with pytest.raises(ModelTimeout):
        await runner.generate(HI, GenerationOptions(timeout_s=0.05))
    assert generator.started == 1
    generator.gate.set()
    await holder


async def test_variants_run_concurrently_and_a_failing_one_cancels_the_rest() -> None:
    generator = GatedGenerator()
    runner = make_runner(generator, max_concurrent_requests=8)
    task = asyncio.create_task(runner.generate(HI, GenerationOptions(n=3)))
    await until(lambda: generator.running == 3, "three variants generate at once")
    generator.gate.set()
    assert await task == ["ab", "ab", "ab"]

    # A caller that goes away takes all its variants with it.
    generator.gate.clear()
    cancelled_before = failures("gated", "cancelled")
    task = asyncio.create_task(runner.generate(HI, GenerationOptions(n=3)))
    await until(lambda: generator.running == 3, "three variants again")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert generator.running == 0
    assert failures("gated", "cancelled") == cancelled_before + 3


async def test_one_failing_variant_fails_the_call_and_frees_the_others() -> None:
    class FailsSecond(GatedGenerator):
        async def stream(self, messages: list[ChatMessage], options: ResolvedOptions) -> AsyncIterator[str]:
            number = self.started
            async for piece in super().stream(messages, options):
                if number == 1:
                    raise ModelError("variant 2 broke")
                yield piece

    generator = FailsSecond()
    runner = make_runner(generator, max_concurrent_requests=3)
    with pytest.raises(ModelError, match="variant 2 broke"):
        await runner.generate(HI, GenerationOptions(n=3))
    assert generator.running == 0 and generator.closed == 3
    assert metrics.ACTIVE_REQUESTS.labels("gated")._value.get() == 0


async def test_a_backend_bug_reaches_the_caller_as_a_model_error() -> None:
    generator = GatedGenerator()
    generator.fail_with = KeyError("input_ids")
    runner = make_runner(generator)
    errors_before = failures("gated", "error")
    with pytest.raises(ModelError, match="generation failed: KeyError") as info:
        await runner.generate(HI)
    assert isinstance(info.value.__cause__, KeyError)
    assert failures("gated", "error") == errors_before + 1


async def test_per_request_options_reach_the_backend_filled_from_the_config() -> None:
    seen: list[ResolvedOptions] = []

    class Recording(GatedGenerator):
        async def stream(self, messages: list[ChatMessage], options: ResolvedOptions) -> AsyncIterator[str]:
            seen.append(options)
            yield "ok"

    settings = dict(max_new_tokens=99, temperature=0.3, top_p=0.9, top_k=50, timeout_s=60)
    runner = make_runner(Recording(), **settings)
    await runner.generate(HI, GenerationOptions(max_new_tokens=7, temperature=0.8, top_p=0.5, top_k=3, timeout_s=9))
    await runner.generate(HI, GenerationOptions(top_k=0))
    assert seen == [
        ResolvedOptions(max_new_tokens=7, temperature=0.8, top_p=0.5, top_k=3, timeout_s=9),
        ResolvedOptions(max_new_tokens=99, temperature=0.3, top_p=0.9, top_k=0, timeout_s=60),
    ]


@pytest.mark.parametrize(
    "options",
    [{"n": 0}, {"max_new_tokens": 0}, {"temperature": -1}, {"top_p": 0}, {"top_p": 1.5}, {"top_k": -1}, {"timeout_s": 0}],
)
def test_invalid_options_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        GenerationOptions(**options)  # type: ignore[arg-type]


class CountingEmbedder:
    name = "counting"
    dim = 2

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def encode(self, texts: list[str]) -> np.ndarray:
        self.batches.append(texts)
        return np.array([[len(text), 1.0] for text in texts], dtype=np.float32)

    def encode_sync(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        raise NotImplementedError


async def test_embeddings_from_many_coroutines_share_one_encoder_call() -> None:
    embedder = CountingEmbedder()
    runner = ModelRunner(None, embedder, ModelSettings(backend="none"), EmbeddingSettings(batch_size=64, max_wait_ms=5))
    runner._set_ready(generation=False, embeddings=True)
    texts = [f"text number {i}" for i in range(20)]
    results = await asyncio.gather(*(runner.embed([text]) for text in texts))
    await runner.close()
    assert [result[0, 0] for result in results] == [len(text) for text in texts]
    assert embedder.batches == [texts]


async def test_a_text_embedded_lately_is_not_encoded_again() -> None:
    """The understander embeds a message, then the knowledge base searches it: one encoding."""
    embedder = CountingEmbedder()
    runner = ModelRunner(None, embedder, ModelSettings(backend="none"), EmbeddingSettings(max_wait_ms=0))
    runner._set_ready(generation=False, embeddings=True)
    first = await runner.embed(["where is my order?"])
    again = await runner.embed(["where is my order?", "do you ship to Spain?", "where is my order?"])
    await runner.close()
    assert embedder.batches == [["where is my order?"], ["do you ship to Spain?"]]
    assert again.shape == (3, 2) and np.array_equal(again[0], first[0]) and np.array_equal(again[2], first[0])
    assert again[1, 0] == len("do you ship to Spain?")


async def test_the_recent_embeddings_are_bounded() -> None:
    from supportbot.models.runner import RECENT_EMBEDDINGS

    embedder = CountingEmbedder()
    runner = ModelRunner(None, embedder, ModelSettings(backend="none"), EmbeddingSettings(max_wait_ms=0))
    runner._set_ready(generation=False, embeddings=True)
    for i in range(RECENT_EMBEDDINGS + 1):
        await runner.embed([f"message {i}"])
    await runner.embed(["message 0"])  # the oldest was let go: encoded again
    await runner.embed([f"message {RECENT_EMBEDDINGS}"])  # the newest was kept
    await runner.close()
    assert embedder.batches[-1] == ["message 0"] and len(embedder.batches) == RECENT_EMBEDDINGS + 2


async def test_an_encoder_crash_is_a_model_error() -> None:
    class Broken(CountingEmbedder):
        async def encode(self, texts: list[str]) -> np.ndarray:
            raise RuntimeError("CUDA error: device-side assert")

    runner = ModelRunner(None, Broken(), ModelSettings(backend="none"), EmbeddingSettings(max_wait_ms=0))
    runner._set_ready(generation=False, embeddings=True)
    with pytest.raises(ModelError, match="embedding failed: RuntimeError"):
        await runner.embed(["hello"])
    await runner.close()
