"""The discord.py clients the transport runs, and where they connect.

Two things discord.py does not offer as options are done here, in one place:

* **Endpoints.** REST URLs come from ``discord.http.Route.BASE`` and the first gateway
  connection from ``DiscordWebSocket.DEFAULT_GATEWAY``; both are class attributes, so
  :func:`use_endpoints` sets them process-wide (and gives back the previous values).
* **RESUME through the configured gateway.** READY carries ``resume_gateway_url`` and
  discord.py stores it on the websocket (``ws.gateway``) and resumes there, which would bypass a
  proxy or a fake. When the configured gateway is not Discord's, :class:`PinnedGatewayMixin`
  puts it back on the websocket as soon as READY is parsed (``connect`` is dispatched
  synchronously from the READY parser, before any reconnect can read ``ws.gateway``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket

from .settings import DEFAULT_GATEWAY_URL

__all__ = ["Endpoints", "use_endpoints", "SupportClient", "ShardedSupportClient", "intents"]

log = logging.getLogger(__name__)


# A support bot never joins voice: skip discord.py's start-up warnings about voice libraries.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


def intents() -> discord.Intents:
    """Guilds (channel cache), guild and DM messages, and message content (privileged)."""
    return discord.Intents(guilds=True, guild_messages=True, dm_messages=True, message_content=True)


Endpoints = tuple[str, yarl.URL]


def use_endpoints(api_base: str, gateway_url: str) -> Endpoints:
    """Point discord.py's REST and gateway at these URLs; returns the previous pair."""
    previous = (discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    discord.http.Route.BASE = api_base.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = _gateway(gateway_url)
    return previous


def restore_endpoints(previous: Endpoints) -> None:
    discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = previous


def _gateway(url: str) -> yarl.URL:
    # discord.py's own default ends with a slash; query parameters are added to it.
    return yarl.URL(url.rstrip("/") + "/")


EventHook = Callable[..., Coroutine[Any, Any, None]]


class PinnedGatewayMixin:
    """Resume at the configured gateway instead of READY's ``resume_gateway_url`` (see module doc)."""

    pinned_gateway: yarl.URL | None = None
    #: Seconds to wait before identifying again after an invalid session (discord.py: 5 s,
    #: Discord's identify rate limit). Tests against the fake shorten it.
    reidentify_delay: float = 5.0

    def _pin_gateway(self, shard_id: int | None) -> None:
        if self.pinned_gateway is None:
            return
        # Client has _get_websocket (discord.py 2.7, client.py) but does not declare it to type checkers.
        ws = self._get_websocket(shard_id=shard_id)  # type: ignore[attr-defined]
        if ws is not None and ws.gateway != self.pinned_gateway:
            log.debug("resuming at %s instead of %s", self.pinned_gateway, ws.gateway)
            ws.gateway = self.pinned_gateway

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not initial:
            await asyncio.sleep(self.reidentify_delay)


def _configure(client: PinnedGatewayMixin, gateway_url: str, reidentify_delay: float | None) -> None:
    if gateway_url.rstrip("/") != DEFAULT_GATEWAY_URL:
        client.pinned_gateway = _gateway(gateway_url)
    if reidentify_delay is not None:
        client.reidentify_delay = reidentify_delay


class SupportClient(PinnedGatewayMixin, discord.Client):
    """A plain (single connection) client; events are delivered to ``hooks`` by name."""

    def __init__(
        self, *, gateway_url: str, hooks: dict[str, EventHook], reidentify_delay: float | None = None, **options: Any
    ) -> None:
        super().__init__(intents=intents(), chunk_guilds_at_startup=False, **options)
        _configure(self, gateway_url, reidentify_delay)
        self._hooks_by_event = hooks

    def dispatch(self, event: str, /, *args: Any, **kwargs: Any) -> None:
        if event == "connect":
            self._pin_gateway(None)
        super().dispatch(event, *args, **kwargs)
        hook = self._hooks_by_event.get(event)
        if hook is not None:
            self._schedule_event(hook, "on_" + event, *args, **kwargs)


class ShardedSupportClient(PinnedGatewayMixin, discord.AutoShardedClient):
    """The same with discord.py's automatic sharding (``discord.sharded: true``)."""

    def __init__(
        self, *, gateway_url: str, hooks: dict[str, EventHook], reidentify_delay: float | None = None, **options: Any
    ) -> None:
        super().__init__(intents=intents(), chunk_guilds_at_startup=False, **options)
        _configure(self, gateway_url, reidentify_delay)
        self._hooks_by_event = hooks

    def dispatch(self, event: str, /, *args: Any, **kwargs: Any) -> None:
        if event == "shard_connect":
            self._pin_gateway(args[0])
        super().dispatch(event, *args, **kwargs)
        hook = self._hooks_by_event.get(event)
        if hook is not None:
            self._schedule_event(hook, "on_" + event, *args, **kwargs)
