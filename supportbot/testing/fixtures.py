"""pytest fixtures for testing plugins with the real core, a temporary database and no network.

    async def test_greeter(make_bot):
        bot, chat = await make_bot(Greeter)
        replies = await chat.say("hello")
        assert replies[0].text.startswith("Hello")
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from ..app import PROJECT_ROOT
from ..config import Config, load_config, merge_overrides
from ..engine import SupportBot
from ..history import History
from ..plugin import Plugin
from .transport import TestTransport

__all__ = ["bot_config", "make_bot", "shared_data"]

MakeBot = Callable[..., Awaitable[tuple[SupportBot, TestTransport]]]


@pytest.fixture
def shared_data() -> Path:
    """The evaluation datasets beside the clone (``../shared/data``); skips when absent."""
    path = PROJECT_ROOT.parent / "shared" / "data"
    if not path.is_dir():
        pytest.skip(f"needs the shared evaluation data at {path} (present in CI, absent in a user's clone)")
    return path


@pytest.fixture
def bot_config(tmp_path: Path) -> Config:
    """Defaults with a temporary database and no plugins enabled."""
    return load_config(None, overrides={
        "database": {"path": str(tmp_path / "bot.db")},
        "plugins": {"enabled": [], "directories": [str(PROJECT_ROOT / "plugins")]},
        "model": {"backend": "none"},
    })


@pytest_asyncio.fixture
async def make_bot(bot_config: Config) -> AsyncIterator[MakeBot]:
    """Factory: ``await make_bot(PluginClass, "plugin_module_name", runner=..., settings={...})``.

    Plugin classes are added directly; names load from ``plugins/`` like the real bot does.
    ``settings`` is merged into the config (``{"plugins": {"settings": {...}}}``, say).
    """
    bots: list[SupportBot] = []

    async def factory(*plugins: type[Plugin] | str, runner: Any = None, knowledge: Any = None,
                      understander: Any = None, settings: dict[str, Any] | None = None,
                      clock: Any = None) -> tuple[SupportBot, TestTransport]:
        # Named plugins load from plugins/ in pipeline order; classes are added after them.
        overrides: dict[str, Any] = {"plugins": {"enabled": [p for p in plugins if isinstance(p, str)]}}
        config = load_config(None, overrides=merge_overrides(merge_overrides(_as_dict(bot_config), overrides), settings or {}))
        history = History.open(config.resolve(config.database.path), **({"clock": clock} if clock else {}))
        transport = TestTransport()
        bot = SupportBot(config, history=history, runner=runner, knowledge=knowledge,
                         understander=understander, transport=transport)
        await bot.start()
        for plugin in plugins:
            if not isinstance(plugin, str):
                await bot.add_plugin(plugin)
        await transport.start(bot)
        bots.append(bot)
        return bot, transport

    yield factory
    for bot in bots:
        await bot.close()
        bot.history.close()


def _as_dict(config: Config) -> dict[str, Any]:
    return config.model_dump(mode="json", exclude={"source", "yaml_root"})
