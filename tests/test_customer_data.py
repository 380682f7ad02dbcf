"""Customers' data: /history, /mydata, /forget and /forgetme erase everywhere, retention; FAQ suggestions."""

import json

import pytest

from supportbot.plugin import MessageContext, Plugin, on_message
from supportbot.testing.doubles import ManualClock

ALICE, BOB = "alice-4711", "bob-0815"


class Notes(Plugin):
    """A plugin with its own table about customers, erased through the hook like any plugin's."""

    name = "notes"

    async def plugin_load(self) -> None:
        self.bot.history.db["notes_by_customer"].create({"customer_id": int, "note": str}, if_not_exists=True)

    @on_message()
    async def remember(self, ctx: MessageContext):
        self.bot.history.db["notes_by_customer"].insert({"customer_id": ctx.customer_id, "note": f"saw {ctx.text}"})
        if ctx.text.startswith("hello"):
            return ctx.answer("Hi!", reason="small_talk")
        return ctx.handoff("no_grounded_answer")

    async def delete_user_data(self, customer_id: int) -> None:
        with self.bot.history.db.conn:
            self.bot.history.db.execute("DELETE FROM notes_by_customer WHERE customer_id = ?", [customer_id])

    async def export_user_data(self, customer_id: int) -> dict:
        return {"notes": [r["note"] for r in self.bot.history.db["notes_by_customer"].rows_where(
            "customer_id = ?", [customer_id])]}


async def shop(make_bot, clock=None, **customer_data):
    bot, chat = await make_bot("escalation", "insights", "customer_data", clock=clock or ManualClock(),
                               settings={"plugins": {"settings": {"customer_data": customer_data}}})
    await bot.add_plugin(Notes)
    return bot, chat


async def converse(chat, customer: str, marker: str) -> None:
    """Everything a customer leaves behind: messages, a handoff with a staff reply, a rating, a suggestion."""
    await chat.say(f"hello from {marker}", customer=customer)
    await chat.say(f"do you gift wrap for {marker}?", customer=customer)
    thread = list(chat.threads.values())[-1]
    await chat.staff_says(thread.id, f"Yes {marker}, free at checkout.")
    await chat.command("resolve", channel=thread.id)
    await chat.say("5", customer=customer)
    await chat.command("history", member=customer)
    await chat.command("mydata", staff=False, author=customer)


def rows_of_every_table(db) -> dict[str, list[tuple]]:
    return {name: [tuple(r.values()) for r in db[name].rows] for name in db.table_names()
            if not name.startswith("sqlite_")}


async def test_forget_leaves_no_row_of_that_customer_in_any_table_and_spares_the_others(make_bot):
    bot, chat = await shop(make_bot)
    await converse(chat, ALICE, "ALICE-MARK")
    await converse(chat, BOB, "BOB-MARK")
    db = bot.history.db
    alice_id = db.execute("SELECT id FROM customers WHERE external_id = ?", [ALICE]).fetchone()[0]
    assert db["insights_faq_suggestions"].count == 2 and db["notes_by_customer"].count == 4
    before = rows_of_every_table(db)

    preview = await chat.command("forget", member=ALICE)
    assert "cannot be undone" in preview.text and "confirm:True" in preview.text
    assert rows_of_every_table(db)["messages"] == before["messages"]  # nothing erased without confirming

    refused = await chat.click(preview.components[0].custom_id, author=BOB)  # a customer pressing staff's button
    assert "staff" in refused.text.lower() and rows_of_every_table(db)["messages"] == before["messages"]
    done = await chat.command("forget", member=ALICE, confirm=True)
    assert done.ephemeral and done.text.startswith("Erased: ") and "notes" in done.text and "messages" in done.text
    after = rows_of_every_table(db)
    for table, rows in after.items():
        for row in rows:
            cells = " ".join(str(c) for c in row)
            assert ALICE not in cells and "ALICE-MARK" not in cells, (table, row)
    conversations = {c["id"] for c in db["conversations"].rows}
    assert all(r["customer_id"] != alice_id for r in db["notes_by_customer"].rows)
    assert all(r["conversation_id"] in conversations for t in ("handoffs", "messages", "insights_faq_suggestions")
               for r in db[t].rows)
    # Bob's rows are all still there, unchanged (only the log of commands and the erasure record grew).
    for table, rows in before.items():
        if table in ("command_log", "privacy_erasures"):
            continue
        kept = [r for r in rows if "BOB-MARK" in " ".join(map(str, r)) or BOB in " ".join(map(str, r))]
        assert all(r in after[table] for r in kept), table
    assert any(BOB in " ".join(map(str, r)) for r in after["command_log"])
    assert [r["by"] for r in db["privacy_erasures"].rows] == ["staff:staff-1"]


async def test_forgetme_needs_a_confirmation_and_erases_the_author(make_bot):
    bot, chat = await shop(make_bot)
    await converse(chat, ALICE, "ALICE-MARK")
    first = await chat.command("forgetme", staff=False, author=ALICE)
    assert "/forgetme confirm:True" in first.text and bot.history.db["customers"].count == 1
    (erase,) = first.components
    assert erase.label == "Erase" and erase.style == "danger"
    done = await chat.click(erase.custom_id, author=ALICE)
    assert done.text.startswith("Erased: ")
    assert bot.history.db["customers"].count == 0 and bot.history.db["messages"].count == 0
    assert all(ALICE not in json.dumps(r) for r in bot.history.db["command_log"].rows)
    assert (await chat.command("forgetme", staff=False, author=ALICE)).text == "Nothing is stored about that person."


async def test_history_and_mydata_give_the_transcript_and_the_plugins_data(make_bot):
    bot, chat = await shop(make_bot)
    await converse(chat, ALICE, "ALICE-MARK")
    result = await chat.command("history", member=ALICE)
    assert result.ephemeral and f"**<@{ALICE}>**: 1 conversation(s)" in result.text
    assert "handoff no_grounded_answer (resolved)" in result.text
    files = dict(result.files)
    text = files[f"transcript-{ALICE}.txt"].decode()
    assert "customer: do you gift wrap for ALICE-MARK?" in text and "staff: Yes ALICE-MARK" in text
    assert "[handed_off: no_grounded_answer]" in text
    assert "<h1>Conversations with" in files[f"transcript-{ALICE}.html"].decode()
    mine = await chat.command("mydata", staff=False, author=ALICE)
    assert mine.direct and mine.ephemeral
    data = json.loads(dict(mine.files)["my-data.json"])
    assert data["customer"]["id"] == ALICE and data["plugins"]["notes"]["notes"][0] == "saw hello from ALICE-MARK"
    assert data["plugins"]["insights"]["faq_suggestions"][0]["answer"] == "Yes ALICE-MARK, free at checkout."
    assert (await chat.command("mydata", staff=False, author="stranger")).text == "I store nothing about you."


@pytest.mark.parametrize("name", ["history", "forget"])
async def test_a_customer_is_refused_the_staff_commands(make_bot, name):
    bot, chat = await shop(make_bot)
    await converse(chat, ALICE, "ALICE-MARK")
    result = await chat.command(name, staff=False, author=BOB, member=ALICE, **({"confirm": True} if name == "forget" else {}))
    assert result.text == "This command is for staff only."
    assert bot.history.db["customers"].count == 1


async def test_retention_purge_erases_customers_silent_past_the_limit(make_bot):
    clock = ManualClock()
    bot, chat = await shop(make_bot, clock, retention_days=30)
    await chat.say("hello there", customer=ALICE)
    clock.advance(days=20)
    await chat.say("hello again", customer=BOB)
    clock.advance(days=15)
    assert await bot.plugins["customer_data"].purge() == 1
    assert [c["external_id"] for c in bot.history.db["customers"].rows] == [BOB]
    assert bot.history.db["notes_by_customer"].count == 1


async def test_an_accepted_faq_suggestion_answers_the_next_customer(make_bot, tmp_path):
    from supportbot.history import History
    from supportbot.knowledge import KnowledgeBase

    clock = ManualClock()
    bot, chat = await make_bot("escalation", "insights", "auto_reply", clock=clock)
    bot.knowledge = KnowledgeBase(bot.history.db, None)  # full-text search only: no model in this test
    outcome, _ = await chat.say_and_outcome("Do you offer gift wrapping?", customer=ALICE)
    assert outcome.reason == "no_knowledge_base" or outcome.reason == "no_grounded_answer"
    thread = list(chat.threads.values())[-1]
    await chat.staff_says(thread.id, "Yes, gift wrapping is free: tick the box at checkout.")
    await chat.command("resolve", channel=thread.id)
    listed = await chat.command("faq-suggestions")
    assert "#1 Q: Do you offer gift wrapping?" in listed.text and "tick the box at checkout" in listed.text
    accepted = await chat.command("faq-suggestions", action="accept", suggestion=1,
                                  answer="Yes, gift wrapping is free: tick the box at checkout.")
    assert "now in the FAQ" in accepted.text
    assert (await chat.command("faq-suggestions")).text == "No FAQ suggestions waiting."
    outcome, sent = await chat.say_and_outcome("Do you offer gift wrapping?", customer=BOB)
    assert outcome.kind == "answered" and sent[0].text == "Yes, gift wrapping is free: tick the box at checkout."
    assert isinstance(bot.history, History)


async def test_metrics_hold_no_customer_and_an_erasure_leaves_their_counts(make_bot):
    """Metrics are anonymous counts: no id or text of a customer in them, and /forget changes none."""
    from prometheus_client import REGISTRY, generate_latest

    bot, chat = await shop(make_bot)
    await converse(chat, ALICE, "ALICE-MARK")
    scraped = generate_latest(REGISTRY).decode()
    assert "supportbot_messages_total" in scraped and "supportbot_handoffs_total" in scraped
    assert ALICE not in scraped and "ALICE-MARK" not in scraped and "gift wrap" not in scraped
    counts = {m.name: [(s.labels, s.value) for s in m.samples] for m in REGISTRY.collect()
              if m.name.startswith("supportbot_") and m.name != "supportbot_response_seconds"}
    await chat.command("forget", member=ALICE, confirm=True)
    assert bot.history.db["customers"].count == 0
    after = {m.name: [(s.labels, s.value) for s in m.samples] for m in REGISTRY.collect() if m.name in counts}
    assert after == counts


async def test_a_merged_suggestion_finds_its_faq_entry_and_a_dismissed_one_goes_nowhere(make_bot, tmp_path):
    from supportbot.knowledge import KnowledgeBase
    from supportbot.knowledge.importers import import_file

    bot, chat = await make_bot("escalation", "insights", "auto_reply", clock=ManualClock())
    bot.knowledge = KnowledgeBase(bot.history.db, None)  # full-text search only: no model in this test
    (tmp_path / "faq.csv").write_text("question,answer\nHow long does delivery take?,"
                                      "Delivery takes 3 to 5 working days.\n")
    import_file(bot.knowledge, "faq", tmp_path / "faq.csv")
    for customer, asked, reply in ((ALICE, "When will my parcel get here?", "In 3 to 5 working days."),
                                   (BOB, "Do you buy second-hand gear?", "No, sorry.")):
        outcome, _ = await chat.say_and_outcome(asked, customer=customer)
        assert outcome.kind == "handed_off", asked
        thread = list(chat.threads.values())[-1]
        await chat.staff_says(thread.id, reply)
        await chat.command("resolve", channel=thread.id)
    unknown = await chat.command("faq-suggestions", action="merge", suggestion=1, into="How long is the wait?")
    assert unknown.text == "No FAQ entry asks 'How long is the wait?'."
    merged = await chat.command("faq-suggestions", action="merge", suggestion=1, into="how long does delivery take?")
    assert merged.text.startswith("Suggestion #1 merged")
    dismissed = await chat.command("faq-suggestions", action="dismiss", suggestion=2)
    assert dismissed.text == "Suggestion #2 dismissed."
    assert (await chat.command("faq-suggestions")).text == "No FAQ suggestions waiting."
    assert [(r["state"], r["faq_key"]) for r in bot.history.db["insights_faq_suggestions"].rows] == [
        ("merged", "how long does delivery take?"), ("dismissed", None)]
    assert bot.history.db["kb_passages"].count == 1  # merged into the entry, not added beside it
    outcome, sent = await chat.say_and_outcome("When will my parcel get here?", customer="carol")
    assert outcome.kind == "answered" and sent[0].text == "Delivery takes 3 to 5 working days."
    outcome, _ = await chat.say_and_outcome("Do you buy second-hand gear?", customer="dave")
    assert outcome.kind == "handed_off"
    again = await chat.command("faq-suggestions", action="accept", suggestion=2)
    assert again.text.startswith("No such waiting suggestion")


async def test_the_log_names_no_customer_so_an_erasure_leaves_nothing_of_them_there(make_bot, caplog):
    """The log file is kept apart from the database and no erasure reaches it: at INFO it must not know who wrote."""
    import logging

    caplog.set_level(logging.INFO)
    bot, chat = await shop(make_bot)
    await converse(chat, ALICE, "ALICE-MARK")
    await chat.command("forget", staff=False, author=ALICE, member=ALICE)  # a customer trying a staff command
    first = await chat.command("forgetme", staff=False, author=ALICE)
    await chat.click(first.components[0].custom_id, author=ALICE)
    await converse(chat, BOB, "BOB-MARK")
    preview = await chat.command("forget", member=BOB)
    await chat.click(preview.components[0].custom_id, staff=True)  # staff's Erase button
    assert bot.history.db["customers"].count == 0
    assert caplog.records and "staff-1" in caplog.text
    for trace in (ALICE, "ALICE-MARK", BOB, "BOB-MARK"):
        assert trace not in caplog.text, trace
