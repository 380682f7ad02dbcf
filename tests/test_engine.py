"""The message pipeline: order, one outcome, failures hand off, staff-only commands, rate limits."""

import logging

import pytest

from supportbot.actions import CommandResult
from supportbot.engine import PluginLoadError, message_nonce
from supportbot.events import HandoffOpened
from supportbot.plugin import MessageContext, Option, Plugin, autocomplete, command, listener, on_message
from supportbot.testing.doubles import FixedDesk


class Echo(Plugin):
    name = "echo"

    @on_message()
    async def echo(self, ctx: MessageContext):
        if ctx.text.startswith("echo "):
            return ctx.answer(ctx.text[5:], sources=["test:1"])
        return None


class Boom(Plugin):
    name = "boom"

    @on_message()
    async def explode(self, ctx: MessageContext):
        if "boom" in ctx.text:
            raise RuntimeError("plugin bug")
        return None


class Desk(Plugin):
    """Staffs handoffs (with fixed words), so the core may open them."""

    name = "desk"

    def handoff_desk(self) -> FixedDesk:
        return FixedDesk("A person will reply here.")


class Staff(Plugin):
    name = "staff"

    @command("secret", "Staff only", staff_only=True)
    async def secret(self, ctx, word: str, times: int = 1):
        return CommandResult(" ".join([word] * times))

    @command("pick", "Anyone")
    async def pick(self, ctx, colour: str = Option("a colour", choices=("red", "blue"))):
        return f"you picked {colour}"

    @autocomplete("pick", "colour")
    async def colours(self, ctx, current: str):
        return [c for c in ("red", "blue") if c.startswith(current)]


async def test_first_plugin_that_answers_wins_and_outcome_is_recorded(make_bot):
    bot, chat = await make_bot(Echo)
    outcome, sent = await chat.say_and_outcome("echo hello", message_id="m1")
    assert [s.text for s in sent] == ["hello"]
    assert sent[0].action.nonce == message_nonce("test", "m1")
    assert sent[0].action.reply_to == "m1"
    row = bot.history.db.execute("SELECT kind, plugin, details FROM outcomes").fetchone()
    assert row[0] == "answered" and row[1] == "echo" and "test:1" in row[2]


async def test_unanswered_message_is_handed_off_not_dropped(make_bot):
    bot, chat = await make_bot(Echo, Desk)
    outcome, sent = await chat.say_and_outcome("something else")
    assert outcome.kind == "handed_off" and outcome.reason == "no_plugin_answered"
    assert sent[0].text == "A person will reply here."
    assert bot.history.db["handoffs"].count == 1 and outcome.details["handoff_id"] == 1


async def test_without_a_handoff_desk_an_unanswered_customer_is_never_silenced(make_bot):
    """No plugin staffs handoffs (escalation disabled): the customer is told, nothing opens that
    nobody could resolve, and their next message is answered as usual."""
    bot, chat = await make_bot(Echo)
    outcome, sent = await chat.say_and_outcome("something nobody answers")
    assert outcome.kind == "handed_off" and outcome.reason == "no_plugin_answered"
    assert [s.text for s in sent] == [bot.config.bot.fallback_reply]
    assert bot.history.db["handoffs"].count == 0 and outcome.details["handoff_id"] is None
    outcome, sent = await chat.say_and_outcome("echo are you there?")
    assert outcome.kind == "answered" and [s.text for s in sent] == ["are you there?"]


async def test_a_conversation_left_staff_owned_goes_back_to_the_bot_when_no_desk_is_loaded(make_bot):
    """A database from a bot that had escalation: an open handoff no loaded plugin can resolve."""
    bot, chat = await make_bot(Echo, Desk)
    await chat.say("hand me over")
    await bot.remove_plugin("desk")
    outcome, sent = await chat.say_and_outcome("echo hello?")
    assert outcome.kind == "answered" and [s.text for s in sent] == ["hello?"]
    assert bot.history.conversation(1)["state"] == "bot"


async def test_a_plugin_that_raises_leads_to_a_handoff_logged_with_the_message_id(make_bot, caplog):
    bot, chat = await make_bot(Boom, Echo)
    with caplog.at_level(logging.ERROR):
        outcome, sent = await chat.say_and_outcome("boom", message_id="m-42")
    assert outcome.kind == "handed_off" and outcome.reason == "plugin_error"
    assert any(getattr(r, "msg_id", None) == "m-42" and "boom" in r.getMessage() for r in caplog.records)
    assert sent, "the customer is told a person will follow up"


async def test_human_owned_conversation_is_not_auto_answered(make_bot):
    bot, chat = await make_bot(Echo, Desk)
    await chat.say("please hand me over")  # nobody answers: handoff
    outcome, sent = await chat.say_and_outcome("echo are you there")
    assert outcome.kind == "ignored" and outcome.reason == "human_owns_conversation"
    assert sent == []
    # Another customer is unaffected.
    _, sent = await chat.say_and_outcome("echo hi", customer="bob")
    assert [s.text for s in sent] == ["hi"]


async def test_handoff_publishes_an_event(make_bot):
    bot, chat = await make_bot(Echo, Desk)
    seen = []

    async def on_handoff(event: HandoffOpened):
        seen.append(event.reason)

    bot.bus.subscribe(HandoffOpened, on_handoff)
    await chat.say("nobody answers this")
    assert seen == ["no_plugin_answered"]


async def test_redelivered_message_gets_no_second_reply(make_bot):
    bot, chat = await make_bot(Echo)
    await chat.say("echo once", message_id="same")
    await chat.say("echo once", message_id="same")
    assert chat.texts() == ["once"]
    assert bot.history.db["outcomes"].count == 1


async def test_crash_between_record_and_outcome_is_recovered_once(make_bot):
    bot, chat = await make_bot(Echo)
    from supportbot.events import Author, MessageReceived

    # Simulate a crash: the message is recorded, nothing else happened.
    bot.history.record_inbound(MessageReceived(platform="test", message_id="lost", channel_id="support",
                                               author=Author(id="alice", name="alice"), text="echo recovered"))
    assert await bot.recover() == 1
    assert await bot.recover() == 0
    assert chat.texts() == ["recovered"]


async def test_rate_limit_sends_one_notice_then_stays_quiet(make_bot):
    bot, chat = await make_bot(Echo, settings={"rate_limit": {"messages": 2, "per_seconds": 60}})
    for i in range(5):
        await chat.say(f"echo {i}")
    assert chat.texts() == ["0", "1", bot.config.rate_limit.notice]
    reasons = [r[0] for r in bot.history.db.execute("SELECT reason FROM outcomes ORDER BY id")]
    assert reasons == [None, None, "rate_limited", "rate_limited", "rate_limited"]


async def test_staff_command_refuses_non_staff_and_records_it(make_bot):
    bot, chat = await make_bot(Staff)
    refused = await chat.command("secret", staff=False, word="x")
    assert refused.ephemeral and "staff only" in refused.text
    allowed = await chat.command("secret", word="ok", times="2")
    assert allowed.text == "ok ok"
    log = [(r["command"], r["allowed"]) for r in bot.history.db["command_log"].rows]
    assert log == [("secret", 0), ("secret", 1)]


async def test_command_options_are_checked(make_bot):
    bot, chat = await make_bot(Staff)
    assert "needs word" in (await chat.command("secret")).text
    assert "must be a integer" in (await chat.command("secret", word="a", times="many")).text
    assert "must be one of" in (await chat.command("pick", colour="green", staff=False)).text
    assert (await chat.command("pick", colour="red", staff=False)).text == "you picked red"


async def test_autocomplete(make_bot):
    bot, chat = await make_bot(Staff)
    from supportbot.events import Author, CommandInvoked

    event = CommandInvoked(platform="test", interaction_id="1", channel_id="c", author=Author(id="a", name="a"),
                           command="pick", options={})
    assert await bot.autocomplete(event, "colour", "r") == ["red"]


async def test_command_specs_describe_options(make_bot):
    bot, _ = await make_bot(Staff)
    specs = {s.name: s for s in bot.command_specs()}
    secret = specs["secret"]
    assert secret.staff_only
    assert [(o.name, o.type, o.required) for o in secret.options] == [("word", "string", True), ("times", "integer", False)]
    assert specs["pick"].options[0].autocomplete and specs["pick"].options[0].choices == ("red", "blue")


async def test_clashing_commands_leave_nothing_half_registered(make_bot):
    bot, _ = await make_bot(Staff)

    class Clash(Plugin):
        name = "clash"

        @command("secret", "again")
        async def secret(self, ctx):
            return "no"

        @on_message()
        async def handler(self, ctx):
            return None

    with pytest.raises(PluginLoadError, match="already registered"):
        await bot.add_plugin(Clash)
    assert "clash" not in bot.plugins
    assert all(h[0] != "clash" for h in bot._handlers)


async def test_failing_plugin_load_unregisters_it(make_bot):
    bot, _ = await make_bot()

    class Fails(Plugin):
        name = "fails"

        @listener(HandoffOpened)
        async def on_handoff(self, event):
            pass

        async def plugin_load(self):
            raise RuntimeError("no database")

    with pytest.raises(RuntimeError):
        await bot.add_plugin(Fails)
    assert "fails" not in bot.plugins and not bot.bus._listeners[HandoffOpened]


def test_decorators_refuse_plain_functions():
    with pytest.raises(TypeError, match="async def"):
        on_message()(lambda self, ctx: None)
    with pytest.raises(ValueError, match="lowercase"):
        command("Bad Name", "x")


async def test_a_slow_handoff_listener_does_not_delay_the_customers_notice(make_bot, caplog):
    """HandoffOpened listeners (summary, staff thread) run after the notice is sent and recorded;
    one that fails is logged with the message id."""
    import asyncio

    from supportbot.events import Author, MessageReceived

    release = asyncio.Event()
    seen: list[int] = []

    class SlowStaffSide(Plugin):
        name = "slow"

        @listener(HandoffOpened)
        async def summarise(self, event: HandoffOpened) -> None:
            await release.wait()  # a model summary up to its timeout, say
            seen.append(event.handoff_id)

        @listener(HandoffOpened)
        async def broken(self, event: HandoffOpened) -> None:
            raise RuntimeError("thread creation failed")

    bot, chat = await make_bot(Echo, Desk, SlowStaffSide)
    event = MessageReceived(platform="test", message_id="m-7", channel_id="support",
                            author=Author(id="alice", name="alice"), text="nobody answers this")
    with caplog.at_level(logging.ERROR):
        outcome = await asyncio.wait_for(bot.handle_message(event), timeout=5)
        assert outcome.kind == "handed_off" and chat.texts() == ["A person will reply here."]
        assert bot.history.outcome_of(1)["kind"] == "handed_off" and seen == []
        release.set()
        await bot.bus.drain()
    assert seen == [1]
    (failure,) = [r for r in caplog.records if "broken" in r.getMessage()]
    assert failure.msg_id == "m-7" and "HandoffOpened" in failure.getMessage()


@pytest.mark.parametrize("returned", ["a plain string", 42, {"text": "hi"}])
async def test_a_handler_returning_something_other_than_an_outcome_is_a_plugin_error(make_bot, returned, caplog):
    class Sloppy(Plugin):
        name = "sloppy"

        @on_message()
        async def reply(self, ctx: MessageContext):
            return returned

    bot, chat = await make_bot(Sloppy, Desk)
    with caplog.at_level(logging.ERROR):
        outcome, sent = await chat.say_and_outcome("hello")
    assert outcome.kind == "handed_off" and outcome.reason == "plugin_error" and outcome.plugin == "sloppy"
    assert "returns an Outcome or None" in outcome.details["error"]
    assert bot.history.outcome_of(1)["reason"] == "plugin_error"  # recorded, not left pending
    assert [s.text for s in sent] == ["A person will reply here."]
