"""/describe through the in-process transformers backend, on the tiny random-weight model.

The tiny model writes gibberish; what this shows is the production path: the prompt rendered with
the chat template, several variants sampled concurrently through the shared runner with the
command's sampling options, every one checked and stored with the prompt's hash and settings.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from supportbot.models import EmbeddingSettings, ModelRunner, ModelSettings, create_runner
from supportbot.testing.tiny_model import build_tiny_chat_model
from test_descriptions import catalog

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_chat_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture
async def runner(tiny_model: Path) -> AsyncIterator[ModelRunner]:
    runner = create_runner(ModelSettings(name=str(tiny_model), device="cpu", num_blocks=64),
                           EmbeddingSettings(backend="none"))
    await runner.start()
    assert runner.generation_available
    yield runner
    await runner.close()


async def test_tiny_model_variants_are_written_checked_and_stored(make_bot, runner, tmp_path):
    knowledge = catalog(tmp_path)
    bot, chat = await make_bot("descriptions", runner=runner, knowledge=knowledge)
    result = await chat.command("describe", sku="TEE-1", variants=3, length="short", temperature=0.8, top_k=20)
    assert result.text.startswith("3 variant(s) for **Classic Crew T-Shirt** (TEE-1): ")
    rows = bot.history.db.execute(
        "SELECT r.source, r.prompt_hash, r.settings, v.text, v.ok, v.check_result FROM description_variants v "
        "JOIN description_requests r ON r.id = v.request_id ORDER BY v.position").fetchall()
    assert len(rows) == 3
    for source, prompt_hash, settings, text, ok, check in rows:
        assert source == "model" and len(prompt_hash) == 12 and text
        assert json.loads(settings)["temperature"] == 0.8 and json.loads(settings)["top_k"] == 20
        assert json.loads(check)["ok"] == bool(ok)
    assert len(result.embeds) == sum(ok for *_, ok, _ in rows)  # only what passed is offered
    knowledge.db.conn.close()
