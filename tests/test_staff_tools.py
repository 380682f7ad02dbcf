"""Staff and bot working a handoff together (escalation): card buttons with the owner shown,
rating buttons, internal notes, snippets, drafted replies and transcripts."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from supportbot.actions import Button, CommandResult, Modal
from supportbot.events import Attachment
from supportbot.testing.doubles import ScriptedUnderstander, understanding
from supportbot.testing.fake_runner import FakeRunner
from supportbot.testing.transport import TestTransport
from supportbot.transports.recording import Sent

ASK = "I want to talk to a person about order 12345"


@dataclass(frozen=True)
class Passage:
    id: str
    text: str
    score: float = 0.9
    title: str | None = None
    kind: str = "faq"


class Knowledge:
    """One passage for every question: enough to draft from."""

    async def search_passages(self, query, k=5, kinds=("faq", "policy")):
        return [Passage("faq:1", "Orders ship within 2 business days.")]

    async def search_products(self, query, k=5, **filters):
        return []


@pytest.fixture
def understander():
    return ScriptedUnderstander({ASK: understanding("contact_human_agent", entities={"order_number": ["12345"]})})


async def _handoff(make_bot, understander, **escalation):
    bot, chat = await make_bot("escalation", understander=understander, knowledge=Knowledge(),
                               settings={"plugins": {"settings": {"escalation": escalation}}})
    await chat.say(ASK)
    (thread,) = chat.threads.values()
    return bot, chat, thread.id


def _in(chat: TestTransport, channel: str) -> list[Sent]:
    return [s for s in chat.sent if s.channel_id == channel]


def _card(chat: TestTransport, thread_id: str) -> Sent:
    return next(s for s in _in(chat, thread_id) if s.text.startswith("Handoff #"))


def _labels(sent: Sent) -> list[str]:
    return [c.label for c in sent.components if isinstance(c, Button)]


async def test_the_card_shows_the_owner_and_its_buttons_claim_transfer_and_resolve(make_bot, understander) -> None:
    bot, chat, thread_id = await _handoff(make_bot, understander)
    card = _card(chat, thread_id)
    assert "waiting for someone to claim it" in card.text and _labels(card) == ["Claim", "Resolve", "Transfer"]

    refused = await chat.click(card.components[0].custom_id, message=card)  # a customer
    assert isinstance(refused, CommandResult) and "staff only" in refused.text

    claimed = await chat.click(card.components[0].custom_id, staff=True, message=card)
    assert isinstance(claimed, CommandResult) and claimed.text == "You now own handoff #1."
    assert "claimed by <@staff-1>" in card.text and _labels(card) == ["Resolve", "Transfer"]  # edited in place

    form = await chat.click("escalation:transfer:1", staff=True, message=card)
    assert isinstance(form, Modal)
    moved = await chat.click(form.custom_id, staff=True, fields={"member": "<@987654321>"})
    assert isinstance(moved, CommandResult) and "<@987654321>" in moved.text
    assert bot.handoffs.get(1).owner_id == "987654321" and "claimed by <@987654321>" in card.text

    done = await chat.click("escalation:resolve:1", staff=True, message=card)
    assert isinstance(done, CommandResult) and done.text == "Handoff #1 resolved."
    assert not bot.handoffs.get(1).is_open and card.text == "Handoff #1 is resolved." and card.components == ()


async def test_rating_buttons_take_the_customers_rating_and_a_comment(make_bot, understander) -> None:
    bot, chat, thread_id = await _handoff(make_bot, understander)
    await chat.command("resolve", channel=thread_id)
    prompt = next(s for s in chat.sent if s.channel_id == chat.support_channel and "How did we do" in s.text)
    assert _labels(prompt) == ["1", "2", "3", "4", "5 ★"]

    other = await chat.click("escalation:csat:1:1", author="mallory", message=prompt)
    assert isinstance(other, CommandResult) and "Only the customer" in other.text
    thanks = await chat.click("escalation:csat:1:4", author="alice", message=prompt)
    assert isinstance(thanks, CommandResult) and "Thank you" in thanks.text
    escalation = bot.plugins["escalation"]
    assert escalation.desk.get(1).csat == 4  # type: ignore[attr-defined]

    form = await chat.click("escalation:csat-comment:1", author="alice")
    assert isinstance(form, Modal)
    await chat.click(form.custom_id, author="alice", fields={"comment": "quick and kind"})
    assert escalation.staff.csat_comment(1) == "quick and kind"  # type: ignore[attr-defined]


async def test_a_typed_rating_still_works(make_bot, understander) -> None:
    bot, chat, thread_id = await _handoff(make_bot, understander)
    await chat.command("resolve", channel=thread_id)
    await chat.say("5")
    assert bot.plugins["escalation"].desk.get(1).csat == 5  # type: ignore[attr-defined]


async def test_notes_stay_internal_and_show_in_the_summary_and_the_staff_transcript(make_bot, understander) -> None:
    bot, chat, thread_id = await _handoff(make_bot, understander)
    before = len(_in(chat, chat.support_channel))
    assert await chat.staff_says(thread_id, "# called the courier, parcel is in the depot") == []
    assert (await chat.command("note", channel=thread_id, text="customer is a regular")).text.startswith("Note kept")
    await chat.staff_says(thread_id, "It is on its way!")
    to_customer = [s.text for s in _in(chat, chat.support_channel)[before:]]
    assert to_customer == ["**staff-1 (staff):** It is on its way!"]  # notes never reach the customer

    staff_copy = await chat.command("transcript", channel=thread_id)
    customer_copy = await chat.command("transcript", channel=thread_id, customer_copy=True)
    staff_text = dict(staff_copy.files)["handoff-1.txt"].decode()
    customer_text = dict(customer_copy.files)["handoff-1-customer.txt"].decode()
    assert "INTERNAL note by staff-1: called the courier" in staff_text and "It is on its way!" in staff_text
    assert "courier" not in customer_text and "regular" not in customer_text and "It is on its way!" in customer_text
    assert 'class="note"' in dict(staff_copy.files)["handoff-1.html"].decode()

    await chat.command("resolve", channel=thread_id)  # the transcript is posted in the thread on resolve
    posted = [s for s in _in(chat, thread_id) if s.action.files]
    assert [name for name, _ in posted[-1].action.files] == ["handoff-1.txt", "handoff-1.html"]
    await chat.say(ASK)  # back within the reopen window: the summary lists the notes
    reopened = [s for s in _in(chat, thread_id) if s.text.startswith("Reopened")][-1]
    notes = dict(reopened.action.embeds[0].fields)["Internal notes"]
    assert "called the courier" in notes and "customer is a regular" in notes


async def test_snippets_fill_placeholders_and_are_listed_completed_and_removed(make_bot, understander) -> None:
    bot, chat, thread_id = await _handoff(make_bot, understander)
    added = await chat.command("snippet-add", name="ships", text="Hi {customer}, order {order} ships today.")
    assert added.text == "Snippet 'ships' saved."
    sent = await chat.command("snippet", channel=thread_id, name="ships")
    assert sent.text == "Sent 'ships' to the customer."
    assert _in(chat, chat.support_channel)[-1].text == "**staff-1 (staff):** Hi alice, order 12345 ships today."
    assert "ships" in (await chat.command("snippet-list")).text
    assert await bot.autocomplete(_command_event("snippet"), "name", "sh") == ["ships"]
    assert (await chat.command("snippet-remove", name="ships")).text == "Snippet 'ships' removed."
    assert "No snippet named" in (await chat.command("snippet", channel=thread_id, name="ships")).text
    refused = await chat.command("snippet-add", staff=False, name="x", text="y")
    assert "staff only" in refused.text


def _command_event(name: str):
    from supportbot.events import Author, CommandInvoked

    return CommandInvoked(platform="test", interaction_id="1", channel_id="staff",
                          author=Author(id="staff-1", name="staff-1", is_staff=True), command=name)


async def test_a_draft_can_be_sent_as_is_edited_or_discarded_and_each_is_recorded(make_bot, understander) -> None:
    bot, chat, thread_id = await _handoff(make_bot, understander)
    staff = bot.plugins["escalation"].staff  # type: ignore[attr-defined]

    def draft_message() -> Sent:
        return [s for s in _in(chat, thread_id) if s.text.startswith("Suggested reply")][-1]

    first = draft_message()
    assert "> Orders ship within 2 business days." in first.text and _labels(first) == ["Send", "Edit", "Discard"]
    assert not any("Orders ship" in s.text for s in _in(chat, chat.support_channel))  # staff see it first
    send = first.components[0].custom_id
    await chat.click(send, staff=True, message=first)
    assert _in(chat, chat.support_channel)[-1].text == "**staff-1 (staff):** Orders ship within 2 business days."
    assert first.text.startswith("Draft sent by <@staff-1>") and first.components == ()
    again = await chat.click(send, staff=True)  # a second click (another staff member, a double tap)
    assert isinstance(again, CommandResult) and "already" in again.text

    escalation = bot.plugins["escalation"]
    handoff = bot.handoffs.get(1)
    await escalation.offer_draft(handoff, thread_id)  # type: ignore[attr-defined]
    second = draft_message()
    form = await chat.click(second.components[1].custom_id, staff=True, message=second)
    assert isinstance(form, Modal) and form.fields[0].value == "Orders ship within 2 business days."
    await chat.click(form.custom_id, staff=True, fields={"text": "Yours ships tomorrow morning."})
    assert _in(chat, chat.support_channel)[-1].text == "**staff-1 (staff):** Yours ships tomorrow morning."

    await escalation.offer_draft(handoff, thread_id)  # type: ignore[attr-defined]
    third = draft_message()
    sent_before = len(_in(chat, chat.support_channel))
    await chat.click(third.components[2].custom_id, staff=True, message=third)
    assert len(_in(chat, chat.support_channel)) == sent_before and third.text.startswith("Draft discarded")
    assert staff.draft_counts() == {"sent": 1, "edited": 1, "discarded": 1}
    from plugins.insights.report import collect  # what /insights and `bot.py report` show of it

    report = collect(bot.history, days=1)
    assert "Drafted replies: 1 sent as is, 1 edited, 1 discarded (33% used unchanged)" in report.as_text()
    assert report.tables()["drafts"][1] == [("discarded", 1), ("edited", 1), ("sent", 1)]


async def test_drafts_can_be_turned_off(make_bot, understander) -> None:
    _, chat, thread_id = await _handoff(make_bot, understander, drafts=False)
    assert not [s for s in _in(chat, thread_id) if s.text.startswith("Suggested reply")]


PHOTO = Attachment(url="https://cdn.example/1/damage.jpg", filename="damage.jpg", content_type="image/jpeg",
                   size=300_000)
HUGE = Attachment(url="https://cdn.example/2/video.mp4", filename="video.mp4", content_type="video/mp4",
                  size=50 * 1024 * 1024)
SCRIPT = Attachment(url="https://cdn.example/3/run.exe", filename="run.exe", content_type="application/x-msdownload",
                    size=1000)


async def test_files_are_relayed_both_ways_within_the_limits(make_bot, understander) -> None:
    bot, chat = await make_bot("escalation", understander=understander, knowledge=Knowledge())
    outcome, sent = await chat.say_and_outcome("it arrived like this", attachments=(PHOTO, HUGE))
    assert outcome is not None and outcome.reason == "attachment"  # a person has to look at it
    assert "video.mp4 (50.0 MB > 8 MB)" in sent[0].text  # the refused one is explained to the sender
    (thread,) = chat.threads.values()
    files = [s.text for s in _in(chat, thread.id) if s.text.startswith("Files from the customer")]
    assert files == ["Files from the customer:\n📎 damage.jpg (image/jpeg, 292 KB) https://cdn.example/1/damage.jpg"]

    await chat.say("and the box", attachments=(PHOTO,))
    assert _in(chat, thread.id)[-1].text.startswith("Files from the customer:\n📎 damage.jpg")

    await chat.staff_says(thread.id, "Here is the return label", attachments=(
        Attachment(url="https://cdn.example/9/label.pdf", filename="label.pdf", content_type="application/pdf", size=20_000),
        SCRIPT))
    assert _in(chat, chat.support_channel)[-1].text == (
        "**staff-1 (staff):** Here is the return label\n📎 label.pdf (application/pdf, 19 KB) https://cdn.example/9/label.pdf")
    assert _in(chat, thread.id)[-1].text.startswith("Not sent to the customer: run.exe")
    stored = bot.plugins["escalation"].staff.files(1)  # type: ignore[attr-defined]
    assert [(f.filename, f.size) for f in stored] == [("damage.jpg", 300_000), ("damage.jpg", 300_000),
                                                       ("label.pdf", 20_000)]


@pytest.mark.parametrize(("generated", "expected"), [
    ("Your order ships within 2 business days.", "Your order ships within 2 business days."),
    # A promise the passages do not make is never put in front of staff as a suggestion.
    ("I will refund you today and add a 20% discount.", "> Orders ship within 2 business days."),
])
async def test_with_a_generator_the_draft_is_written_from_the_passages_and_checked(make_bot, understander,
                                                                                   generated, expected) -> None:
    runner = FakeRunner(lambda messages: generated)
    bot, chat = await make_bot("escalation", understander=understander, knowledge=Knowledge(), runner=runner)
    await chat.say(ASK)
    (thread,) = chat.threads.values()
    draft = [s for s in _in(chat, thread.id) if s.text.startswith("Suggested reply")][-1]
    assert draft.text.endswith("\n" + expected)
    prompt = runner.calls[-1].messages  # after the summary: the draft comes last
    assert "Orders ship within 2 business days." in prompt[0]["content"] and prompt[-1]["content"].count(ASK) == 1
