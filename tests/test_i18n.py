"""The customer's language: the bot's own phrases in English, Spanish, French, German and Chinese,
chosen by the detected language, with English as the fallback and the merchant's own texts first
in the shop's language; and a question in another language never answered with an unrelated
passage (the bundled embedders are English-centred)."""

import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from supportbot.config import load_config
from supportbot.history import connect
from supportbot.i18n import Phrases, anchors, cross_language_support, is_other_language, phrases
from supportbot.knowledge import KnowledgeBase, import_file
from supportbot.prompts import _BUNDLED
from supportbot.testing.doubles import ManualClock, ScriptedUnderstander, understanding
from supportbot.testing.fake_runner import FakeRunner
from supportbot.understanding.language import LanguageGuesser

LANGUAGES = ("en", "es", "fr", "de", "zh")
TABLE = yaml.safe_load((_BUNDLED / "phrases.yaml").read_text(encoding="utf-8"))

FAQ = """question,answer
What is your return policy?,You can return unworn items within 30 days of delivery for a full refund.
Which payment methods do you accept?,"We accept Visa, Mastercard and PayPal."
How long does shipping take?,Orders arrive in 3-5 business days.
"""

# Messages with the language a detector gives them, as the understanding would report it.
SPANISH_RETURNS = "¿Cuál es su política de devoluciones?"
CHINESE_RETURNS = "你们的退货政策是什么？"
SPANISH_PAYPAL = "¿Puedo pagar con PayPal?"
# Questions no passage answers: the glossary reads "ship", the passages lack "Marte" and "自行车" (bicycles).
SPANISH_MARS = "¿Hacen envíos a Marte en cohete?"
CHINESE_BICYCLES = "你们卖自行车吗？"
GERMAN_PRODUCT = "Habt ihr Regenschirme?"
UNDERSTANDER = ScriptedUnderstander({
    SPANISH_RETURNS: understanding("refund_policy", language="es"),
    CHINESE_RETURNS: understanding("refund_policy", language="zh"),
    SPANISH_PAYPAL: understanding("payment_methods", language="es"),
    SPANISH_MARS: understanding("delivery_options", language="es"),
    CHINESE_BICYCLES: understanding("product_question", language="zh"),
    f"{SPANISH_RETURNS} {SPANISH_MARS}": understanding("refund_policy", language="es"),
    "hola": understanding("greeting", language="es", confidence=0.2, ambiguous=True),
    "谢谢": understanding("thanks", language="zh"),
    GERMAN_PRODUCT: understanding("product_question", action="product_lookup", language="de"),
    "Ich möchte mit einem Menschen sprechen": understanding("contact_human_agent", language="de"),
    "5": understanding("other", language="en"),
    "What is your return policy?": understanding("refund_policy", language="en"),
})


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_phrase_exists_in_each_language_with_its_placeholders(language):
    english = TABLE["en"]
    for key, text in english.items():
        assert key in TABLE[language], f"{language} lacks {key}"
        if isinstance(text, str):
            assert set(re.findall(r"{\w+}", TABLE[language][key])) == set(re.findall(r"{\w+}", text)), key
    assert set(TABLE[language]["language_names"]) >= set(LANGUAGES)


def test_english_is_the_fallback_and_the_merchants_text_wins_in_the_shop_language():
    said = Phrases(TABLE)
    assert said.say("handoff", "es", minutes=30).startswith("He pasado tu consulta")
    assert said.say("handoff", "it", minutes=30) == (
        "I've passed this to our team; a person will reply here, usually within 30 minutes.")
    assert said.say("not_found", "en", custom="Nope, not here.", custom_language="en") == "Nope, not here."
    assert said.say("not_found", "fr", custom="Nope, not here.", custom_language="en").startswith("Je n'ai pas")
    assert said.language_name("en", "zh") == "英文" and said.language_name("en", "es") == "inglés"


def test_a_merchants_phrases_file_overrides_only_what_it_names(tmp_path):
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "phrases.yaml").write_text("es:\n  greeting: ¡Buenas! Soy el bot de Tienda Sol.\n",
                                                       encoding="utf-8")
    (tmp_path / "config.yaml").write_text("bot: {name: Sol}\n", encoding="utf-8")
    said = phrases(load_config(tmp_path / "config.yaml"))
    assert said.say("greeting", "es") == "¡Buenas! Soy el bot de Tienda Sol."
    assert said.say("thanks", "es").startswith("¡De nada!")


def test_the_example_messages_are_detected_as_their_language():
    guesser = LanguageGuesser(["en", "es", "fr", "de", "zh"], "en")
    guesser.load()
    assert [guesser.guess(t) for t in (SPANISH_RETURNS, CHINESE_RETURNS, GERMAN_PRODUCT,
                                        "Où est ma commande ?")] == ["es", "zh", "de", "fr"]


def test_english_with_a_misdetected_language_is_still_english():
    assert not is_other_language("Where is my order?", "nl", "en")
    # Detectors call short English "German"; half its words being the shop's own words settles it.
    assert is_other_language("check order status", "de", "en")
    assert not is_other_language("check order status", "de", "en", frozenset({"order", "status", "check"}))
    assert is_other_language("¿Puedo pagar con PayPal?", "es", "en", frozenset({"paypal", "pay", "with"}))
    assert is_other_language(SPANISH_RETURNS, "es", "en") and is_other_language(CHINESE_RETURNS, "zh", "en")


def test_anchors_are_names_codes_and_numbers():
    assert anchors(SPANISH_PAYPAL) == {"paypal"}
    assert anchors("订单 48213377 在哪里，我用的是 iPhone") == {"48213377", "iphone"}
    assert anchors(SPANISH_RETURNS) == set()
    assert anchors("¿Cuánto cuesta el envío de un pedido de 20 euros?") == set()  # "20" is in too many passages
    passages = [type("P", (), {"title": "Payments", "text": "We accept Visa and PayPal."})()]
    assert cross_language_support(SPANISH_PAYPAL, passages) == passages
    assert cross_language_support(SPANISH_RETURNS, passages) == []


class SameVectorRunner:
    """An embedder that finds every passage as close as can be to every question (cosine 1): the
    worst an English-centred embedder can do across languages."""

    embeddings_available = True
    generation_available = False

    def embed_sync(self, texts, batch_size=64, progress=False):
        return np.ones((len(texts), 8), dtype=np.float32) / np.sqrt(8)

    async def embed(self, texts):
        return self.embed_sync(texts)


@pytest.fixture
def knowledge(tmp_path: Path) -> KnowledgeBase:
    (tmp_path / "faq.csv").write_text(FAQ, encoding="utf-8")
    db = connect(tmp_path / "kb.db")
    kb = KnowledgeBase(db, SameVectorRunner())
    import_file(kb, "faq", tmp_path / "faq.csv")
    yield kb
    db.conn.close()


def _to_customer(sent):
    """What the customer saw (a handoff also posts the staff thread's card and draft)."""
    return [s for s in sent if s.channel_id == "support"]


async def _bot(make_bot, knowledge):
    return await make_bot("escalation", "product_lookup", "auto_reply", knowledge=knowledge,
                          runner=FakeRunner(generation_available=False), understander=UNDERSTANDER,
                          clock=ManualClock())


@pytest.mark.parametrize("question", [SPANISH_MARS, CHINESE_BICYCLES])
async def test_a_question_in_another_language_is_never_answered_with_an_unrelated_passage(make_bot, knowledge,
                                                                                         question):
    bot, chat = await _bot(make_bot, knowledge)
    (best, *_) = await knowledge.search_passages(question, k=3)
    assert best.score > 0.99  # the embedder would let any passage through
    outcome, sent = await chat.say_and_outcome(question)
    assert outcome.kind == "handed_off" and outcome.reason == "other_language"
    notice = _to_customer(sent)[-1].action.text
    assert notice.startswith("He pasado tu consulta" if question == SPANISH_MARS else "我已将您的问题转给我们的团队")


@pytest.mark.parametrize(("question", "notice"), [(SPANISH_RETURNS, "Esta respuesta solo está disponible en inglés:"),
                                                  (CHINESE_RETURNS, "此答案仅有英文版本：")])
async def test_a_question_the_glossary_reads_is_answered_from_the_shops_passage(make_bot, knowledge, question, notice):
    # The embedder tells nothing apart here: the glossed words ("return policy") find the passage.
    bot, chat = await _bot(make_bot, knowledge)
    outcome, sent = await chat.say_and_outcome(question)
    assert (outcome.kind, outcome.reason) == ("answered", "knowledge_match_other_language")
    assert sent[-1].action.text == f"{notice}\nYou can return unworn items within 30 days of delivery for a full refund."


async def test_of_two_questions_in_another_language_the_unread_one_is_handed_off_in_that_language(make_bot, knowledge):
    bot, chat = await _bot(make_bot, knowledge)
    outcome, sent = await chat.say_and_outcome(f"{SPANISH_RETURNS} {SPANISH_MARS}")
    assert (outcome.kind, outcome.reason) == ("handed_off", "partly_answered")
    assert outcome.details["unanswered"] == [SPANISH_MARS]
    text = _to_customer(sent)[0].action.text
    assert "within 30 days" in text and f"Tu otra pregunta («{SPANISH_MARS}»)" in text


async def test_an_answer_only_in_the_shops_language_says_so_in_the_customers(make_bot, knowledge):
    bot, chat = await _bot(make_bot, knowledge)
    outcome, sent = await chat.say_and_outcome(SPANISH_PAYPAL)
    assert outcome.kind == "answered" and outcome.reason == "knowledge_match_other_language"
    assert sent[-1].action.text == "Esta respuesta solo está disponible en inglés:\nWe accept Visa, Mastercard and PayPal."


async def test_the_bots_own_phrases_follow_the_customers_language(make_bot, knowledge):
    bot, chat = await _bot(make_bot, knowledge)
    assert (await chat.say("hola"))[-1].action.text == "¡Hola! ¿En qué puedo ayudarte hoy?"
    assert (await chat.say("谢谢", customer="li"))[-1].action.text == "不客气！还有什么可以帮您的吗？"
    # No product of ours named in German: not a catalog "not found" but auto-reply's handoff, in German.
    outcome, sent = await chat.say_and_outcome(GERMAN_PRODUCT, customer="jonas")
    assert (outcome.kind, outcome.reason) == ("handed_off", "other_language")
    assert _to_customer(sent)[-1].action.text.startswith("Ich habe Ihr Anliegen")
    # A handoff notice and the rating prompt after staff resolve it, in the customer's language.
    outcome, sent = await chat.say_and_outcome("Ich möchte mit einem Menschen sprechen", customer="anna")
    assert outcome.reason == "asked_for_human" and _to_customer(sent)[-1].action.text.startswith("Ich habe Ihr Anliegen")
    thread = next(t for t in chat.threads.values())
    await chat.command("resolve", author="sam", channel=thread.id)
    assert chat.texts("support")[-1].startswith("Unser Team hat dies als gelöst markiert.")


async def test_english_customers_are_answered_as_before(make_bot, knowledge):
    bot, chat = await _bot(make_bot, knowledge)
    outcome, sent = await chat.say_and_outcome("What is your return policy?")
    assert outcome.kind == "answered" and sent[-1].action.text.startswith("You can return unworn items")


def test_a_product_named_in_the_customers_script_is_found_across_languages():
    products = [type("P", (), {"title": "登山背包 40L (Trekking Backpack)", "text": ""})(),
                type("P", (), {"title": "Storm Shell Jacket", "text": ""})()]
    assert cross_language_support("登山背包", products) == products[:1]
    assert cross_language_support("你们的退货政策是什么？", products) == []
