"""Pytest fixtures for the fake Discord: ``pytest_plugins = ["supportbot.testing.fake_discord.fixtures"]``.

``fake_discord`` is the loopback server alone; ``discord_bot`` starts the real core with the real
discord.py transport against it::

    async def test_button(fake_discord, discord_bot):
        running = await discord_bot(MyPlugin)
        await fake_discord.post_message(fake_discord.support_channel_id, "hello")
        ...
        await running.restart()          # same database, a new process as far as the bot knows
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest_asyncio

from .server import FakeDiscord

if TYPE_CHECKING:
    from ...config import Config
    from ...engine import SupportBot
    from ...plugin import Plugin
    from ...transports.discord.transport import DiscordTransport

__all__ = ["fake_discord", "discord_bot", "RunningBot"]


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started :class:`FakeDiscord` on an ephemeral port, stopped after the test."""
    async with FakeDiscord() as fake:
        yield fake


@dataclass
class RunningBot:
    """A core with its Discord transport connected to the fake; :meth:`restart` keeps the database."""

    bot: SupportBot
    transport: DiscordTransport
    task: asyncio.Task[None]
    start_again: Callable[[], Awaitable[RunningBot]] = field(repr=False)
    stopped: bool = False

    async def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        await self.transport.stop()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.bot.close()
        self.bot.history.close()

    async def restart(self) -> RunningBot:
        await self.stop()
        return await self.start_again()


StartDiscordBot = Callable[..., Awaitable[RunningBot]]


@pytest_asyncio.fixture
async def discord_bot(fake_discord: FakeDiscord, bot_config: Config) -> AsyncIterator[StartDiscordBot]:
    """Factory: ``await discord_bot(*plugins, settings=None, understander=None, clock=None,
    **discord_settings)``. Plugins are names of shipped plugins (loaded first, in order) or classes
    (added after them); the staff channel, staff role and support channel are the fake's. Every bot
    a test starts shares one database, so a second call (or :meth:`RunningBot.restart`) is a restart."""
    from ...config import load_config, merge_overrides
    from ...engine import SupportBot
    from ...history import History
    from ...transports.discord import DiscordSettings
    from ...transports.discord.transport import DiscordTransport

    started: list[RunningBot] = []

    async def start(*plugins: type[Plugin] | str, settings: dict[str, Any] | None = None,
                    understander: Any = None, clock: Any = None, **discord: Any) -> RunningBot:
        names = [p for p in plugins if isinstance(p, str)]
        base = bot_config.model_dump(mode="json", exclude={"source", "yaml_root"})
        config = load_config(None, overrides=merge_overrides(merge_overrides(base, {"plugins": {"enabled": names}}),
                                                             settings or {}))
        transport_settings = DiscordSettings(**{
            "support_channels": [fake_discord.support_channel_id],
            "staff_channel": fake_discord.staff_channel_id,
            "staff_role": fake_discord.staff_role_id,
            "command_guild_id": fake_discord.guild_id,
            "api_base": fake_discord.api_base,
            "gateway_url": fake_discord.gateway_url,
            **discord,
        })
        transport = DiscordTransport(transport_settings, fake_discord.token, guild_ready_timeout=0.05,
                                     reidentify_delay=0.05)
        history = History.open(config.resolve(config.database.path), **({"clock": clock} if clock else {}))
        bot = SupportBot(config, history=history, transport=transport, understander=understander)
        await bot.start()
        for plugin in plugins:
            if not isinstance(plugin, str):
                await bot.add_plugin(plugin)
        await transport.start(bot)
        running = RunningBot(bot, transport, asyncio.create_task(transport.run()),
                             lambda: start(*plugins, settings=settings, understander=understander, clock=clock,
                                           **discord))
        started.append(running)
        async with asyncio.timeout(5):
            await transport.wait_until_ready()
        return running

    yield start
    for running in reversed(started):
        await running.stop()
