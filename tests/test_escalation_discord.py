"""Escalation (issue 7) through the real discord.py client and the loopback fake Discord.

Every trigger opens one handoff with one staff thread; the bot stays quiet while a person owns the
conversation; staff commands, reopening, auto-close on a controlled clock, a restart with an open
handoff, support hours and the metrics, all over the wire. ``tests/test_escalation.py`` covers the
same ground with the in-memory test transport.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio

from supportbot.engine import SupportBot
from supportbot.models import ModelTimeout
from supportbot.plugin import MessageContext, Plugin, on_message
from supportbot.reports import conversation_report
from plugins.escalation.store import staff_figures
from supportbot.testing.doubles import ManualClock, ScriptedUnderstander, understanding
from supportbot.transports.discord.transport import DiscordTransport

if TYPE_CHECKING:  # imported by pytest as a plugin below; importing it here too would skip assert rewriting
    from supportbot.testing.fake_discord.fixtures import RunningBot

pytest_plugins = ["supportbot.testing.fake_discord.fixtures"]

NOTICE = "a person will reply here"


# --- what messages mean, and plugins that answer or fail ------------------------------------------

SCRIPT = {
    "I want to talk to a person": understanding("contact_human_agent"),
    "this is the worst shop ever": understanding("complaint", sentiment=-0.9),
    "meh, slow delivery and rude": understanding("track_order", sentiment=-0.8),
}


class Answers(Plugin):
    """Answers everything, so only escalation's triggers can cause a handoff."""

    name = "answers"

    @on_message()
    async def answer(self, ctx: MessageContext):
        return ctx.answer(f"bot: {ctx.text}")


class Fails(Plugin):
    name = "fails"

    @on_message()
    async def fail(self, ctx: MessageContext):
        raise RuntimeError("bug in a plugin")


class TimesOut(Plugin):
    name = "times_out"

    @on_message()
    async def fail(self, ctx: MessageContext):
        raise ModelTimeout("model took too long")


# --- the bot on the fake Discord ------------------------------------------------------------------


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest_asyncio.fixture
async def start_bot(discord_bot, clock):
    """Factory: ``await start_bot(*plugin_classes, **escalation_settings)`` starts a SupportBot with
    escalation (plus those plugins, after it) and a DiscordTransport connected to the fake Discord.
    Every bot shares one SQLite file and the ``clock``, so a second call is a restart."""

    async def start(*plugins: type[Plugin], understander: Any = SCRIPT, **escalation: Any) -> RunningBot:
        return await discord_bot("escalation", *plugins, clock=clock,
                                 understander=ScriptedUnderstander(understander) if understander is not None else None,
                                 settings={"plugins": {"settings": {"escalation": escalation}}})

    return start


@pytest_asyncio.fixture
async def running(start_bot) -> SupportBot:
    """Escalation alone: no understanding, no other plugin."""
    return (await start_bot(understander=None)).bot


# --- helpers --------------------------------------------------------------------------------------


async def customer_says(fake, bot: SupportBot, text: str, *, author: dict | None = None) -> tuple[str, str | None]:
    """Post ``text`` in the support channel and wait until the bot has recorded the message's one
    outcome (after everything it sent for it); returns ``(kind, reason)``."""
    kind, reason, _ = await _outcome(fake, bot, text, author)
    return kind, reason


async def _outcome(fake, bot: SupportBot, text: str, author: dict | None) -> tuple[str, str | None, dict]:
    message = await fake.post_message(fake.support_channel_id, text, author=author)
    query = ("SELECT o.kind, o.reason, o.details FROM messages m JOIN outcomes o ON o.message_id = m.id "
             "WHERE m.platform_message_id = ?")
    async with asyncio.timeout(5):
        while (row := bot.history.db.execute(query, [f"discord:{message['id']}"]).fetchone()) is None:
            await asyncio.sleep(0.005)
    return row[0], row[1], json.loads(row[2] or "{}")


async def staff_command(fake, name: str, options: dict | None = None, *, member: dict | None = None,
                        channel_id: int | None = None) -> str:
    """Run a slash command (as the staff member by default); returns the bot's answer."""
    interaction = await fake.invoke_command(name, options, member=member or fake.staff,
                                            channel_id=channel_id or fake.staff_channel_id)
    return (await fake.wait_for_reply(interaction)).content


async def staff_says(fake, thread_id: int, text: str, *, author: dict | None = None) -> None:
    """Staff write in a handoff thread; waits until the bot relayed it to the customer."""
    await fake.post_message(thread_id, text, author=author or fake.staff)
    await fake.wait_for_message(fake.support_channel_id, lambda p: p.content.endswith(f"(staff):** {text}"))


def support_texts(fake) -> list[str]:
    return [p.content for p in fake.messages_in(fake.support_channel_id)]


def thread_texts(fake, thread_id: int) -> list[str]:
    return [p.content for p in fake.messages_in(thread_id)]


def handoff_count(bot: SupportBot) -> int:
    return bot.history.db["handoffs"].count


async def hand_off(fake, bot: SupportBot, *, author: dict | None = None) -> int:
    """The customer asks for a person; returns the id of the handoff's staff thread."""
    kind, reason, details = await _outcome(fake, bot, "I want to talk to a person", author)
    assert (kind, reason) == ("handed_off", "asked_for_human")
    desk = bot.plugins["escalation"].desk
    async with asyncio.timeout(5):  # the thread opens after the customer's notice, off their path
        while (thread := desk.get(details["handoff_id"]).thread_id) is None:
            await asyncio.sleep(0.005)
    await fake.wait_for_message(int(thread))
    return int(thread)


# --- the tests ------------------------------------------------------------------------------------


async def test_handoff_thread_relay_and_resolve_over_discord(fake_discord, running):
    staff_role = str(fake_discord.staff_role_id)
    await fake_discord.post_message(fake_discord.support_channel_id, "@everyone I want to talk to a real person")
    thread = await fake_discord.wait_for_thread()
    thread_id = int(thread["id"])
    assert int(thread["parent_id"]) == fake_discord.staff_channel_id
    brief = await fake_discord.wait_for_message(thread_id)
    # Only the staff role is pinged, and the customer's @everyone pings nobody.
    assert brief.pinged == {f"role:{staff_role}"}
    notice = await fake_discord.wait_for_message(fake_discord.support_channel_id)
    assert NOTICE in notice.content
    assert notice.pinged == set()

    # The customer writes again: relayed into the thread, the bot says nothing in the channel.
    await fake_discord.post_message(fake_discord.support_channel_id, "my order is 12345")
    relayed = await fake_discord.wait_for_message(thread_id, lambda p: "12345" in p.content)
    assert relayed.content.endswith("my order is 12345") and relayed.pinged == set()
    # Staff answer in the thread: relayed to the customer.
    await fake_discord.post_message(thread_id, "Found it, shipping today.", author=fake_discord.staff)
    answer = await fake_discord.wait_for_message(fake_discord.support_channel_id,
                                                 lambda p: "shipping today" in p.content)
    assert "(staff)" in answer.content
    # Staff resolve from the thread; the customer is asked for a rating.
    reply = await staff_command(fake_discord, "resolve", {"note": "shipped"}, channel_id=thread_id)
    assert reply == "Handoff #1 resolved."
    await fake_discord.wait_for_message(fake_discord.support_channel_id, lambda p: "How did we do?" in p.content)
    # The thread names who resolved it as a mention: Discord shows the name, nobody is pinged.
    closing = await fake_discord.wait_for_message(thread_id, lambda p: p.content.startswith("Resolved by"))
    assert closing.content == f"Resolved by <@{fake_discord.staff['id']}>: shipped" and closing.pinged == set()
    handoff = running.handoffs.get(1)
    assert handoff.state == "resolved" and running.plugins["escalation"].desk.get(1).first_staff_reply_at is not None
    assert len(support_texts(fake_discord)) == 3


async def test_customer_cannot_run_staff_commands_over_discord(fake_discord, running):
    reply = await staff_command(fake_discord, "handoffs", member=fake_discord.customer)
    assert "staff only" in reply
    assert running.history.db.execute("SELECT allowed FROM command_log").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("text", "reason", "plugins", "settings", "flag"),
    [
        pytest.param("I want to talk to a person", "asked_for_human", [Answers], {}, None, id="asks-for-human-intent"),
        pytest.param("can I speak to a real person please", "asked_for_human", [Answers], {}, None,
                     id="asks-for-human-phrase"),
        pytest.param("this is the worst shop ever", "complaint", [Answers], {}, None, id="complaint"),
        pytest.param("meh, slow delivery and rude", "negative_sentiment", [Answers], {}, None, id="negative-sentiment"),
        pytest.param("I'll file a chargeback", "keyword", [Answers], {"keywords": ["chargeback"]}, None, id="keyword"),
        pytest.param("hi there", "vip_customer", [Answers], {}, "vip", id="vip-customer"),
        pytest.param("hi there", "flagged_customer", [Answers], {}, "flagged", id="flagged-customer"),
        pytest.param("hi there", "no_plugin_answered", [], {}, None, id="no-grounded-answer"),
        pytest.param("hi there", "plugin_error", [Fails], {}, None, id="plugin-error"),
        pytest.param("hi there", "model_failure", [TimesOut], {}, None, id="model-failure"),
    ],
)
async def test_each_trigger_opens_exactly_one_handoff(fake_discord, start_bot, text, reason, plugins, settings, flag):
    bot = (await start_bot(*plugins, **settings)).bot
    if flag:
        customer = fake_discord.customer["id"]
        flagged = await staff_command(fake_discord, "flag", {"member": customer, "flag": flag})
        assert flagged == f"<@{customer}> is now {flag}."
    assert await customer_says(fake_discord, bot, text) == ("handed_off", reason)
    assert handoff_count(bot) == 1
    thread = await fake_discord.wait_for_thread()  # opened after the notice, off the customer's path
    assert int(thread["parent_id"]) == fake_discord.staff_channel_id
    assert thread["name"] == f"#1 customer: {reason.replace('_', ' ')}"
    brief = await fake_discord.wait_for_message(int(thread["id"]))
    assert brief.pinged == {f"role:{fake_discord.staff_role_id}"}
    (notice,) = support_texts(fake_discord)
    assert NOTICE in notice and "30 minutes" in notice
    # The customer keeps writing: relayed to the same thread, no second handoff, no bot answer.
    assert await customer_says(fake_discord, bot, "hello? anyone?") == ("ignored", "relayed_to_staff")
    assert handoff_count(bot) == 1 and len(fake_discord.threads) == 1
    await fake_discord.wait_for_message(int(thread["id"]), lambda p: p.content == "**customer:** hello? anyone?")
    assert support_texts(fake_discord) == [notice]


async def test_bot_stays_quiet_while_a_person_owns_the_conversation(fake_discord, start_bot):
    bot = (await start_bot(Answers)).bot
    thread_id = await hand_off(fake_discord, bot)
    # Messages the bot would answer, and another trigger, all go to staff; nothing to the customer.
    for text in ("where is my order?", "I want to talk to a person", "this is the worst shop ever"):
        assert await customer_says(fake_discord, bot, text) == ("ignored", "relayed_to_staff")
    await staff_says(fake_discord, thread_id, "Looking into it")  # staff now own it (claimed)
    assert bot.handoffs.get(1).state == "claimed"
    assert await customer_says(fake_discord, bot, "thanks") == ("ignored", "relayed_to_staff")
    assert [t for t in support_texts(fake_discord) if t.startswith("bot:")] == []
    assert len(support_texts(fake_discord)) == 2  # the handoff notice and the staff reply
    assert thread_texts(fake_discord, thread_id)[-4:] == [
        "**customer:** where is my order?", "**customer:** I want to talk to a person",
        "**customer:** this is the worst shop ever", "**customer:** thanks"]
    assert handoff_count(bot) == 1
    # Once staff resolve it, the bot answers again.
    await staff_command(fake_discord, "resolve", channel_id=thread_id)
    assert await customer_says(fake_discord, bot, "one more question") == ("answered", None)
    assert support_texts(fake_discord)[-1] == "bot: one more question"


async def test_claim_transfer_unclaim_and_list_over_discord(fake_discord, start_bot, clock):
    kim = fake_discord.world.add_user("kim", roles=[fake_discord.staff_role_id])  # a second staff member
    staff_id, kim_id = fake_discord.staff["id"], kim["id"]
    bot = (await start_bot()).bot
    thread_id = await hand_off(fake_discord, bot)
    clock.advance(minutes=35)
    assert await staff_command(fake_discord, "handoffs") == "#1 · asked for human · waiting 35m · unclaimed"
    assert await staff_command(fake_discord, "claim", {"handoff": 1}) == "You now own handoff #1."
    assert bot.handoffs.get(1).owner_id == staff_id
    # kim, in the thread (no handoff number): already taken.
    taken = await staff_command(fake_discord, "claim", member=kim, channel_id=thread_id)
    assert taken == f"Handoff #1 is already claimed by <@{staff_id}>; use /transfer to move it."
    assert await staff_command(fake_discord, "transfer", {"member": kim_id, "handoff": 1}) == \
        f"Handoff #1 now belongs to <@{kim_id}>."
    assert await staff_command(fake_discord, "handoffs") == \
        f"#1 · asked for human · waiting 35m · claimed by <@{kim_id}>"
    assert await staff_command(fake_discord, "unclaim", member=kim, channel_id=thread_id) == \
        "Handoff #1 is back in the queue."
    handoff = bot.handoffs.get(1)
    assert handoff.owner_id is None and handoff.state == "open"
    assert await staff_command(fake_discord, "handoffs") == "#1 · asked for human · waiting 35m · unclaimed"
    (notice,) = support_texts(fake_discord)  # none of it reached the customer
    assert NOTICE in notice


async def test_customer_writing_again_after_resolve_reopens_the_same_handoff(fake_discord, start_bot, clock):
    bot = (await start_bot(reopen_within_hours=24)).bot
    thread_id = await hand_off(fake_discord, bot)
    await staff_says(fake_discord, thread_id, "Refund sent")
    await staff_command(fake_discord, "resolve", {"note": "refund"}, channel_id=thread_id)
    assert await customer_says(fake_discord, bot, "5") == ("answered", "csat")
    clock.advance(hours=3)
    assert await customer_says(fake_discord, bot, "I want to talk to a person") == ("handed_off", "asked_for_human")
    handoff = bot.handoffs.get(1)
    assert handoff_count(bot) == 1 and len(fake_discord.threads) == 1
    assert handoff.state == "open" and handoff.reopen_count == 1
    assert int(bot.plugins["escalation"].desk.get(1).thread_id) == thread_id
    reopened = await fake_discord.wait_for_message(thread_id, lambda p: "Reopened: customer wrote again" in p.content)
    assert reopened.pinged == {f"role:{fake_discord.staff_role_id}"}
    assert NOTICE in support_texts(fake_discord)[-1]
    assert await customer_says(fake_discord, bot, "still broken") == ("ignored", "relayed_to_staff")
    assert thread_texts(fake_discord, thread_id)[-1] == "**customer:** still broken"


async def test_auto_close_counts_only_after_staff_replied_and_a_return_reopens(fake_discord, start_bot, clock):
    # The plugin's own timer runs every 10 ms; the clock it reads is ours.
    running = await start_bot(auto_close_after_hours=2, reopen_within_hours=24, check_interval_s=0.01)
    bot, escalation = running.bot, running.bot.plugins["escalation"]
    thread_id = await hand_off(fake_discord, bot)
    clock.advance(hours=5)
    assert await escalation.auto_close_due() == []  # nobody from staff replied yet: never close that
    assert bot.handoffs.get(1).state == "open"
    await staff_says(fake_discord, thread_id, "On it")
    clock.advance(hours=1, minutes=59)
    assert await escalation.auto_close_due() == []
    clock.advance(minutes=2)
    await fake_discord.wait_for_message(fake_discord.support_channel_id,
                                        lambda p: "closed this conversation" in p.content)
    await fake_discord.wait_for_message(thread_id, lambda p: p.content == "Resolved by auto-close: closed after inactivity")
    handoff = bot.handoffs.get(1)
    assert handoff.state == "resolved" and handoff.resolved_by == "auto"
    # The customer writes again within the reopen window: the same handoff and thread.
    clock.advance(hours=3)
    assert await customer_says(fake_discord, bot, "hi again, still broken") == ("handed_off", "customer_returned")
    handoff = bot.handoffs.get(1)
    assert handoff.state == "open" and handoff.reopen_count == 1 and handoff_count(bot) == 1
    await fake_discord.wait_for_message(thread_id, lambda p: "wrote again (customer_returned)" in p.content)
    assert len(fake_discord.threads) == 1


async def test_open_handoff_survives_a_restart(fake_discord, start_bot):
    first = await start_bot()
    thread_id = await hand_off(fake_discord, first.bot)
    await first.stop()
    # A new bot and transport on the same database, against the same Discord.
    bot = (await start_bot()).bot
    assert [h.id for h in bot.handoffs.open_handoffs()] == [1]
    await staff_says(fake_discord, thread_id, "Still here, checking now.")
    assert bot.plugins["escalation"].desk.get(1).first_staff_reply_at is not None
    assert (await staff_command(fake_discord, "handoffs")).startswith("#1 · asked for human")
    assert await customer_says(fake_discord, bot, "thanks!") == ("ignored", "relayed_to_staff")
    assert thread_texts(fake_discord, thread_id)[-1] == "**customer:** thanks!"
    assert handoff_count(bot) == 1


async def test_outside_support_hours_says_when_staff_are_back(fake_discord, start_bot, clock):
    clock.now = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)  # Saturday
    bot = (await start_bot(support_hours={"timezone": "Europe/Berlin", "days": ["mon", "tue", "wed", "thu", "fri"],
                                          "start": "09:00", "end": "17:00"})).bot
    await hand_off(fake_discord, bot)
    (notice,) = support_texts(fake_discord)
    assert "offline right now and back Monday at 09:00 (Europe/Berlin)" in notice


async def test_metrics_attribute_each_conversation_once_and_add_up(fake_discord, start_bot, clock):
    a, b = (fake_discord.world.add_user(name) for name in ("ann", "ben"))
    c = fake_discord.customer
    bot = (await start_bot(Answers)).bot
    since = clock.now
    assert await customer_says(fake_discord, bot, "hello", author=a) == ("answered", None)  # the bot alone
    assert await customer_says(fake_discord, bot, "hello", author=b) == ("answered", None)
    clock.advance(hours=10)  # a new conversation for ben, who now needs a person
    await hand_off(fake_discord, bot, author=b)
    thread_c = await hand_off(fake_discord, bot, author=c)
    clock.advance(minutes=4)
    await staff_says(fake_discord, thread_c, "hi")
    await staff_command(fake_discord, "resolve", channel_id=thread_c)
    assert await customer_says(fake_discord, bot, "4", author=c) == ("answered", "csat")

    report = conversation_report(bot.history, since=since, reopen_days=1)
    assert report.conversations == 4
    assert (report.resolved_by_bot, report.handed_to_human) == (1, 3)
    assert report.bot_share + report.human_share == pytest.approx(1.0)
    staff = staff_figures(bot.history, since=since)
    assert staff.time_to_human_p50_s == pytest.approx(240, abs=1)
    assert (staff.csat_average, staff.csat_count) == (4, 1)
    assert sum(bot_n + human_n for _, bot_n, human_n in report.daily) == report.conversations
    interaction = await fake_discord.invoke_command("stats", member=fake_discord.staff,
                                                    channel_id=fake_discord.staff_channel_id)
    reply = await fake_discord.wait_for_reply(interaction)
    assert "Resolved by the bot alone: 1 (25%)" in reply.content and "Handed to a person: 3 (75%)" in reply.content
    ((name, png),) = reply.files
    assert name == "stats.png" and png.startswith(b"\x89PNG")


# --- a reopened handoff is a new round ------------------------------------------------------

async def test_rating_after_a_reopened_handoff_is_resolved_again_counts(fake_discord, start_bot):
    bot = (await start_bot()).bot
    thread_id = await hand_off(fake_discord, bot)
    await staff_says(fake_discord, thread_id, "Fixed")
    await staff_command(fake_discord, "resolve", channel_id=thread_id)
    assert await customer_says(fake_discord, bot, "5") == ("answered", "csat")
    await hand_off(fake_discord, bot)  # reopens #1
    await staff_says(fake_discord, thread_id, "Fixed again")
    await staff_command(fake_discord, "resolve", channel_id=thread_id)
    # The second round's rating replaces the first: that resolution did not hold.
    assert await customer_says(fake_discord, bot, "2") == ("answered", "csat")
    assert bot.plugins["escalation"].desk.get(1).csat == 2


async def test_reopened_handoff_is_not_auto_closed_before_staff_reply_again(fake_discord, start_bot, clock):
    running = await start_bot(auto_close_after_hours=2)
    thread_id = await hand_off(fake_discord, running.bot)
    await staff_says(fake_discord, thread_id, "Done")
    await staff_command(fake_discord, "resolve", channel_id=thread_id)
    clock.advance(hours=1)
    await hand_off(fake_discord, running.bot)  # reopens #1; nobody from staff has answered this round
    clock.advance(hours=3)
    assert await running.bot.plugins["escalation"].auto_close_due() == []
