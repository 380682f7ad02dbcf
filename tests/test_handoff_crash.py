"""A crash while a handoff opens strands nobody: the handoff is durable before anyone sees it, and a
restart finishes what the crash cut short (the customer's notice, the staff thread and summary)."""

import pytest

from supportbot.actions import OpenThread
from supportbot.plugin import MessageContext, Plugin, on_message
from supportbot.testing.doubles import ScriptedUnderstander


class Answers(Plugin):
    name = "answers"

    @on_message()
    async def answer(self, ctx: MessageContext):
        return ctx.answer(f"bot: {ctx.text}")


class Killed(BaseException):
    """The process dies here (kill -9): nothing after this line runs."""


def kill_on(transport, wanted):
    """The transport dies on the first action of type ``wanted``."""
    send = transport.send

    async def dying(action):
        if isinstance(action, wanted):
            raise Killed
        return await send(action)

    transport.send = dying


async def start(make_bot):
    bot, chat = await make_bot("escalation", understander=ScriptedUnderstander({}))
    await bot.add_plugin(Answers)
    return bot, chat


async def test_a_crash_before_the_customer_is_told_is_finished_after_the_restart(make_bot):
    bot, chat = await start(make_bot)
    kill_on(chat, object)  # the first send of the handoff (the customer's notice) never happens
    with pytest.raises(Killed):
        await chat.say("can I speak to a real person please")
    assert bot.history.db.execute("SELECT count(*) FROM handoffs").fetchone()[0] == 1  # durable first
    assert chat.sent == [] and chat.threads == {}

    again, chat2 = await start(make_bot)  # the restart, on the same database
    assert await again.recover() == 1
    await again.bus.drain()
    (notice,) = chat2.texts("support")
    assert "a person will reply here" in notice
    (thread,) = chat2.threads.values()  # staff got their thread, with the summary
    assert "can I speak to a real person please" in str(thread.action.embeds)
    assert again.history.db.execute("SELECT kind, reason FROM outcomes").fetchall() == [("handed_off", "asked_for_human")]
    # ...and the customer's next message reaches staff instead of being ignored.
    sent = await chat2.say("hello? anyone?")
    assert [s.channel_id for s in sent] == [thread.id]
    assert again.history.db.execute("SELECT count(*) FROM handoffs").fetchone()[0] == 1


async def test_a_crash_before_the_staff_thread_opens_is_finished_after_the_restart(make_bot):
    bot, chat = await start(make_bot)
    kill_on(chat, OpenThread)  # the customer is told; the thread never opens
    await chat.say("can I speak to a real person please")
    await bot.bus.drain()
    assert "a person will reply here" in chat.texts("support")[0] and chat.threads == {}

    again, chat2 = await start(make_bot)
    assert await again.recover() == 0  # the message had its outcome
    await again.bus.drain()
    assert len(chat2.threads) == 1 and chat2.texts("support") == []  # the customer is not told twice
    again2, chat3 = await start(make_bot)  # and a further restart has nothing left to finish
    await again2.recover()
    await again2.bus.drain()
    assert chat3.threads == {}
