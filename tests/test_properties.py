"""Bad input as properties (hypothesis): hostile message text, command options, import rows and
config values never crash the bot, every message gets an outcome, and every error names the row
or key where the user must act."""

import asyncio
import csv
import io
import string
import tempfile
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from supportbot.config import ConfigError, load_config
from supportbot.engine import SupportBot
from supportbot.events import Author, CommandInvoked, MessageReceived
from supportbot.history import History, connect
from supportbot.knowledge import KnowledgeBase, MappingError
from supportbot.knowledge.importers import import_file
from supportbot.plugin import Option, Plugin, command
from supportbot.testing.fake_runner import FakeRunner
from supportbot.testing.injection import obedient_model
from supportbot.testing.transport import TestTransport

EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# What hostile text is made of: markup, mentions, query and shell syntax, and the characters
# that hide or reorder text.
FRAGMENTS = [
    "@everyone", "@here", "<@123456789012345678>", "<@&987654321098765432>", "<#111>", "```", "```py\n", "**", "||",
    "'; DROP TABLE messages; --", '" OR 1=1 --', "NEAR(", "*", '"', "AND", "OR NOT", "^", "$(rm -rf /)", "`id`",
    "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\x00", "\x1b[31m", "\r\n", "\ufffd", "🙂", "ẞ", "اختبار",
    "4111 1111 1111 1111", "cvv 123", "{{shop}}", "{passages}", "%s%n", "\\", "HANDOFF",
]
hostile_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=12).map("".join)


class Commands(Plugin):
    name = "commands"

    @command("order", "Look up an order")
    async def order(self, ctx, number: int, note: str = "", rush: bool = False,
                    weight: float = Option("kg", default=1.0), speed: str = Option("speed", choices=("slow", "fast"),
                                                                                      default="slow")):
        return f"order {number} {note!r} {rush} {weight} {speed}"


class _Loop:
    """One bot on one loop for all examples of a test: hypothesis runs examples synchronously."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.folder = tempfile.TemporaryDirectory()
        config = load_config(None, overrides={
            "database": {"path": str(Path(self.folder.name) / "bot.db")},
            "plugins": {"enabled": ["escalation", "product_lookup", "auto_reply"]},
            "rate_limit": {"messages": 1_000_000},
        })
        runner = FakeRunner(obedient_model)
        history = History.open(config.resolve(config.database.path))
        knowledge = KnowledgeBase(history.db, runner, config.knowledge)
        root = Path(__file__).resolve().parent.parent
        import_file(knowledge, "faq", root / "examples" / "faq.csv")
        import_file(knowledge, "products", root / "examples" / "products.csv")
        self.transport = TestTransport()
        self.bot = SupportBot(config, history=history, runner=runner, knowledge=knowledge, transport=self.transport)
        self.run(self.bot.start())
        self.run(self.bot.add_plugin(Commands))
        self.run(self.transport.start(self.bot))

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        self.run(self.bot.close())
        self.bot.history.close()
        self.loop.close()
        self.folder.cleanup()


@pytest.fixture(scope="module")
def live():
    bot = _Loop()
    yield bot
    bot.close()


@EXAMPLES
@given(text=hostile_text, customer=st.sampled_from(["alice", "bob", "carol"]))
def test_any_message_gets_exactly_one_outcome_and_clean_replies(live, text, customer):
    event = MessageReceived(platform="test", message_id=live.transport.next_id(), channel_id="support",
                            author=Author(id=customer, name=customer), text=text)
    before = len(live.transport.sent)
    outcome = live.run(live.bot.handle_message(event))
    assert outcome is not None
    row = live.bot.history.db.execute(
        "SELECT o.kind, length(m.text) FROM messages m JOIN outcomes o ON o.message_id = m.id "
        "WHERE m.platform_message_id = ?", [f"test:{event.message_id}"]).fetchone()
    assert row is not None and row[0] == str(outcome.kind)
    assert row[1] <= live.bot.config.bot.max_message_chars + 4
    for sent in live.transport.sent[before:]:
        assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in sent.text)
        assert "\ufffd" not in sent.text and "4111 1111 1111 1111" not in sent.text
        assert not sent.action.mention_staff  # only a staff thread may ping the staff role


option_value = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), hostile_text)


@EXAMPLES
@given(options=st.dictionaries(st.sampled_from(["number", "note", "rush", "weight", "speed", "other"]), option_value))
@example(options={"number": float("inf")})  # int(inf) is an OverflowError, not a ValueError
def test_any_command_options_get_an_answer_never_a_crash(live, options):
    result = live.run(live.bot.handle_command(CommandInvoked(
        platform="test", interaction_id=live.transport.next_id(), channel_id="support",
        author=Author(id="alice", name="alice"), command="order", options=options)))
    assert result.text
    if result.text.startswith("order "):
        return
    # Refused: the answer names the option the user must fix.
    assert any(name in result.text for name in ("number", "note", "rush", "weight", "speed", "other")), result.text


cell = st.one_of(hostile_text, st.sampled_from(["inf", "-1", "1e400", "99999999999999999999999", "3.5", "", "12"]))


@EXAMPLES
@given(rows=st.lists(st.tuples(cell, cell, cell, cell), min_size=1, max_size=8), bad_byte=st.booleans())
def test_any_catalog_rows_import_or_are_reported_by_row(rows, bad_byte):
    with tempfile.TemporaryDirectory() as folder:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["sku", "name", "price", "stock"])
        writer.writerows(rows)
        data = out.getvalue().encode("utf-8", "surrogatepass")
        if bad_byte:
            data = data.replace(b"\n", b"\xff\n", 2)  # a byte that is not UTF-8 on two rows
        path = Path(folder) / "p.csv"
        path.write_bytes(data)
        kb = KnowledgeBase(connect(Path(folder) / "kb.db"), None)
        try:
            report = import_file(kb, "products", path)
            stored = kb.db.execute("SELECT count(*) FROM kb_products").fetchone()[0]
        except MappingError as exc:  # the file as a whole: the message says which file or column
            assert "p.csv" in str(exc) or "column" in str(exc)
            return
        finally:
            kb.db.conn.close()
        skipped = [p for p in report.problems if p.skipped]
        assert stored == report.added  # every row is stored, or reported by number: none vanish
        assert report.rows == report.added + report.updated + report.unchanged + len(skipped)
        assert all(p.row >= 1 for p in report.problems)
        assert all(p.reason.encode("utf-8") for p in report.problems)  # printable, whatever the file held


KEYS = [("bot", "name"), ("bot", "memory_turns"), ("bot", "max_message_chars"), ("rate_limit", "messages"),
        ("rate_limit", "per_seconds"), ("database", "busy_timeout_ms"), ("metrics", "port"),
        ("understanding", "confidence_threshold"), ("knowledge", "passage_chars"), ("model", "temperature")]
yaml_value = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
                       st.lists(st.integers(), max_size=3), st.dictionaries(st.text(string.ascii_lowercase, max_size=5),
                                                                          st.integers(), max_size=2))


@EXAMPLES
@given(key=st.sampled_from(KEYS), value=yaml_value)
def test_any_config_value_loads_or_names_its_key_and_line(key, value):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.yaml"
        path.write_text(yaml.safe_dump({"bot": {"log_level": "INFO"}, key[0]: {key[1]: value}}), encoding="utf-8")
        try:
            load_config(path)
        except ConfigError as exc:
            dotted = ".".join(key)
            assert any(problem.startswith(f"{path}:") and dotted in problem for problem in exc.problems), exc.problems
