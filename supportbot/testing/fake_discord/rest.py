"""The fake's REST API (the part of ``/api/v10`` a support bot uses) and what it recorded.

Answers are JSON with ``Content-Type`` exactly ``application/json``: discord.py compares the header
verbatim, and aiohttp's ``json_response`` would append ``; charset=utf-8``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from .faults import RestFaults
from .gateway import Gateway
from .models import DM, PRIVATE_THREAD, PUBLIC_THREAD, Posted, World, iso_now

__all__ = ["RestApi", "InteractionReply", "API_PREFIX"]

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_response(data: Any, *, status: int = 200) -> web.Response:
    return web.Response(status=status, body=json.dumps(data).encode(), content_type="application/json")


def error(status: int, message: str, code: int = 0) -> web.Response:
    return json_response({"message": message, "code": code}, status=status)


@dataclass
class InteractionReply:
    """One answer to an interaction: the callback (``type`` 4, 5, 8) or a follow-up (``type`` None)."""

    interaction_id: int
    type: int | None
    data: dict[str, Any]
    files: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def content(self) -> str:
        return self.data.get("content") or ""

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & (1 << 6))

    @property
    def choices(self) -> list[dict[str, Any]]:
        return self.data.get("choices", [])


class RestApi:
    """Routes plus the record of everything the bot did through them."""

    def __init__(self, world: World, gateway: Gateway, *, token: str, gateway_url: Callable[[], str]) -> None:
        self.world = world
        self.gateway = gateway
        self.token = token
        self._gateway_url = gateway_url
        self.faults = RestFaults()
        self.shard_count = 1
        #: Every request as ``(method, path)``, after the API prefix.
        self.requests: list[tuple[str, str]] = []
        self.posted: list[Posted] = []
        self.typing: list[int] = []
        #: Synced commands by scope: ``"global"`` or a guild id.
        self.commands: dict[str | int, list[dict[str, Any]]] = {}
        self.interaction_replies: list[InteractionReply] = []
        #: Interactions the fake sent: id -> (token, interaction payload).
        self.interactions: dict[int, dict[str, Any]] = {}
        self._nonces: dict[tuple[int, str], Posted] = {}
        self._changed = asyncio.Condition()

    def routes(self) -> list[web.RouteDef]:
        p = API_PREFIX
        return [
            web.get(p + "/users/@me", self.me),
            web.get(p + "/oauth2/applications/@me", self.application),
            web.get(p + "/gateway/bot", self.gateway_bot),
            web.get(p + "/gateway", self.gateway_plain),
            web.post(p + "/users/@me/channels", self.create_dm),
            web.get(p + "/channels/{channel}", self.get_channel),
            web.post(p + "/channels/{channel}/messages", self.create_message),
            web.get(p + "/channels/{channel}/messages", self.list_messages),
            web.patch(p + "/channels/{channel}/messages/{message}", self.edit_message),
            web.post(p + "/channels/{channel}/typing", self.trigger_typing),
            web.post(p + "/channels/{channel}/threads", self.create_thread),
            web.post(p + "/channels/{channel}/messages/{message}/threads", self.create_thread),
            web.put(p + "/channels/{channel}/thread-members/{user}", self.no_content),
            web.put(p + "/applications/{app}/commands", self.put_commands),
            web.put(p + "/applications/{app}/guilds/{guild}/commands", self.put_commands),
            web.get(p + "/applications/{app}/commands", self.get_commands),
            web.get(p + "/applications/{app}/guilds/{guild}/commands", self.get_commands),
            web.post(p + "/interactions/{id}/{token}/callback", self.interaction_callback),
            web.post(p + "/webhooks/{app}/{token}", self.followup),
            web.patch(p + "/webhooks/{app}/{token}/messages/@original", self.followup),
        ]

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        path = request.path[len(API_PREFIX) :]
        self.requests.append((request.method, path))
        fault = self.faults.take(request.method, path)
        if fault is not None:
            return fault
        # The interaction callback and webhooks authenticate by their token, not the bot's.
        if not path.startswith(("/interactions/", "/webhooks/")):
            if request.headers.get("Authorization") != f"Bot {self.token}":
                return error(401, "401: Unauthorized")
        return await handler(request)

    async def _changed_notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` returns something truthy after a request; return it."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                return await self._changed.wait_for(predicate)

    # -- identity -------------------------------------------------------------------------------

    async def me(self, request: web.Request) -> web.Response:
        return json_response(self.world.bot_user)

    async def application(self, request: web.Request) -> web.Response:
        w = self.world
        return json_response(
            {
                "id": str(w.application_id),
                "name": w.bot_user["username"],
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": w.staff,
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    async def gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return json_response({"url": self._gateway_url(), "shards": self.shard_count, "session_start_limit": limit})

    async def gateway_plain(self, request: web.Request) -> web.Response:
        return json_response({"url": self._gateway_url()})

    async def no_content(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    # -- messages and threads -------------------------------------------------------------------

    async def create_dm(self, request: web.Request) -> web.Response:
        """``user.send()``: discord.py opens (or finds) the DM channel with the user first."""
        payload, _ = await read_payload(request)
        user = self.world.users.get(int(payload.get("recipient_id", 0)))
        if user is None:
            return error(400, "Invalid Recipient(s)", 50033)
        return json_response(self.world.channels[self.world.dm_channel(user)])

    async def get_channel(self, request: web.Request) -> web.Response:
        channel = self.world.channels.get(int(request.match_info["channel"]))
        return json_response(channel) if channel is not None else error(404, "Unknown Channel", 10003)

    async def list_messages(self, request: web.Request) -> web.Response:
        """A channel's history; the bot reads it to catch up after being away (``?after=``)."""
        channel_id = int(request.match_info["channel"])
        if channel_id not in self.world.channels:
            return error(404, "Unknown Channel", 10003)
        limit = max(1, min(100, int(request.query.get("limit", 50))))
        after = int(request.query.get("after", 0))
        if "before" in request.query or "around" in request.query:
            return error(400, "the fake answers ?after= only")
        return json_response(self.world.messages_after(channel_id, after, limit))

    async def create_message(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel"])
        channel = self.world.channels.get(channel_id)
        if channel is None:
            return error(404, "Unknown Channel", 10003)
        payload, files = await read_payload(request)
        nonce = payload.get("nonce")
        if nonce is not None and payload.get("enforce_nonce"):
            first = self._nonces.get((channel_id, str(nonce)))
            if first is not None:
                # Discord answers a repeated enforced nonce with the message it already created.
                return json_response(first.message)
        posted = await self.post_as_bot(channel_id, payload, files)
        if nonce is not None:
            self._nonces.setdefault((channel_id, str(nonce)), posted)
        return json_response(posted.message)

    async def post_as_bot(self, channel_id: int, payload: dict[str, Any], files: list[tuple[str, bytes]]) -> Posted:
        channel = self.world.channels[channel_id]
        message = self.world.message_payload(
            channel_id,
            self.world.bot_user,
            payload.get("content") or "",
            embeds=payload.get("embeds"),
            nonce=payload.get("nonce"),
            message_reference=payload.get("message_reference"),
            is_dm=channel["type"] == DM,
        )
        message["components"] = payload.get("components") or []
        message["attachments"] = [
            {"id": str(self.world.ids.next()), "filename": name, "size": len(data), "url": "", "proxy_url": ""}
            for name, data in files
        ]
        posted = Posted(message, payload, files)
        self.posted.append(posted)
        guild_id = None if channel["type"] == DM else self.world.guild_id
        await self.gateway.dispatch("MESSAGE_CREATE", message, guild_id=guild_id)
        await self._changed_notify()
        return posted

    async def edit_message(self, request: web.Request) -> web.Response:
        channel_id, message_id = int(request.match_info["channel"]), int(request.match_info["message"])
        posted = next((p for p in self.posted if p.id == message_id and p.channel_id == channel_id), None)
        if posted is None:
            return error(404, "Unknown Message", 10008)
        payload, _ = await read_payload(request)
        for key in ("content", "embeds", "components"):
            if key in payload:
                posted.message[key] = payload[key] if payload[key] is not None else ([] if key != "content" else "")
        posted.message["edited_timestamp"] = iso_now()
        posted.edits.append(payload)
        await self.gateway.dispatch("MESSAGE_UPDATE", posted.message, guild_id=self.world.guild_id)
        await self._changed_notify()
        return json_response(posted.message)

    async def trigger_typing(self, request: web.Request) -> web.Response:
        self.typing.append(int(request.match_info["channel"]))
        await self._changed_notify()
        return web.Response(status=204)

    async def create_thread(self, request: web.Request) -> web.Response:
        parent_id = int(request.match_info["channel"])
        if parent_id not in self.world.channels:
            return error(404, "Unknown Channel", 10003)
        payload, _ = await read_payload(request)
        # Threads started from a message are public; otherwise the caller picks (default private).
        kind = PUBLIC_THREAD if "message" in request.match_info else int(payload.get("type", PRIVATE_THREAD))
        thread = self.world.thread_payload(
            parent_id, payload.get("name", "thread"), type=kind, owner_id=self.world.application_id
        )
        thread["invitable"] = payload.get("invitable", True)
        await self.gateway.dispatch("THREAD_CREATE", {**thread, "newly_created": True}, guild_id=self.world.guild_id)
        await self._changed_notify()
        return json_response(thread, status=201)

    # -- application commands -------------------------------------------------------------------

    async def put_commands(self, request: web.Request) -> web.Response:
        app_id = request.match_info["app"]
        if app_id != str(self.world.application_id):
            return error(403, "Missing Access", 50001)
        scope: str | int = int(request.match_info["guild"]) if "guild" in request.match_info else "global"
        commands = []
        for command in await request.json():
            command = dict(command)
            command.setdefault("type", 1)
            command.update(id=str(self.world.ids.next()), application_id=app_id, version=str(self.world.ids.next()))
            if scope != "global":
                command["guild_id"] = str(scope)
            commands.append(command)
        self.commands[scope] = commands
        await self._changed_notify()
        return json_response(commands)

    async def get_commands(self, request: web.Request) -> web.Response:
        scope: str | int = int(request.match_info["guild"]) if "guild" in request.match_info else "global"
        return json_response(self.commands.get(scope, []))

    # -- interactions ---------------------------------------------------------------------------

    async def interaction_callback(self, request: web.Request) -> web.Response:
        interaction_id = int(request.match_info["id"])
        sent = self.interactions.get(interaction_id)
        if sent is None or sent["token"] != request.match_info["token"]:
            return error(404, "Unknown interaction", 10062)
        if sent.get("answered"):
            return error(400, "Interaction has already been acknowledged.", 40060)
        sent["answered"] = True
        payload, files = await read_payload(request)
        reply = InteractionReply(interaction_id, int(payload["type"]), payload.get("data") or {}, files)
        self.interaction_replies.append(reply)
        await self._changed_notify()
        body: dict[str, Any] = {"interaction": {"id": str(interaction_id), "type": sent["type"]}}
        if reply.type == 4:
            message = self.world.message_payload(
                int(sent["channel_id"]), self.world.bot_user, reply.content, embeds=reply.data.get("embeds")
            )
            message["flags"] = int(reply.data.get("flags") or 0)
            body["resource"] = {"type": 4, "message": message}
        return json_response(body)

    async def followup(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        sent = next((i for i in self.interactions.values() if i["token"] == token), None)
        if sent is None:
            return error(404, "Unknown Webhook", 10015)
        payload, files = await read_payload(request)
        self.interaction_replies.append(InteractionReply(int(sent["id"]), None, payload, files))
        await self._changed_notify()
        message = self.world.message_payload(int(sent["channel_id"]), self.world.bot_user, payload.get("content") or "")
        message["webhook_id"] = str(self.world.application_id)
        return json_response(message)


async def read_payload(request: web.Request) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """The JSON body, or ``payload_json`` plus the files of a multipart body."""
    if not request.body_exists:
        return {}, []
    if request.content_type != "multipart/form-data":
        return await request.json(), []
    payload: dict[str, Any] = {}
    files: list[tuple[str, bytes]] = []
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        assert isinstance(part, aiohttp.BodyPartReader), "Discord sends flat multipart bodies, never nested ones"
        if part.name == "payload_json":
            payload = json.loads(await part.text())
        else:
            files.append((part.filename or part.name or "file", bytes(await part.read())))
    return payload, files
