"""``FakeDiscord``: the loopback server and the helpers tests drive it with.

Point the real discord.py at it exactly as a user would point the bot at a proxy::

    async with FakeDiscord() as fake:
        settings = DiscordSettings(api_base=fake.api_base, gateway_url=fake.gateway_url, ...)
        await fake.post_message(fake.support_channel_id, "Where is my order?")
        reply = await fake.wait_for_message(fake.support_channel_id)
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from .gateway import PRIVILEGED_INTENTS, Gateway
from .models import DM, Posted, Snowflakes, World
from .rest import API_PREFIX, InteractionReply, RestApi

__all__ = ["FakeDiscord"]

log = logging.getLogger(__name__)


class FakeDiscord:
    """A fake Discord on ``127.0.0.1`` (an ephemeral port) serving REST and the gateway.

    The world is one guild with ``support_channel_id``, ``other_channel_id``, ``staff_channel_id``,
    a ``staff_role_id``, and three users: ``customer``, ``staff`` (has the staff role) and
    ``other_bot``. Faults: :attr:`faults` for REST, :meth:`drop_gateway`,
    :meth:`invalidate_session`, :meth:`request_reconnect` and :meth:`refuse_privileged_intents`.
    """

    def __init__(self, *, token: str = "fake-token", host: str = "127.0.0.1") -> None:
        self.token = token
        self.host = host
        self.port = 0
        self.ids = Snowflakes()
        self.world = World(self.ids)
        self.gateway = Gateway(self.world, token=token, url=lambda: self.gateway_url)
        self.rest = RestApi(self.world, self.gateway, token=token, gateway_url=lambda: self.gateway_url)
        self.faults = self.rest.faults
        self._runner: web.AppRunner | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(middlewares=[self.rest.middleware])
        app.add_routes([web.get("/", self.gateway.handle), *self.rest.routes()])
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]  # (host, port) of the socket port 0 bound
        log.debug("fake Discord listening on %s", self.api_base)

    async def stop(self) -> None:
        if self._runner is not None:
            await self.gateway.drop(code=1001)
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/"

    # -- the world ------------------------------------------------------------------------------

    @property
    def guild_id(self) -> int:
        return self.world.guild_id

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def support_channel_id(self) -> int:
        return self.world.support_channel_id

    @property
    def other_channel_id(self) -> int:
        return self.world.other_channel_id

    @property
    def staff_channel_id(self) -> int:
        return self.world.staff_channel_id

    @property
    def staff_role_id(self) -> int:
        return self.world.staff_role_id

    @property
    def customer(self) -> dict[str, Any]:
        return self.world.customer

    @property
    def staff(self) -> dict[str, Any]:
        return self.world.staff

    @property
    def other_bot(self) -> dict[str, Any]:
        return self.world.other_bot

    @property
    def bot_user(self) -> dict[str, Any]:
        return self.world.bot_user

    def open_dm(self, user: dict[str, Any]) -> int:
        """A DM channel between ``user`` and the bot; returns its id."""
        return self.world.dm_channel(user)

    # -- driving the bot ------------------------------------------------------------------------

    async def post_message(self, channel_id: int, content: str, *, author: dict[str, Any] | None = None,
                           files: list[tuple[str, str, int]] | None = None) -> dict[str, Any]:
        """A user (the customer by default) writes ``content`` in a channel, with ``files`` as
        ``(filename, content type, size)`` (served from a made-up CDN URL); returns the message."""
        author = author or self.customer
        channel = self.world.channels[channel_id]
        is_dm = channel["type"] == DM
        message = self.world.message_payload(channel_id, author, content, is_dm=is_dm)
        for name, content_type, size in files or ():
            attachment_id = self.ids.next()
            url = f"https://cdn.fake-discord.test/attachments/{channel_id}/{attachment_id}/{name}"
            message["attachments"].append({"id": str(attachment_id), "filename": name, "content_type": content_type,
                                           "size": size, "url": url, "proxy_url": url})
        await self.gateway.dispatch("MESSAGE_CREATE", message, guild_id=None if is_dm else self.guild_id)
        return message

    async def invoke_command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        member: dict[str, Any] | None = None,
        channel_id: int | None = None,
    ) -> int:
        """Run slash command ``name`` as ``member`` (the customer by default); returns the interaction id."""
        return await self._interact(2, name, options or {}, None, member, channel_id)

    async def autocomplete(
        self,
        name: str,
        focused: str,
        options: dict[str, Any],
        *,
        member: dict[str, Any] | None = None,
        channel_id: int | None = None,
    ) -> int:
        """Send an autocomplete interaction while the user types option ``focused``."""
        return await self._interact(4, name, options, focused, member, channel_id)

    async def click(self, message: Posted, custom_id: str, *, member: dict[str, Any] | None = None) -> int:
        """``member`` (the customer by default) clicks the button ``custom_id`` under ``message``."""
        if custom_id not in message.buttons:
            raise LookupError(f"message {message.id} has no button {custom_id!r} (has {sorted(message.buttons)})")
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._send_interaction(3, data, member, message.channel_id, message=message.message)

    async def choose(self, message: Posted, custom_id: str, values: list[str], *,
                     member: dict[str, Any] | None = None) -> int:
        """``member`` picks ``values`` in the select ``custom_id`` under ``message``."""
        data = {"custom_id": custom_id, "component_type": 3, "values": values}
        return await self._send_interaction(3, data, member, message.channel_id, message=message.message)

    async def submit_modal(self, custom_id: str, fields: dict[str, str], *, member: dict[str, Any] | None = None,
                           channel_id: int | None = None) -> int:
        """``member`` submits the form ``custom_id`` (the bot opened it with a type-9 callback)."""
        rows = [{"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
                for key, value in fields.items()]
        return await self._send_interaction(5, {"custom_id": custom_id, "components": rows}, member, channel_id)

    async def _interact(
        self,
        kind: int,
        name: str,
        options: dict[str, Any],
        focused: str | None,
        member: dict[str, Any] | None,
        channel_id: int | None,
    ) -> int:
        command = self.synced_command(name)
        if command is None:
            raise LookupError(f"command {name!r} was never synced")
        declared = {o["name"]: o for o in command.get("options", [])}
        wire_options = []
        for key, value in options.items():
            if key not in declared:
                raise LookupError(f"command {name!r} has no option {key!r}")
            option: dict[str, Any] = {"name": key, "type": declared[key]["type"], "value": value}
            if key == focused:
                option["focused"] = True
            wire_options.append(option)
        data = {"id": command["id"], "name": name, "type": 1, "options": wire_options, "guild_id": str(self.guild_id)}
        return await self._send_interaction(kind, data, member, channel_id)

    async def _send_interaction(self, kind: int, data: dict[str, Any], member: dict[str, Any] | None,
                                channel_id: int | None, *, message: dict[str, Any] | None = None) -> int:
        user = member or self.customer
        user_id = int(user["id"])
        channel_id = channel_id or self.support_channel_id
        interaction_id = self.ids.next()
        payload = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "token": secrets.token_urlsafe(24),
            "version": 1,
            "attachment_size_limit": 10 * 1024 * 1024,
            "locale": "en-US",
            "guild_id": str(self.guild_id),
            "guild_locale": "en-US",
            "channel_id": str(channel_id),
            "channel": {"id": str(channel_id), "type": self.world.channels[channel_id]["type"], "guild_id": str(self.guild_id)},
            "app_permissions": str(0x7FFFFFFFFFFF),
            "member": {
                **self.world.member_payload(user_id),
                "permissions": str(self.world.member_permissions(user_id)),
            },
            "data": data,
        }
        if message is not None:
            payload["message"] = message
        self.rest.interactions[interaction_id] = payload
        await self.gateway.dispatch("INTERACTION_CREATE", payload, guild_id=self.guild_id)
        return interaction_id

    # -- inspecting -----------------------------------------------------------------------------

    def synced_command(self, name: str) -> dict[str, Any] | None:
        for commands in self.rest.commands.values():
            for command in commands:
                if command["name"] == name:
                    return command
        return None

    @property
    def commands(self) -> dict[str | int, list[dict[str, Any]]]:
        """Synced application commands by scope (``"global"`` or a guild id)."""
        return self.rest.commands

    @property
    def posted(self) -> list[Posted]:
        """Every message the bot posted, oldest first."""
        return self.rest.posted

    def messages_in(self, channel_id: int) -> list[Posted]:
        return [p for p in self.rest.posted if p.channel_id == channel_id]

    @property
    def threads(self) -> list[dict[str, Any]]:
        return [c for c in self.world.channels.values() if c["type"] in (11, 12)]

    @property
    def typing(self) -> list[int]:
        """Channels the bot showed "typing..." in, once per request."""
        return self.rest.typing

    @property
    def requests(self) -> list[tuple[str, str]]:
        return self.rest.requests

    def replies_to(self, interaction_id: int) -> list[InteractionReply]:
        return [r for r in self.rest.interaction_replies if r.interaction_id == interaction_id]

    async def wait_for_message(
        self,
        channel_id: int,
        predicate: Callable[[Posted], bool] | None = None,
        *,
        count: int = 1,
        timeout: float = 5.0,
    ) -> Posted:
        """Wait until the bot has posted ``count`` matching messages in ``channel_id``; return the last."""

        def found() -> Posted | None:
            matching = [p for p in self.messages_in(channel_id) if predicate is None or predicate(p)]
            return matching[count - 1] if len(matching) >= count else None

        return await self.rest.wait_for(found, timeout)

    async def wait_for_thread(self, timeout: float = 5.0) -> dict[str, Any]:
        return await self.rest.wait_for(lambda: self.threads[-1] if self.threads else None, timeout)

    async def wait_for_reply(self, interaction_id: int, *, timeout: float = 5.0) -> InteractionReply:
        """Wait for the last answer the bot gave an interaction (callback, or follow-up after a defer)."""

        def found() -> InteractionReply | None:
            replies = self.replies_to(interaction_id)
            final = [r for r in replies if r.type != 5]
            return final[-1] if final else None

        return await self.rest.wait_for(found, timeout)

    async def wait_for_commands(self, *, timeout: float = 5.0) -> dict[str | int, list[dict[str, Any]]]:
        await self.rest.wait_for(lambda: self.rest.commands, timeout)
        return self.rest.commands

    async def wait_until_connected(self, *, identifies: int = 1, resumes: int = 0, timeout: float = 5.0) -> None:
        """Wait for at least ``identifies`` READYs and ``resumes`` RESUMEDs and a live connection."""
        g = self.gateway
        await g.wait_for(lambda: g.identifies >= identifies and g.resumes >= resumes and g.connected(), timeout)

    # -- gateway faults -------------------------------------------------------------------------

    async def drop_gateway(self, *, code: int = 4000) -> None:
        """Close the gateway connection(s); with 4000 the client RESUMEs and gets what it missed."""
        await self.gateway.drop(code=code)

    async def invalidate_session(self) -> None:
        """Op 9 (d=false): the client must IDENTIFY again (discord.py waits 5 s first by default)."""
        await self.gateway.invalidate_sessions()

    async def request_reconnect(self) -> None:
        await self.gateway.request_reconnect()

    def refuse_privileged_intents(self, refused: int = PRIVILEGED_INTENTS) -> None:
        """As if the developer portal had these privileged intents off: IDENTIFY asking them gets 4014."""
        self.gateway.approved_intents &= ~refused

    def set_shard_count(self, count: int) -> None:
        """What ``GET /gateway/bot`` recommends (for ``AutoShardedClient``)."""
        self.rest.shard_count = count
