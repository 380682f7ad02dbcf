"""Translation between discord.py objects and the core's events and actions.

Inbound: which messages the bot listens to and how a message or an interaction becomes a
:class:`~supportbot.events.MessageReceived` or :class:`~supportbot.events.CommandInvoked`.
Outbound: embeds and mentions. Every posted message carries an explicit ``allowed_mentions``,
so nothing a customer typed (``@everyone``, a role) can ever ping through the bot.
"""

from __future__ import annotations

from typing import Any

import discord

from ...actions import Embed
from ...events import Attachment, Author, CommandInvoked, MessageReceived
from .settings import DiscordSettings

__all__ = [
    "PLATFORM",
    "author_of",
    "message_event",
    "command_event",
    "focused_option",
    "to_discord_embed",
    "allowed_mentions",
    "staff_mention",
]

PLATFORM = "discord"

# Application command option types whose values Discord sends as snowflake strings.
_USER, _CHANNEL, _ROLE, _MENTIONABLE = 6, 7, 8, 9


def author_of(user: discord.User | discord.Member, settings: DiscordSettings) -> Author:
    """The core's view of a Discord user: staff means holding the configured staff role."""
    # In DMs the author is a plain User: no roles, so never staff there.
    is_staff = (
        settings.staff_role is not None
        and isinstance(user, discord.Member)
        and user.get_role(settings.staff_role) is not None
    )
    return Author(id=str(user.id), name=user.display_name, is_bot=user.bot, is_staff=is_staff)


def listens_to(message: discord.Message, settings: DiscordSettings) -> bool:
    """Support channels, DMs when enabled, and staff writing in threads under the staff channel
    (the core relays those to the customer of the handoff)."""
    channel = message.channel
    if message.guild is None:
        return settings.dm_enabled
    if channel.id in settings.support_channels:
        return True
    parent_id = getattr(channel, "parent_id", None)
    return parent_id is not None and parent_id == settings.staff_channel and author_of(message.author, settings).is_staff


def message_event(message: discord.Message, settings: DiscordSettings) -> MessageReceived:
    return MessageReceived(
        platform=PLATFORM,
        message_id=str(message.id),
        channel_id=str(message.channel.id),
        author=author_of(message.author, settings),
        text=message.content,
        guild_id=str(message.guild.id) if message.guild else None,
        is_dm=message.guild is None,
        created_at=message.created_at,  # when the customer wrote it: a caught-up message is late
        attachments=tuple(Attachment(url=a.url, filename=a.filename, content_type=a.content_type, size=a.size)
                          for a in message.attachments),
    )


def command_event(interaction: discord.Interaction, settings: DiscordSettings) -> CommandInvoked:
    """A slash command with its options as plain values (members, channels, roles: id strings)."""
    data: dict[str, Any] = dict(interaction.data or {})
    options = {
        o["name"]: str(o["value"]) if o.get("type") in (_USER, _CHANNEL, _ROLE, _MENTIONABLE) else o.get("value")
        for o in data.get("options", [])
        if "value" in o
    }
    return CommandInvoked(
        platform=PLATFORM,
        interaction_id=str(interaction.id),
        channel_id=str(interaction.channel_id),
        author=author_of(interaction.user, settings),
        command=data.get("name", ""),
        options=options,
    )


def focused_option(interaction: discord.Interaction) -> tuple[str, str] | None:
    """``(option name, text typed so far)`` of an autocomplete interaction."""
    data: dict[str, Any] = dict(interaction.data or {})  # a TypedDict per interaction type: read as JSON
    for option in data.get("options", []):
        if option.get("focused"):
            return option["name"], str(option.get("value", ""))
    return None


def to_discord_embed(embed: Embed) -> discord.Embed:
    result = discord.Embed(title=embed.title[:256], description=embed.description[:4096] or None, url=embed.url)
    for name, value in embed.fields[:25]:
        result.add_field(name=name[:256], value=value[:1024], inline=False)
    if embed.footer:
        result.set_footer(text=embed.footer[:2048])
    return result


def allowed_mentions(role_id: int | None = None) -> discord.AllowedMentions:
    """Nothing pings (not even the replied-to user), except ``role_id`` when given."""
    roles: list[discord.Object] | bool = [discord.Object(role_id)] if role_id is not None else False
    return discord.AllowedMentions(everyone=False, users=False, roles=roles, replied_user=False)


def staff_mention(settings: DiscordSettings) -> str:
    return f"<@&{settings.staff_role}>" if settings.staff_role is not None else ""
