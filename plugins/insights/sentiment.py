"""Giving every stored review a sentiment, with the merchant's trained model or one fitted here.

The model from ``python bot.py train-sentiment`` wins. Without one, the same kind of model
(:func:`~supportbot.understanding.review_sentiment.fit_with_text_features`) is fitted at first use
on the reviews' own vectors, texts and star ratings, and saved beside it for next time; it is
refitted when the reviews it learnt from grow by half. Reviews with too few ratings of either
kind to learn from get no sentiment, and the commands say so instead of guessing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import sqlite_utils

from supportbot.models.errors import ModelUnavailable
from supportbot.understanding.classifier import same_embedder
from supportbot.understanding.review_sentiment import (
    NEGATIVE,
    POSITIVE,
    SentimentModel,
    fit_head_from_vectors,
    probe_vector,
    sentiment_model_dir,
)

__all__ = ["classify_reviews", "label_of"]

log = logging.getLogger(__name__)

Embed = Callable[[list[str]], np.ndarray]
#: insights_meta key: the fingerprint of the model the stored sentiments came from.
_SCORED_WITH = "sentiment_model"


def label_of(negative_p: float, threshold: float = 0.5) -> str:
    return NEGATIVE if negative_p >= threshold else POSITIVE


def classify_reviews(db: sqlite_utils.Database, cache_dir: Path, embed: Embed | None) -> str | None:
    """Score the reviews that have no sentiment yet, and all of them when the saved model is not
    the one that scored them (``train-sentiment`` replaced it); returns why not, or None when all
    are scored."""
    directory = sentiment_model_dir(cache_dir)
    pending = db.execute("SELECT count(*) FROM insights_reviews WHERE negative_p IS NULL").fetchone()[0]
    if not pending and _fingerprint(directory) == _scored_with(db):
        return None
    model = _model(db, cache_dir, embed)
    if isinstance(model, str):
        return model
    used = _fingerprint(directory)  # after _model, which may have fitted and saved a new one
    with db.conn:
        if used != _scored_with(db):
            db.execute("UPDATE insights_reviews SET negative_p = NULL, sentiment = NULL")
        db["insights_meta"].upsert({"key": _SCORED_WITH, "value": used}, pk="key")
    rows = db.execute("SELECT id, text, vector FROM insights_reviews WHERE negative_p IS NULL").fetchall()
    if model.encoder is not None:
        scores = model.score_texts([text for _, text, _ in rows])
    else:
        scores = model.negative_probability(_vectors(rows, embed), [text for _, text, _ in rows])
    with db.conn:
        for (row_id, _, _), p in zip(rows, scores):
            db.execute("UPDATE insights_reviews SET negative_p = ?, sentiment = ? WHERE id = ?",
                       [round(float(p), 4), label_of(float(p), model.threshold), row_id])
    return None


def _fingerprint(directory: Path) -> str | None:
    """What identifies a saved model: its head's files (a refit changes the weights)."""
    files = sorted(p for p in directory.glob("*") if p.is_file()) if directory.is_dir() else []
    if not files:
        return None
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def _scored_with(db: sqlite_utils.Database) -> str | None:
    row = db.execute("SELECT value FROM insights_meta WHERE key = ?", [_SCORED_WITH]).fetchone()
    return row[0] if row else None


def _model(db: sqlite_utils.Database, cache_dir: Path, embed: Embed | None) -> SentimentModel | str:
    directory = sentiment_model_dir(cache_dir)
    saved = SentimentModel.load(directory)
    rated = db.execute("SELECT count(*) FROM insights_reviews WHERE rating IS NOT NULL AND rating != 3 "
                       "AND vector IS NOT NULL").fetchone()[0]
    fitted_here = saved is not None and saved.head.meta.get("source") == "reviews"
    if saved is not None and saved.encoder is not None:
        return saved
    if embed is None:
        return "no embedder is loaded, so reviews get no sentiment"
    try:
        probe = probe_vector(embed)
    except (ModelUnavailable, OSError) as exc:  # configured but not loadable (a model not downloaded)
        return f"the embedder could not be loaded ({exc}), so reviews get no sentiment"
    if saved is not None and not fitted_here:  # the merchant's own train-sentiment model: never replaced here
        if same_embedder(saved.head.probe, probe):
            return saved
        return "the model from train-sentiment was fitted with another embedder: run train-sentiment again"
    if saved is not None and same_embedder(saved.head.probe, probe) \
            and rated < 1.5 * int(saved.head.meta.get("examples", 0)):
        return saved
    rows = db.execute("SELECT id, text, vector, rating FROM insights_reviews WHERE rating IS NOT NULL "
                      "AND vector IS NOT NULL").fetchall()
    try:
        model = fit_head_from_vectors(_vectors([r[:3] for r in rows], embed), [r[3] for r in rows], probe,
                                      texts=[r[1] for r in rows])
    except ValueError as exc:
        return f"sentiment {exc}"
    model.save(directory)
    # A new model scores every review again, so all of them come from the same one.
    with db.conn:
        db.execute("UPDATE insights_reviews SET negative_p = NULL, sentiment = NULL")
    log.info("fitted review sentiment on %d rated reviews", model.head.meta.get("examples"))
    return model


def _vectors(rows: list[tuple[int, str, bytes | None]], embed: Embed | None) -> np.ndarray:
    missing = [i for i, (_, _, blob) in enumerate(rows) if blob is None]
    fresh = np.asarray(embed([rows[i][1] for i in missing]), dtype=np.float32) if missing and embed else None
    out = []
    for i, (_, _, blob) in enumerate(rows):
        if blob is not None:
            out.append(np.frombuffer(blob, dtype=np.float32))
        else:
            assert fresh is not None, "reviews without vectors need an embedder"
            out.append(fresh[missing.index(i)])
    return np.vstack(out) if out else np.zeros((0, 0), dtype=np.float32)
