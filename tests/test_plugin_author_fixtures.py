"""A plugin author's test, outside the repository, gets the shipped fixtures from the installed project."""

import importlib.metadata
import os
import subprocess
import sys
import textwrap

PLUGIN_TEST = textwrap.dedent('''
    import pytest

    from supportbot.plugin import Plugin, on_message


    class Greeter(Plugin):
        name = "greeter"

        @on_message()
        async def greet(self, ctx):
            return ctx.answer(f"Hello {ctx.event.author.name}!")


    @pytest.mark.asyncio
    async def test_greets(make_bot):
        bot, chat = await make_bot(Greeter)
        replies = await chat.say("hi", customer="alice")
        assert replies[0].text == "Hello alice!"
''')


def test_the_installed_entry_point_gives_a_plugin_test_the_fixtures(tmp_path):
    entry_points = [ep for ep in importlib.metadata.entry_points(group="pytest11") if ep.value == "supportbot.testing.fixtures"]
    assert entry_points, "the project is not installed in this environment: `make install` installs it (editable)"
    (tmp_path / "test_greeter.py").write_text(PLUGIN_TEST)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_ADDOPTS")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_greeter.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert not list(tmp_path.glob("conftest.py"))  # nothing but the installed project provided make_bot
