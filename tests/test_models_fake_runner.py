"""The FakeRunner that other tests use in place of a model."""

from __future__ import annotations

import asyncio
import inspect

import numpy as np
import pytest

from supportbot.models import GenerationOptions, ModelRunner, ModelTimeout, ModelUnavailable
from supportbot.testing.fake_runner import FakeRunner, hashed_trigram_vectors

HI = [{"role": "user", "content": "Where is my order?"}]


def public_api(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def test_fake_runner_has_the_runner_interface() -> None:
    assert isinstance(FakeRunner(), ModelRunner)
    assert public_api(ModelRunner) <= public_api(FakeRunner)
    for name in ("stream_chat", "generate", "embed", "embed_sync", "start", "close"):
        assert inspect.signature(getattr(FakeRunner, name)).parameters.keys() == (
            inspect.signature(getattr(ModelRunner, name)).parameters.keys()
        )


async def test_scripted_replies_are_used_in_turn_then_repeat() -> None:
    runner = FakeRunner(["First answer.", "Second answer."])
    assert await runner.generate(HI) == ["First answer."]
    assert [p async for p in runner.stream_chat(HI)] == ["Second", " answer."]
    assert await runner.generate(HI, GenerationOptions(n=2)) == ["Second answer.", "Second answer."]
    assert len(runner.calls) == 4 and runner.calls[0].messages == HI


async def test_reply_function_and_default_reply() -> None:
    assert await FakeRunner(lambda messages: messages[-1]["content"].upper()).generate(HI) == ["WHERE IS MY ORDER?"]
    assert await FakeRunner().generate(HI) == ["(fake reply to: Where is my order?)"]


async def test_failures_and_knowledge_only_mode() -> None:
    runner = FakeRunner(fail_with=ModelTimeout("slow"))
    with pytest.raises(ModelTimeout):
        await runner.generate(HI)
    runner.fail_with = None
    assert await runner.generate(HI)

    offline = FakeRunner(generation_available=False)
    assert not offline.generation_available
    with pytest.raises(ModelUnavailable):
        await offline.generate(HI)
    offline.set_available(generation=True)
    assert await offline.generate(HI)


async def test_real_timeouts_with_a_slow_fake() -> None:
    runner = FakeRunner("a b c d e f", delay_s=0.05)
    with pytest.raises(ModelTimeout):
        await runner.generate(HI, GenerationOptions(timeout_s=0.1))


async def test_hashed_embeddings_are_deterministic_and_similar_for_similar_text() -> None:
    runner = FakeRunner()
    vectors = await runner.embed(["Where is my order?", "where is my order", "Blue mug price"])
    assert vectors.shape == (3, 384) and runner.embedding_dim == 384
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert vectors[0] @ vectors[1] > 0.8 > vectors[0] @ vectors[2]
    np.testing.assert_array_equal(runner.embed_sync(["Blue mug price"]), vectors[2:])
    np.testing.assert_array_equal(hashed_trigram_vectors(["Blue mug price"]), vectors[2:])
    results = await asyncio.gather(*(runner.embed([f"text {i}"]) for i in range(5)))
    assert all(r.shape == (1, 384) for r in results)

    runner.set_available(embeddings=False)
    with pytest.raises(ModelUnavailable):
        await runner.embed(["x"])
