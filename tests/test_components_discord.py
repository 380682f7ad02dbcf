"""Buttons and forms through the real discord.py client and the loopback fake Discord."""

from __future__ import annotations

from supportbot.actions import Button, CommandResult, EditMessage, Modal, SendMessage, TextField
from supportbot.components import ComponentContext
from supportbot.plugin import MessageContext, Plugin, component, on_message
from supportbot.testing.fake_discord import FakeDiscord

pytest_plugins = ["supportbot.testing.fake_discord.fixtures"]


class Card(Plugin):
    name = "card"

    @on_message()
    async def show(self, ctx: MessageContext):
        await self.bot.send(SendMessage(ctx.event.channel_id, "Order #12 needs a person", components=(
            Button("card:claim:12", "Claim", style="primary"), Button("card:note", "Add note"))))
        return ctx.ignore("card shown")

    @component("card:claim", staff_only=True)
    async def claim(self, ctx: ComponentContext) -> CommandResult:
        assert ctx.event.message_id is not None
        await self.bot.send(EditMessage(ctx.event.channel_id, ctx.event.message_id,
                                        f"Order #{ctx.args[0]}: claimed by <@{ctx.author_id}>",
                                        components=(Button("card:claim:12", "Claimed", disabled=True),)))
        return CommandResult("You own it now.")

    @component("card:note", staff_only=True)
    async def note(self, ctx: ComponentContext) -> Modal:
        return Modal("card:note-form", "Internal note", (TextField("note", "Note", long=True),))

    @component("card:note-form", staff_only=True)
    async def noted(self, ctx: ComponentContext) -> CommandResult:
        return CommandResult(f"noted: {ctx.fields['note']}")


async def _card(fake: FakeDiscord) -> object:
    await fake.post_message(fake.support_channel_id, "help")
    return await fake.wait_for_message(fake.support_channel_id)


async def test_staff_click_claims_and_the_card_is_updated_in_place(fake_discord: FakeDiscord, discord_bot) -> None:
    await discord_bot(Card)
    card = await _card(fake_discord)
    assert card.buttons == {"card:claim:12": "Claim", "card:note": "Add note"}  # type: ignore[attr-defined]
    click = await fake_discord.click(card, "card:claim:12", member=fake_discord.staff)  # type: ignore[arg-type]
    reply = await fake_discord.wait_for_reply(click)
    assert reply.content == "You own it now." and reply.ephemeral
    await fake_discord.rest.wait_for(lambda: card.edits)  # type: ignore[attr-defined]
    assert card.content == f"Order #12: claimed by <@{fake_discord.staff['id']}>"  # type: ignore[attr-defined]
    assert card.buttons == {"card:claim:12": "Claimed"}  # type: ignore[attr-defined]


async def test_a_customer_click_on_a_staff_button_is_refused_ephemerally(fake_discord: FakeDiscord,
                                                                         discord_bot) -> None:
    await discord_bot(Card)
    card = await _card(fake_discord)
    reply = await fake_discord.wait_for_reply(await fake_discord.click(card, "card:claim:12"))  # type: ignore[arg-type]
    assert "staff only" in reply.content and reply.ephemeral
    assert card.edits == []  # type: ignore[attr-defined]


async def test_buttons_posted_before_a_restart_still_work(fake_discord: FakeDiscord, discord_bot) -> None:
    running = await discord_bot(Card)
    card = await _card(fake_discord)
    await running.restart()
    click = await fake_discord.click(card, "card:claim:12", member=fake_discord.staff)  # type: ignore[arg-type]
    assert (await fake_discord.wait_for_reply(click)).content == "You own it now."


async def test_a_button_opens_a_form_and_its_submit_is_answered(fake_discord: FakeDiscord, discord_bot) -> None:
    await discord_bot(Card)
    card = await _card(fake_discord)
    click = await fake_discord.click(card, "card:note", member=fake_discord.staff)  # type: ignore[arg-type]
    form = await fake_discord.wait_for_reply(click)
    assert form.type == 9 and form.data["custom_id"] == "card:note-form"
    submit = await fake_discord.submit_modal("card:note-form", {"note": "called the courier"},
                                             member=fake_discord.staff, channel_id=fake_discord.support_channel_id)
    assert (await fake_discord.wait_for_reply(submit)).content == "noted: called the courier"
