"""The ``plugins.settings.descriptions`` block of config.yaml."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from supportbot.plugin import PluginSettings

__all__ = ["DescriptionSettings", "TONES", "LENGTHS", "LANGUAGES"]

TONES = ("neutral", "warm", "premium", "technical", "playful")
LENGTHS = ("short", "medium", "long")
LANGUAGES = ("auto", "en", "zh")


class DescriptionSettings(PluginSettings):
    variants: int = Field(3, ge=1, le=5, description="Variants /describe writes when the command does not say.")
    tone: Literal["neutral", "warm", "premium", "technical", "playful"] = Field(
        "neutral", description="Default tone; playful reads as unprofessional to many shoppers.")
    length: Literal["short", "medium", "long"] = Field("medium", description="Default length (caps in prompts/describe.yaml).")
    language: Literal["auto", "en", "zh"] = Field(
        "auto", description="auto: Chinese for a product whose name or description is Chinese, else English.")
    temperature: float = Field(0.7, ge=0, le=2, description="Sampling temperature for variants (0 = greedy).")
    top_p: float = Field(0.9, gt=0, le=1, description="Nucleus sampling for variants.")
    top_k: int = Field(50, ge=0, description="Top-k sampling for variants (0 turns it off).")
    timeout_s: float = Field(120, gt=0, description="Give up on one product's variants after this long.")
    existing_as_facts: bool = Field(
        True, description="The product's current description counts as a source of facts (the merchant wrote it).")
    min_chars: int = Field(
        80, ge=0, description="Bulk: a description shorter than this counts as missing.")
    concurrency: int = Field(8, ge=1, le=256, description="Bulk: products in flight at once (the runner batches them).")
