"""What the core asks a transport to do.

Actions are plain data; a transport declares which ones it can perform in its ``handlers`` table.
Nothing here pings anyone by default: ``mention_staff`` is the only way bot output may mention a
role, and the transport decides which role that is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "Embed",
    "Button",
    "SelectOption",
    "Select",
    "Component",
    "TextField",
    "Modal",
    "SendMessage",
    "OpenThread",
    "EditMessage",
    "CommandResult",
    "ComponentReply",
    "Action",
    "mention",
]


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


ButtonStyle = Literal["primary", "secondary", "success", "danger"]


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a message. ``custom_id`` is ``"<plugin>:<action>[:<arg>...]"``: the core routes
    a click to the plugin's :func:`~supportbot.components.component` handler for that prefix, so a
    button posted before a restart still works after it (nothing is kept in memory per message)."""

    custom_id: str
    label: str
    style: ButtonStyle = "secondary"
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class SelectOption:
    label: str
    value: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Select:
    """A drop-down under a message; a choice reaches the handler as ``ctx.values``."""

    custom_id: str
    options: tuple[SelectOption, ...]
    placeholder: str = ""
    min_values: int = 1
    max_values: int = 1


Component = Button | Select


@dataclass(frozen=True, slots=True)
class TextField:
    """One text box of a :class:`Modal`; its answer reaches the handler as ``ctx.fields[custom_id]``."""

    custom_id: str
    label: str
    value: str = ""
    long: bool = False
    required: bool = True
    max_length: int = 4000


@dataclass(frozen=True, slots=True)
class Modal:
    """A form a component handler opens in answer to a click (free text: an edit, a comment)."""

    custom_id: str
    title: str
    fields: tuple[TextField, ...]


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
    components: tuple[Component, ...] = ()
    #: (filename, bytes) pairs attached to the (last) message: a transcript, a chart.
    files: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True, slots=True)
class OpenThread:
    """Open a private thread for staff (``channel_id`` None means the transport's staff channel)."""

    name: str
    text: str
    channel_id: str | None = None
    embeds: tuple[Embed, ...] = ()
    mention_staff: bool = False
    components: tuple[Component, ...] = ()


@dataclass(frozen=True, slots=True)
class EditMessage:
    """Replace a message the bot posted (text, embeds and components), e.g. the owner shown on a
    handoff card after a claim."""

    channel_id: str
    message_id: str
    text: str
    embeds: tuple[Embed, ...] = ()
    components: tuple[Component, ...] = ()


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
    components: tuple[Component, ...] = ()
    direct: bool = False


ComponentReply = CommandResult | Modal
"""What a component handler answers a click with: a message (ephemeral by default) or a form."""

Action = SendMessage | OpenThread | EditMessage
