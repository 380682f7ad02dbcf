"""Auto-reply: answers grounded in the merchant's FAQ, policies and catalog, or an honest handoff."""

from supportbot.engine import SupportBot

from .plugin import AutoReply


async def setup(bot: SupportBot) -> None:
    await bot.add_plugin(AutoReply)
