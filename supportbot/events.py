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
    "Attachment",
    "Event",
    "MessageReceived",
    "CommandInvoked",
    "ComponentUsed",
    "OutcomeRecorded",
    "ReplySent",
    "HandoffOpened",
    "HandoffReopened",
    "HandoffClaimed",
    "HandoffTransferred",
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


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message, as a reference: the platform keeps the bytes."""

    url: str
    filename: str
    content_type: str | None = None
    size: int = 0


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
    attachments: tuple[Attachment, ...] = ()


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
    """A conversation was handed to staff; the bot stays quiet in it until it is resolved.

    Emitted once the customer has been told. Listening to it also hears :class:`HandoffReopened`."""

    handoff_id: int
    conversation_id: int
    reason: str
    #: True when a customer came back soon after a resolution and their last handoff was reopened.
    reopened: bool = False


@dataclass(frozen=True, kw_only=True)
class HandoffReopened(HandoffOpened):
    """The customer's last handoff, resolved within the desk's reopen window, is open again."""

    reopened: bool = True


@dataclass(frozen=True, kw_only=True)
class HandoffClaimed(Event):
    """A staff member took an unowned handoff."""

    handoff_id: int
    conversation_id: int
    staff_id: str


@dataclass(frozen=True, kw_only=True)
class HandoffTransferred(Event):
    """A handoff changed owner; ``to_staff_id`` None means back to the queue, unowned."""

    handoff_id: int
    conversation_id: int
    from_staff_id: str | None
    to_staff_id: str | None
    by: str | None = None


@dataclass(frozen=True, kw_only=True)
class HandoffResolved(Event):
    """Staff (or a desk's automatic close, ``staff_id="auto"``) gave the conversation back to the bot."""

    handoff_id: int
    conversation_id: int
    staff_id: str | None
    note: str | None = None


E = TypeVar("E", bound=Event)
Listener = Callable[[Any], Awaitable[None]]


class EventBus:
    """Publish/subscribe by event class.

    Listeners run concurrently and one failing listener never stops the others: the error is
    logged with the event id (and, through the log context, the id of the message being handled).
    Subscribing to something that is not an :class:`Event` subclass is refused at once (a misspelt
    listener must not silently never fire).

    :meth:`publish` waits for the listeners; :meth:`emit` does not, and is what the core uses for
    what happened after the fact (a reply sent, a handoff opened), so no listener sits on a
    customer's path. :meth:`drain` waits for emitted deliveries (tests, shutdown).
    """

    def __init__(self) -> None:
        self._listeners: defaultdict[type[Event], list[Listener]] = defaultdict(list)
        self._pending: set[asyncio.Task[bool]] = set()

    def subscribe(self, event_type: type[E], listener: Callable[[E], Awaitable[None]]) -> None:
        if not (isinstance(event_type, type) and issubclass(event_type, Event)):
            raise TypeError(f"cannot listen to {event_type!r}: not an Event subclass")
        self._listeners[event_type].append(listener)

    def unsubscribe(self, event_type: type[Event], listener: Listener) -> None:
        try:
            self._listeners[event_type].remove(listener)
        except ValueError:
            pass

    async def publish(self, event: Event) -> bool:
        """Deliver ``event`` to the listeners of its class and of its base classes, and wait for
        them; True when every listener finished without an error."""
        listeners = [
            listener
            for cls in type(event).__mro__
            if isinstance(cls, type) and issubclass(cls, Event)
            for listener in self._listeners.get(cls, ())
        ]
        if not listeners:
            return True
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
        return not any(isinstance(result, BaseException) for result in results)

    def emit(self, event: Event, *, then: Callable[[], None] | None = None) -> None:
        """Deliver ``event`` in the background; returns at once. Needs a running event loop.

        ``then`` runs once every listener has finished without an error (a step to record as done)."""
        task = asyncio.get_running_loop().create_task(self.publish(event), name=f"emit {type(event).__name__}")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        if then is not None:
            task.add_done_callback(lambda t: then() if not t.cancelled() and t.exception() is None and t.result()
                                   else None)

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until every emitted delivery (and any they emitted) is done; False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._pending:
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            _, still = await asyncio.wait(set(self._pending), timeout=remaining)
            if still and deadline is not None and loop.time() >= deadline:
                return False
        return True

    async def close(self, timeout: float = 5.0) -> None:
        """Let deliveries in flight finish for up to ``timeout`` seconds, then cancel the rest."""
        if not await self.drain(timeout):
            for task in list(self._pending):
                task.cancel()
            await asyncio.gather(*self._pending, return_exceptions=True)
