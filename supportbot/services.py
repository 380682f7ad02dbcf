"""What a plugin reaches through ``self.bot``, typed, so plugins are checked against what the core
promises instead of probing with ``getattr``.

The model runner and the knowledge base are the core's own classes (tests hand a
:class:`~supportbot.testing.fake_runner.FakeRunner`, a real runner on fake backends); the
understander is a protocol, so a test can script what messages mean
(:class:`~supportbot.testing.doubles.ScriptedUnderstander`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import asyncio

    from .actions import Action
    from .config import Config
    from .engine import SupportBot
    from .events import EventBus
    from .handoffs import Handoffs
    from .history import History
    from .knowledge import KnowledgeBase
    from .models import ModelRunner
    from .understanding.understander import Understanding

__all__ = ["Services", "UnderstandingService"]


class UnderstandingService(Protocol):
    """Reads a customer message once, before any plugin sees it (``ctx.understanding``)."""

    async def start(self) -> None: ...

    async def understand(self, text: str) -> Understanding: ...

    async def intent_probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Each text's probability per intent (empty dicts without a classifier): lets auto-reply
        ask whether a passage is about what the customer asked."""
        ...


class Services(Protocol):
    """The bot as plugins see it: shared services, the record, handoffs, the bus and sending.

    Any of ``runner``, ``knowledge`` and ``understander`` may be None (a bot built without it);
    a plugin checks before use."""

    config: Config
    history: History
    handoffs: Handoffs
    bus: EventBus
    runner: ModelRunner | None
    knowledge: KnowledgeBase | None
    understander: UnderstandingService | None

    async def send(self, action: Action) -> str | None: ...

    def spawn(self, coro: Awaitable[Any], *, name: str | None = None) -> asyncio.Task[Any]: ...


if TYPE_CHECKING:
    def _the_bot_provides_the_services(bot: SupportBot) -> Services:
        return bot  # mypy checks that SupportBot keeps this promise
