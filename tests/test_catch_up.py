"""Nothing lost while the bot is down, nothing posted twice after it comes back: catch-up from the
channels' history after a fresh login, and a reply recorded before it is sent."""

import asyncio

from supportbot.plugin import MessageContext, Plugin, on_message
from supportbot.testing.fake_discord import FakeDiscord

pytest_plugins = ["supportbot.testing.fake_discord.fixtures"]


class Echo(Plugin):
    name = "echo"

    @on_message()
    async def echo(self, ctx: MessageContext):
        return ctx.answer(f"echo: {ctx.text}")


def outcomes(bot):
    return [tuple(row) for row in bot.history.db.execute(
        "SELECT m.text, o.kind FROM outcomes o JOIN messages m ON m.id = o.message_id ORDER BY m.id")]


async def settle(predicate, timeout=10.0):
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_messages_written_while_the_bot_was_down_are_answered_late_with_an_apology(
        fake_discord: FakeDiscord, discord_bot):
    running = await discord_bot(Echo, settings={"bot": {"late_after_s": 1}})
    await fake_discord.post_message(fake_discord.support_channel_id, "before")
    await fake_discord.wait_for_message(fake_discord.support_channel_id)
    await running.stop()
    for text in ("while you were away", "hello??"):  # nobody is connected to hear these
        await fake_discord.post_message(fake_discord.support_channel_id, text)
    await asyncio.sleep(1.1)
    again = await running.start_again()
    await settle(lambda: len(outcomes(again.bot)) == 3)
    assert outcomes(again.bot) == [("before", "answered"), ("while you were away", "answered"), ("hello??", "answered")]
    replies = [p.content for p in fake_discord.messages_in(fake_discord.support_channel_id) if p.message["author"]["bot"]]
    assert replies == ["echo: before", "Sorry for the slow reply! echo: while you were away",
                       "Sorry for the slow reply! echo: hello??"]


async def test_a_new_bot_does_not_answer_a_channels_whole_past(fake_discord: FakeDiscord, discord_bot):
    await fake_discord.post_message(fake_discord.support_channel_id, "an old message from last year")
    running = await discord_bot(Echo)
    await asyncio.sleep(0.3)
    assert outcomes(running.bot) == [] and fake_discord.posted == []


async def test_a_reply_posted_just_before_a_crash_is_not_posted_again(fake_discord: FakeDiscord, discord_bot,
                                                                     monkeypatch):
    running = await discord_bot(Echo)
    # The process dies right after the send: neither the sent id nor the outcome is written (the
    # outcome's transaction carries both).
    monkeypatch.setattr(running.bot.history, "record_outcome", lambda *args, **kwargs: True)
    await fake_discord.post_message(fake_discord.support_channel_id, "where is my parcel")
    await fake_discord.wait_for_message(fake_discord.support_channel_id)
    await running.stop()
    again = await running.start_again()
    assert await again.bot.recover() == 1
    await asyncio.sleep(0.3)
    assert [p.content for p in fake_discord.posted] == ["echo: where is my parcel"]  # once
    assert outcomes(again.bot) == [("where is my parcel", "answered")]
    sent = again.bot.history.db.execute("SELECT platform_message_id FROM messages WHERE direction = 'out'").fetchall()
    assert sent == [(f"discord:{fake_discord.posted[0].id}",)]


async def test_one_message_delivered_twice_at_once_is_handled_once(make_bot):
    bot, chat = await make_bot(Echo)
    from supportbot.events import Author, MessageReceived

    event = MessageReceived(platform="test", message_id="m-1", channel_id="support", author=Author("alice", "alice"),
                            text="hi")
    await asyncio.gather(bot.handle_message(event), bot.handle_message(event))
    assert chat.texts() == ["echo: hi"]


async def test_a_live_message_handled_before_the_catch_up_does_not_hide_what_came_while_away(
        fake_discord: FakeDiscord, discord_bot, monkeypatch):
    """discord.py hands on live messages before READY reaches the transport: the catch-up reads
    from where the record stood when the gateway connected, not from the newest message."""
    from supportbot.transports.discord.transport import DiscordTransport

    running = await discord_bot(Echo)
    await fake_discord.post_message(fake_discord.support_channel_id, "before")
    await settle(lambda: len(outcomes(running.bot)) == 1)
    await running.stop()
    await fake_discord.post_message(fake_discord.support_channel_id, "while you were away")
    original = DiscordTransport._on_ready

    async def live_message_first(self):
        await fake_discord.post_message(fake_discord.support_channel_id, "live, just after the login")
        await settle(lambda: len(outcomes(self.bot)) == 2)
        await original(self)

    monkeypatch.setattr(DiscordTransport, "_on_ready", live_message_first)
    again = await running.start_again()
    await settle(lambda: len(outcomes(again.bot)) == 3)
    assert sorted(text for text, _ in outcomes(again.bot)) == ["before", "live, just after the login",
                                                               "while you were away"]
