"""Typed events and the bus that carries them.

Transports turn platform traffic into :class:`MessageReceived` and :class:`CommandInvoked`; the
core publishes what happened next (:class:`OutcomeRecorded`, :class:`HandoffOpened`, ...) on the
:class:`EventBus` so plugins can react without knowing each other.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

__all__ = [
    "Author",
    "Event",
    "MessageReceived",
    "CommandInvoked",
    "ComponentUsed",
    "OutcomeRecorded",
    "ReplySent",
    "HandoffOpened",
    "HandoffClaimed",
    "HandoffResolved",
    "EventBus",
]

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote a message or ran a command, as the transport saw them."""

    id: str
    name: str
    is_bot: bool = False
    #: Set by the transport from its own notion of staff (a role on Discord, a flag in the console).
    is_staff: bool = False


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every event: an id to follow it through the log, and when it happened."""

    event_id: str = field(default_factory=_new_id)
    created_at: datetime = field(default_factory=_now)


@dataclass(frozen=True, kw_only=True)
class MessageReceived(Event):
    """Someone wrote in a channel the transport listens to (support channel, DM or staff thread)."""

    platform: str
    message_id: str
    channel_id: str
    author: Author
    text: str
    guild_id: str | None = None
    is_dm: bool = False


@dataclass(frozen=True, kw_only=True)
class CommandInvoked(Event):
    """A slash command, with its options already converted to Python values."""

    platform: str
    interaction_id: str
    channel_id: str
    author: Author
    command: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ComponentUsed(Event):
    """A button clicked, a drop-down chosen, or a form (modal) submitted under a bot message."""

    platform: str
    interaction_id: str
    channel_id: str
    author: Author
    custom_id: str
    #: The message the component sits under (None for a modal submit on some platforms).
    message_id: str | None = None
    #: Chosen values of a select.
    values: tuple[str, ...] = ()
    #: A modal's answers by field ``custom_id``.
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class OutcomeRecorded(Event):
    """An inbound customer message reached its one outcome."""

    message_id: str
    conversation_id: int
    kind: str
    reason: str | None
    plugin: str | None


@dataclass(frozen=True, kw_only=True)
class ReplySent(Event):
    """The bot posted a reply to a customer."""

    conversation_id: int
    channel_id: str
    platform_message_id: str | None
    text: str


@dataclass(frozen=True, kw_only=True)
class HandoffOpened(Event):
    """A conversation was handed to staff; the bot stays quiet in it until it is resolved."""

    handoff_id: int
    conversation_id: int
    reason: str
    #: True when a customer wrote again and an existing handoff was reopened.
    reopened: bool = False


@dataclass(frozen=True, kw_only=True)
class HandoffClaimed(Event):
    handoff_id: int
    conversation_id: int
    staff_id: str | None


@dataclass(frozen=True, kw_only=True)
class HandoffResolved(Event):
    handoff_id: int
    conversation_id: int
    staff_id: str | None
    note: str | None = None


E = TypeVar("E", bound=Event)
Listener = Callable[[Any], Awaitable[None]]


class EventBus:
    """Publish/subscribe by event class.

    Listeners run concurrently and one failing listener never stops the others: the error is
    logged with the event id. Subscribing to something that is not an :class:`Event` subclass is
    refused at once (a misspelt listener must not silently never fire).
    """

    def __init__(self) -> None:
        self._listeners: defaultdict[type[Event], list[Listener]] = defaultdict(list)

    def subscribe(self, event_type: type[E], listener: Callable[[E], Awaitable[None]]) -> None:
        if not (isinstance(event_type, type) and issubclass(event_type, Event)):
            raise TypeError(f"cannot listen to {event_type!r}: not an Event subclass")
        self._listeners[event_type].append(listener)

    def unsubscribe(self, event_type: type[Event], listener: Listener) -> None:
        try:
            self._listeners[event_type].remove(listener)
        except ValueError:
            pass

    async def publish(self, event: Event) -> None:
        """Deliver ``event`` to the listeners of its class and of its base classes."""
        listeners = [
            listener
            for cls in type(event).__mro__
            if isinstance(cls, type) and issubclass(cls, Event)
            for listener in self._listeners.get(cls, ())
        ]
        if not listeners:
            return
        results = await asyncio.gather(*(listener(event) for listener in listeners), return_exceptions=True)
        for listener, result in zip(listeners, results):
            if isinstance(result, BaseException):
                log.error(
                    "listener %s failed on %s %s",
                    getattr(listener, "__qualname__", listener),
                    type(event).__name__,
                    event.event_id,
                    exc_info=result,
                )
