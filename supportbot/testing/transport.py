"""The test transport: drive the bot with plain calls and inspect what it sent."""

from __future__ import annotations

from ..actions import CommandResult, ComponentReply
from ..events import Attachment, Author, CommandInvoked, ComponentUsed, MessageReceived
from ..outcomes import Outcome
from ..transports.recording import RecordingTransport, Sent

__all__ = ["TestTransport"]


class TestTransport(RecordingTransport):
    """Each call returns once the bot is done with it, its background listeners included (the staff
    thread of a handoff, say): tests see everything the message caused."""

    __test__ = False  # not a pytest test class
    name = "test"
    support_channel = "support"

    async def say(self, text: str, *, customer: str = "alice", channel: str | None = None,
                  message_id: str | None = None, attachments: tuple[Attachment, ...] = ()) -> list[Sent]:
        """Post ``text`` as a customer; returns what the bot sent while handling it."""
        _, sent = await self.say_and_outcome(text, customer=customer, channel=channel, message_id=message_id,
                                             attachments=attachments)
        return sent

    async def say_and_outcome(self, text: str, *, customer: str = "alice", channel: str | None = None,
                              message_id: str | None = None,
                              attachments: tuple[Attachment, ...] = ()) -> tuple[Outcome | None, list[Sent]]:
        assert self.bot is not None, "the bot is not started"
        before = len(self.sent)
        outcome = await self.bot.handle_message(MessageReceived(
            platform=self.name, message_id=message_id or self.next_id(), channel_id=channel or self.support_channel,
            author=Author(id=customer, name=customer), text=text, attachments=attachments))
        await self.bot.bus.drain()
        return outcome, self.sent[before:]

    async def staff_says(self, thread_id: str, text: str, *, staff: str = "staff-1",
                         attachments: tuple[Attachment, ...] = ()) -> list[Sent]:
        assert self.bot is not None
        before = len(self.sent)
        await self.bot.handle_message(MessageReceived(
            platform=self.name, message_id=self.next_id(), channel_id=thread_id,
            author=Author(id=staff, name=staff, is_staff=True), text=text, attachments=attachments))
        await self.bot.bus.drain()
        return self.sent[before:]

    async def command(self, name: str, /, *, staff: bool = True, author: str | None = None,
                      channel: str = "staff", **options: object) -> CommandResult:
        assert self.bot is not None
        author_id = author or ("staff-1" if staff else "alice")
        result = await self.bot.handle_command(CommandInvoked(
            platform=self.name, interaction_id=self.next_id(), channel_id=channel,
            author=Author(id=author_id, name=author_id, is_staff=staff), command=name, options=dict(options)))
        await self.bot.bus.drain()
        return result

    async def click(self, custom_id: str, *, staff: bool = False, author: str | None = None,
                    message: Sent | None = None, values: tuple[str, ...] = (),
                    fields: dict[str, str] | None = None) -> ComponentReply:
        """Click a button (or choose ``values``, or submit a form's ``fields``) as staff or a customer."""
        assert self.bot is not None
        if message is not None and custom_id not in {getattr(c, "custom_id", None) for c in message.components}:
            raise LookupError(f"message {message.id} has no component {custom_id!r}")
        author_id = author or ("staff-1" if staff else "alice")
        reply = await self.bot.handle_component(ComponentUsed(
            platform=self.name, interaction_id=self.next_id(),
            channel_id=message.channel_id if message is not None else self.support_channel,
            author=Author(id=author_id, name=author_id, is_staff=staff), custom_id=custom_id,
            message_id=message.id if message is not None else None, values=values, fields=dict(fields or {})))
        await self.bot.bus.drain()
        return reply

    def texts(self, channel: str | None = None) -> list[str]:
        return [s.text for s in self.sent if channel is None or s.channel_id == channel]
