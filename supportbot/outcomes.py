"""The one outcome every inbound customer message ends with."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from .actions import Embed

__all__ = ["OutcomeKind", "Outcome"]


class OutcomeKind(StrEnum):
    ANSWERED = "answered"
    HANDED_OFF = "handed_off"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a plugin decided for a message. The core sends it and records it, exactly once.

    ``sources`` lists the knowledge passages an answer stands on (``faq:12``, ``product:SKU``), so
    staff can audit why the bot said what it said.
    """

    kind: OutcomeKind
    reason: str | None = None
    text: str | None = None
    embeds: tuple[Embed, ...] = ()
    sources: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    plugin: str | None = None

    @classmethod
    def answered(
        cls,
        text: str,
        *,
        embeds: tuple[Embed, ...] | list[Embed] = (),
        sources: tuple[str, ...] | list[str] = (),
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> Outcome:
        return cls(OutcomeKind.ANSWERED, reason, text, tuple(embeds), tuple(sources), details or {})

    @classmethod
    def handed_off(cls, reason: str, *, text: str | None = None, details: dict[str, Any] | None = None) -> Outcome:
        return cls(OutcomeKind.HANDED_OFF, reason, text, details=details or {})

    @classmethod
    def ignored(cls, reason: str, *, text: str | None = None) -> Outcome:
        """Nothing to do (``text`` may still carry a one-off notice, e.g. for rate limiting)."""
        return cls(OutcomeKind.IGNORED, reason, text)

    def by(self, plugin: str | None) -> Outcome:
        return replace(self, plugin=plugin)
