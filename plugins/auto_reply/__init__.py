"""Auto-reply: answers grounded in the merchant's FAQ, policies and catalog, or an honest handoff."""

from .plugin import AutoReply


async def setup(bot) -> None:
    await bot.add_plugin(AutoReply)
