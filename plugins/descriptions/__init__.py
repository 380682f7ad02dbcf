"""Descriptions: product descriptions for staff from the catalog's attributes, checked for faithfulness."""

from .plugin import Descriptions


async def setup(bot) -> None:
    await bot.add_plugin(Descriptions)
