"""Stand-ins for what a plugin test wants to decide itself: what a message means, and the time.

    from supportbot.testing.doubles import ManualClock, ScriptedUnderstander, understanding

    understander = ScriptedUnderstander({"I want a person": understanding("contact_human_agent")})
    bot, chat = await make_bot("escalation", understander=understander, clock=ManualClock())
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from supportbot.handoffs import Handoff
from supportbot.understanding.settings import UnderstandingSettings
from supportbot.understanding.understander import Understanding

__all__ = ["FixedDesk", "ManualClock", "ScriptedUnderstander", "understanding"]


def understanding(intent: str | None = "other", **fields: Any) -> Understanding:
    """A confident, neutral :class:`Understanding` of ``intent``; ``fields`` override any part."""
    values: dict[str, Any] = {"confidence": 0.9, "margin": 0.5, "runner_up": None, "action": None,
                              "sentiment": 0.0, "language": "en"}
    values.update(fields)
    # Negative as the real understander decides it, unless the test says otherwise.
    values.setdefault("negative", values["sentiment"] <= UnderstandingSettings().negative_sentiment_threshold)
    return Understanding(intent=intent, **values)


class ScriptedUnderstander:
    """Understands exact texts as the table says; any other text as ``default``."""

    def __init__(self, table: Mapping[str, Understanding], default: Understanding | None = None) -> None:
        self.table = dict(table)
        self.default = default or understanding()

    async def start(self) -> None:
        pass

    async def understand(self, text: str) -> Understanding:
        return self.table.get(text, self.default)

    async def intent_probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """The scripted intent of each text, with its confidence (nothing for unscripted texts)."""
        return [{u.intent: u.confidence} if (u := self.table.get(t)) is not None and u.intent else {} for t in texts]


class FixedDesk:
    """The smallest :class:`~supportbot.handoffs.HandoffDesk`: a plugin that returns one from
    ``handoff_desk()`` lets the core open handoffs, with this notice and no reopen window."""

    def __init__(self, notice: str = "A person will reply here.", reopen_within: timedelta | None = None) -> None:
        self.notice = notice
        self.reopen_within = reopen_within
        self.channels: dict[int, str] = {}

    def reopen_window(self) -> timedelta | None:
        return self.reopen_within

    async def customer_notice(self, handoff: Handoff) -> str:
        return self.notice

    def staff_channel(self, handoff: Handoff) -> str | None:
        return self.channels.get(handoff.id)


class ManualClock:
    """A clock that moves only when told: pass it as the bot's ``clock`` and call :meth:`advance`.

    Starts on a Monday at 10:00 UTC, inside usual support hours.
    """

    def __init__(self, start: datetime = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move on by ``timedelta(**delta)``, e.g. ``advance(hours=2)``."""
        self.now += timedelta(**delta)
