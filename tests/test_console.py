"""The console transport: parsing, and a scripted round trip through the real bot.py."""

import io
import itertools
import subprocess
import sys
from pathlib import Path

from supportbot.transports.console import ConsoleTransport, parse_command

ROOT = Path(__file__).resolve().parent.parent


def test_parse_command_options_with_spaces():
    assert parse_command("/product query:red running shoes max:3") == ("product", {"query": "red running shoes", "max": "3"})
    assert parse_command("/handoffs") == ("handoffs", {})
    assert parse_command("/resolve note:sent a replacement, all good") == ("resolve", {"note": "sent a replacement, all good"})


async def test_console_transcript_with_a_plugin(make_bot):
    from supportbot.plugin import Plugin, command, on_message

    class Hello(Plugin):
        name = "hello"

        @on_message()
        async def hi(self, ctx):
            return ctx.answer(f"Hi {ctx.event.author.name}!")

        @command("ping", "staff ping", staff_only=True)
        async def ping(self, ctx):
            return "pong"

    bot, _ = await make_bot(Hello)
    out = io.StringIO()
    console = ConsoleTransport(io.StringIO("# a comment\nhello\n/ping\n!as bob\nhey\n"), out, echo=True)
    bot.transport = console
    await console.start(bot)
    await console.run()
    assert out.getvalue().splitlines() == [
        "customer> hello", "bot> Hi customer!", "staff> /ping", "bot (to staff)> pong",
        "staff> !as bob", "bob> hey", "bot> Hi bob!",
    ]


async def test_a_member_option_names_a_console_customer_by_name(make_bot):
    """``/history member:ann`` finds the customer typed as ``!as ann`` (stored as console:ann)."""
    from supportbot.plugin import Plugin, on_message

    class Hello(Plugin):
        name = "hello"

        @on_message()
        async def hi(self, ctx):
            return ctx.answer("Hi!")

    bot, _ = await make_bot("customer_data", Hello)
    out = io.StringIO()
    console = ConsoleTransport(io.StringIO("!as ann\nhello\n!as ben\n/history member:ann\n/history member:@ann\n"
                                           "/history member:zed\n"), out)
    bot.transport = console
    await console.start(bot)
    await console.run()
    found = [line for line in out.getvalue().splitlines() if "conversation(s)" in line]
    assert found == ["bot (to staff)> **@console:ann**: 1 conversation(s)"] * 2
    assert "Nothing is stored about @console:zed." in out.getvalue()


def test_bot_py_console_script_round_trip(tmp_path):
    """``python bot.py console --script -`` with the shipped plugins prints replies and exits 0."""
    config = tmp_path / "config.yaml"
    config.write_text(
        "database:\n  path: bot.db\n"
        "model:\n  backend: none\n"  # no generator: answers come from the knowledge base only
        f"plugins:\n  directories: [{ROOT / 'plugins'}]\n"
    )
    result = _console_script(tmp_path, config, "hello\nI want to talk to a real person\n/handoffs\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "customer> hello"
    assert any(line.startswith("bot> ") for line in lines[1:3])
    assert "[staff thread #" in result.stdout and "a person will reply here" in result.stdout
    assert any(line.startswith("bot (to staff)> #1 · asked for human") for line in lines)
    assert (tmp_path / "bot.db").exists()

    # A later session on the same database answers in the handoff thread the first one opened.
    later = _console_script(tmp_path, config, "!staff On it!\n/resolve note:done\n")
    assert later.returncode == 0, later.stderr
    assert "bot> **staff (staff):** On it!" in later.stdout
    assert "bot (to staff)> Handoff #1 resolved." in later.stdout


def _console_script(tmp_path: Path, config: Path, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        # --no-demo: this is about the merchant's own database, empty as it is.
        [sys.executable, str(ROOT / "bot.py"), "console", "--no-demo", "--script", "-", "--config", str(config)],
        input=script, capture_output=True, text=True, timeout=240, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "HOME": str(tmp_path)},
    )


async def test_a_second_console_session_is_not_taken_for_a_redelivery(make_bot, monkeypatch):
    """The history outlives a console run: ids of a new run must not collide with the last run's."""
    import time

    from supportbot.plugin import Plugin, on_message

    class Echo(Plugin):
        name = "echo"

        @on_message()
        async def echo(self, ctx):
            return ctx.answer(ctx.text)

    bot, _ = await make_bot(Echo)
    outputs = []
    from supportbot.transports.recording import RecordingTransport

    for started in (1_700_000_000, 1_700_000_060):
        monkeypatch.setattr(time, "time", lambda started=started: started)
        monkeypatch.setattr(RecordingTransport, "_ids", itertools.count(1000))  # a fresh process
        out = io.StringIO()
        console = ConsoleTransport(io.StringIO("same words\n"), out, echo=True)
        bot.transport = console
        await console.start(bot)
        await console.run()
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1] == "customer> same words\nbot> same words\n"
