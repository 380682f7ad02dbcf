"""The in-process transformers backend, on a tiny random-weight model built in the test."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import aclosing
from pathlib import Path

import pytest

from supportbot.models import (
    EmbeddingSettings,
    GenerationOptions,
    ModelRunner,
    ModelSettings,
    ModelTimeout,
    ModelUnavailable,
    create_runner,
    metrics,
)
from supportbot.testing.tiny_model import build_tiny_chat_model

pytestmark = pytest.mark.slow

NO_EMBEDDINGS = EmbeddingSettings(backend="none")
GREEDY = GenerationOptions(temperature=0.0, max_new_tokens=12)
# Prompts of different lengths, so concurrent requests are at different stages in one batch.
CHATS = [[{"role": "user", "content": "Where is my order?" * (1 + 3 * i)}] for i in range(6)] + [
    [{"role": "system", "content": "You help a shop."}, {"role": "user", "content": "Refund, please."}]
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_chat_model(tmp_path_factory.mktemp("tiny-model"))


def settings_for(path: Path, **overrides: object) -> ModelSettings:
    return ModelSettings(name=str(path), device="cpu", num_blocks=64, **overrides)


@pytest.fixture
async def runner(tiny_model: Path) -> AsyncIterator[ModelRunner]:
    runner = create_runner(settings_for(tiny_model), NO_EMBEDDINGS)
    await runner.start()
    assert runner.generation_available
    yield runner
    await runner.close()


def reference_greedy(path: Path, messages: list[dict[str, str]], max_new_tokens: int) -> str:
    """One ``model.generate`` call, the plain transformers way."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.no_grad():
        out = model.generate(**ids, max_new_tokens=max_new_tokens, do_sample=False)
    return tokenizer.decode(out[0, ids["input_ids"].shape[1] :], skip_special_tokens=True)


async def test_concurrent_streams_match_one_at_a_time_greedy(runner: ModelRunner, tiny_model: Path) -> None:
    one_at_a_time = [(await runner.generate(chat, GREEDY))[0] for chat in CHATS]

    async def collect(chat: list[dict[str, str]]) -> list[str]:
        return [piece async for piece in runner.stream_chat(chat, GREEDY)]

    streamed = await asyncio.gather(*(collect(chat) for chat in CHATS))

    assert ["".join(pieces) for pieces in streamed] == one_at_a_time
    assert any(len(pieces) > 1 for pieces in streamed), "text should arrive in pieces"
    assert len(set(one_at_a_time)) > 1, "the tiny model should not answer everything alike"
    assert one_at_a_time[0] == await asyncio.to_thread(reference_greedy, tiny_model, CHATS[0], 12)


async def test_generate_returns_n_variants(runner: ModelRunner) -> None:
    variants = await runner.generate(CHATS[1], GenerationOptions(n=3, temperature=1.0, top_k=0, max_new_tokens=8))
    assert len(variants) == 3
    assert all(isinstance(text, str) and text for text in variants)


async def test_max_new_tokens_bounds_the_answer(runner: ModelRunner) -> None:
    short = (await runner.generate(CHATS[0], GenerationOptions(temperature=0, max_new_tokens=3)))[0]
    long = (await runner.generate(CHATS[0], GenerationOptions(temperature=0, max_new_tokens=12)))[0]
    assert long.startswith(short)


async def assert_slot_is_free(runner: ModelRunner) -> None:
    """With one slot, a short request succeeds only if the previous one gave its slot back."""
    text = await runner.generate(CHATS[0], GenerationOptions(temperature=0, max_new_tokens=2, timeout_s=20))
    assert text


def assert_manager_idle(runner: ModelRunner) -> None:
    manager = runner.generator.manager  # type: ignore[union-attr]
    assert not manager.output_router.result_handlers


async def wait_until_manager_idle(runner: ModelRunner) -> None:
    scheduler = runner.generator.manager.batch_processor.scheduler  # type: ignore[union-attr]
    for _ in range(200):
        if not scheduler.active_requests and not scheduler.waiting_requests:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the cancelled request is still scheduled")


@pytest.fixture
async def one_slot_runner(tiny_model: Path) -> AsyncIterator[ModelRunner]:
    runner = create_runner(settings_for(tiny_model, max_concurrent_requests=1), NO_EMBEDDINGS)
    await runner.start()
    yield runner
    await runner.close()


LONG = GenerationOptions(temperature=0.0, max_new_tokens=1500)  # the tiny model never stops early


async def test_cancelled_caller_frees_its_slot(one_slot_runner: ModelRunner) -> None:
    started = asyncio.Event()

    async def chat() -> None:
        async for _ in one_slot_runner.stream_chat(CHATS[0], LONG):
            started.set()

    task = asyncio.create_task(chat())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await wait_until_manager_idle(one_slot_runner)
    assert_manager_idle(one_slot_runner)
    await assert_slot_is_free(one_slot_runner)


async def test_closing_a_stream_early_frees_its_slot(one_slot_runner: ModelRunner) -> None:
    async with aclosing(one_slot_runner.stream_chat(CHATS[0], LONG)) as pieces:
        async for _ in pieces:
            break
    await wait_until_manager_idle(one_slot_runner)
    await assert_slot_is_free(one_slot_runner)


async def test_timeout_cancels_the_request_and_frees_its_slot(one_slot_runner: ModelRunner) -> None:
    failures = metrics.FAILURES.labels("transformers", "chat", "timeout")
    before = failures._value.get()
    with pytest.raises(ModelTimeout):
        await one_slot_runner.generate(CHATS[0], GenerationOptions(temperature=0.0, max_new_tokens=1500, timeout_s=0.3))
    assert failures._value.get() == before + 1

    await wait_until_manager_idle(one_slot_runner)
    assert_manager_idle(one_slot_runner)
    await assert_slot_is_free(one_slot_runner)


async def test_waiting_in_line_counts_toward_the_timeout(one_slot_runner: ModelRunner) -> None:
    started = asyncio.Event()

    async def hog() -> None:
        async for _ in one_slot_runner.stream_chat(CHATS[0], LONG):
            started.set()

    task = asyncio.create_task(hog())
    await started.wait()
    with pytest.raises(ModelTimeout):
        await one_slot_runner.generate(CHATS[1], GenerationOptions(timeout_s=0.2))
    assert metrics.QUEUE_DEPTH.labels("transformers")._value.get() == 0
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_metrics_count_tokens_and_first_token(runner: ModelRunner) -> None:
    tokens = metrics.GENERATED_TOKENS.labels("transformers")
    before = tokens._value.get()
    await runner.generate(CHATS[0], GenerationOptions(temperature=0, max_new_tokens=5))
    assert 1 <= tokens._value.get() - before <= 5
    assert metrics.ACTIVE_REQUESTS.labels("transformers")._value.get() == 0


def warnings_from_supportbot(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("supportbot")]


async def test_missing_model_path_means_knowledge_only_mode(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    runner = create_runner(settings_for(tmp_path / "no-such-model"), NO_EMBEDDINGS)
    with caplog.at_level(logging.WARNING):
        await runner.start()
    try:
        assert not runner.generation_available
        [record] = warnings_from_supportbot(caplog)
        assert "knowledge-only" in record.getMessage()
        assert "\n" not in record.getMessage()
        with pytest.raises(ModelUnavailable):
            await runner.generate(CHATS[0])
        with pytest.raises(ModelUnavailable):
            async for _ in runner.stream_chat(CHATS[0]):
                pass
    finally:
        await runner.close()


async def test_hub_id_offline_means_knowledge_only_mode(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # an empty cache
    runner = create_runner(ModelSettings(name="supportbot-tests/no-such-model", device="cpu"), NO_EMBEDDINGS)
    with caplog.at_level(logging.WARNING):
        await asyncio.wait_for(runner.start(), 30)
    assert not runner.generation_available
    assert len(warnings_from_supportbot(caplog)) == 1
    await runner.close()


async def test_backend_none_is_knowledge_only_without_warning(caplog: pytest.LogCaptureFixture) -> None:
    runner = create_runner(ModelSettings(backend="none"), NO_EMBEDDINGS)
    with caplog.at_level(logging.WARNING):
        await runner.start()
    assert not runner.generation_available and not runner.embeddings_available
    assert not warnings_from_supportbot(caplog)
    with pytest.raises(ModelUnavailable):
        await runner.embed(["hello"])


async def test_thread_engine_fallback_serves_the_same_text(runner: ModelRunner, tiny_model: Path) -> None:
    threaded = create_runner(settings_for(tiny_model, engine="thread"), NO_EMBEDDINGS)
    await threaded.start()
    try:
        assert threaded.generator.engine == "thread"  # type: ignore[union-attr]
        expected = [(await runner.generate(chat, GREEDY))[0] for chat in CHATS[:3]]
        got = await asyncio.gather(*(threaded.generate(chat, GREEDY) for chat in CHATS[:3]))
        assert [variants[0] for variants in got] == expected

        with pytest.raises(ModelTimeout):
            await threaded.generate(CHATS[0], GenerationOptions(temperature=0.0, max_new_tokens=1500, timeout_s=0.3))
        assert await threaded.generate(CHATS[0], GenerationOptions(temperature=0, max_new_tokens=2, timeout_s=20))
    finally:
        await threaded.close()


async def test_auto_engine_falls_back_when_continuous_batching_fails(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from transformers.generation.continuous_batching import ContinuousMixin

    def unsupported(*args: object, **kwargs: object) -> None:
        raise ValueError("no paged attention for this model")

    monkeypatch.setattr(ContinuousMixin, "init_continuous_batching", unsupported)
    runner = create_runner(settings_for(tiny_model), NO_EMBEDDINGS)
    with caplog.at_level(logging.WARNING):
        await runner.start()
    try:
        assert runner.generation_available
        assert runner.generator.engine == "thread"  # type: ignore[union-attr]
        assert "one request at a time" in caplog.text
        assert await runner.generate(CHATS[0], GenerationOptions(max_new_tokens=3))
    finally:
        await runner.close()
