"""What the core asks a transport to do.

Actions are plain data; a transport declares which ones it can perform in its ``handlers`` table.
Nothing here pings anyone by default: ``mention_staff`` is the only way bot output may mention a
role, and the transport decides which role that is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Embed", "SendMessage", "OpenThread", "CommandResult", "Action", "mention"]


def mention(user_id: str) -> str:
    """A user named in bot text: ``<@id>``. Discord shows the member's name (never a ping: every
    message goes out with user mentions disallowed); the console prints ``@id``."""
    return f"<@{user_id}>"


@dataclass(frozen=True, slots=True)
class Embed:
    """A rich card (a product, a handoff summary)."""

    title: str
    description: str = ""
    url: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    footer: str | None = None


@dataclass(frozen=True, slots=True)
class SendMessage:
    """Post ``text`` in a channel or thread.

    ``nonce`` makes the send idempotent where the platform supports it: the core derives it from
    the inbound message, so a resend after a crash cannot post twice.
    """

    channel_id: str
    text: str
    embeds: tuple[Embed, ...] = ()
    reply_to: str | None = None
    nonce: str | None = None
    mention_staff: bool = False


@dataclass(frozen=True, slots=True)
class OpenThread:
    """Open a private thread for staff (``channel_id`` None means the transport's staff channel)."""

    name: str
    text: str
    channel_id: str | None = None
    embeds: tuple[Embed, ...] = ()
    mention_staff: bool = False


@dataclass(frozen=True, slots=True)
class CommandResult:
    """The answer to a slash command; ``files`` are (filename, bytes) pairs such as PNG charts.

    ``direct`` answers the author by direct message (their own data, say); the channel only
    hears that it was sent, or gets it privately where the author's DMs are closed.
    """

    text: str
    embeds: tuple[Embed, ...] = ()
    ephemeral: bool = True
    files: tuple[tuple[str, bytes], ...] = field(default=())
    direct: bool = False


Action = SendMessage | OpenThread
