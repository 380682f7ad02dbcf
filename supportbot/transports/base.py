"""The small async adapter every transport implements.

A transport turns platform events into core events (calling :meth:`SupportBot.handle_message`
and :meth:`SupportBot.handle_command`) and performs the core's actions. It declares what it can
send in :attr:`Transport.handlers`; asking it for anything else is a clear error, not a silent drop.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar

from ..actions import Action, EditMessage, OpenThread, SendMessage

if TYPE_CHECKING:
    from ..engine import SupportBot

__all__ = ["Transport", "UnsupportedAction", "TransientSendError"]


class UnsupportedAction(TypeError):
    """The transport cannot perform this kind of action."""


class TransientSendError(Exception):
    """The platform refused an action for now (rate limited, a server error): the same action may
    succeed later, and the core tries it again instead of giving up on the customer.

    ``rate_limited``: the platform said it did nothing (a 429), so even an action without a nonce
    is safe to repeat; after a server error only a nonce'd message is.
    """

    def __init__(self, message: str, *, retry_after: float = 0.0, rate_limited: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.rate_limited = rate_limited


class Transport(ABC):
    #: Platform name recorded with every message ("discord", "console", "test").
    name: ClassVar[str]

    def __init__(self) -> None:
        self.bot: SupportBot | None = None
        #: Action type -> coroutine performing it, returning the platform id of what was created.
        self.handlers: dict[type, Callable[[Any], Awaitable[str | None]]] = {
            SendMessage: self.send_message,
            OpenThread: self.open_thread,
            EditMessage: self.edit_message,
        }

    async def start(self, bot: SupportBot) -> None:
        """Connect; after this returns the transport may call into ``bot``."""
        self.bot = bot

    @abstractmethod
    async def run(self) -> None:
        """Serve until stopped (or the input ends, for the console)."""

    async def stop(self) -> None:
        """Disconnect; idempotent."""

    async def send(self, action: Action) -> str | None:
        handler = self.handlers.get(type(action))
        if handler is None:
            raise UnsupportedAction(f"{self.name} transport cannot perform {type(action).__name__}")
        return await handler(action)

    @abstractmethod
    async def send_message(self, action: SendMessage) -> str | None: ...

    async def open_thread(self, action: OpenThread) -> str | None:
        raise UnsupportedAction(f"{self.name} transport cannot open threads")

    async def edit_message(self, action: EditMessage) -> str | None:
        raise UnsupportedAction(f"{self.name} transport cannot edit messages")

    async def find_reply(self, channel_id: str, message_id: str) -> str | None:
        """The platform id of a reply the bot already posted to ``message_id``, if the platform can
        tell (None: unknown). The core asks before repeating a reply an earlier run may have sent."""
        return None

    @contextlib.asynccontextmanager
    async def typing(self, channel_id: str) -> AsyncIterator[None]:
        """Show that the bot is working on a reply, where the platform can."""
        yield
