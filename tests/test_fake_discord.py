"""The fake Discord against the real discord.py ``Client`` (no core): what plugin authors rely on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import aiohttp
import discord
import pytest
import pytest_asyncio
import yarl
from discord.gateway import DiscordWebSocket

from supportbot.testing.fake_discord import FakeDiscord, effective_mentions

pytest_plugins = ["supportbot.testing.fake_discord.fixtures"]

class _QuickShards(discord.AutoShardedClient):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        pass  # discord.py waits 5 s between shards' IDENTIFYs (Discord's rate limit); the fake has none


OnMessage = Callable[[discord.Message], Coroutine[Any, Any, None]]


@pytest_asyncio.fixture
async def connect(fake_discord: FakeDiscord) -> AsyncIterator[Callable[..., Coroutine[Any, Any, discord.Client]]]:
    """Start a bare client on the fake (endpoints set the way the transport sets them)."""
    previous = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake_discord.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake_discord.gateway_url)
    started: list[tuple[discord.Client, asyncio.Task[None]]] = []

    async def start(on_message: OnMessage | None = None, *, sharded: bool = False) -> discord.Client:
        intents = discord.Intents(guilds=True, guild_messages=True, message_content=True)
        cls = _QuickShards if sharded else discord.Client
        client = cls(intents=intents, guild_ready_timeout=0.05)
        if on_message is not None:
            client.event(on_message)
        await client.login(fake_discord.token)
        task = asyncio.create_task(client.connect())
        started.append((client, task))
        async with asyncio.timeout(5):
            await client.wait_until_ready()
        return client

    yield start
    for client, task in started:
        await client.close()
        await asyncio.wait_for(task, 5)
    discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = previous


async def test_message_round_trip_and_guild_cache(fake_discord: FakeDiscord, connect: Any) -> None:
    async def on_message(message: discord.Message) -> None:
        if not message.author.bot:
            await message.channel.send(f"echo {message.content}")

    client = await connect(on_message)
    guild = client.get_guild(fake_discord.guild_id)
    assert guild is not None and guild.get_channel(fake_discord.support_channel_id) is not None
    assert guild.get_role(fake_discord.staff_role_id) is not None

    await fake_discord.post_message(fake_discord.support_channel_id, "hello")
    posted = await fake_discord.wait_for_message(fake_discord.support_channel_id)
    assert posted.content == "echo hello"
    assert posted.message["author"]["id"] == fake_discord.bot_user["id"]


async def test_enforced_nonce_returns_the_first_message(fake_discord: FakeDiscord, connect: Any) -> None:
    client = await connect()
    channel = client.get_partial_messageable(fake_discord.support_channel_id)
    first = await channel.send("once", nonce="abc")  # discord.py adds enforce_nonce with a nonce
    again = await channel.send("once", nonce="abc")
    assert first.id == again.id
    assert len(fake_discord.messages_in(fake_discord.support_channel_id)) == 1


async def test_resume_replays_what_the_client_missed(fake_discord: FakeDiscord, connect: Any) -> None:
    seen: list[str] = []

    async def on_message(message: discord.Message) -> None:
        seen.append(message.content)

    await connect(on_message)
    await fake_discord.drop_gateway()
    await fake_discord.post_message(fake_discord.support_channel_id, "sent during the gap")
    await fake_discord.wait_until_connected(resumes=1)
    async with asyncio.timeout(5):
        while "sent during the gap" not in seen:
            await asyncio.sleep(0.01)
    assert fake_discord.gateway.identifies == 1
    assert seen.count("sent during the gap") == 1


async def test_rate_limit_with_via_is_retried(fake_discord: FakeDiscord, connect: Any) -> None:
    client = await connect()
    fake_discord.faults.rate_limit("/channels/*/messages", retry_after=0.05)
    await client.get_partial_messageable(fake_discord.support_channel_id).send("after a 429")
    assert fake_discord.faults.fired == [("POST", f"/channels/{fake_discord.support_channel_id}/messages", 429)]
    assert [p.content for p in fake_discord.posted] == ["after a 429"]


async def test_429_without_via_looks_like_a_cloudflare_ban(fake_discord: FakeDiscord, connect: Any) -> None:
    client = await connect()
    fake_discord.faults.rate_limit("/channels/*/messages", via=False)
    with pytest.raises(discord.HTTPException) as raised:
        await client.get_partial_messageable(fake_discord.support_channel_id).send("banned")
    assert raised.value.status == 429
    assert fake_discord.posted == []


async def test_refused_intent_closes_with_4014(fake_discord: FakeDiscord) -> None:
    fake_discord.refuse_privileged_intents()
    async with aiohttp.ClientSession() as session, session.ws_connect(fake_discord.gateway_url) as ws:
        await ws.receive_json()  # HELLO
        await ws.send_json({"op": 2, "d": {"token": fake_discord.token, "intents": 1 << 15, "properties": {}}})
        closing = await ws.receive()
    assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4014


async def test_without_message_content_guild_text_is_blank(fake_discord: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(fake_discord.gateway_url) as ws:
        await ws.receive_json()
        await ws.send_json({"op": 2, "d": {"token": fake_discord.token, "intents": 1 << 9, "properties": {}}})
        assert (await ws.receive_json())["t"] == "READY"
        assert (await ws.receive_json())["t"] == "GUILD_CREATE"
        await fake_discord.post_message(fake_discord.support_channel_id, "secret")
        frame = await ws.receive_json()
    assert frame["t"] == "MESSAGE_CREATE" and frame["d"]["content"] == ""


async def test_sharded_client_gets_gateway_bot_and_shard_in_ready(fake_discord: FakeDiscord, connect: Any) -> None:
    fake_discord.set_shard_count(2)
    client = await connect(sharded=True)
    assert ("GET", "/gateway/bot") in fake_discord.requests
    assert sorted(client.shards) == [0, 1]
    assert {s.shard for s in fake_discord.gateway.sessions.values()} == {(0, 2), (1, 2)}
    assert client.get_guild(fake_discord.guild_id) is not None


def test_effective_mentions_follow_allowed_mentions() -> None:
    text = "@everyone <@&1> <@2>"
    assert effective_mentions(text, None) == {"everyone", "role:1", "user:2"}
    assert effective_mentions(text, {"parse": []}) == set()
    assert effective_mentions(text, {"parse": [], "roles": ["1"]}) == {"role:1"}
    assert effective_mentions(text, {"parse": ["users"]}) == {"user:2"}
