"""Insights: review sentiment and themes, the support report, knowledge gaps and FAQ suggestions."""

from .plugin import Insights, InsightsSettings


async def setup(bot) -> None:
    await bot.add_plugin(Insights)


__all__ = ["Insights", "InsightsSettings", "setup"]
