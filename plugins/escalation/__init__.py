"""Escalation: hand a conversation to staff with everything gathered, and relay until resolved."""

from .plugin import Escalation


async def setup(bot) -> None:
    await bot.add_plugin(Escalation)
