"""The fake's websocket gateway: HELLO, heartbeats, IDENTIFY/READY, RESUME with replay, and faults.

Every dispatch belongs to a session and gets the session's next sequence number. While a session's
connection is down its dispatches are kept, so a RESUME replays exactly what the client missed,
which is what makes "the message sent during the gap is answered once" testable.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .models import World

__all__ = ["Gateway", "Session", "PRIVILEGED_INTENTS", "MESSAGE_CONTENT"]

log = logging.getLogger(__name__)

MEMBERS = 1 << 1
PRESENCES = 1 << 8
MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = MEMBERS | PRESENCES | MESSAGE_CONTENT

# Opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-opcodes).
DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 0, 1, 2, 6, 7, 9, 10, 11


@dataclass
class Session:
    """One identified gateway session (one per shard)."""

    id: str
    intents: int
    shard: tuple[int, int] | None
    frames: list[dict[str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    resumable: bool = True

    @property
    def seq(self) -> int:
        return self.frames[-1]["s"] if self.frames else 0

    def wants(self, guild_id: int | None) -> bool:
        """Discord routes a guild's events to shard ``(guild_id >> 22) % count``, DMs to shard 0."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return shard_id == ((guild_id >> 22) % count if guild_id else 0)


class Gateway:
    """Serves ``GET /`` as the websocket gateway for one :class:`World`."""

    def __init__(self, world: World, *, token: str, url: Callable[[], str]) -> None:
        self.world = world
        self.token = token
        self._url = url
        #: Privileged intents the "developer portal" approved; others are refused with 4014.
        self.approved_intents = PRIVILEGED_INTENTS
        #: What READY says to resume at; None means this gateway (a real proxy test sets another).
        self.resume_gateway_url: str | None = None
        self.sessions: dict[str, Session] = {}
        #: Counters tests assert on.
        self.identifies = 0
        self.resumes = 0
        self.connections = 0
        self._changed = asyncio.Condition()

    # -- connection -----------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections += 1
        session: Session | None = None
        await ws.send_str(json.dumps({"op": HELLO, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}))
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                break
            frame = json.loads(msg.data)
            op, data = frame.get("op"), frame.get("d")
            if op == HEARTBEAT:
                await _send(ws, {"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
            elif op == IDENTIFY:
                session = await self._identify(ws, data)
            elif op == RESUME:
                session = await self._resume(ws, data)
        if session is not None and session.ws is ws:
            session.ws = None
        await self._notify()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~self.approved_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard = tuple(data["shard"]) if data.get("shard") else None
        session = Session(id=uuid.uuid4().hex, intents=intents, shard=shard, ws=ws)
        self.sessions[session.id] = session
        self.identifies += 1
        ready: dict[str, Any] = {
            "v": 10,
            "user": self.world.bot_user,
            "session_id": session.id,
            "resume_gateway_url": self.resume_gateway_url or self._url(),
            "guilds": [{"id": str(self.world.guild_id), "unavailable": True}] if session.wants(self.world.guild_id) else [],
            "private_channels": [],
            "relationships": [],
            "application": {"id": str(self.world.application_id), "flags": 0},
        }
        if shard is not None:
            ready["shard"] = list(shard)
        await self._dispatch_to(session, "READY", ready)
        if session.wants(self.world.guild_id):
            await self._dispatch_to(session, "GUILD_CREATE", self.world.guild_payload())
        await self._notify()
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> Session | None:
        session = self.sessions.get(data.get("session_id", ""))
        if data.get("token") != self.token or session is None or not session.resumable:
            # d=false: not resumable, the client must IDENTIFY again.
            await _send(ws, {"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return None
        session.ws = ws
        self.resumes += 1
        seq = int(data.get("seq") or 0)
        for frame in session.frames:
            if frame["s"] > seq:
                await _send(ws, frame)
        await self._dispatch_to(session, "RESUMED", {})
        await self._notify()
        return session

    # -- dispatch -------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any], *, guild_id: int | None = None) -> None:
        """Send an event to every session that should see it; a session that is down keeps it."""
        for session in list(self.sessions.values()):
            if session.resumable and session.wants(guild_id):
                await self._dispatch_to(session, event, self._filtered(session, event, data))

    def _filtered(self, session: Session, event: str, data: dict[str, Any]) -> dict[str, Any]:
        # Without the message_content intent Discord blanks guild messages that do not mention the bot.
        if event != "MESSAGE_CREATE" or session.intents & MESSAGE_CONTENT or "guild_id" not in data:
            return data
        if any(u.get("id") == self.world.bot_user["id"] for u in data.get("mentions", [])):
            return data
        return {**data, "content": "", "embeds": [], "attachments": []}

    async def _dispatch_to(self, session: Session, event: str, data: dict[str, Any]) -> None:
        frame = {"op": DISPATCH, "t": event, "s": session.seq + 1, "d": data}
        session.frames.append(frame)
        if session.ws is not None:
            await _send(session.ws, frame)

    # -- faults ---------------------------------------------------------------------------------

    async def drop(self, *, code: int = 4000) -> None:
        """Close every live connection with ``code`` (4000: the client resumes)."""
        for session in self.sessions.values():
            ws, session.ws = session.ws, None
            if ws is not None:
                await ws.close(code=code, message=b"fake drop")

    async def invalidate_sessions(self) -> None:
        """Send op 9 (not resumable) on every live connection; the client re-identifies."""
        for session in self.sessions.values():
            session.resumable = False
            if session.ws is not None:
                await _send(session.ws, {"op": INVALID_SESSION, "d": False, "s": None, "t": None})

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client closes and resumes."""
        for session in self.sessions.values():
            if session.ws is not None:
                await _send(session.ws, {"op": RECONNECT, "d": None, "s": None, "t": None})

    # -- waiting --------------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``predicate()`` holds after a connection, identify or resume."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(predicate)

    def connected(self) -> bool:
        return any(s.ws is not None for s in self.sessions.values())


async def _send(ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
    if ws.closed:
        return
    try:
        await ws.send_str(json.dumps(frame))
    except ConnectionError:
        log.debug("client went away while sending %s", frame.get("t") or frame.get("op"))
