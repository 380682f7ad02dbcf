"""Escalation: hand a conversation to staff with everything gathered, and relay until resolved."""

from supportbot.engine import SupportBot

from .plugin import Escalation


async def setup(bot: SupportBot) -> None:
    await bot.add_plugin(Escalation)
