"""Understanding one customer message: intent, confidence, sentiment, language and entities.

Computed once per inbound message by the engine and handed to every plugin, so no plugin embeds
or classifies the same text again. Intent classification is a logistic-regression head over the
shared runner's sentence embeddings, fitted from the merchant's ``intents.yaml`` examples at start
(cached on disk by content) or trained on the merchant's own labelled messages with
:func:`~supportbot.understanding.training.fit_from_csv`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .classifier import FORMAT_VERSION, PROBE, IntentModel, fit_head, same_embedder
from .entities import EntityExtractor
from .intents import IntentCatalog, load_intents
from .language import LanguageGuesser
from .sentiment import SentimentScorer
from .orders import order_asked_about
from .urgency import urgency
from .settings import UnderstandingSettings

__all__ = ["Embed", "Understander", "Understanding", "trained_model_dir"]

log = logging.getLogger(__name__)

Embed = Callable[[list[str]], Awaitable[np.ndarray]]
#: Examples embedded per call while fitting, so a big intents file never holds the runner long.
_EMBED_BATCH = 64


@dataclass(frozen=True)
class Understanding:
    """What one message says, as far as the bot can tell without generating anything."""

    intent: str | None
    """The most likely intent; None when the text is empty or no classifier is loaded."""
    confidence: float
    """Probability of ``intent``, 0..1."""
    margin: float
    """How far ``intent`` is ahead of ``runner_up``, in probability."""
    runner_up: str | None
    action: str | None
    """What to do: the intent's action from intents.yaml, or ``"clarify"`` when ambiguous."""
    sentiment: float
    """-1 (very negative) .. 1 (very positive); 0 for languages the scorer does not know."""
    language: str
    """ISO 639-1 guess, e.g. ``"en"``, ``"zh"``."""
    entities: dict[str, list[str]] = field(default_factory=dict)
    """E.g. ``{"order_number": ["12345"], "email": ["a@b.co"]}``."""
    ambiguous: bool = False
    """Below the confidence threshold, or the top two too close: ask ONE clarifying question."""
    negative: bool = False
    """Sentiment at or below ``negative_sentiment_threshold``: an upset customer."""
    urgent: str | None = None
    """A message for a person at once: ``safety``, ``legal_threat``, ``fraud``, ``damaged`` or ``refund_demand``
    (see :mod:`.urgency`); never asked a clarifying question."""
    order_asked: str | None = None
    """The number of an order the message asks about (where it is, its tracking, a change): staff's to look
    up, since the bot does not see orders (see :mod:`.orders`)."""


def trained_model_dir(cache_dir: Path) -> Path:
    """Where :func:`fit_from_csv` saves a merchant-trained classifier and the Understander finds it."""
    return cache_dir / "intent-model"


class Understander:
    """Turns message text into an :class:`Understanding`; call :meth:`start` once first."""

    def __init__(self, settings: UnderstandingSettings, embed: Embed, intents_file: Path,
                 cache_dir: Path | None = None) -> None:
        self.settings = settings
        self._embed = embed
        self._intents_file = intents_file
        self._cache_dir = cache_dir
        self._catalog: IntentCatalog | None = None
        self._model: IntentModel | None = None
        self._entities = EntityExtractor(settings.order_number_patterns, phone_numbers=settings.extract_phone_numbers)
        self._language = LanguageGuesser(settings.languages, settings.default_language,
                                         min_confidence=settings.language_min_confidence,
                                         margin=settings.language_margin)
        self._sentiment = SentimentScorer()
        self._own_encoder: ThreadPoolExecutor | None = None

    @property
    def catalog(self) -> IntentCatalog:
        if self._catalog is None:
            raise RuntimeError("Understander.start() has not been awaited")
        return self._catalog

    @property
    def model(self) -> IntentModel | None:
        return self._model

    async def start(self) -> None:
        """Load intents.yaml and the language models, then load or fit the intent classifier."""
        self._catalog = await asyncio.to_thread(load_intents, self._intents_file)
        await asyncio.to_thread(self._language.load)
        if self.settings.encoder is not None:
            await self._start_own_encoder(self.settings.encoder)
        if self._cache_dir is not None and self.settings.use_trained_model:
            trained = trained_model_dir(self._cache_dir)
            if (trained / "head.npz").exists():
                self._model = await self._load_trained(trained)
                if self._model is not None:
                    return
        self._model = await self._fit_from_catalog(self._catalog)

    async def close(self) -> None:
        executor, self._own_encoder = self._own_encoder, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    async def understand(self, text: str) -> Understanding:
        language = self._language.guess(text)
        sentiment = self._sentiment.score(text, language)
        entities = self._entities.extract(text)
        intent: str | None = None
        runner_up: str | None = None
        confidence = margin = 0.0
        if self._model is not None and text.strip():
            probabilities = self._model.probabilities(await self._embed([text]), [text])[0]
            first, second = np.argsort(probabilities)[::-1][:2]
            intent, runner_up = self._model.labels[first], self._model.labels[second]
            confidence = float(probabilities[first])
            margin = confidence - float(probabilities[second])
        ambiguous = intent is None or (
            confidence < self.settings.confidence_threshold or margin < self.settings.ambiguity_margin
        )
        if intent is None:
            action = None
        elif ambiguous:
            action = "clarify"
        else:
            action = self.catalog.action(intent, self.settings.default_action)
        return Understanding(
            intent=intent, confidence=confidence, margin=margin, runner_up=runner_up, action=action,
            sentiment=sentiment, language=language, entities=entities, ambiguous=ambiguous,
            negative=sentiment <= self.settings.negative_sentiment_threshold, urgent=urgency(text),
            order_asked=order_asked_about(text, entities.get("order_number", [])),
        )

    async def intent_probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Each text's probability per intent label (one embedding call for all of them).

        For comparing what two texts are about, a question and a passage that may answer it;
        empty dicts when no classifier is loaded.
        """
        if self._model is None or not texts:
            return [{} for _ in texts]
        model = self._model
        probabilities = model.probabilities(await self._embed(list(texts)), list(texts))
        return [dict(zip(model.labels, map(float, row))) for row in probabilities]

    def clarifying_question(self, understanding: Understanding) -> str | None:
        """The one question to ask for an ambiguous message, built from the top two intents' labels."""
        if not understanding.ambiguous or understanding.intent is None or understanding.runner_up is None:
            return None
        catalog = self.catalog
        return catalog.clarify.format(first=catalog.label(understanding.intent),
                                      second=catalog.label(understanding.runner_up))

    async def _start_own_encoder(self, name_or_path: str) -> None:
        """Embed intents with an encoder of their own (``understanding.encoder``, or a fine-tuned one)."""
        await self.close()
        executor = self._own_encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="supportbot-intents")
        loop = asyncio.get_running_loop()
        encoder = await loop.run_in_executor(executor, _load_encoder, name_or_path)
        log.info("intents embedded with their own encoder %s", name_or_path)

        async def embed(texts: list[str]) -> np.ndarray:
            return await loop.run_in_executor(executor, _encode, encoder, texts)

        self._embed = embed

    async def _fit_from_catalog(self, catalog: IntentCatalog) -> IntentModel:
        probe = (await self._embed([PROBE]))[0]
        key = hashlib.sha256(
            f"{catalog.examples_digest()}:{self.settings.regularization}:{FORMAT_VERSION}".encode()
        ).hexdigest()[:20]
        path = self._cache_dir / f"intents-{key}.npz" if self._cache_dir is not None else None
        if path is not None:
            cached = await asyncio.to_thread(IntentModel.load, path)
            if cached is not None and same_embedder(cached.probe, probe):
                log.info("intent classifier loaded from cache %s (%d intents)", path.name, len(cached.labels))
                return cached
        started = time.monotonic()
        texts, labels = catalog.training_data()
        vectors = [await self._embed(texts[i:i + _EMBED_BATCH]) for i in range(0, len(texts), _EMBED_BATCH)]
        model = await asyncio.to_thread(
            fit_head, np.concatenate(vectors), labels, probe, c=self.settings.regularization,
            meta={"source": str(self._intents_file), "examples": len(texts), "digest": key},
        )
        log.info("intent classifier fitted on %d examples of %d intents in %.1fs", len(texts),
                 len(model.labels), time.monotonic() - started)
        if path is not None:
            await asyncio.to_thread(model.save, path)
        return model

    async def _load_trained(self, directory: Path) -> IntentModel | None:
        model = await asyncio.to_thread(IntentModel.load, directory / "head.npz")
        if model is None:
            log.warning("the trained intent model in %s is unreadable; using intents.yaml", directory)
            return None
        if (directory / "encoder").is_dir():
            # Fine-tuned: only its own encoder produces the embeddings the head was fitted on.
            await self._start_own_encoder(str(directory / "encoder"))
        elif not same_embedder(model.probe, (await self._embed([PROBE]))[0]):
            log.warning("the trained intent model in %s was fitted on another embedder; using intents.yaml",
                        directory)
            return None
        unknown = sorted(set(model.labels) - set(self.catalog.intents))
        if unknown:
            log.info("trained intents not in intents.yaml get action %r: %s", self.settings.default_action,
                     ", ".join(unknown))
        log.info("trained intent classifier loaded from %s (%d intents)", directory, len(model.labels))
        return model


def _load_encoder(name_or_path: str) -> object:
    from supportbot.models.embedder import resolve_embedding_model
    from supportbot.models.loading import MODEL_LOAD_LOCK

    with MODEL_LOAD_LOCK:  # the runner may be loading its models in other threads
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(resolve_embedding_model(name_or_path), device="cpu")


def _encode(encoder: Any, texts: list[str]) -> np.ndarray:  # a SentenceTransformer (untyped library)
    vectors = encoder.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    return np.asarray(vectors, dtype=np.float32)
