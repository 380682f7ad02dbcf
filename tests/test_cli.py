"""bot.py's command line: options where a person puts them, and a console that can start clean."""

import argparse
import importlib.util
import io
import itertools
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bot_cli", ROOT / "bot.py")
bot_cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bot_cli)

COMMANDS = {
    "run": [], "console": [], "demo": [], "check-config": [],
    "import": ["faq", "faq.csv"], "train-intents": ["labels.csv"],
    "describe": ["--missing"], "export": ["descriptions", "out.csv"],
    "train-sentiment": ["reviews.csv"], "report": ["--days", "7"],
}


def test_every_command_is_checked_below():
    subcommands = next(a for a in bot_cli._parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subcommands.choices) == set(COMMANDS)  # a new command gets its line in COMMANDS


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_config_and_log_level_work_before_and_after_every_command(command):
    """``bot.py --config X import ...`` once dropped X for ./config.yaml (the subcommand's default won)."""
    parse = bot_cli._parser().parse_args
    rest = COMMANDS[command]
    for argv in (["--config", "shop.yaml", "--log-level", "DEBUG", command, *rest],
                 [command, *rest, "--config", "shop.yaml", "--log-level", "DEBUG"]):
        args = parse(argv)
        assert (args.config, args.log_level) == ("shop.yaml", "DEBUG"), argv
    args = parse([command, *rest])
    assert (args.config, args.log_level) == ("config.yaml", None)


def test_import_with_config_before_the_command_writes_to_that_config_s_database(tmp_path):
    config = tmp_path / "shop.yaml"
    config.write_text("database:\n  path: shop.db\nmodel:\n  backend: none\n")
    faq = tmp_path / "faq.csv"
    faq.write_text("question,answer\nDo you ship to Mars?,Only on Tuesdays.\n")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "--config", str(config), "import", "faq", str(faq), "--no-progress"],
        capture_output=True, text=True, timeout=240, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0 and "1 added" in done.stdout, done.stderr
    assert (tmp_path / "shop.db").exists() and not (tmp_path / "supportbot.db").exists()


def test_reviews_and_the_report_without_an_embedder_say_so_instead_of_failing(tmp_path):
    """``embeddings.backend: none``: reviews import without sentiment, and the report is still written."""
    (tmp_path / "shop.yaml").write_text("database:\n  path: shop.db\nmodel:\n  backend: none\n"
                                        "embeddings:\n  backend: none\n")
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "HOME": str(tmp_path)}

    def bot(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(ROOT / "bot.py"), "--config", str(tmp_path / "shop.yaml"), *argv],
                              capture_output=True, text=True, timeout=240, cwd=tmp_path, env=env)

    imported = bot("import", "reviews", str(ROOT / "examples" / "reviews.csv"), "--no-progress", "--map",
                   "id=Review ID,sku=Product SKU,rating=Stars,text=Review,date=Created")
    assert imported.returncode == 0, imported.stderr
    assert "30 added" in imported.stdout and "no sentiment yet: no embedder is loaded" in imported.stdout
    report = bot("report", "--days", "3650", "--out", "report")
    assert report.returncode == 0, report.stderr
    written = {Path(line).name for line in report.stdout.split()}
    assert {"reviews.png", "totals.csv", "review_sentiment.csv", "index.html"} <= written
    assert (tmp_path / "report" / "review_sentiment.csv").read_text().count(",0,0,") >= 1  # all 'not scored'


@pytest.mark.slow
def test_train_sentiment_on_the_command_line_is_the_model_reviews_then_get(tmp_path):
    """``bot.py train-sentiment FILE --text-col --rating-col`` saves where imports and /reviews look."""
    import csv

    (tmp_path / "shop.yaml").write_text("database:\n  path: shop.db\nmodel:\n  backend: none\n")
    praise = ["Love it", "Works great", "Excellent quality", "Lovely fabric, perfect fit", "Fast and reliable",
              "Great value", "Superb sound", "Highly recommend", "My favourite purchase", "Brilliant, thank you"]
    complaints = ["Broke after a week", "Battery died in an hour", "Far too small, sent it back", "Arrived damaged",
                  "Stopped working after two days", "Cheap and flimsy", "Total waste of money", "Seams split at once",
                  "The zip broke on day one", "Leaks in the rain"]
    with (tmp_path / "rated.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([("Body", "Stars"), *[(t, 5) for t in praise], *[(t, 1) for t in complaints]])
    (tmp_path / "new.csv").write_text("sku,text\nA,The strap snapped after a week and it is useless\n"
                                      "A,\"Love it, excellent quality and great value\"\n")
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "HOME": str(tmp_path)}

    def bot(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(ROOT / "bot.py"), "--config", str(tmp_path / "shop.yaml"), *argv],
                              capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)

    trained = bot("train-sentiment", str(tmp_path / "rated.csv"), "--text-col", "Body", "--rating-col", "Stars")
    assert trained.returncode == 0, trained.stderr
    assert "20 rated reviews (10 negative)" in trained.stdout
    assert (tmp_path / ".supportbot-cache" / "review-sentiment" / "head.npz").is_file()
    imported = bot("import", "reviews", str(tmp_path / "new.csv"), "--no-progress")
    assert imported.returncode == 0 and "no sentiment yet" not in imported.stdout, imported.stdout + imported.stderr
    from supportbot.history import connect

    db = connect(tmp_path / "shop.db")
    assert [r["sentiment"] for r in db.query("SELECT sentiment FROM insights_reviews ORDER BY id")] == [
        "negative", "positive"]


async def test_console_fresh_starts_new_conversations(make_bot, monkeypatch):
    """Without --fresh a console run continues the last run's conversation; with it, never."""
    from supportbot.plugin import Plugin, on_message
    from supportbot.transports.console import ConsoleTransport
    from supportbot.transports.recording import RecordingTransport

    class Conversation(Plugin):
        name = "conversation"

        @on_message()
        async def which(self, ctx):
            return ctx.answer(f"conversation {ctx.conversation_id}, {len(await ctx.recent_turns())} turns before")

    bot, _ = await make_bot(Conversation)
    started = itertools.count(1_700_000_000, 60)

    async def run(**options):
        monkeypatch.setattr(time, "time", lambda now=next(started): now)
        monkeypatch.setattr(RecordingTransport, "_ids", itertools.count(1000))  # a new process
        out = io.StringIO()
        console = ConsoleTransport(io.StringIO("hello\n"), out, echo=True, **options)
        bot.transport = console
        await console.start(bot)
        await console.run()
        return out.getvalue().splitlines()[-1]

    assert await run() == "bot> conversation 1, 0 turns before"
    assert await run() == "bot> conversation 1, 2 turns before"  # continued
    assert await run(fresh=True) == "bot> conversation 2, 0 turns before"
    assert await run(fresh=True) == "bot> conversation 3, 0 turns before"
    assert bot_cli._parser().parse_args(["console", "--fresh"]).fresh
