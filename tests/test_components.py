"""Buttons, selects and forms as core actions: routing by custom_id, staff checks at click time,
forms, and the console's numbered choices."""

from __future__ import annotations

import io

import pytest

from supportbot.actions import Button, CommandResult, EditMessage, Modal, Select, SelectOption, SendMessage, TextField
from supportbot.components import ComponentContext, ComponentRouter, ComponentSpec
from supportbot.engine import PluginLoadError
from supportbot.plugin import MessageContext, Plugin, component, on_message
from supportbot.testing.transport import TestTransport
from supportbot.transports.console import ConsoleTransport


class Panel(Plugin):
    """Answers "panel" with buttons and a drop-down; records every click it handles."""

    name = "panel"

    async def plugin_load(self) -> None:
        self.clicks: list[tuple[str, tuple[str, ...], str]] = []

    @on_message()
    async def show(self, ctx: MessageContext):
        if ctx.text != "panel":
            return None
        await self.bot.send(SendMessage(ctx.event.channel_id, "Pick one", components=(
            Button("panel:claim:7", "Claim", style="primary"),
            Button("panel:comment", "Comment"),
            Select("panel:size", (SelectOption("Small", "S"), SelectOption("Large", "L")), placeholder="Size"),
        )))
        return ctx.ignore("panel shown")

    @component("panel:claim", staff_only=True)
    async def claim(self, ctx: ComponentContext) -> CommandResult:
        self.clicks.append(("claim", ctx.args, ctx.author_id))
        if ctx.event.message_id is not None:
            await self.bot.send(EditMessage(ctx.event.channel_id, ctx.event.message_id,
                                            f"Claimed by {ctx.author_id}"))
        return CommandResult(f"claimed {ctx.args[0]}")

    @component("panel:comment")
    async def comment(self, ctx: ComponentContext) -> Modal:
        return Modal("panel:comment-form", "Your comment", (TextField("text", "Comment", long=True),))

    @component("panel:comment-form")
    async def comment_sent(self, ctx: ComponentContext) -> CommandResult:
        self.clicks.append(("comment", (ctx.fields["text"],), ctx.author_id))
        return CommandResult("Thanks for the comment.")

    @component("panel:size")
    async def size(self, ctx: ComponentContext) -> CommandResult:
        self.clicks.append(("size", ctx.values, ctx.author_id))
        return CommandResult(f"size {ctx.values[0]}")

    @component("panel:broken")
    async def broken(self, ctx: ComponentContext) -> str:
        return "not a reply"


async def _panel(make_bot) -> tuple[Panel, TestTransport]:
    bot, chat = await make_bot(Panel)
    await chat.say("panel")
    return bot.plugins["panel"], chat  # type: ignore[return-value]


async def test_a_staff_button_runs_for_staff_and_edits_its_message(make_bot) -> None:
    panel, chat = await _panel(make_bot)
    [card] = chat.sent
    reply = await chat.click("panel:claim:7", staff=True, author="staff-9", message=card)
    assert isinstance(reply, CommandResult) and reply.text == "claimed 7" and reply.ephemeral
    assert panel.clicks == [("claim", ("7",), "staff-9")]
    assert card.text == "Claimed by staff-9"  # updated in place


async def test_a_staff_button_refuses_a_customer_at_click_time(make_bot) -> None:
    panel, chat = await _panel(make_bot)
    reply = await chat.click("panel:claim:7", message=chat.sent[0])
    assert isinstance(reply, CommandResult) and "staff only" in reply.text and reply.ephemeral
    assert panel.clicks == []


async def test_a_button_opens_a_form_and_the_submit_reaches_the_plugin(make_bot) -> None:
    panel, chat = await _panel(make_bot)
    form = await chat.click("panel:comment", message=chat.sent[0])
    assert isinstance(form, Modal) and [f.custom_id for f in form.fields] == ["text"]
    reply = await chat.click(form.custom_id, fields={"text": "lovely service"})
    assert isinstance(reply, CommandResult) and reply.text == "Thanks for the comment."
    assert panel.clicks == [("comment", ("lovely service",), "alice")]


async def test_a_select_passes_its_values(make_bot) -> None:
    panel, chat = await _panel(make_bot)
    reply = await chat.click("panel:size", values=("L",), message=chat.sent[0])
    assert isinstance(reply, CommandResult) and reply.text == "size L"


async def test_unknown_buttons_and_bad_handlers_still_get_an_answer(make_bot) -> None:
    _, chat = await _panel(make_bot)
    gone = await chat.click("other:thing")
    assert isinstance(gone, CommandResult) and "no longer" in gone.text
    broken = await chat.click("panel:broken")
    assert isinstance(broken, CommandResult) and "went wrong" in broken.text


async def test_two_plugins_cannot_claim_one_prefix(make_bot) -> None:
    class Copy(Panel):
        name = "copy"

    bot, _ = await make_bot(Panel)
    with pytest.raises(PluginLoadError, match="panel:claim"):
        await bot.add_plugin(Copy)
    assert "copy" not in bot.plugins


def test_the_longest_prefix_wins_and_args_follow_it() -> None:
    router = ComponentRouter()

    async def noop(ctx: ComponentContext) -> None:
        return None

    router.add([ComponentSpec("a", False, "p", noop), ComponentSpec("a:b", False, "p", noop)])
    found = router.match("a:b:1:2")
    assert found is not None and found[0].prefix == "a:b" and found[1] == ("1", "2")
    assert router.match("ab") is None
    with pytest.raises(ValueError):
        component("ends:")


async def test_the_console_numbers_choices_and_clicks_them(make_bot, bot_config) -> None:
    script = io.StringIO("panel\n!2\nquick thought\n!4\n!9\n")
    out = io.StringIO()
    bot, _ = await make_bot(Panel)
    console = ConsoleTransport(script, out, echo=True)
    bot.transport = console
    await console.start(bot)
    await console.run()
    text = out.getvalue()
    assert "[1] Claim  [2] Comment  [3] Small  [4] Large   (type !N to choose)" in text
    assert "form Your comment: Comment> quick thought" in text
    assert "Thanks for the comment." in text and "size L" in text
    assert "(no choice 9 on screen)" in text
    panel = bot.plugins["panel"]
    assert [c[0] for c in panel.clicks] == ["comment", "size"]  # type: ignore[attr-defined]
