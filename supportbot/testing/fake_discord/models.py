"""The fake's world: one guild, its channels, roles and members, and the JSON Discord sends for them.

Payloads carry the fields discord.py 2.7 reads without a default (a missing one is a ``KeyError``
deep inside the client), plus the few that make the objects realistic.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["Snowflakes", "World", "Posted", "iso_now", "effective_mentions"]

DISCORD_EPOCH_MS = 1420070400000

# Channel types (https://discord.com/developers/docs/resources/channel#channel-object-channel-types).
GUILD_TEXT = 0
DM = 1
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12

# Permission bits the fake hands out.
MANAGE_MESSAGES = 1 << 13
EVERYONE_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 16) | (1 << 31) | (1 << 38)  # view, send, history, app cmds, threads


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


class Snowflakes:
    """Increasing snowflakes whose timestamp part is the current time, as Discord's are."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)


def iter_components(rows: Any) -> Any:
    """Every component of a message or modal payload, rows flattened."""
    for item in rows or ():
        yield item
        yield from iter_components(item.get("components"))


@dataclass
class Posted:
    """A message the bot posted, with the request that posted it (what Discord never echoes)."""

    message: dict[str, Any]
    payload: dict[str, Any]
    files: list[tuple[str, bytes]] = field(default_factory=list)
    #: Each PATCH the bot made to this message, oldest first.
    edits: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.message["id"])

    @property
    def channel_id(self) -> int:
        return int(self.message["channel_id"])

    @property
    def content(self) -> str:
        return self.message["content"]

    @property
    def buttons(self) -> dict[str, str]:
        """``custom_id -> label`` of every button on the message (as last edited)."""
        return {c["custom_id"]: c.get("label", "") for c in iter_components(self.message.get("components"))
                if c.get("type") == 2 and "custom_id" in c}

    @property
    def pinged(self) -> set[str]:
        """Who Discord would notify: ``"everyone"``, ``"role:<id>"``, ``"user:<id>"``."""
        return effective_mentions(self.content, self.payload.get("allowed_mentions"))


_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")


def effective_mentions(content: str, allowed: dict[str, Any] | None) -> set[str]:
    """Apply Discord's ``allowed_mentions`` rules to the mentions written in ``content``.

    Without ``allowed_mentions`` everything written pings; with it, only what ``parse`` names or
    the explicit ``roles``/``users`` lists allow.
    """
    written = {"everyone"} if ("@everyone" in content or "@here" in content) else set()
    written |= {f"role:{r}" for r in _ROLE.findall(content)}
    written |= {f"user:{u}" for u in _USER.findall(content)}
    if allowed is None:
        return written
    parse = set(allowed.get("parse", []))
    roles = {f"role:{r}" for r in allowed.get("roles", [])}
    users = {f"user:{u}" for u in allowed.get("users", [])}
    pinged: set[str] = set()
    for mention in written:
        kind = mention.split(":", 1)[0]
        if mention == "everyone" and "everyone" in parse:
            pinged.add(mention)
        elif kind == "role" and ("roles" in parse or mention in roles):
            pinged.add(mention)
        elif kind == "user" and ("users" in parse or mention in users):
            pinged.add(mention)
    return pinged


class World:
    """One guild with a support channel, another channel, a staff channel and a staff role."""

    def __init__(self, ids: Snowflakes, *, bot_name: str = "supportbot") -> None:
        self.ids = ids
        self.application_id = ids.next()
        self.bot_user = self._user(self.application_id, bot_name, bot=True)
        self.guild_id = ids.next()
        self.channels: dict[int, dict[str, Any]] = {}
        self.roles: dict[int, dict[str, Any]] = {}
        self.members: dict[int, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {self.application_id: self.bot_user}
        #: Every message of each channel, oldest first: what GET /channels/{id}/messages reads.
        self.history: dict[int, list[dict[str, Any]]] = {}
        # @everyone's role id is the guild id.
        self._add_role_with_id(self.guild_id, "@everyone", EVERYONE_PERMISSIONS)
        self.staff_role_id = self.add_role("Staff", EVERYONE_PERMISSIONS | MANAGE_MESSAGES)
        self.support_channel_id = self.add_channel("support")
        self.other_channel_id = self.add_channel("general")
        self.staff_channel_id = self.add_channel("staff")
        self.add_member(self.bot_user)
        self.customer = self.add_user("customer")
        self.staff = self.add_user("staffer", roles=[self.staff_role_id])
        self.other_bot = self.add_user("otherbot", bot=True)

    # -- building -------------------------------------------------------------------------------

    def _user(self, user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
        return {
            "id": str(user_id),
            "username": name,
            "discriminator": "0",
            "global_name": name,
            "avatar": None,
            "bot": bot,
        }

    def add_user(self, name: str, *, roles: Sequence[int] = (), bot: bool = False) -> dict[str, Any]:
        """A new guild member; returns its user object."""
        user = self._user(self.ids.next(), name, bot=bot)
        self.users[int(user["id"])] = user
        self.add_member(user, roles=list(roles))
        return user

    def add_member(self, user: dict[str, Any], *, roles: list[int] | None = None) -> None:
        self.members[int(user["id"])] = {
            "user": user,
            "roles": [str(r) for r in roles or []],
            "flags": 0,
            "joined_at": iso_now(),
            "deaf": False,
            "mute": False,
        }

    def add_channel(self, name: str, *, type: int = GUILD_TEXT, parent_id: int | None = None) -> int:
        channel_id = self.ids.next()
        self.channels[channel_id] = {
            "id": str(channel_id),
            "type": type,
            "name": name,
            "position": len(self.channels),
            "guild_id": str(self.guild_id),
            "parent_id": str(parent_id) if parent_id else None,
            "permission_overwrites": [],
            "nsfw": False,
        }
        return channel_id

    def dm_channel(self, user: dict[str, Any]) -> int:
        """The DM channel between ``user`` and the bot (one per user, as on Discord); returns its id."""
        for channel_id, channel in self.channels.items():
            if channel["type"] == DM and channel["recipients"][0]["id"] == user["id"]:
                return channel_id
        channel_id = self.ids.next()
        self.channels[channel_id] = {"id": str(channel_id), "type": DM, "recipients": [user], "last_message_id": None}
        return channel_id

    def add_role(self, name: str, permissions: int) -> int:
        role_id = self.ids.next()
        self._add_role_with_id(role_id, name, permissions)
        return role_id

    def _add_role_with_id(self, role_id: int, name: str, permissions: int) -> None:
        self.roles[role_id] = {
            "id": str(role_id),
            "name": name,
            "permissions": str(permissions),
            "position": len(self.roles),
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": True,
        }

    # -- payloads -------------------------------------------------------------------------------

    def member_permissions(self, user_id: int) -> int:
        member = self.members.get(user_id)
        perms = int(self.roles[self.guild_id]["permissions"])
        for role_id in member["roles"] if member else []:
            perms |= int(self.roles[int(role_id)]["permissions"])
        return perms

    def member_payload(self, user_id: int, *, with_user: bool = True) -> dict[str, Any]:
        member = dict(self.members[user_id])
        if not with_user:
            member.pop("user")
        return member

    def guild_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.guild_id),
            "name": "Fake Shop",
            "icon": None,
            "owner_id": str(self.staff["id"]),
            "unavailable": False,
            "member_count": len(self.members),
            "large": False,
            "features": [],
            "channels": [c for c in self.channels.values() if c["type"] == GUILD_TEXT],
            "threads": [c for c in self.channels.values() if c["type"] in (PUBLIC_THREAD, PRIVATE_THREAD)],
            "roles": list(self.roles.values()),
            "members": list(self.members.values()),
            "emojis": [],
            "stickers": [],
            "voice_states": [],
            "presences": [],
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "joined_at": iso_now(),
        }

    def message_payload(
        self,
        channel_id: int,
        author: dict[str, Any],
        content: str,
        *,
        embeds: list[dict[str, Any]] | None = None,
        nonce: str | int | None = None,
        message_reference: dict[str, Any] | None = None,
        is_dm: bool = False,
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.ids.next()),
            "channel_id": str(channel_id),
            "author": author,
            "content": content,
            "type": 19 if message_reference else 0,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": embeds or [],
            "pinned": False,
            "flags": 0,
            "components": [],
        }
        if nonce is not None:
            data["nonce"] = nonce
        if message_reference:
            data["message_reference"] = message_reference
        if not is_dm:
            data["guild_id"] = str(self.guild_id)
            user_id = int(author["id"])
            if user_id in self.members:
                data["member"] = self.member_payload(user_id, with_user=False)
        self.history.setdefault(channel_id, []).append(data)
        return data

    def messages_after(self, channel_id: int, after: int, limit: int) -> list[dict[str, Any]]:
        """As Discord answers ``?after=``: the ``limit`` oldest messages after ``after``, newest first."""
        later = [m for m in self.history.get(channel_id, []) if int(m["id"]) > after][:limit]
        return list(reversed(later))

    def thread_payload(self, parent_id: int, name: str, *, type: int, owner_id: int) -> dict[str, Any]:
        thread_id = self.add_channel(name, type=type, parent_id=parent_id)
        thread = self.channels[thread_id]
        thread.update(
            owner_id=str(owner_id),
            message_count=0,
            member_count=1,
            rate_limit_per_user=0,
            flags=0,
            thread_metadata={
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": iso_now(),
                "locked": False,
                "invitable": False,
            },
        )
        return thread
