"""A transport that keeps what the bot sends in memory: the base of the console and test transports."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

from ..actions import Component, EditMessage, OpenThread, SendMessage
from .base import Transport

__all__ = ["RecordingTransport", "RecordedThread", "Sent"]


@dataclass
class Sent:
    """One message the bot posted, with the id the transport gave it."""

    id: str
    action: SendMessage

    @property
    def text(self) -> str:
        return self.action.text

    @property
    def channel_id(self) -> str:
        return self.action.channel_id

    @property
    def components(self) -> tuple[Component, ...]:
        return self.action.components


@dataclass
class RecordedThread:
    """A staff thread the bot opened, with what it posted there."""

    id: str
    action: OpenThread
    messages: list[Sent] = field(default_factory=list)


class RecordingTransport(Transport):
    """Sends nowhere; remembers everything. Nonces are honoured like Discord's ``enforce_nonce``."""

    name = "memory"
    # Shared by every instance: like a platform's ids, they never repeat within a process.
    _ids = itertools.count(1000)

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Sent] = []
        self.threads: dict[str, RecordedThread] = {}
        self._by_nonce: dict[str, str] = {}

    def next_id(self) -> str:
        return str(next(self._ids))

    async def run(self) -> None:  # pragma: no cover - nothing to serve
        return None

    async def send_message(self, action: SendMessage) -> str | None:
        if action.nonce and action.nonce in self._by_nonce:
            return self._by_nonce[action.nonce]
        sent = Sent(self.next_id(), action)
        self.sent.append(sent)
        if action.nonce:
            self._by_nonce[action.nonce] = sent.id
        if action.channel_id in self.threads:
            self.threads[action.channel_id].messages.append(sent)
        self.on_sent(sent)
        return sent.id

    async def edit_message(self, action: EditMessage) -> str | None:
        sent = next((s for s in self.sent if s.id == action.message_id), None)
        if sent is None:
            raise LookupError(f"no message {action.message_id} was sent")
        sent.action = replace(sent.action, text=action.text, embeds=action.embeds, components=action.components)
        self.on_edited(sent)
        return sent.id

    async def find_reply(self, channel_id: str, message_id: str) -> str | None:
        return next((s.id for s in self.sent if s.channel_id == channel_id and s.action.reply_to == message_id), None)

    async def open_thread(self, action: OpenThread) -> str | None:
        thread = RecordedThread(self.next_id(), action)
        self.threads[thread.id] = thread
        self.on_thread(thread)
        return thread.id

    # Hooks for subclasses that show things (the console).
    def on_sent(self, sent: Sent) -> None: ...

    def on_thread(self, thread: RecordedThread) -> None: ...

    def on_edited(self, sent: Sent) -> None: ...
