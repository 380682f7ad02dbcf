"""The merchant's intents: ``prompts/intents.yaml`` parsed and checked.

Each intent names what the bot does about it (``action``), a short ``label`` for clarifying
questions, and example phrasings the classifier is fitted from. Errors name the intent and the
key, so a merchant editing the file can fix it without reading code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ACTIONS", "DEFAULT_CLARIFY", "IntentCatalog", "IntentSpec", "IntentsFileError", "load_intents",
           "mean_probabilities", "passage_texts", "topic_agreement"]

#: Actions the shipped plugins act on. Other names are allowed (a merchant's own plugin may
#: handle them), so this is documentation and a typo warning, not a whitelist.
ACTIONS = frozenset({"answer", "product_lookup", "handoff", "small_talk", "clarify"})
DEFAULT_CLARIFY = "Just to be sure: do you want to {first}, or {second}?"


class IntentsFileError(ValueError):
    """``intents.yaml`` is missing, is not YAML, or an intent in it is malformed."""


@dataclass(frozen=True)
class IntentSpec:
    name: str
    action: str
    label: str
    examples: tuple[str, ...]
    reply: str | None = None
    """The fixed reply of a ``small_talk`` intent ("You're welcome!")."""


@dataclass(frozen=True)
class IntentCatalog:
    intents: Mapping[str, IntentSpec]
    clarify: str = DEFAULT_CLARIFY

    def action(self, intent: str, default: str) -> str:
        spec = self.intents.get(intent)
        return spec.action if spec is not None else default

    def label(self, intent: str) -> str:
        spec = self.intents.get(intent)
        return spec.label if spec is not None else intent.replace("_", " ")

    def reply(self, intent: str) -> str | None:
        spec = self.intents.get(intent)
        return spec.reply if spec is not None else None

    def training_data(self) -> tuple[list[str], list[str]]:
        """Every example with its intent name, in file order."""
        texts = [text for spec in self.intents.values() for text in spec.examples]
        labels = [spec.name for spec in self.intents.values() for _ in spec.examples]
        return texts, labels

    def examples_digest(self) -> str:
        """A hash of what the classifier learns from (names and examples, not actions or labels)."""
        payload = json.dumps({n: list(s.examples) for n, s in sorted(self.intents.items())}, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


def load_intents(path: Path) -> IntentCatalog:
    """Read and validate an intents file; raise :class:`IntentsFileError` naming what is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IntentsFileError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise IntentsFileError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("intents"), dict) or not raw["intents"]:
        raise IntentsFileError(f"{path}: expected a mapping with a non-empty 'intents' mapping")
    clarify = raw.get("clarify", DEFAULT_CLARIFY)
    if not isinstance(clarify, str) or "{first}" not in clarify or "{second}" not in clarify:
        raise IntentsFileError(f"{path}: clarify must be a string containing {{first}} and {{second}}")
    intents = {str(name): _parse_intent(path, str(name), body) for name, body in raw["intents"].items()}
    return IntentCatalog(intents=intents, clarify=clarify)


def _parse_intent(path: Path, name: str, body: Any) -> IntentSpec:
    where = f"{path}: intents.{name}"
    if not isinstance(body, dict):
        raise IntentsFileError(f"{where}: expected a mapping with action, label and examples")
    unknown = set(body) - {"action", "label", "examples", "reply"}
    if unknown:
        raise IntentsFileError(f"{where}: unknown keys {sorted(unknown)}")
    action = body.get("action")
    if not isinstance(action, str) or not action:
        raise IntentsFileError(f"{where}.action: required, e.g. one of {sorted(ACTIONS)}")
    label = body.get("label", name.replace("_", " "))
    if not isinstance(label, str) or not label.strip():
        raise IntentsFileError(f"{where}.label: must be a non-empty string")
    examples = body.get("examples")
    if not isinstance(examples, list) or not examples:
        raise IntentsFileError(f"{where}.examples: required, a list of example messages")
    texts = tuple(str(e).strip() for e in examples if str(e).strip())
    if len(texts) < 2:
        raise IntentsFileError(f"{where}.examples: give at least 2 examples (10-20 is better)")
    reply = body.get("reply")
    if reply is not None and (not isinstance(reply, str) or not reply.strip()):
        raise IntentsFileError(f"{where}.reply: must be a non-empty string")
    return IntentSpec(name=name, action=action, label=label.strip(), examples=texts,
                      reply=reply.strip() if reply else None)


#: A passage counts as being about an intent only when the classifier gives that intent at least this.
PASSAGE_INTENT_MIN = 0.4


def passage_texts(title: str | None, text: str) -> list[str]:
    """What a passage is classified by: its title (an FAQ question, a heading) and its title with its
    text, whose intent probabilities :func:`mean_probabilities` averages; the text alone without a title."""
    return [title, f"{title} {text}"] if title else [text]


def mean_probabilities(parts: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """The average of several texts' intent probabilities (a label one lacks counts 0 there)."""
    labels = set().union(*parts)
    return {k: sum(d.get(k, 0.0) for d in parts) / len(parts) for k in labels} if parts else {}


def topic_agreement(question: Mapping[str, float], passage: Mapping[str, float],
                    min_passage: float = PASSAGE_INTENT_MIN) -> float:
    """How far ``question`` asks about what ``passage`` is about, 0..1, from their intent probabilities.

    The probability the question has for the passage's top intent, when that intent is clear for
    the passage ("How can I reach customer service?" is ``contact_customer_service``): "what's
    your phone number?" shares no word and little cosine with "call 1-800-555-0142", but both
    classify as contacting customer service. 0 when either has no probabilities.
    """
    if not question or not passage:
        return 0.0
    label = max(passage, key=lambda k: passage[k])
    return question.get(label, 0.0) if passage[label] >= min_passage else 0.0
