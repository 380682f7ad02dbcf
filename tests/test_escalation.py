"""Escalation: every trigger opens one handoff; quiet while staff own it; relay; commands; timers; metrics."""

from datetime import UTC, datetime

import pytest

from supportbot.plugin import MessageContext, Plugin, on_message
from supportbot.reports import conversation_report
from plugins.escalation.store import staff_figures
from supportbot.testing.doubles import ManualClock, ScriptedUnderstander, understanding


class Answers(Plugin):
    """Answers everything, so only escalation's triggers can cause a handoff."""

    name = "answers"

    @on_message()
    async def answer(self, ctx: MessageContext):
        return ctx.answer(f"bot: {ctx.text}")


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def understander():
    return ScriptedUnderstander({
        "I want to talk to a person": understanding("contact_human_agent"),
        "this is the worst shop ever": understanding("complaint", sentiment=-0.9),
        "meh, slow delivery and rude": understanding("track_order", sentiment=-0.8),
        "where is order 12345": understanding("track_order", entities={"order_number": ["12345"]}),
    })


async def start(make_bot, understander, clock, **escalation):
    bot, chat = await make_bot("escalation", understander=understander, clock=clock,
                               settings={"plugins": {"settings": {"escalation": escalation}}})
    await bot.add_plugin(Answers)
    return bot, chat


@pytest.mark.parametrize(
    ("text", "reason", "settings"),
    [
        ("I want to talk to a person", "asked_for_human", {}),
        ("can I speak to a real person please", "asked_for_human", {}),  # phrase fallback, no intent
        ("this is the worst shop ever", "complaint", {}),
        ("meh, slow delivery and rude", "negative_sentiment", {}),
        ("I'll file a chargeback", "keyword", {"keywords": ["chargeback"]}),
    ],
)
async def test_each_trigger_opens_exactly_one_handoff(make_bot, understander, clock, text, reason, settings):
    bot, chat = await start(make_bot, understander, clock, **settings)
    outcome, sent = await chat.say_and_outcome(text)
    assert outcome.kind == "handed_off" and outcome.reason == reason
    assert bot.history.db["handoffs"].count == 1
    (thread,) = chat.threads.values()
    assert thread.action.mention_staff and reason.replace("_", " ") in thread.action.name
    assert "a person will reply here" in sent[0].text and "30 minutes" in sent[0].text
    # The customer keeps writing: still one handoff, relayed to the thread, no bot answer.
    outcome, sent = await chat.say_and_outcome("hello? anyone?")
    assert outcome.kind == "ignored" and outcome.reason == "relayed_to_staff"
    assert bot.history.db["handoffs"].count == 1
    assert [s.text for s in sent] == ["**alice:** hello? anyone?"] and sent[0].channel_id == thread.id


async def test_flagged_customer_and_vip(make_bot, understander, clock):
    bot, chat = await start(make_bot, understander, clock)
    assert (await chat.command("flag", member="bob", flag="vip")).text == "<@bob> is now vip."
    outcome, _ = await chat.say_and_outcome("hi there", customer="bob")
    assert outcome.reason == "vip_customer"
    outcome, _ = await chat.say_and_outcome("hi there", customer="carol")
    assert outcome.kind == "answered"


async def test_other_handoff_reasons_get_the_same_thread_and_notice(make_bot, understander, clock):
    class Fails(Plugin):
        name = "fails"

        @on_message()
        async def fail(self, ctx):
            from supportbot.models import ModelTimeout

            raise ModelTimeout("model took too long")

    bot, chat = await make_bot("escalation", understander=understander, clock=clock)
    await bot.add_plugin(Fails)
    outcome, sent = await chat.say_and_outcome("where is order 12345")
    assert outcome.reason == "model_failure"
    (thread,) = chat.threads.values()
    summary = thread.action.embeds[0]
    fields = dict(summary.fields)
    assert fields["Order numbers"] == "12345" and fields["Intent"] == "track_order"
    assert "where is order 12345" in summary.description
    assert "30 minutes" in sent[0].text


async def test_summary_includes_what_the_bot_already_answered(make_bot, understander, clock):
    bot, chat = await start(make_bot, understander, clock)
    await chat.say("where is order 12345")
    await chat.say("I want to talk to a person")
    (thread,) = chat.threads.values()
    fields = dict(thread.action.embeds[0].fields)
    assert "bot: where is order 12345" in fields["Bot already said"]
    assert "alice: I want to talk to a person" in fields["Last messages"]


async def test_relay_both_ways_and_resolve_with_csat(make_bot, understander, clock):
    bot, chat = await start(make_bot, understander, clock)
    await chat.say("I want to talk to a person")
    (thread,) = chat.threads.values()
    clock.advance(minutes=12)
    sent = await chat.staff_says(thread.id, "Hi, I'm Sam. Let me check.", staff="sam")
    assert [s.text for s in sent] == ["**sam (staff):** Hi, I'm Sam. Let me check."]
    assert sent[0].channel_id == "support"
    assert bot.handoffs.get(1).owner_id == "sam"
    assert bot.plugins["escalation"].desk.get(1).first_staff_reply_at == clock.now
    # Resolve from the thread; the bot asks for a rating and answers again afterwards.
    result = await chat.command("resolve", author="sam", channel=thread.id, note="refund sent")
    assert result.text == "Handoff #1 resolved."
    assert "How did we do?" in chat.texts("support")[-1]
    outcome, sent = await chat.say_and_outcome("5")
    assert outcome.reason == "csat" and bot.plugins["escalation"].desk.get(1).csat == 5
    outcome, _ = await chat.say_and_outcome("thanks, one more question")
    assert outcome.kind == "answered" and outcome.plugin == "answers"


async def test_claim_unclaim_transfer_and_list(make_bot, understander, clock):
    bot, chat = await start(make_bot, understander, clock)
    await chat.say("I want to talk to a person")
    clock.advance(minutes=5)
    await chat.say("I want to talk to a person", customer="bob")
    clock.advance(minutes=30)
    listing = (await chat.command("handoffs")).text.splitlines()
    assert listing == ["#1 · asked for human · waiting 35m · unclaimed", "#2 · asked for human · waiting 30m · unclaimed"]
    assert (await chat.command("claim", handoff="1", author="sam")).text == "You now own handoff #1."
    assert "already claimed by <@sam>" in (await chat.command("claim", handoff="1", author="kim")).text
    assert (await chat.command("transfer", handoff="1", member="kim")).text == "Handoff #1 now belongs to <@kim>."
    assert bot.handoffs.get(1).owner_id == "kim"
    assert (await chat.command("unclaim", handoff="1")).text == "Handoff #1 is back in the queue."
    assert bot.handoffs.get(1).owner_id is None
    assert "staff only" in (await chat.command("claim", handoff="1", staff=False)).text


async def test_auto_close_counts_only_after_staff_replied_and_return_reopens(make_bot, understander, clock):
    bot, chat = await start(make_bot, understander, clock, auto_close_after_hours=2, reopen_within_hours=24)
    escalation = bot.plugins["escalation"]
    await chat.say("I want to talk to a person")
    (thread,) = chat.threads.values()
    clock.advance(hours=5)
    assert await escalation.auto_close_due() == []  # nobody from staff replied yet: keep it open
    await chat.staff_says(thread.id, "On it")
    clock.advance(hours=1)
    assert await escalation.auto_close_due() == []
    clock.advance(hours=1, minutes=1)
    assert await escalation.auto_close_due() == [1]
    await bot.bus.drain()  # the customer is told by escalation's HandoffResolved listener
    assert bot.handoffs.get(1).resolved_by == "auto"
    assert "closed this conversation" in chat.texts("support")[-1]
    # The customer writes again within the window: the same handoff reopens.
    clock.advance(hours=3)
    outcome, _ = await chat.say_and_outcome("hi again, still broken")
    assert outcome.kind == "handed_off" and outcome.reason == "customer_returned"
    handoff = bot.handoffs.get(1)
    assert handoff.state == "open" and handoff.reopen_count == 1 and bot.history.db["handoffs"].count == 1
    assert "Reopened" in thread.messages[-1].text


async def test_outside_support_hours_says_when_staff_are_back(make_bot, understander, clock):
    clock.now = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)  # Saturday
    bot, chat = await start(make_bot, understander, clock,
                            support_hours={"timezone": "Europe/Berlin", "days": ["mon", "tue", "wed", "thu", "fri"],
                                           "start": "09:00", "end": "17:00"})
    _, sent = await chat.say_and_outcome("I want to talk to a person")
    assert "back Monday at 09:00 (Europe/Berlin)" in sent[0].text


async def test_open_handoff_survives_a_restart(make_bot, understander, clock, bot_config):
    bot, chat = await start(make_bot, understander, clock)
    await chat.say("I want to talk to a person")
    await bot.close()
    # A new bot on the same database: the conversation is still human-owned.
    bot2, chat2 = await start(make_bot, understander, clock)
    assert bot2.history.db.execute("SELECT COUNT(*) FROM handoffs WHERE state != 'resolved'").fetchone()[0] == 1
    outcome, sent = await chat2.say_and_outcome("are you still there?")
    assert outcome.kind == "ignored" and not [s for s in sent if s.channel_id == "support"]
    assert (await chat2.command("handoffs")).text.startswith("#1 ")


async def test_metrics_attribute_each_conversation_once_and_add_up(make_bot, understander, clock):
    bot, chat = await start(make_bot, understander, clock)
    start_time = clock.now
    await chat.say("hello", customer="a")                      # bot alone
    await chat.say("hello", customer="b")                      # bot, then b needs a person next day
    clock.advance(hours=10)
    await chat.say("I want to talk to a person", customer="b")
    await chat.say("I want to talk to a person", customer="c")  # handed off directly
    (_, thread_c) = list(chat.threads)
    clock.advance(minutes=4)
    await chat.staff_says(thread_c, "hi", staff="sam")
    await chat.command("resolve", channel=thread_c, author="sam")
    await chat.say("4", customer="c")
    report = conversation_report(bot.history, since=start_time, reopen_days=1)
    assert report.conversations == 4
    assert (report.resolved_by_bot, report.handed_to_human) == (1, 3)
    assert report.bot_share + report.human_share == pytest.approx(1.0)
    staff = staff_figures(bot.history, since=start_time)
    assert staff.time_to_human_p50_s == pytest.approx(240, abs=1)
    assert staff.csat_average == 4 and staff.csat_count == 1
    assert sum(b + h for _, b, h in report.daily) == report.conversations
    assert sum(b for _, b, _ in report.daily) == report.resolved_by_bot
    result = await chat.command("stats")
    assert "Resolved by the bot alone: 1 (25%)" in result.text and "Handed to a person: 3 (75%)" in result.text
    ((name, png),) = result.files  # the chart staff see beside the figures
    assert name == "stats.png" and png.startswith(b"\x89PNG")


async def test_a_database_from_the_old_schema_keeps_its_handoffs_threads_and_ratings(make_bot, understander, clock,
                                                                                     tmp_path):
    """Before schema 4 the core's handoffs table held escalation's columns; they move, row for row,
    into escalation's own table, and the open handoff goes on working where it was."""
    from supportbot.history import _v1, _v2, _v3, connect

    db = connect(tmp_path / "bot.db")  # where make_bot's config puts the database
    for step in (_v1, _v2, _v3):
        step(db)
    db.execute("PRAGMA user_version = 3")
    t = "2026-03-02T09:00:00+00:00"
    db["customers"].insert_all([{"id": 1, "platform": "test", "external_id": "alice", "name": "alice", "created_at": t},
                                {"id": 2, "platform": "test", "external_id": "bob", "name": "bob", "created_at": t}])
    db["conversations"].insert_all([
        {"id": 1, "customer_id": 1, "platform": "test", "channel_id": "support", "state": "human",
         "started_at": t, "last_message_at": t},
        {"id": 2, "customer_id": 2, "platform": "test", "channel_id": "support", "state": "bot",
         "started_at": t, "last_message_at": t}])
    db["handoffs"].insert_all([
        {"id": 1, "conversation_id": 1, "state": "claimed", "reason": "complaint", "owner_id": "sam",
         "thread_id": "thread-1", "summary": "alice is upset", "opened_at": t, "claimed_at": t,
         "first_staff_reply_at": "2026-03-02T09:04:00+00:00", "staff_replied_at": "2026-03-02T09:04:00+00:00",
         "last_activity_at": t, "reopen_count": 0},
        {"id": 2, "conversation_id": 2, "state": "resolved", "reason": "keyword", "thread_id": "thread-2",
         "opened_at": t, "resolved_at": t, "resolved_by": "kim", "csat": 4, "csat_asked_at": t, "reopen_count": 0}])
    db.conn.commit()
    db.conn.close()

    bot, chat = await start(make_bot, understander, clock)
    desk = bot.plugins["escalation"].desk
    assert desk.get(1).thread_id == "thread-1" and desk.get(1).summary == "alice is upset"
    assert desk.get(1).staff_round == 0  # staff replied in its current (first) round
    assert desk.get(2).csat == 4 and desk.handoff_by_thread("thread-2") == 2
    assert "legacy_handoff_fields" not in bot.history.db.table_names()
    assert bot.handoffs.get(1).owner_id == "sam" and bot.handoffs.get(1).state == "claimed"
    assert (await chat.command("handoffs")).text.startswith("#1 · complaint")
    staff = staff_figures(bot.history, since=datetime(2026, 3, 1, tzinfo=UTC))
    assert (staff.time_to_human_p50_s, staff.csat_average) == (240, 4)
    # The open handoff works on: the customer is relayed to its thread, and staff resolve it there.
    outcome, sent = await chat.say_and_outcome("any news?")
    assert outcome.reason == "relayed_to_staff" and [(s.channel_id, s.text) for s in sent] == [
        ("thread-1", "**alice:** any news?")]
    assert (await chat.command("resolve", channel="thread-1", author="sam")).text == "Handoff #1 resolved."


async def test_escalation_disabled_an_unanswered_customer_is_answered_again(make_bot, understander, clock):
    """The shipped pipeline without escalation: no handoff opens that nobody could resolve."""
    bot, chat = await make_bot("auto_reply", understander=understander, clock=clock)
    outcome, sent = await chat.say_and_outcome("I want to talk to a person")
    assert outcome.kind == "handed_off" and [s.text for s in sent] == [bot.config.bot.fallback_reply]
    assert bot.history.db["handoffs"].count == 0
    outcome, _ = await chat.say_and_outcome("where is order 12345")
    assert outcome.reason != "human_owns_conversation" and outcome.plugin == "auto_reply"


async def test_deleting_a_customer_removes_escalations_rows_with_the_core_handoff(make_bot, understander, clock):
    bot, chat = await start(make_bot, understander, clock)
    await chat.say("I want to talk to a person")
    await chat.say("I want to talk to a person", customer="bob")
    assert bot.history.db["escalation_handoffs"].count == 2
    bot.history.delete_customer(bot.history.customer_id("test", "alice"))
    assert [r["handoff_id"] for r in bot.history.db["escalation_handoffs"].rows] == [2]
