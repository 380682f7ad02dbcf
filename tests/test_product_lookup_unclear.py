"""Product lookup when the intent is unclear: a bare product name is a product question, unless an
FAQ or policy passage fits the message better."""

from pathlib import Path

import pytest

from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase, import_file
from supportbot.testing.doubles import ScriptedUnderstander, understanding
from supportbot.testing.fake_runner import FakeRunner

CATALOG = """sku,name,category,price,stock
SJ-1,Storm Shell Jacket,Clothing > Jackets,149,6
BP-1,登山背包 40L,Bags,92,3
"""
POLICIES = """# Warranty

Every jacket carries a 2-year warranty against manufacturing defects; the warranty does not cover wear.
"""


class AlwaysUnclear(ScriptedUnderstander):
    """Every message is too close to call between a greeting and a product question."""

    labels: dict[str, str] = {}

    def __init__(self):
        super().__init__({}, default=understanding("greeting", runner_up="product_question", action="clarify",
                                                   ambiguous=True))


@pytest.fixture
def knowledge(tmp_path: Path) -> KnowledgeBase:
    (tmp_path / "catalog.csv").write_text(CATALOG, encoding="utf-8")
    (tmp_path / "policies.md").write_text(POLICIES, encoding="utf-8")
    db = connect(tmp_path / "kb.db")
    kb = KnowledgeBase(db, None)  # full-text only: the scores are word overlap, easy to reason about
    import_file(kb, "products", tmp_path / "catalog.csv")
    import_file(kb, "policies", tmp_path / "policies.md")
    yield kb
    db.conn.close()


async def test_a_bare_product_name_gets_its_card_instead_of_a_question(make_bot, knowledge):
    bot, chat = await make_bot("product_lookup", "auto_reply", knowledge=knowledge, runner=FakeRunner(),
                               understander=AlwaysUnclear())
    outcome, sent = await chat.say_and_outcome("登山背包")
    assert outcome.plugin == "product_lookup" and outcome.reason == "product_found"
    assert sent[0].action.embeds[0].footer == "SKU BP-1"


async def test_a_policy_question_naming_a_product_is_left_to_auto_reply(make_bot, knowledge):
    bot, chat = await make_bot("product_lookup", "auto_reply", knowledge=knowledge, runner=FakeRunner(),
                               understander=AlwaysUnclear())
    outcome, _ = await chat.say_and_outcome("is there a warranty on jackets?")
    assert outcome.plugin == "auto_reply"
