"""A sentence-transformers model's forward pass as a TorchScript trace, checked against eager.

Why: the eager forward of a Hugging Face encoder is Python calling torch op by op, so the
encoder thread takes and drops the GIL hundreds of times a pass and the event loop, running
beside it, stalls it at each of those points (and is stalled by it). A traced module runs in
TorchScript's C++ interpreter, which releases the GIL for the whole pass: in bench.load's burst
texts, a pass beside a busy Python thread took 11 ms a text traced against 18 ms eager, with
the same vectors bit for bit. Because a traced pass holds no Python state, passes can also run
side by side on several threads (:meth:`TracedEncoder.encode`), each on its own core, where
torch's own threads would wait for each other at every operation on a busy machine.

A trace records one path through the code, so it is only used when it gives eager's vectors
(sentence-transformers' own ``encode``) on probe texts of several shapes; any failure or
difference keeps eager, with a warning. torch.jit is part of torch.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from typing import Any

import numpy as np

__all__ = ["PROBE_TEXTS", "TOLERANCE", "TracedEncoder", "trace_encoder"]

log = logging.getLogger(__name__)

#: Texts of different lengths, encoded in a padded batch and alone; the last is longer than any
#: text of the batch the trace is recorded on, so a length baked into the trace would show.
PROBE_TEXTS = (
    "hi",
    "Where is my parcel? It has been two weeks and the tracking page has not changed since Monday.",
    "Do you sell blue mugs?",
    "¿Cuánto tarda el envío a Madrid?",
    "I ordered the large ceramic teapot and two cups on the fifth, paid by card, and got an email saying it "
    "shipped, but the courier says they never received it. Can you check what happened and send it again?",
)
#: Largest difference from eager allowed in any component of a unit vector.
TOLERANCE = 1e-4


class TracedEncoder:
    """Encodes like ``SentenceTransformer.encode(normalize_embeddings=True)``: texts sorted by
    length, cut into passes, each pass tokenised by sentence-transformers and run through the trace."""

    def __init__(self, model: Any, traced: Callable[..., Any], keys: tuple[str, ...]) -> None:
        self._model = model
        self._traced = traced
        self._keys = keys  # the tokeniser's tensors, in the order the trace takes them

    def encode(self, texts: list[str], batch_size: int, pool: Executor | None = None) -> np.ndarray:
        """Unit vectors for ``texts``; with ``pool``, the passes run on its threads side by side.

        Tokenising stays on the calling thread: a fast tokenizer used from two threads at once
        can fail ("Already borrowed")."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        passes = [order[start:start + batch_size] for start in range(0, len(order), batch_size)]
        features = [self._model.preprocess([texts[i] for i in indices]) for indices in passes]
        vectors = list(pool.map(self._forward, features)) if pool is not None else [self._forward(f) for f in features]
        out = np.empty((len(texts), vectors[0].shape[1] if vectors else 0), dtype=np.float32)
        for indices, block in zip(passes, vectors, strict=True):
            out[indices] = block
        return out

    def _forward(self, features: dict[str, Any]) -> np.ndarray:
        import torch

        device = self._model.device
        features = {key: value.to(device) if isinstance(value, torch.Tensor) else value for key, value in features.items()}
        with torch.inference_mode():  # thread-local: set on the thread that runs the pass
            if tuple(key for key, value in features.items() if isinstance(value, torch.Tensor)) == self._keys:
                embedding = self._traced(*(features[key] for key in self._keys))
            else:  # not the inputs the trace was recorded with
                embedding = self._model(features)["sentence_embedding"]
            return torch.nn.functional.normalize(embedding, p=2, dim=1).cpu().numpy()


def trace_encoder(model: Any, name: str) -> TracedEncoder | None:
    """A :class:`TracedEncoder` for ``model`` (a loaded SentenceTransformer) when its vectors
    match eager on :data:`PROBE_TEXTS`, else None with a warning. Never raises; never changes ``model``."""
    try:
        encoder = _trace(model)
        difference = float(np.abs(_probe(model.encode) - _probe(_as_encode(encoder))).max())
    except Exception as exc:  # torch.jit refuses some models; any failure keeps eager
        log.warning("embedder %s: the TorchScript trace failed (%s: %s); using the eager forward pass",
                    name, type(exc).__name__, exc)
        return None
    if not difference <= TOLERANCE:  # also catches NaN
        log.warning("embedder %s: the TorchScript trace differs from the eager pass by %.2g (tolerance %g); "
                    "using the eager forward pass", name, difference, TOLERANCE)
        return None
    log.info("embedder %s: forward pass traced with TorchScript (largest difference from eager %.1g)",
             name, difference)
    return encoder


def _trace(model: Any) -> TracedEncoder:
    import torch

    # Recorded on a padded batch, so the attention mask is on the recorded path (a batch without
    # padding may record "no mask needed"); the probes check other shapes.
    features = model.preprocess(list(PROBE_TEXTS[1:4]))
    keys = tuple(key for key, value in features.items() if isinstance(value, torch.Tensor))

    class _SentenceEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(dict(zip(keys, tensors, strict=True)))["sentence_embedding"]

    with _quiet(), torch.inference_mode():
        traced = torch.jit.trace(_SentenceEmbedding().eval(), tuple(features[key].to(model.device) for key in keys),
                                 check_trace=False)
    return TracedEncoder(model, traced, keys)


def _as_encode(encoder: TracedEncoder) -> Callable[..., Any]:
    return lambda texts, batch_size, **kwargs: encoder.encode(texts, batch_size)


def _probe(encode: Callable[..., Any]) -> np.ndarray:
    texts = list(PROBE_TEXTS)
    batches = [encode(batch, batch_size=size, convert_to_numpy=True, normalize_embeddings=True,
                      show_progress_bar=False) for batch, size in ((texts, len(texts)), (texts, 2), (texts[-1:], 1))]
    return np.concatenate([np.asarray(batch, dtype=np.float32) for batch in batches])


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The tracer's own warnings (TracerWarning, deprecated attributes it touches) say nothing to a merchant."""
    loggers = [logging.getLogger(name) for name in ("transformers", "sentence_transformers")]
    levels = [logger.level for logger in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for logger in loggers:
            logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)
