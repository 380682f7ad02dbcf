"""Review sentiment on embedding and text features: fitting, the out-of-fold choices, saving, first use.

A stand-in embedder gives every text a fixed random vector (no model, no download): whatever the
model learns about tone here it learns from the text features, which is what these tests check.
"""

import csv
import io
import zlib

import numpy as np
import pytest

from supportbot.history import connect
from supportbot.understanding.review_features import TextFeatures
from supportbot.understanding.review_sentiment import (
    CUTS,
    NEGATIVE,
    POSITIVE,
    TEXT_FEATURES_C_GRID,
    SentimentModel,
    fit_head_from_vectors,
    fit_with_text_features,
    probe_vector,
    sentiment_model_dir,
)

from plugins.insights.reviews import import_reviews
from plugins.insights.sentiment import classify_reviews

THINGS = ["speaker", "charger", "remote", "cable", "lamp", "dress", "jacket", "kettle", "camera", "mouse"]
COMPLAINTS = ["the {} stopped working after a week", "returned the {}, total waste of money",
              "{} arrived broken and support never replied", "very disappointed, the {} is useless"]
PRAISE = ["love the {}, works great", "the {} is excellent value", "really happy with this {}",
          "the {} is perfect, highly recommend"]


def noise_embed(texts, progress=False):
    """A fixed random unit vector per text, carrying no sentiment at all."""
    out = []
    for text in texts:
        v = np.random.default_rng(zlib.crc32(text.encode())).normal(size=16)
        out.append(v / np.linalg.norm(v))
    return np.asarray(out, dtype=np.float32)


def planted(things=THINGS):
    texts = [t.format(x) for x in things for t in COMPLAINTS] + [t.format(x) for x in things for t in PRAISE]
    labels = [NEGATIVE] * (len(things) * len(COMPLAINTS)) + [POSITIVE] * (len(things) * len(PRAISE))
    return texts, labels


def test_text_features_learn_the_tone_the_embedding_does_not_carry():
    texts, labels = planted(THINGS[:8])
    model = fit_with_text_features(noise_embed(texts), texts, labels, noise_embed(["probe"])[0])
    unseen = ["the toaster stopped working, total waste of money", "love the toaster, excellent value"]
    p = model.negative_probability(noise_embed(unseen), unseen)
    assert p[0] >= model.threshold > p[1]
    assert model.is_negative(noise_embed(unseen), unseen).tolist() == [True, False]
    meta = model.head.meta
    assert meta["balanced"] and meta["c"] in TEXT_FEATURES_C_GRID and model.threshold in CUTS
    assert meta["out_of_fold_negative_f1"] > 0.9 and meta["negative_share"] == 0.5


def test_the_cut_and_c_are_chosen_out_of_fold_on_the_training_reviews_only(monkeypatch):
    """Every fit inside the choice sees only its own part; the final fit sees all of them."""
    import supportbot.understanding.review_sentiment as module

    seen: list[int] = []
    real_fit = TextFeatures.fit.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(TextFeatures, "fit", classmethod(lambda cls, t: (seen.append(len(t)), real_fit(cls, t))[1]))
    texts, labels = planted()
    module.fit_with_text_features(noise_embed(texts), texts, labels, noise_embed(["probe"])[0], folds=3)
    assert len(seen) == 4 and all(n < len(texts) for n in seen[:3]) and seen[3] == len(texts)
    assert sum(len(texts) - n for n in seen[:3]) == len(texts)  # each review held out exactly once


def test_a_saved_model_scores_the_same_after_loading_and_holds_no_pickle(tmp_path):
    texts, labels = planted()
    model = fit_with_text_features(noise_embed(texts), texts, labels, noise_embed(["probe"])[0])
    directory = sentiment_model_dir(tmp_path)
    model.save(directory)
    assert {p.name for p in directory.iterdir()} >= {"head.npz", "head.json", "text-features.npz",
                                                      "text-features.json", "text-weights.npz"}
    loaded = SentimentModel.load(directory)
    assert loaded is not None and loaded.reads_text and loaded.threshold == model.threshold
    probe = ["the blender stopped working", "really happy with this blender", "ok"]
    np.testing.assert_allclose(loaded.negative_probability(noise_embed(probe), probe),
                               model.negative_probability(noise_embed(probe), probe), rtol=1e-5)


def test_a_model_that_reads_text_refuses_embeddings_alone():
    texts, labels = planted()
    model = fit_with_text_features(noise_embed(texts), texts, labels, noise_embed(["probe"])[0])
    with pytest.raises(ValueError, match="text"):
        model.negative_probability(noise_embed(["fine"]))


def test_a_tiny_training_set_still_fits_with_the_default_choices():
    texts = ["bad thing", "awful stuff", "good thing", "great stuff"]
    labels = [NEGATIVE, NEGATIVE, POSITIVE, POSITIVE]
    model = fit_with_text_features(noise_embed(texts), texts, labels, noise_embed(["probe"])[0])
    assert model.threshold == 0.5 and model.head.meta["out_of_fold_negative_f1"] == 0.0


def test_the_embedding_only_head_is_still_fitted_without_texts():
    texts, labels = planted()
    stars = [1.0 if label == NEGATIVE else 5.0 for label in labels]
    model = fit_head_from_vectors(noise_embed(texts), stars, noise_embed(["probe"])[0])
    assert not model.reads_text and not model.head.meta.get("balanced")


def test_first_use_fits_the_text_model_on_the_merchants_own_stars(tmp_path):
    texts, labels = planted()
    buffer = io.StringIO()
    csv.writer(buffer).writerows([("sku", "rating", "text"),
                                  *[("SKU-1", 1 if label == NEGATIVE else 5, t) for t, label in zip(texts, labels)],
                                  ("SKU-1", "", "the heater stopped working after a week, waste of money"),
                                  ("SKU-1", "", "love the heater, excellent value")])
    (tmp_path / "r.csv").write_text(buffer.getvalue())
    db = connect(tmp_path / "bot.db")
    report = import_reviews(db, tmp_path / "r.csv", embed=noise_embed,
                            classify=lambda db: classify_reviews(db, tmp_path, noise_embed))
    assert report.problems == []
    saved = SentimentModel.load(sentiment_model_dir(tmp_path))
    assert saved is not None and saved.reads_text and saved.head.meta["source"] == "reviews"
    unrated = {r["text"]: r["sentiment"] for r in db["insights_reviews"].rows if r["rating"] is None}
    assert unrated == {"the heater stopped working after a week, waste of money": NEGATIVE,
                       "love the heater, excellent value": POSITIVE}


def test_reviews_scored_by_one_model_are_scored_again_when_train_sentiment_replaces_it(tmp_path):
    """train-sentiment saves a new model: every stored review gets its sentiment from that one, not only new ones."""
    texts, labels = planted()
    buffer = io.StringIO()
    csv.writer(buffer).writerows([("sku", "rating", "text"),
                                  *[("SKU-1", 1 if label == NEGATIVE else 5, t) for t, label in zip(texts, labels)]])
    (tmp_path / "r.csv").write_text(buffer.getvalue())
    db = connect(tmp_path / "bot.db")
    import_reviews(db, tmp_path / "r.csv", embed=noise_embed,
                   classify=lambda db: classify_reviews(db, tmp_path, noise_embed))
    first = {r["text"]: r["sentiment"] for r in db["insights_reviews"].rows}
    assert first == dict(zip(texts, labels))
    # The merchant's own model, here one that learnt the opposite, saved where train-sentiment saves it.
    flipped = [POSITIVE if label == NEGATIVE else NEGATIVE for label in labels]
    merchant = fit_with_text_features(noise_embed(texts), texts, flipped, probe_vector(noise_embed))
    merchant.head.meta["source"] = "rated.csv"
    merchant.save(sentiment_model_dir(tmp_path))
    assert classify_reviews(db, tmp_path, noise_embed) is None
    assert {r["text"]: r["sentiment"] for r in db["insights_reviews"].rows} == dict(zip(texts, flipped))
    before = [(r["id"], r["negative_p"]) for r in db["insights_reviews"].rows]
    assert classify_reviews(db, tmp_path, noise_embed) is None  # the same model again: nothing rescored
    assert [(r["id"], r["negative_p"]) for r in db["insights_reviews"].rows] == before
