"""The slow-model fault of ``bench.load``: while a flag file exists, every generation stalls.

Loaded into the bot by the bench's config only (``plugins.directories``); it wraps the runner's
generator so each stream first sleeps ``delay_s`` before its first piece: longer than the model's
deadline, so the runner raises ``ModelTimeout`` and the message must end in a handoff, not in
silence. Removing the flag file ends the fault without a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from pathlib import Path
from typing import Any

from pydantic import Field

from supportbot.plugin import Plugin, PluginSettings


class SlowModelSettings(PluginSettings):
    flag_file: str = Field(..., description="While this file exists, generation stalls.")
    delay_s: float = Field(60.0, gt=0, description="How long a stalled generation waits before its first piece.")


class SlowModel(Plugin):
    name = "slow_model"
    Settings = SlowModelSettings
    settings: SlowModelSettings

    async def plugin_load(self) -> None:
        generator = self.bot.runner.generator if self.bot.runner is not None else None
        if generator is None:
            return
        original: Callable[..., AsyncIterator[str]] = generator.stream
        flag, delay = Path(self.settings.flag_file), self.settings.delay_s

        async def stream(*args: Any, **kwargs: Any) -> AsyncGenerator[str, None]:
            if flag.exists():
                await asyncio.sleep(delay)
            async for piece in original(*args, **kwargs):
                yield piece

        generator.stream = stream  # type: ignore[method-assign]


async def setup(bot: Any) -> None:
    await bot.add_plugin(SlowModel)
