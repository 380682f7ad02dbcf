"""Nothing lost: a history that cannot be written keeps messages in a bounded retry queue and tells
the customer once; a reply that meets a run of 429s is sent again, not handed off in silence."""

import asyncio
import logging
import sqlite3

from prometheus_client import REGISTRY

from supportbot import engine
from supportbot.plugin import MessageContext, Plugin, on_message
from supportbot.testing.fake_discord import FakeDiscord

pytest_plugins = ["supportbot.testing.fake_discord.fixtures"]


class Echo(Plugin):
    name = "echo"

    @on_message()
    async def echo(self, ctx: MessageContext):
        return ctx.answer(f"echo: {ctx.text}")


def metric(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def answered(bot):
    return [row[0] for row in bot.history.db.execute(
        "SELECT m.text FROM outcomes o JOIN messages m ON m.id = o.message_id WHERE o.kind = 'answered' ORDER BY m.id")]


async def test_a_read_only_history_keeps_messages_tells_the_customer_once_and_catches_up(make_bot, caplog):
    bot, chat = await make_bot(Echo, settings={"database": {"retry_every_s": 3600}})
    before = metric("supportbot_history_write_failures_total", error="read_only")
    bot.history.db.execute("PRAGMA query_only = ON")  # every write now fails as on a read-only disk
    with caplog.at_level(logging.ERROR):
        first = await chat.say("where is my order")
        second = await chat.say("hello?")
    assert [s.text for s in first] == [bot.config.bot.unavailable_reply] and second == []  # told once
    assert any(r.levelno == logging.ERROR and "kept for retry" in r.getMessage() for r in caplog.records)
    assert metric("supportbot_history_write_failures_total", error="read_only") == before + 2
    assert metric("supportbot_history_retry_queue") == 2
    assert await bot.retry_unwritten() == 2  # still read-only: nothing lost, nothing sent
    bot.history.db.execute("PRAGMA query_only = OFF")
    assert await bot.retry_unwritten() == 0
    assert chat.texts()[-2:] == ["echo: where is my order", "echo: hello?"]
    assert answered(bot) == ["where is my order", "hello?"]
    assert metric("supportbot_history_retry_queue") == 0


async def test_a_full_disk_is_retried_in_the_background(make_bot):
    bot, chat = await make_bot(Echo, settings={"database": {"retry_every_s": 0.05}})
    db = bot.history.db
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: "database or disk is full"
    sent = []
    for i in range(8):  # the first messages may fit in free pages; the rest do not
        sent += await chat.say(f"message {i} " + "x" * 3000)
    assert bot.config.bot.unavailable_reply in [s.text for s in sent]
    db.execute("PRAGMA max_page_count = 1073741823")  # space again
    for _ in range(100):
        if len(answered(bot)) == 8:
            break
        await asyncio.sleep(0.05)
    assert [a.split()[1] for a in answered(bot)] == [str(i) for i in range(8)]  # all of them, in order


async def test_a_locked_database_is_retried_too(make_bot, tmp_path):
    bot, chat = await make_bot(Echo, settings={"database": {"busy_timeout_ms": 50, "retry_every_s": 3600}})
    holder = sqlite3.connect(bot.config.resolve(bot.config.database.path), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        sent = await chat.say("hi")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [s.text for s in sent] == [bot.config.bot.unavailable_reply]
    assert await bot.retry_unwritten() == 0 and answered(bot) == ["hi"]


async def test_the_retry_queue_is_bounded_and_says_what_it_loses(make_bot, caplog):
    bot, chat = await make_bot(Echo, settings={"database": {"retry_queue": 2, "retry_every_s": 3600}})
    bot.history.db.execute("PRAGMA query_only = ON")
    dropped = metric("supportbot_history_write_dropped_total")
    with caplog.at_level(logging.ERROR):
        for i in range(3):
            await chat.say(f"m{i}", customer=f"c{i}")
    assert any("retry queue is full (2)" in r.getMessage() for r in caplog.records)
    assert metric("supportbot_history_write_dropped_total") == dropped + 1
    bot.history.db.execute("PRAGMA query_only = OFF")
    await bot.retry_unwritten()
    assert answered(bot) == ["m0", "m1"]


async def test_a_reply_that_meets_a_run_of_429s_is_sent_not_handed_off(fake_discord: FakeDiscord, discord_bot,
                                                                         monkeypatch):
    monkeypatch.setattr(engine, "SEND_RETRY_DELAYS_S", (0.05, 0.05, 0.05))
    running = await discord_bot(Echo)
    # discord.py itself tries a 429 five times, then gives up: the core sends again.
    fake_discord.faults.rate_limit("/channels/*/messages", method="POST", retry_after=0.01, times=5)
    await fake_discord.post_message(fake_discord.support_channel_id, "are you there")
    reply = await fake_discord.wait_for_message(fake_discord.support_channel_id, timeout=10)
    assert reply.content == "echo: are you there"
    assert [f[2] for f in fake_discord.faults.fired] == [429] * 5
    for _ in range(50):
        if answered(running.bot):
            break
        await asyncio.sleep(0.05)
    assert answered(running.bot) == ["are you there"]
    assert running.bot.history.db["handoffs"].count == 0
