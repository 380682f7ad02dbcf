"""Loading plugins from folders and entry points: broken ones are skipped, missing ones are config errors."""

import importlib.metadata
import logging
import sys
import textwrap

import pytest

from supportbot.config import ConfigError


GOOD = textwrap.dedent('''
    from supportbot.plugin import Plugin, on_message

    class Hello(Plugin):
        name = "hello"

        @on_message()
        async def hello(self, ctx):
            return ctx.answer("hello from a folder plugin") if "hello" in ctx.text else None

    async def setup(bot):
        await bot.add_plugin(Hello)
''')


@pytest.fixture
def plugin_dir(tmp_path):
    folder = tmp_path / "my_plugins"
    folder.mkdir()
    (folder / "hello.py").write_text(GOOD)
    (folder / "broken.py").write_text("raise ImportError('missing dependency')\n")
    (folder / "nosetup.py").write_text("X = 1\n")
    return folder


async def test_folder_plugin_loads_and_broken_ones_are_skipped(make_bot, plugin_dir, caplog):
    with caplog.at_level(logging.ERROR):
        bot, chat = await make_bot("broken", "nosetup", "hello",
                                   settings={"plugins": {"directories": [str(plugin_dir)]}})
    assert list(bot.plugins) == ["hello"]
    assert "broken failed to import" in caplog.text and "nosetup has no 'async def setup(bot)'" in caplog.text
    assert (await chat.say("hello there"))[0].text == "hello from a folder plugin"


async def test_missing_plugin_is_a_config_error_naming_the_entry(make_bot, plugin_dir):
    with pytest.raises(ConfigError, match=r"plugins\.enabled\.0: plugin 'nothere' is neither in"):
        await make_bot("nothere", settings={"plugins": {"directories": [str(plugin_dir)]}})


async def test_entry_point_plugin(make_bot, tmp_path, monkeypatch):
    package = tmp_path / "site" / "third_party_loyalty"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(GOOD.replace("hello from a folder plugin", "hello from a package"))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    entry = importlib.metadata.EntryPoint(name="loyalty", value="third_party_loyalty", group="supportbot.plugins")
    real = importlib.metadata.entry_points

    def entry_points(**kwargs):
        if kwargs.get("group") == "supportbot.plugins":
            return importlib.metadata.EntryPoints([entry])
        return real(**kwargs)

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    bot, chat = await make_bot("loyalty", settings={"plugins": {"directories": []}})
    assert "hello" in bot.plugins
    assert (await chat.say("hello"))[0].text == "hello from a package"
    sys.modules.pop("third_party_loyalty", None)


async def test_setup_that_raises_leaves_nothing_registered(make_bot, plugin_dir, caplog):
    (plugin_dir / "half.py").write_text(GOOD.replace("await bot.add_plugin(Hello)",
                                                     "await bot.add_plugin(Hello)\n    raise RuntimeError('late failure')"))
    with caplog.at_level(logging.ERROR):
        bot, _ = await make_bot("half", settings={"plugins": {"directories": [str(plugin_dir)]}})
    assert bot.plugins == {} and bot._handlers == []
    assert "late failure" in caplog.text
