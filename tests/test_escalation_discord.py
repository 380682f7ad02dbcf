"""Escalation through the real discord.py client and the loopback fake Discord."""

from __future__ import annotations

import asyncio

import pytest_asyncio

from supportbot.app import PROJECT_ROOT
from supportbot.config import load_config
from supportbot.engine import SupportBot
from supportbot.history import History
from supportbot.transports.discord import DiscordSettings
from supportbot.transports.discord.transport import DiscordTransport

pytest_plugins = ["supportbot.testing.fake_discord.fixtures"]


@pytest_asyncio.fixture
async def running(fake_discord, tmp_path):
    config = load_config(None, overrides={
        "database": {"path": str(tmp_path / "bot.db")},
        "plugins": {"enabled": ["escalation"], "directories": [str(PROJECT_ROOT / "plugins")]},
        "model": {"backend": "none"},
    })
    settings = DiscordSettings(support_channels=[fake_discord.support_channel_id],
                               staff_channel=fake_discord.staff_channel_id, staff_role=fake_discord.staff_role_id,
                               command_guild_id=fake_discord.guild_id, api_base=fake_discord.api_base,
                               gateway_url=fake_discord.gateway_url)
    transport = DiscordTransport(settings, fake_discord.token, guild_ready_timeout=0.05, reidentify_delay=0.05)
    bot = SupportBot(config, history=History.open(tmp_path / "bot.db"), transport=transport)
    await bot.start()
    await transport.start(bot)
    task = asyncio.create_task(transport.run())
    async with asyncio.timeout(5):
        await transport.wait_until_ready()
    yield bot
    await transport.stop()
    await asyncio.gather(task, return_exceptions=True)
    await bot.close()
    bot.history.close()


async def test_handoff_thread_relay_and_resolve_over_discord(fake_discord, running):
    staff_role = str(fake_discord.staff_role_id)
    await fake_discord.post_message(fake_discord.support_channel_id, "@everyone I want to talk to a real person")
    thread = await fake_discord.wait_for_thread()
    thread_id = int(thread["id"])
    assert int(thread["parent_id"]) == fake_discord.staff_channel_id
    brief = await fake_discord.wait_for_message(thread_id)
    # Only the staff role is pinged, and the customer's @everyone pings nobody.
    assert brief.pinged == {f"role:{staff_role}"}
    notice = await fake_discord.wait_for_message(fake_discord.support_channel_id)
    assert "a person will reply here" in notice.content
    assert notice.pinged == set()

    # The customer writes again: relayed into the thread, the bot says nothing in the channel.
    await fake_discord.post_message(fake_discord.support_channel_id, "my order is 12345")
    relayed = await fake_discord.wait_for_message(thread_id, lambda p: "12345" in p.content)
    assert relayed.content.endswith("my order is 12345") and relayed.pinged == set()
    # Staff answer in the thread: relayed to the customer.
    await fake_discord.post_message(thread_id, "Found it, shipping today.", author=fake_discord.staff)
    answer = await fake_discord.wait_for_message(fake_discord.support_channel_id, lambda p: "shipping today" in p.content)
    assert "(staff)" in answer.content
    # Staff resolve from the thread; the customer is asked for a rating.
    interaction = await fake_discord.invoke_command("resolve", {"note": "shipped"}, member=fake_discord.staff,
                                                    channel_id=thread_id)
    reply = await fake_discord.wait_for_reply(interaction)
    assert "resolved" in str(reply.__dict__)
    await fake_discord.wait_for_message(fake_discord.support_channel_id, lambda p: "How did we do?" in p.content)
    handoff = running.history.handoff(1)
    assert handoff.state == "resolved" and handoff.first_staff_reply_at is not None
    assert [m.channel_id for m in fake_discord.posted].count(fake_discord.support_channel_id) == 3


async def test_customer_cannot_run_staff_commands_over_discord(fake_discord, running):
    interaction = await fake_discord.invoke_command("handoffs", member=fake_discord.customer)
    reply = await fake_discord.wait_for_reply(interaction)
    assert "staff only" in str(reply.__dict__)
    assert running.history.db.execute("SELECT allowed FROM command_log").fetchone()[0] == 0
