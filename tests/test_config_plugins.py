"""Plugin settings are strict at the edges: a misspelt plugin, a bad value in a plugin's block,
thresholds where their owner reads them, and one meaning of "negative"."""

import subprocess
import sys
from pathlib import Path

import pytest

from supportbot.app import build_bot
from supportbot.config import ConfigError, load_config
from supportbot.knowledge.settings import KnowledgeSettings
from supportbot.loader import check_plugin_settings, unknown_plugin_settings
from supportbot.testing.doubles import ScriptedUnderstander, understanding

ROOT = Path(__file__).resolve().parent.parent


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"database:\n  path: bot.db\nmodel:\n  backend: none\n{text}")
    return path


def test_settings_for_a_plugin_that_does_not_exist_name_key_line_and_the_likely_one(tmp_path):
    path = _config(tmp_path, "plugins:\n  settings:\n    escalaton:\n      keywords: [chargeback]\n")
    config = load_config(path)
    assert unknown_plugin_settings(config) == [
        f"{path}:7: plugins.settings.escalaton: no plugin named 'escalaton'; did you mean 'escalation'?"]
    with pytest.raises(ConfigError) as raised:
        build_bot(config)  # refused before anything is loaded or opened
    assert "plugins.settings.escalaton" in str(raised.value)
    assert not (tmp_path / "bot.db").exists()


def test_a_disabled_plugin_may_keep_its_settings(tmp_path):
    config = load_config(_config(tmp_path, "plugins:\n  enabled: [auto_reply]\n  settings:\n    escalation: {}\n"))
    assert check_plugin_settings(config) == []


def test_check_config_validates_every_enabled_plugin_without_starting_it(tmp_path):
    path = _config(tmp_path, "plugins:\n  settings:\n    product_lookup:\n      min_answer_score: banana\n"
                             "    auto_reply:\n      no_such_key: 1\n")
    done = subprocess.run([sys.executable, str(ROOT / "bot.py"), "check-config", "--config", str(path)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{path}:8: plugins.settings.product_lookup.min_answer_score: Input should be a valid number" in done.stderr
    assert f"{path}:10: plugins.settings.auto_reply.no_such_key: unknown key" in done.stderr
    assert not (tmp_path / "bot.db").exists()  # nothing was started

    path.write_text(path.read_text().replace("banana", "0.4").replace("      no_such_key: 1\n", "      {}\n"))
    ok = subprocess.run([sys.executable, str(ROOT / "bot.py"), "check-config", "--config", str(path)],
                        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.startswith(f"{path}: OK"), ok.stdout + ok.stderr


def test_product_lookup_thresholds_live_in_its_own_settings(tmp_path):
    assert not {"min_product_score", "min_answer_score", "close_match_margin"} & set(KnowledgeSettings.model_fields)
    with pytest.raises(ConfigError, match=r"config.yaml:6: knowledge.min_answer_score: unknown key"):
        load_config(_config(tmp_path, "knowledge:\n  min_answer_score: 0.3\n"))
    shipped = load_config(ROOT / "config.yaml")
    assert check_plugin_settings(shipped) == []
    assert shipped.plugins.settings["product_lookup"]["min_answer_score"] == 0.35


async def test_product_lookup_reads_its_own_threshold(make_bot, tmp_path):
    from supportbot.history import connect
    from supportbot.knowledge import KnowledgeBase, import_file
    from supportbot.testing.fake_runner import FakeRunner

    (tmp_path / "catalog.csv").write_text("sku,name,price\nHB-1,Canvas Tote Bag,12\nTR-1,Trail Runner Shoe,89\n")
    db = connect(tmp_path / "catalog.db")
    kb = KnowledgeBase(db, FakeRunner())
    import_file(kb, "products", tmp_path / "catalog.csv")
    asks = ScriptedUnderstander({}, default=understanding("product_question", action="product_lookup"))
    _, chat = await make_bot("product_lookup", knowledge=kb, runner=kb.runner, understander=asks)
    assert (await chat.say_and_outcome("do you have a bag?"))[0].reason == "product_found"
    _, loose = await make_bot("product_lookup", knowledge=kb, runner=kb.runner, understander=asks,
                               settings={"plugins": {"settings": {"product_lookup": {"min_answer_score": 0, "close_match_margin": 1}}}})
    # Every product is now good enough and close to the best: a list and a question instead of one card.
    assert (await loose.say_and_outcome("do you have a bag?"))[0].reason == "product_choices"
    db.conn.close()


@pytest.mark.parametrize(("sentiment", "hands_off"), [(-0.55, True), (-0.5, True), (-0.45, False)])
async def test_one_negative_sentiment_threshold_decides_escalation(make_bot, sentiment, hands_off):
    """understanding.negative_sentiment_threshold (-0.5) is the one line; escalation had its own -0.6."""
    from supportbot.plugin import Plugin, on_message

    class Answers(Plugin):
        name = "answers"

        @on_message()
        async def answer(self, ctx):
            return ctx.answer("ok")

    upset = ScriptedUnderstander({}, default=understanding("track_order", sentiment=sentiment))
    bot, chat = await make_bot("escalation", understander=upset)
    await bot.add_plugin(Answers)
    outcome, _ = await chat.say_and_outcome("this delivery is slow")
    assert (outcome.reason == "negative_sentiment") is hands_off
    with pytest.raises(ConfigError, match="plugins.settings.escalation.negative_sentiment: unknown key"):
        load_config(None, overrides={"plugins": {"settings": {"escalation": {"negative_sentiment": -0.6}}}}) \
            .plugin_settings("escalation", type(bot.plugins["escalation"]).Settings)
