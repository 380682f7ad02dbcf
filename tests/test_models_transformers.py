"""The in-process transformers backend, on a tiny random-weight model built in the test."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
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
from supportbot.models.loading import MODEL_LOAD_LOCK
from supportbot.models.transformers_backend import TransformersGenerator
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


async def start_long_stream(runner: ModelRunner) -> asyncio.Task[None]:
    """A request that streams until cancelled, returned once its first piece has arrived."""
    started = asyncio.Event()

    async def chat() -> None:
        async for _ in runner.stream_chat(CHATS[0], LONG):
            started.set()

    task = asyncio.create_task(chat())
    await started.wait()
    return task


async def test_cancelled_caller_frees_its_slot(one_slot_runner: ModelRunner) -> None:
    task = await start_long_stream(one_slot_runner)
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
    task = await start_long_stream(one_slot_runner)
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


@pytest.mark.parametrize(("failure", "reason"), [
    ("unreachable", "the Hugging Face hub is unreachable"),
    ("no such repo", "no model 'someone/no-such-model' on the Hugging Face hub"),
])
async def test_hub_id_not_cached_is_checked_once_and_fails_fast_with_the_reason(
    failure: str, reason: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a cached copy one metadata request decides; no file download is retried for a minute."""
    import huggingface_hub
    from huggingface_hub.errors import RepositoryNotFoundError

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    asked = []

    def model_info(name: str, timeout: float) -> None:
        asked.append((name, timeout))
        if failure == "unreachable":
            raise ConnectionError("[Errno -2] Name or service not known")
        not_found = RepositoryNotFoundError.__new__(RepositoryNotFoundError)  # as the hub's 404 raises it
        Exception.__init__(not_found, "404 Client Error: Repository Not Found")
        raise not_found

    monkeypatch.setattr(huggingface_hub, "try_to_load_from_cache", lambda *args, **kwargs: None)
    monkeypatch.setattr(huggingface_hub, "model_info", model_info)
    runner = create_runner(ModelSettings(name="someone/no-such-model", device="cpu"), NO_EMBEDDINGS)
    with caplog.at_level(logging.WARNING):
        await asyncio.wait_for(runner.start(), 30)
    try:
        assert asked == [("someone/no-such-model", 5)]
        [record] = warnings_from_supportbot(caplog)
        assert reason in record.getMessage() and "knowledge-only" in record.getMessage()
    finally:
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
        assert "micro-batching" in caplog.text
        assert await runner.generate(CHATS[0], GenerationOptions(max_new_tokens=3))
    finally:
        await runner.close()


# ----------------------------------------------------------------------------- per-request sampling


@pytest.fixture(params=["continuous", "thread"])
async def any_engine_runner(request: pytest.FixtureRequest, tiny_model: Path) -> AsyncIterator[ModelRunner]:
    runner = create_runner(settings_for(tiny_model, engine=request.param), NO_EMBEDDINGS)
    await runner.start()
    assert runner.generator.engine == request.param  # type: ignore[union-attr]
    yield runner
    await runner.close()


async def test_per_request_sampling_options_apply_to_each_request(any_engine_runner: ModelRunner) -> None:
    runner = any_engine_runner
    chat = CHATS[2]
    greedy = (await runner.generate(chat, GREEDY))[0]
    # Hot sampling, but top-k 1 or a tiny top-p leaves one token to pick: each must equal greedy,
    # while sharing the batch with hot requests that sample from everything.
    top_k_one = GenerationOptions(temperature=3.0, top_k=1, max_new_tokens=12)
    tiny_top_p = GenerationOptions(temperature=3.0, top_k=0, top_p=1e-6, max_new_tokens=12)
    hot = GenerationOptions(temperature=3.0, top_k=0, top_p=1.0, max_new_tokens=12, n=4)
    by_top_k, by_top_p, hot_variants, again = await asyncio.gather(
        runner.generate(chat, top_k_one),
        runner.generate(chat, tiny_top_p),
        runner.generate(chat, hot),
        runner.generate(chat, GREEDY),
    )
    assert by_top_k == by_top_p == again == [greedy]
    assert len(hot_variants) == 4
    assert any(text != greedy for text in hot_variants), "temperature 3 over the whole vocabulary should vary"


# ----------------------------------------------------------------------------- the thread engine


@pytest.fixture
async def thread_runner(tiny_model: Path) -> AsyncIterator[ModelRunner]:
    runner = create_runner(settings_for(tiny_model, engine="thread", max_concurrent_requests=8), NO_EMBEDDINGS)
    await runner.start()
    yield runner
    await runner.close()


async def test_thread_engine_decodes_waiting_requests_in_one_batch(
    thread_runner: ModelRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = thread_runner.generator._engine  # type: ignore[union-attr]
    model = engine._model
    batch_sizes: list[int] = []
    generate = model.generate

    def counting_generate(*args: object, **kwargs: object) -> object:
        batch_sizes.append(int(kwargs["input_ids"].shape[0]))  # type: ignore[attr-defined]
        return generate(*args, **kwargs)

    monkeypatch.setattr(model, "generate", counting_generate)
    hog_task = await start_long_stream(thread_runner)
    # Three requests arrive while the thread is busy: they wait together...
    waiting = asyncio.gather(*(thread_runner.generate(chat, GREEDY) for chat in CHATS[1:4]))
    for _ in range(1000):
        if len(engine._waiting) == 3:
            break
        await asyncio.sleep(0.005)
    assert len(engine._waiting) == 3
    hog_task.cancel()  # ...and are decoded in one left-padded batch once it is free
    await asyncio.gather(hog_task, return_exceptions=True)
    texts = [variants[0] for variants in await waiting]

    assert batch_sizes == [1, 3]
    expected = [(await thread_runner.generate(chat, GREEDY))[0] for chat in CHATS[1:4]]
    assert texts == expected, "a batch must decode each request as if it were alone"


async def test_thread_engine_cancellation_frees_the_thread(tiny_model: Path) -> None:
    runner = create_runner(settings_for(tiny_model, engine="thread", max_concurrent_requests=1), NO_EMBEDDINGS)
    await runner.start()
    try:
        async with aclosing(runner.stream_chat(CHATS[0], LONG)) as pieces:
            async for _ in pieces:
                break
        # 1500 tokens would take the thread a long while: this only answers if the row stopped.
        await assert_slot_is_free(runner)
    finally:
        await runner.close()


# ----------------------------------------------------------------------------- closing and loading


async def test_closing_the_runner_fails_requests_in_flight(any_engine_runner: ModelRunner) -> None:
    task = await start_long_stream(any_engine_runner)
    await any_engine_runner.close()
    with pytest.raises(ModelUnavailable, match="unloaded"):
        await task
    assert not any_engine_runner.generation_available
    with pytest.raises(ModelUnavailable):
        await any_engine_runner.generate(CHATS[0])


async def test_out_of_memory_at_load_means_knowledge_only_mode(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    def out_of_memory(*args: object, **kwargs: object) -> None:
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB\nOf which 1.2 GiB is free.")

    monkeypatch.setattr(AutoModelForCausalLM, "from_pretrained", out_of_memory)
    runner = create_runner(settings_for(tiny_model), NO_EMBEDDINGS)
    with caplog.at_level(logging.WARNING):
        await runner.start()
    try:
        assert not runner.generation_available
        [record] = warnings_from_supportbot(caplog)
        message = record.getMessage()
        assert "OutOfMemoryError: CUDA out of memory" in message and "knowledge-only" in message
        assert "\n" not in message
    finally:
        await runner.close()


def test_incremental_decoding_never_splits_a_character(tiny_model: Path) -> None:
    from transformers import AutoTokenizer

    from supportbot.models.decoding import IncrementalDecoder

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    text = "The parcel — can you help? Größe XL, 30 € 👍 thanks"
    ids = tokenizer.encode(text, add_special_tokens=False)
    decoder = IncrementalDecoder(tokenizer)
    pieces = [decoder.feed([token]) for token in ids]
    pieces.append(decoder.finish())
    assert "".join(pieces) == tokenizer.decode(ids) == text
    assert not any("\ufffd" in piece for piece in pieces)
    assert sum(1 for piece in pieces if not piece) > 0, "multi-byte characters should be held back until complete"


def load_waits_for_the_load_lock(load: Callable[[], None], started: threading.Event) -> None:
    """``load`` must not start building its model while another model load holds the lock."""
    with MODEL_LOAD_LOCK:
        worker = threading.Thread(target=load)
        worker.start()
        assert not started.wait(0.5), "a model was built while another load held MODEL_LOAD_LOCK"
    worker.join(120)
    assert started.is_set() and not worker.is_alive()


def test_the_generator_and_the_embedder_load_one_at_a_time(tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # transformers fills in its lazy names without a lock: a generator and an embedder importing
    # from it side by side at start failed about one time in three with "cannot import name".
    import sentence_transformers
    import transformers

    from supportbot.models.embedder import SentenceTransformerEmbedder

    started = threading.Event()
    tokenizer_from_pretrained = transformers.AutoTokenizer.from_pretrained

    def tokenizer(*args: object, **kwargs: object) -> object:
        started.set()
        return tokenizer_from_pretrained(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", tokenizer)
    generator = TransformersGenerator(settings_for(tiny_model))
    load_waits_for_the_load_lock(generator._load, started)
    generator._engine.stop()

    started = threading.Event()
    real_model = sentence_transformers.SentenceTransformer

    def embedder_model(*args: object, **kwargs: object) -> object:
        started.set()
        return real_model(*args, **kwargs)

    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", embedder_model)
    load_waits_for_the_load_lock(SentenceTransformerEmbedder(EmbeddingSettings())._load, started)


# ----------------------------------------------------------------------------- a dead engine


async def test_an_engine_that_died_is_started_again_with_a_metric(any_engine_runner: ModelRunner,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    generator = any_engine_runner.generator
    kind = generator.engine  # type: ignore[union-attr]
    before = metrics.ENGINE_RESTARTS.labels(backend="transformers", engine=kind)._value.get()
    reference = await any_engine_runner.generate(CHATS[0], GREEDY)
    # The engine's thread dies (as it did on a 111,000-character prompt): every later request
    # failed, for good, until the bot was restarted.
    await asyncio.to_thread(generator._engine.stop)  # type: ignore[union-attr]
    assert not generator._engine.alive  # type: ignore[union-attr]
    with caplog.at_level(logging.ERROR):
        again = await any_engine_runner.generate(CHATS[0], GREEDY)
    assert again == reference
    assert generator._engine.alive  # type: ignore[union-attr]
    assert metrics.ENGINE_RESTARTS.labels(backend="transformers", engine=kind)._value.get() == before + 1
    assert any("stopped serving; starting a new one" in r.getMessage() for r in caplog.records)


async def test_starting_the_runner_twice_loads_one_engine_and_close_leaves_no_thread(tiny_model) -> None:
    import threading

    runner = create_runner(ModelSettings(name=str(tiny_model), device="cpu", num_blocks=64),
                           EmbeddingSettings(backend="none"))
    await runner.start()
    await runner.start()  # a caller that starts what it was handed started (the bot does)
    await runner.close()
    assert not [t.name for t in threading.enumerate() if "generation_loop" in t.name]
