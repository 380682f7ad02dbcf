"""Insights: review sentiment and themes, the support report, knowledge gaps and FAQ suggestions."""

from supportbot.engine import SupportBot

from .plugin import Insights, InsightsSettings


async def setup(bot: SupportBot) -> None:
    await bot.add_plugin(Insights)


__all__ = ["Insights", "InsightsSettings", "setup"]
