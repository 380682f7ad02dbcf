"""Descriptions: product descriptions for staff from the catalog's attributes, checked for faithfulness."""

from typing import Any

from .plugin import Descriptions


async def setup(bot: Any) -> None:
    await bot.add_plugin(Descriptions)
