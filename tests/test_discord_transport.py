"""The Discord transport end to end: real core, real discord.py, the loopback fake Discord."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from supportbot.actions import CommandResult, OpenThread
from supportbot.config import Config
from supportbot.engine import SupportBot, message_nonce
from supportbot.events import HandoffOpened, MessageReceived
from supportbot.history import History
from supportbot.outcomes import Outcome
from supportbot.plugin import CommandContext, MessageContext, Option, Plugin, autocomplete, command, listener, on_message
from supportbot.testing.fake_discord import FakeDiscord, Posted
from supportbot.testing.doubles import FixedDesk
from supportbot.transports.discord import DiscordSettings, DiscordStartupError, create_transport
from supportbot.transports.discord.transport import DiscordTransport

pytest_plugins = ["supportbot.testing.fake_discord.fixtures"]

CODE = "```python\n" + "print('step')\n" * 60 + "```"
LONG_REPLY = ("Here is what to do. " * 45) + "\n\n" + CODE + "\n\n" + ("And that is all for now. " * 72)


class Shopkeeper(Plugin):
    """Answers everything; "long", "human" and "slow" pick the other paths under test."""

    name = "shopkeeper"

    @on_message()
    async def reply(self, ctx: MessageContext) -> Outcome:
        if ctx.text == "long":
            return ctx.answer(LONG_REPLY)
        if ctx.text == "human":
            return ctx.handoff("asked_for_human")
        if ctx.text == "slow":
            await asyncio.sleep(0.3)
        return ctx.answer(f"You said: {ctx.text}")

    relayed: list[MessageReceived]

    async def plugin_load(self) -> None:
        self.relayed = []

    @listener(HandoffOpened)
    async def open_staff_thread(self, event: HandoffOpened) -> None:
        thread_id = await self.bot.send(OpenThread(name=f"handoff {event.handoff_id}",
                                                   text=f"Needs a human: {event.reason}", mention_staff=True))
        assert thread_id is not None
        self.desk.channels[event.handoff_id] = thread_id

    def handoff_desk(self) -> FixedDesk:
        self.desk = FixedDesk()
        return self.desk

    @listener(MessageReceived)
    async def staff_wrote(self, event: MessageReceived) -> None:
        self.relayed.append(event)  # the core publishes staff messages in handoff threads

    @command("ping", "Check the bot is alive")
    async def ping(self, ctx: CommandContext, word: str = Option("What to answer", default="pong")) -> str:
        return word

    @command("resolve", "Close a handoff", staff_only=True)
    async def resolve(self, ctx: CommandContext, note: str = Option("Why", default="")) -> CommandResult:
        return CommandResult("resolved", ephemeral=True)

    @command("report", "A slow staff report")
    async def report(self, ctx: CommandContext) -> CommandResult:
        await asyncio.sleep(0.3)
        return CommandResult("report ready", files=(("chart.png", b"\x89PNG fake"),))

    @command("product", "Look a product up")
    async def product(self, ctx: CommandContext, query: str) -> str:
        return f"found {query}"

    @autocomplete("product", "query")
    async def product_names(self, ctx: CommandContext, current: str) -> list[str]:
        return [n for n in ("Blue mug", "Red mug", "Teapot") if current.lower() in n.lower()]


@dataclass
class Running:
    bot: SupportBot
    transport: DiscordTransport
    run: asyncio.Task[None] | None = None


Start = Callable[..., Awaitable[Running]]


@pytest_asyncio.fixture
async def start(fake_discord: FakeDiscord, bot_config: Config) -> AsyncIterator[Start]:
    """Start the core with the Discord transport pointed at the fake, as config.yaml would."""
    started: list[Running] = []

    async def factory(*, token: str | None = None, ready: bool = True, **overrides: Any) -> Running:
        fake = fake_discord
        settings = DiscordSettings(**{
            "support_channels": [fake.support_channel_id],
            "staff_channel": fake.staff_channel_id,
            "staff_role": fake.staff_role_id,
            "command_guild_id": fake.guild_id,
            "api_base": fake.api_base,
            "gateway_url": fake.gateway_url,
            **overrides,
        })
        # Quick timeouts for the fake; reidentify_delay replaces discord.py's 5 s wait.
        transport = DiscordTransport(settings, token or fake.token, guild_ready_timeout=0.05, reidentify_delay=0.05)
        history = History.open(bot_config.resolve(bot_config.database.path))
        running = Running(SupportBot(bot_config, history=history, transport=transport), transport)
        started.append(running)
        await running.bot.start()
        await running.bot.add_plugin(Shopkeeper)
        await transport.start(running.bot)
        running.run = asyncio.create_task(transport.run())
        if ready:
            async with asyncio.timeout(5):
                await transport.wait_until_ready()
        return running

    yield factory
    for running in started:
        await running.transport.stop()
        if running.run is not None:
            await asyncio.gather(running.run, return_exceptions=True)
        await running.bot.close()
        running.bot.history.close()


def _reply_to(text: str) -> Callable[[Posted], bool]:
    return lambda p: p.content == f"You said: {text}"


async def test_customer_message_gets_a_reply_with_nonce_and_typing(fake_discord: FakeDiscord, start: Start) -> None:
    await start()
    sent = await fake_discord.post_message(fake_discord.support_channel_id, "slow")
    reply = await fake_discord.wait_for_message(fake_discord.support_channel_id)
    assert reply.content == "You said: slow"
    assert reply.payload["nonce"] == message_nonce("discord", sent["id"]) and reply.payload["enforce_nonce"] is True
    assert str(reply.payload["message_reference"]["message_id"]) == sent["id"]
    assert reply.payload["allowed_mentions"] == {"parse": []}  # replied_user false: absent
    assert fake_discord.support_channel_id in fake_discord.typing


async def test_other_channels_and_bots_are_ignored(fake_discord: FakeDiscord, start: Start) -> None:
    await start()
    await fake_discord.post_message(fake_discord.other_channel_id, "not here")
    await fake_discord.post_message(fake_discord.support_channel_id, "from a bot", author=fake_discord.other_bot)
    await fake_discord.post_message(fake_discord.support_channel_id, "last")
    await fake_discord.wait_for_message(fake_discord.support_channel_id, _reply_to("last"))
    await asyncio.sleep(0.1)
    # Our own reply came back through the gateway too, and was not answered either.
    assert [p.content for p in fake_discord.posted] == ["You said: last"]


async def test_direct_messages_when_enabled(fake_discord: FakeDiscord, start: Start) -> None:
    await start(dm_enabled=True)
    dm = fake_discord.open_dm(fake_discord.customer)
    await fake_discord.post_message(dm, "in private")
    assert (await fake_discord.wait_for_message(dm)).content == "You said: in private"


async def test_commands_are_synced_to_the_guild_and_answered(fake_discord: FakeDiscord, start: Start) -> None:
    await start()
    commands = {c["name"]: c for c in fake_discord.commands[fake_discord.guild_id]}
    assert set(commands) == {"ping", "product", "report", "resolve"}
    assert commands["resolve"]["default_member_permissions"] == str(1 << 13)
    assert commands["product"]["options"][0] == {
        "type": 3, "name": "query", "description": "query", "required": True, "autocomplete": True}

    ping = await fake_discord.invoke_command("ping", {"word": "hello"})
    reply = await fake_discord.wait_for_reply(ping)
    assert reply.content == "hello" and reply.ephemeral

    typed = await fake_discord.autocomplete("product", "query", {"query": "mug"})
    choices = await fake_discord.wait_for_reply(typed)
    assert [c["value"] for c in choices.choices] == ["Blue mug", "Red mug"]


async def test_staff_command_is_refused_to_a_customer(fake_discord: FakeDiscord, start: Start) -> None:
    await start()
    refused = await fake_discord.wait_for_reply(await fake_discord.invoke_command("resolve", member=fake_discord.customer))
    assert refused.ephemeral and "staff only" in refused.content
    allowed = await fake_discord.wait_for_reply(await fake_discord.invoke_command("resolve", member=fake_discord.staff))
    assert allowed.content == "resolved"


async def test_handoff_opens_a_private_thread_pinging_only_staff(fake_discord: FakeDiscord, start: Start) -> None:
    running = await start()
    await fake_discord.post_message(fake_discord.support_channel_id, "human")
    thread = await fake_discord.wait_for_thread()
    assert thread["type"] == 12 and thread["parent_id"] == str(fake_discord.staff_channel_id)
    summary = await fake_discord.wait_for_message(int(thread["id"]))
    assert summary.pinged == {f"role:{fake_discord.staff_role_id}"}
    notice = await fake_discord.wait_for_message(fake_discord.support_channel_id)
    assert notice.pinged == set()

    # In the thread, only staff reach the core (which relays them); anyone else is ignored.
    plugin = running.bot.plugins["shopkeeper"]
    assert isinstance(plugin, Shopkeeper)
    await fake_discord.post_message(int(thread["id"]), "not staff", author=fake_discord.customer)
    await fake_discord.post_message(int(thread["id"]), "on it", author=fake_discord.staff)
    async with asyncio.timeout(5):
        while not plugin.relayed:
            await asyncio.sleep(0.01)
    assert [(e.text, e.author.is_staff) for e in plugin.relayed] == [("on it", True)]


async def test_everyone_in_customer_text_pings_no_one(fake_discord: FakeDiscord, start: Start) -> None:
    await start()
    text = f"@everyone @here <@&{fake_discord.staff_role_id}> <@{fake_discord.staff['id']}> help"
    await fake_discord.post_message(fake_discord.support_channel_id, text)
    reply = await fake_discord.wait_for_message(fake_discord.support_channel_id)
    assert "@everyone" in reply.content
    assert reply.pinged == set()
    assert all("allowed_mentions" in p.payload for p in fake_discord.posted)


async def test_gap_in_the_gateway_is_resumed_and_answered_once(fake_discord: FakeDiscord, start: Start) -> None:
    # Real Discord's READY names another host to resume at; the configured gateway must win.
    fake_discord.gateway.resume_gateway_url = "ws://127.0.0.1:9/"
    await start()
    await fake_discord.post_message(fake_discord.support_channel_id, "before")
    await fake_discord.wait_for_message(fake_discord.support_channel_id, _reply_to("before"))
    await fake_discord.drop_gateway()
    await fake_discord.post_message(fake_discord.support_channel_id, "during the gap")
    await fake_discord.wait_until_connected(resumes=1)
    await fake_discord.wait_for_message(fake_discord.support_channel_id, _reply_to("during the gap"))
    await asyncio.sleep(0.2)
    assert [p.content for p in fake_discord.posted] == ["You said: before", "You said: during the gap"]
    assert (fake_discord.gateway.identifies, fake_discord.gateway.resumes) == (1, 1)


async def test_rate_limit_and_bad_gateway_still_deliver_once(fake_discord: FakeDiscord, start: Start) -> None:
    await start()
    # 502 first: discord.py waits 1 + 2 * (tries so far) seconds after a 5xx.
    fake_discord.faults.server_error("/channels/*/messages", method="POST", status=502)
    fake_discord.faults.rate_limit("/channels/*/messages", method="POST", retry_after=0.05)
    await fake_discord.post_message(fake_discord.support_channel_id, "flaky")
    await fake_discord.wait_for_message(fake_discord.support_channel_id, timeout=8)
    assert [f[2] for f in fake_discord.faults.fired] == [502, 429]
    await asyncio.sleep(0.1)
    assert [p.content for p in fake_discord.posted] == ["You said: flaky"]


async def test_long_reply_is_two_messages_and_the_code_block_is_whole(fake_discord: FakeDiscord, start: Start) -> None:
    assert 3400 <= len(LONG_REPLY) <= 3600
    await start()
    await fake_discord.post_message(fake_discord.support_channel_id, "long")
    second = await fake_discord.wait_for_message(fake_discord.support_channel_id, count=2)
    first = fake_discord.messages_in(fake_discord.support_channel_id)[0]
    assert all(len(p.content) <= 2000 for p in (first, second))
    assert sum(CODE in p.content for p in (first, second)) == 1
    assert first.payload["nonce"] != second.payload["nonce"]
    assert "message_reference" not in second.payload


async def test_refused_message_content_intent_says_how_to_enable_it(fake_discord: FakeDiscord, start: Start) -> None:
    fake_discord.refuse_privileged_intents()
    running = await start(ready=False)
    with pytest.raises(DiscordStartupError, match="MESSAGE CONTENT INTENT"):
        await asyncio.wait_for(running.run, 5)  # type: ignore[arg-type]


async def test_bad_token_is_one_line(fake_discord: FakeDiscord, start: Start) -> None:
    with pytest.raises(DiscordStartupError) as raised:
        await start(token="not-the-token")
    assert "DISCORD_TOKEN" in str(raised.value) and "\n" not in str(raised.value)


async def test_sharded_client(fake_discord: FakeDiscord, start: Start) -> None:
    fake_discord.set_shard_count(2)
    running = await start(sharded=True)
    assert running.transport.client is not None and sorted(running.transport.client.shards) == [0, 1]
    await fake_discord.post_message(fake_discord.support_channel_id, "sharded")
    await fake_discord.wait_for_message(fake_discord.support_channel_id, _reply_to("sharded"))


def test_importing_settings_does_not_import_discord() -> None:
    import subprocess
    import sys

    code = "import sys, supportbot.transports.discord as d; d.DiscordSettings(); assert 'discord' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_create_transport_builds_the_transport() -> None:
    transport = create_transport(DiscordSettings(), "token")
    assert isinstance(transport, DiscordTransport) and transport.name == "discord"


async def test_invalid_session_reidentifies_at_the_configured_gateway(fake_discord: FakeDiscord, start: Start) -> None:
    await start()  # reidentify_delay is shortened: discord.py's own wait is 5 s
    await fake_discord.invalidate_session()
    await fake_discord.wait_until_connected(identifies=2)
    await fake_discord.post_message(fake_discord.support_channel_id, "after")
    await fake_discord.wait_for_message(fake_discord.support_channel_id, _reply_to("after"))


def test_discord_internals_the_transport_relies_on() -> None:
    """Pinned to discord.py 2.7: these are class attributes and a private method, not API."""
    import discord
    from discord.gateway import DiscordWebSocket

    assert discord.__version__.startswith("2.7")
    assert discord.http.Route.BASE.startswith("https://discord.com/api/v")
    assert str(DiscordWebSocket.DEFAULT_GATEWAY).startswith("wss://")
    assert callable(discord.Client._get_websocket) and callable(discord.AutoShardedClient._get_websocket)


async def test_slow_command_is_deferred_then_followed_up(fake_discord: FakeDiscord, start: Start) -> None:
    running = await start()
    running.transport.defer_after = 0.05
    interaction = await fake_discord.invoke_command("report", member=fake_discord.staff)
    answer = await fake_discord.wait_for_reply(interaction)
    replies = fake_discord.replies_to(interaction)
    assert replies[0].type == 5 and replies[0].ephemeral  # deferred: "thinking..."
    assert answer.type is None and answer.content == "report ready"
    assert answer.files == [("chart.png", b"\x89PNG fake")]


async def test_the_token_never_reaches_the_log(fake_discord: FakeDiscord, start: Start,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # discord.py's own debug logging included
    await start()
    await fake_discord.post_message(fake_discord.support_channel_id, "secret?")
    await fake_discord.wait_for_message(fake_discord.support_channel_id, _reply_to("secret?"))
    assert caplog.records and fake_discord.token not in caplog.text
