"""Customers' data over the wire: /mydata by direct message, the real discord.py client against the fake."""

from __future__ import annotations

from supportbot.plugin import MessageContext, Plugin, on_message
from supportbot.testing.fake_discord import FakeDiscord

pytest_plugins = ["supportbot.testing.fake_discord.fixtures"]

FILES = ["my-data.json", "my-conversations.html"]


class Echo(Plugin):
    name = "echo"

    @on_message()
    async def echo(self, ctx: MessageContext):
        return ctx.answer(f"You said: {ctx.text}", reason="small_talk")


async def test_mydata_arrives_by_direct_message_or_privately_when_dms_are_closed(fake_discord: FakeDiscord,
                                                                                  discord_bot) -> None:
    await discord_bot("customer_data", Echo)
    await fake_discord.post_message(fake_discord.support_channel_id, "my order 5521")
    await fake_discord.wait_for_message(fake_discord.support_channel_id, lambda p: p.content.endswith("5521"))

    answer = await fake_discord.wait_for_reply(await fake_discord.invoke_command("mydata"))
    assert answer.ephemeral and answer.content == "I've sent it to you by direct message." and answer.files == []
    dm = fake_discord.open_dm(fake_discord.customer)  # the channel user.send() opened: one per user
    sent = await fake_discord.wait_for_message(dm)
    assert [name for name, _ in sent.files] == FILES and b"my order 5521" in dict(sent.files)["my-data.json"]
    assert not any(p.files for p in fake_discord.messages_in(fake_discord.support_channel_id))

    fake_discord.faults.server_error("/channels/*/messages", method="POST", status=403)  # the customer's DMs closed
    closed = await fake_discord.wait_for_reply(await fake_discord.invoke_command("mydata"))
    assert closed.ephemeral and "direct messages are closed" in closed.content
    assert [name for name, _ in closed.files] == FILES and len(fake_discord.messages_in(dm)) == 1
