"""Nothing leaked: card numbers masked before storage, logs, staff threads and prompts; the database
owner-only; generated text cleaned before a customer sees it; inbound text capped."""

import io
import logging
import os
import stat
import sys
import unicodedata

import pytest

from supportbot.history import History
from supportbot.logs import setup_logging
from supportbot.plugin import MessageContext, Plugin, on_message
from supportbot.sanitize import clean_outbound, luhn_ok, mask_payment_data
from supportbot.testing.doubles import ScriptedUnderstander
from supportbot.testing.fake_runner import FakeRunner
from supportbot.understanding.entities import EntityExtractor

CARD_MESSAGE = "can I speak to a real person please, my card 4111 1111 1111 1111 exp 12/29 cvv 123 was charged twice"


class Echo(Plugin):
    name = "echo"

    @on_message()
    async def echo(self, ctx: MessageContext):
        return ctx.answer(ctx.text)


class Parrot(Plugin):
    """Answers with whatever the model writes, unchecked: the core must still clean it."""

    name = "parrot"

    @on_message()
    async def parrot(self, ctx: MessageContext):
        (text,) = await ctx.bot.runner.generate([{"role": "user", "content": ctx.text}])
        return ctx.answer(text)


@pytest.mark.parametrize(("text", "masked"), [
    ("4111 1111 1111 1111 exp 12/29 cvv 123", "[card ending 1111] exp **/** cvv ***"),
    ("card: 5500-0000-0000-0004, CVC: 9876", "card: [card ending 0004], CVC: ***"),
    ("amex 378282246310005 security code 1234", "amex [card ending 0005] security code ***"),
    ("my number 4111111111111111.", "my number [card ending 1111]."),
])
def test_card_numbers_and_codes_are_masked(text, masked):
    assert mask_payment_data(text) == masked


@pytest.mark.parametrize("text", [
    "order 4111111111111112 has not arrived",   # fails the Luhn check
    "order 1234567890123452 please",            # Luhn-valid, but no card issuer starts with 1
    "call me on +44 20 7946 0958",
    "tracking 9400 1000 0000 0000 0000 00",     # 24 digits: not a card
    # Discord ids: this snowflake ends in a Luhn-valid "card" (seen masking a staff mention)
    "claimed by <@1577438478075953160> and <@&1577438478075953160> in <#1577438478075953160>",
    "📎 photo.jpg https://cdn.discordapp.com/attachments/1577438478075953160/1577438478075953160/photo.jpg",
])
def test_order_numbers_and_phone_numbers_are_left_alone(text):
    assert mask_payment_data(text) == text


def test_luhn():
    assert luhn_ok("4111111111111111") and luhn_ok("79927398713") and not luhn_ok("4111111111111112")


async def test_a_card_number_never_reaches_storage_a_staff_thread_or_a_prompt(make_bot):
    runner = FakeRunner("The customer was charged twice and wants a person.")
    bot, chat = await make_bot("escalation", runner=runner, understander=ScriptedUnderstander({}))
    outcome, sent = await chat.say_and_outcome(CARD_MESSAGE)
    assert outcome.kind == "handed_off"
    stored = [row[0] for row in bot.history.db.execute("SELECT text FROM messages")]
    everything = " ".join(stored) + " ".join(
        f"{s.text} {s.action.embeds}" for s in chat.sent) + " ".join(str(c.messages) for c in runner.calls)
    for secret in ("4111 1111 1111 1111", "4111111111111111", "12/29", "cvv 123"):
        assert secret not in everything
    assert "[card ending 1111]" in stored[0]
    (thread,) = chat.threads.values()
    assert "[card ending 1111]" in str(thread.action.embeds)
    assert runner.calls, "the summary prompt was built (and masked)"
    # ...and the masked text is not mistaken for a phone number either.
    assert "phone" not in EntityExtractor([]).extract(stored[0])


def test_log_lines_are_masked_whichever_library_writes_them():
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    try:
        setup_logging("DEBUG", stream=stream)
        logging.getLogger("discord.gateway").debug("WebSocket Event: %s", {"content": "4111 1111 1111 1111 cvv 123"})
    finally:
        for handler in list(root.handlers):
            if handler not in saved[0]:
                root.removeHandler(handler)
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    assert "[card ending 1111]" in stream.getvalue() and "4111" not in stream.getvalue()
    assert "cvv ***" in stream.getvalue()


async def test_database_and_its_wal_files_are_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        history = History.open(tmp_path / "bot.db")
        history.customer_id("test", "alice")
        for name in ("bot.db", "bot.db-wal", "bot.db-shm"):
            mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
            assert mode == 0o600, f"{name} is {oct(mode)}"
        history.close()
    finally:
        os.umask(old)


def test_an_existing_world_readable_database_is_made_private(tmp_path):
    path = tmp_path / "old.db"
    History.open(path).close()
    os.chmod(path, 0o644)
    History.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(("raw", "clean"), [
    ("Hello\x00 there\x02!", "Hello there!"),
    ("Your order \ufffd ships soon.", "Your order  ships soon."),
    ("line one\nline two\tend", "line one\nline two\tend"),
    ("evil \u202egnp.exe", "evil gnp.exe"),
    ("family 👩\u200d👩\u200d👧 emoji", "family 👩\u200d👩\u200d👧 emoji"),  # zero-width joiners stay
])
def test_outbound_text_is_cleaned(raw, clean):
    assert clean_outbound(raw) == clean


def test_outbound_cleaning_drops_exactly_the_unpostable_characters():
    """Every code point: dropped if and only if it is a control (but newline and tab), a surrogate,
    private use, U+FFFD or a bidirectional control, by ``unicodedata`` (the rule the pattern states)."""
    bidi = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    wrong = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        dropped = char not in "\n\t" and (unicodedata.category(char) in ("Cc", "Cs", "Co") or char == "\ufffd"
                                           or char in bidi)
        if char.isdigit():
            continue  # digits go on to the payment-data masking, tested above
        if (clean_outbound(f"a{char}b") == "ab") != dropped:
            wrong.append(hex(code))
    assert wrong == []


async def test_generated_text_is_cleaned_before_the_customer_sees_it(make_bot):
    bot, chat = await make_bot(Parrot, runner=FakeRunner("Thanks\x00 for\x02 waiting \ufffd your card 4111111111111111."))
    outcome, sent = await chat.say_and_outcome("hello")
    assert sent[0].text == "Thanks for waiting  your card [card ending 1111]."
    assert bot.history.db.execute("SELECT text FROM messages WHERE direction = 'out'").fetchone()[0] == sent[0].text


async def test_inbound_text_is_capped(make_bot, caplog):
    bot, chat = await make_bot(Echo)
    with caplog.at_level(logging.WARNING):
        outcome, sent = await chat.say_and_outcome("x" * 111_000)
    stored = bot.history.db.execute("SELECT text FROM messages WHERE direction = 'in'").fetchone()[0]
    assert len(stored) <= 4004 and stored.endswith("[…]")
    assert outcome.kind == "answered"
    assert any("111000 characters" in r.getMessage() for r in caplog.records)


async def test_the_cap_is_configurable(make_bot):
    bot, chat = await make_bot(Echo, settings={"bot": {"max_message_chars": 10}})
    sent = await chat.say("0123456789abcdef")
    assert sent[0].text == "0123456789 […]"


@pytest.mark.parametrize(("text", "masked"), [
    ("order 55555 4111 1111 1111 1111 please", "order 55555 [card ending 1111] please"),
    ("4111 1111 1111 11114111 1111 1111 1111", "[card number removed]"),  # found by hypothesis
    ("4111 1111 1111 11110", "[card number removed]"),  # found by hypothesis too
    ("cvv 1234111 1111 1111 11110", "cvv [card number removed]"),  # and this one, inside a run
    ("cards 4111111111111111 5500000000000004", "cards [card ending 1111] [card ending 0004]"),
])
def test_a_card_number_among_other_digits_is_masked_too(text, masked):
    assert mask_payment_data(text) == masked


def test_a_card_beside_a_mention_is_still_masked():
    text = "<@1577438478075953160> my card is 4111 1111 1111 1111"
    assert mask_payment_data(text) == "<@1577438478075953160> my card is [card ending 1111]"

