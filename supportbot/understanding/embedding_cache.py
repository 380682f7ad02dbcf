"""Frozen embeddings kept on disk, so refitting on the same messages does not encode them again.

Encoding is most of a frozen head's fit time (all-mpnet-base-v2 needs minutes for banking77's 10k
messages on two cores; the head itself takes seconds). One ``.npz`` per encoder holds the SHA-1 of
each text and its vector. The encoder is told apart by its name and its vector for a fixed probe
sentence, so a model replaced under the same name never serves stale vectors.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

__all__ = ["EmbeddingCache"]

log = logging.getLogger(__name__)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors of one encoder, by text; :meth:`encode` computes only the missing ones."""

    def __init__(self, directory: Path, encoder_name: str, probe: np.ndarray) -> None:
        identity = hashlib.sha256(encoder_name.encode() + np.round(probe, 4).astype(np.float32).tobytes())
        self.path = directory / f"embeddings-{identity.hexdigest()[:16]}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        try:
            with np.load(self.path, allow_pickle=False) as stored:
                self._vectors = dict(zip(stored["keys"].tolist(), stored["vectors"]))
        except (OSError, ValueError, KeyError) as exc:
            if self.path.exists():
                log.warning("ignoring unreadable embedding cache %s: %s", self.path, exc)

    def encode(self, texts: Sequence[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """(n, dim) vectors of ``texts``: cached ones read, the rest from ``compute`` and saved."""
        keys = [_digest(text) for text in texts]
        missing = list(dict.fromkeys(key for key in keys if key not in self._vectors))
        if missing:
            wanted = dict(zip(keys, texts))
            fresh = compute([wanted[key] for key in missing])
            self._vectors.update(zip(missing, np.asarray(fresh, dtype=np.float32)))
            self._save()
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._vectors[key] for key in keys])

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        np.savez(tmp, keys=np.asarray(list(self._vectors), dtype="U40"), vectors=np.stack(list(self._vectors.values())))
        tmp.replace(self.path)
