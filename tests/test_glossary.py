"""Reading a question in another language word by word (supportbot/glossary.py): what it renders,
what it leaves as written, and a merchant's own entries over the bundled ones."""

from pathlib import Path

import pytest

from supportbot.config import load_config
from supportbot.glossary import gloss, glossary


@pytest.mark.parametrize(("text", "language", "rendered"), [
    ("¿Cuándo es gratis el envío?", "es", "when is free shipping ?"),
    ("¿Hacen envíos a Nueva Zelanda?", "es", "do you ship to New Zealand ?"),  # the country from the CLDR
    ("Combien de jours ai-je pour retourner une montre ?", "fr", "how many days do I have for return a watch ?"),
    ("Wie viele Tage habe ich für eine Rücksendung?", "de", "how many days do I have for a return ?"),
    ("你们的退货政策是什么？", "zh", "your return policy what is ?"),
])
def test_a_support_question_is_rendered_in_the_shops_words(text, language, rendered):
    glossed = gloss(text, language)
    assert glossed.text == rendered and glossed.unknown == () and glossed.understood


def test_accents_plurals_and_german_compounds_are_read():
    assert gloss("envios gratis", "es").text == "shipping free"  # typed without the accent, in the plural
    assert gloss("Versandkosten nach Österreich?", "de").text == "shipping cost to Austria ?"
    # a compound's head the glossary lacks stays as written, to be found in the passage
    standard = gloss("Was kostet der Standardversand nach Perth?", "de")
    assert standard.text == "how much does it cost standard shipping to Perth ?" and standard.unknown == ("perth",)


def test_names_codes_and_countries_are_what_the_passage_must_have():
    paypal = gloss("你们接受PayPal付款吗？", "zh")
    assert paypal.text == "you accept PayPal payment ?" and paypal.must_have == ("paypal",)
    assert gloss("¿Envían a México?", "es").must_have == ("Mexico",)
    # words it does not know, in any script: the question was not read, so no passage can answer it
    assert gloss("Voy a demandarles", "es").unknown == ("voy", "demandarles")
    assert gloss("我们会过期吗", "zh").understood and gloss("东西", "zh").unknown == ("东西",)
    assert not gloss("Ahoj, jak se máš", "cs").understood  # a language with no glossary: nothing rendered


def test_a_merchants_glossary_adds_to_the_bundled_one(tmp_path: Path):
    (tmp_path / "config.yaml").write_text("bot: {name: Sol}\n", encoding="utf-8")
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "glossary.yaml").write_text("es:\n  cohete: rocket\n  envío: postage\n", encoding="utf-8")
    config = load_config(tmp_path / "config.yaml")
    assert gloss("¿envío en cohete?", "es", config).text == "postage in rocket ?"
    assert glossary(config, "es").lookup("gratis") == "free"  # the bundled entries stay
    assert gloss("¿envío en cohete?", "es").text == "shipping in cohete ?"
