"""Product lookup: answer "do you have ...?" and "how much is ...?" from the catalog.

A message is taken when the understanding says ``product_lookup``, or, when the intent is unclear
(or there is no understanding), when the best match is clearly relevant: a bare product name
("登山背包") is a product question, not something to ask about, unless an FAQ or policy passage
matches it better.

- "Cheapest X", "most expensive X", "X under ₹2,000", "X in blue", "which X are in stock" are
  answered from the typed fields (name, category, attributes, price, stock), ordered by price in
  the whole catalog.
- "Do you sell <brand/type>?" for a word no product has gets "we don't sell that", not a list of
  unrelated products (unless an FAQ or policy passage answers the message).
- A follow-up ("is it in stock?", "how much are they?", "which one is the cheapest?") is about the
  products this customer's previous answer showed, never anyone else's.
- Urgent messages and messages of several questions are left to auto-reply.
- One clear match gets a card: name, price, stock, key attributes, link.
- Several close matches get a short list and a question; so do variants of the product named
  (the same name in several colours or sizes), labelled by what tells them apart.
- No match gets an honest "not in our catalog" and the offer of a person; a "yes" to that offer
  hands the conversation to staff.

Prices and stock are only ever formatted from the stored catalog row, never written by a model;
a description's own price or stock claims ("Price: Rs. 499", often stale) are cut from the card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from supportbot.actions import CommandResult, Embed
from supportbot.engine import SupportBot
from supportbot.i18n import cross_language_support, in_other_language, message_language, phrases, shop_language
from supportbot.knowledge import KnowledgeBase, answer_confidence, places
from supportbot.knowledge.details import (asks_about, detail_of, is_detail_question, leading_product, named_product,
                                          plural_kind, states)
from supportbot.knowledge.models import SIZE_SPELLINGS, NamedVariant, Passage, stock_text
from supportbot.knowledge.search import query_terms, stem
from supportbot.knowledge.spelling import american
from supportbot.plugin import CommandContext, MessageContext, Option, Plugin, PluginSettings, autocomplete, command, on_message
from supportbot.understanding.questions import announces_topic, is_follow_up, split_questions, without_switch

_MONEY = r"\s*(?:[$€£₹]|rs\.?|inr|usd)?\s*(\d[\d,]*(?:\.\d+)?)"
_UNDER = re.compile(r"\b(?:under|below|less than|cheaper than|max(?:imum)?|up to|within)" + _MONEY, re.I)
_OVER = re.compile(r"\b(?:over|above|more than|at least|min(?:imum)?)" + _MONEY, re.I)
_CHEAPEST = re.compile(r"\b(?:cheapest|cheaper|lowest[- ]priced|lowest price|least expensive|most affordable|"
                       r"budget|inexpensive)\b", re.I)
_DEAREST = re.compile(r"\b(?:most expensive|priciest|dearest|costliest|highest[- ]priced|most premium|top[- ]end)\b", re.I)
_COLOURS = frozenset("""black white grey gray blue navy red green yellow pink purple orange brown beige tan maroon
silver gold olive teal cream khaki burgundy mustard peach lavender coral turquoise multicolour multi""".split())
# Words that name any product at all: "the cheapest thing you sell" asks the whole catalog.
_ANYTHING = re.compile(r"\b(?:thing|things|item|items|product|products|stuff)\b", re.I)
# ... and words around a product type that name none: "the kitchen section", "the shoe department"
_ANY_PRODUCT = frozenset("section sections department departments aisle category categories".split())
# Words of a catalog question that name no product: what is left names the brand and the type.
_NOT_PRODUCT = frozenset("""cheapest cheaper lowest priced least expensive most affordable budget inexpensive priciest
dearest costliest highest premium top end under below less more over above than max maximum min minimum least within
rupees rupee rs inr usd dollars dollar euros euro pounds quid bucks buck one ones us any which whats what's shop store website online
kind type types sort new good best nice great pair pairs range something anything option options
stocked sale instock cost actually really just please that's thats it's
now right moment atm today tonight tomorrow yesterday soon later asap week weekend month year christmas xmas
holiday holidays
monday tuesday wednesday thursday friday saturday sunday morning evening birthday anniversary wedding
normally usually currently probably honestly definitely maybe also ok okay yes yeah
mom mum mother dad father sister brother wife husband son daughter friend friends boss coworker colleague
girlfriend boyfriend partner grandma grandmother grandpa grandfather nephew niece aunt uncle he she him her his
likes loves wants needs smallest biggest largest smaller bigger them they those these""".split())
# Initials name a brand only as its shop writes them ("Marks & Spencer", "U.S. Polo Assn."): "M&S" and
# "U.S." are no words to look for, and their letters alone would read as a brand we do not sell.
_INITIALS = re.compile(r"\b[^\W\d_](?:\s?[&.]\s?[^\W\d_])+\b\.?")
# "mom's birthday" names no product, as "mom" does not; "Levi's" keeps its "'s".
_POSSESSIVE = re.compile(r"['’]s$")
#: Sizes as customers write them ("a small", "xl"): with colours, what a message narrowing the products just shown says.
_SIZE_WORDS = frozenset([*SIZE_SPELLINGS, *(w for spellings in SIZE_SPELLINGS.values() for s in spellings for w in s.split())])
#: A message narrowing the products shown is short: "is there a medium in the olive one?".
_MAX_REFINE_WORDS = 8
_SHOPPING = re.compile(r"\b(?:do you (?:sell|have|carry|stock)|have you got|^\s*any\b|looking for|"
                       r"i (?:want|need|would like) (?:a|an|some|the)\b|i'?m after|show me|price of|how much (?:is|are) (?:a|an|the)\b|"
                       r"where can i (?:find|buy)|can i buy)", re.I)
_IN_STOCK = re.compile(r"\b(?:in stock|available now|in-stock)\b", re.I)
# A question naming a brand or product type is short; a long message with unknown words is about something else.
_MAX_PRODUCT_WORDS = 6
#: "We don't sell X" names at most this many words ("Samsung 55 inch TV").
_MAX_NAME_WORDS = 4
#: A passage this confident asks the customer's very question (an FAQ entry, nearly word for word):
#: it answers even a message that names the catalog's products.
_SAME_QUESTION = 0.8
#: A passage this close may be what a message of no catalog words asked about (auto-reply's clarify level).
_MAY_ANSWER = 0.45
# What only the catalog knows: a question asking it is the catalog's even when a passage is close.
_CATALOG_FACT = re.compile(r"\b(?:how much|price[sd]?|cost|in stock|stock|available|availability|sizes?|"
                           r"colou?rs?|cheap\w*|expensive)\b", re.I)
# The shop's own matters, which a product card never answers: "ok and how much is shipping to
# Saskatchewan?" after the parka's card asks a price, but of the shipping.
_SHOP_MATTER = re.compile(r"\b(?:shipping|ship|postage|delivery|deliver|courier|returns?|returning|refunds?|"
                          r"exchanges?|warrant(?:y|ies)|guarantee|store|shop|pick ?up|collect|collection|"
                          r"payments?|pay|afterpay|klarna|paypal|track(?:ing)?|customs|duties)\b", re.I)
# Questions about the shop, not its products, when they ask no catalog fact ("when will the X be in
# stock?" does): "When can I ring you?", "Who do I talk to about a delivery?".
_NOT_A_PRODUCT_QUESTION = re.compile(r"^\s*(?:when|why|who|whom)\b", re.I)
# Which size fits, not which sizes a product comes in: "my chest is 100 cm, what size should I get?",
# "what is US 8 in UK size?", "do they come in half sizes?". The size guide's, when a passage is close.
_FIT_QUESTION = re.compile(r"\b(?:what|which) size (?:should|do|would|am|for|fits?)\b|\bsize (?:chart|guide)\b|"
                           r"\b(?:chest|waist|hips?|foot|feet|inseam) (?:is|are|measures?)\b|"
                           # a body's measure ("my son is 128cm", "about 66cm", "120cm tall"), not a product's
                           # ("how much is the canyon 20cm chef's knife?")
                           r"\b(?:is|are|measures?|about|around|roughly|i'?m|am)\s+\d+(?:[.,]\d+)?\s?(?:cm|inch(?:es)?)\b|"
                           r"\d\s?(?:cm|inch(?:es)?)\s+(?:tall|long|wide|around)\b|"
                           r"\b(?:uk|eu|us) (?:size )?\d|\bhalf sizes?\b|\btrue to size\b|\bruns? (?:small|large|big)\b",
                           re.I)
#: Discord's limit for an embed field's value.
_FIELD_CHARS = 1024
# A model number such as "2602sl01" names a product; a bare amount ("2000") does not.
_MODEL_NUMBER = re.compile(r"(?=.*[a-z])(?=.*\d)[a-z\d/-]{4,}", re.I)
# A size or quantity, not a model number: "28cm", "50ml", "2kg" (a variant's, not a product's name).
_MEASURE = re.compile(r"\d+(?:[.,]\d+)?(?:mm|cm|m|ml|l|g|kg|oz|lb|lbs|in|inch|pcs|pc|pk)", re.I)
# A description's own price or stock claim: "Price: Rs. 22,646", "suggested price: $19.99", "only 3 left".
_PRICE_OR_STOCK = re.compile(
    r"(?:\b(?:rs\.?|inr|usd|eur|gbp)|[$€£₹¥])\s?\d|\d\s?(?:rs\.?|inr|usd|eur|gbp)\b|\bprice\s*:|\bin stock\b|\bleft in stock\b"
    r"|\bonly \d+ left\b", re.I)
_SEGMENT = re.compile(r"(?<=[.!?])\s+(?=[^\W\d_])|\s+[•|]\s+|\n+")  # not after "Rs." before its digits
# A message about one product it points at: "is the parka warm?", "does this backpack ...".
_THE_PRODUCT = re.compile(r"\b(?:the|this|that|your)\b", re.I)
# Another product, not a detail of the one shown: "and matches?", "what about the bigger one?".
_CONTINUES = re.compile(r"^\W*(?:and|or|what about|how about|also)\b", re.I)
# A price question however it is put: "is it on sale?", "any deals on the parka?".
_ON_SALE = re.compile(r"\b(?:on sale|sale price|deals?|offers?|reduced|clearance|markdown)\b", re.I)
# Products on sale asked for: "which fragrances are on sale?", "is the coo towel on offer?" (a filter
# on the export's own sale), not a sale after an order ("it went on sale after I bought it") nor a policy.
_SALE_FILTER = re.compile(r"\b(?:on sale|on offer|on special|reduced|discounted|marked down)\b", re.I)
_SALE_ENDS = re.compile(r"\b(?:until|till|til|last|end|ends|ending|finish\w*|how long)\b", re.I)
_YES_NO = re.compile(r"^\W*(?:is|are|does|do|any|anything|got)\b", re.I)
_BOUGHT = re.compile(r"\b(?:bought|went|got|paid|ordered|purchased|difference|adjust\w*)\b", re.I)
# The sale of a product just shown asked about: "what was the original price?", "until when?",
# "how long does the sale last?", "what was it before the sale".
_SALE_ASKED = re.compile(r"\b(?:original|regular|full|normal|usual|old|previous) price\b|"
                         r"\bbefore the (?:sale|offer|discount)\b|"
                         r"\b(?:sale|offer|discount) (?:last|end|run|finish)(?:s|ing)?\b|\b(?:until|till|til) when\b|"
                         r"\bwhen does (?:the|this|that|it)\b(?:.*\b(?:sale|offer))?.*\bend\b|"
                         r"\bhow much (?:was|did) it\b|" + _SALE_FILTER.pattern, re.I)
# When a product sold out comes back: the restock policy's (or a person's), the card says only "out of stock".
_RESTOCK_WHEN = re.compile(r"^(?=.*\b(?:when|what date|how long|how soon|eta)\b)"
                           r".*\b(?:back in stock|in stock again|restock\w*|be back|come back|available again)\b", re.I)
# A message that leans on the product just shown: "can I machine wash it?", "are they waterproof?".
_REFERS_BACK = re.compile(r"\b(?:it|its|it's|they|them|their|this|these|those|that one)\b", re.I)
#: Answers that end with the offer of a person: a "yes" after one hands off.
_OFFERED_A_PERSON = ("product_not_found", "not_sold")
# "yes" to the offer of a person, as its own short message.
_ACCEPT = re.compile(r"^\W*(?:yes|yeah|yep|yup|sure|ok(?:ay)?|please|please do|yes please|go ahead|是|好的?|对)\b[\w\s,.!]{0,20}$",
                     re.I)


class ProductLookupSettings(PluginSettings):
    min_product_score: float = Field(
        0.5, ge=0, le=1, description="A product this relevant or more is shown for a message not classified as a product question."
    )
    min_answer_score: float = Field(
        0.35, ge=0, le=1, description="Below this relevance a product is not offered at all (say so, offer a person)."
    )
    close_match_margin: float = Field(
        0.05, ge=0, le=1, description="Matches within this relevance of the best are 'close': list them and ask which."
    )
    max_results: int = Field(3, ge=1, le=10, description="Products shown in a list of close matches or for /product.")
    key_attributes: int = Field(4, ge=0, le=10, description="Attributes shown on a product card.")
    offer_human: str = Field(
        "I couldn't find that in our catalog. Would you like me to pass your question to someone on our team?",
        description="Said when nothing in the catalog matches a product question.",
    )
    passage_confidence: float = Field(
        0.525, ge=0, le=1,
        description="An FAQ or policy passage this confident (auto_reply's measure) answers the message instead of "
                    "the catalog: \"do you have a loyalty program?\" is not a product question.")
    unknown_share: float = Field(
        0.34, ge=0, le=1,
        description="A product question whose share of words no product has reaches this gets \"we don't sell "
                    "that\" (\"Nike shoes\" in a shop without Nike: 1 of 2).")


@dataclass(frozen=True)
class _Ask:
    """A catalog question taken apart: the words naming products, price order and filters."""

    words: list[str]
    order: str | None  # "asc" (cheapest), "desc" (most expensive) or None
    filters: dict[str, Any]
    colour: bool
    #: the message names products only as "thing", "item", "product": with no other word, any product
    anything: bool = False

    @property
    def browse(self) -> bool:
        """Answered by listing the catalog in price order, not by similarity."""
        return bool(self.words) and (self.order is not None or bool(self.filters) or
                                     (self.colour and len(self.words) <= 3))

    @property
    def whole_catalog(self) -> bool:
        """"What's the most expensive thing you sell?": the whole catalog in price order; "what's on
        sale right now?": every product on sale."""
        return not self.words and (self.anything and self.order is not None or bool(self.filters.get("on_sale")))


class ProductLookup(Plugin):
    name = "product_lookup"
    Settings = ProductLookupSettings
    settings: ProductLookupSettings

    #: (message row id, best passage confidence, that passage) of the message being handled; see _passage_confidence.
    _searched: tuple[int, float, Passage | None] | None = None

    @property
    def _kb(self) -> KnowledgeBase:
        """The knowledge base, for the steps that run only once :meth:`lookup` checked there is one."""
        kb = self.bot.knowledge
        assert kb is not None, "product lookup runs only with a knowledge base"
        return kb

    @on_message()
    async def lookup(self, ctx: MessageContext) -> Any:
        kb = self.bot.knowledge
        previous = self.bot.history.previous_inbound(ctx.conversation_id, ctx.message_row_id)
        if _ACCEPT.match(ctx.text) and previous is not None and previous["reason"] in _OFFERED_A_PERSON:
            return ctx.handoff("product_not_found_accepted", {"asked": previous["text"]})
        u = ctx.understanding
        if _RESTOCK_WHEN.search(ctx.text):
            return None  # "when will the parka in medium be back in stock?": no date is in the catalog
        if kb is None or getattr(u, "urgent", None) or getattr(u, "order_asked", None) or \
                len(split_questions(ctx.text)) > 1 or announces_topic(ctx.text):
            return None  # no catalog; a person's matter (or order); several questions, auto-reply's to split; none yet
        shown = [s.removeprefix("product:") for s in previous.get("sources", []) if s.startswith("product:")] \
            if previous is not None else []
        shown_hits = kb.products_by_sku(shown) if shown else []
        about_shown = is_follow_up(ctx.text) or (shown and (_refines(ctx.text, shown_hits) or _asks_sale(ctx.text)))
        if previous is not None and about_shown and not (shown and self._names_other_products(ctx.text, shown_hits)):
            # About the products just shown; after an FAQ or policy answer, about that topic (auto-reply's).
            return await self._follow_up(ctx, shown, previous["text"]) if shown else None
        if previous is not None and (narrowed := self._narrowed(ctx, previous["text"])) is not None:
            return narrowed  # "something under $30" after "a candle for my mom": that question, under $30
        # The product's data is in the shop's language: a detail asked in another is not looked for in it.
        same_language = message_language(ctx) == shop_language(self.bot) and not in_other_language(self.bot, ctx)
        # a question of the one card shown: "it", "they", "this"
        of_the_card = len(shown) == 1 and _REFERS_BACK.search(ctx.text) is not None
        if of_the_card and same_language and _asks_a_detail(ctx.text):
            # "can I machine wash it?" after one product's card: that product's detail
            for hit in self._kb.products_by_sku(shown):
                if asks_about(ctx.text, hit, _COLOURS) and not await self._names_another(ctx, hit):
                    if (answer := await self._detail_answer(ctx, hit)) is not None:
                        return answer
        if same_language and _asks_a_detail(ctx.text):
            if (answer := await self._detail(ctx)) is not None:
                return answer  # "is the X water resistant?": its description's line that says so
        asked = u is not None and getattr(u, "action", None) == "product_lookup"
        unclear = u is None or getattr(u, "ambiguous", False)
        ask = _catalog_question(without_switch(ctx.text))  # "actually nevermind. do you have ...": what follows
        if _NOT_A_PRODUCT_QUESTION.match(ctx.text) and not _SHOPPING.search(ctx.text) and \
                not _CATALOG_FACT.search(ctx.text):
            return None  # "When can I ring you?" is about the shop, whatever "ring" finds in the catalog
        if _FIT_QUESTION.search(ctx.text) and await self._passage_answers(ctx, _MAY_ANSWER):
            return None  # "my chest is 100 cm, what size?": the size guide's, not a list of jackets
        shopping = asked or bool(_SHOPPING.search(ctx.text)) or ask.browse
        if shopping and await self._passage_answers(ctx, _SAME_QUESTION):
            return None  # "do your helmets come in kids sizes?" is an FAQ entry, word for word: auto-reply's
        if ask.whole_catalog:
            return self._browse(ctx, ask)
        # Words of another language are unknown to any catalog: no "we don't sell" from them.
        foreign = in_other_language(self.bot, ctx)
        if shopping and ask.words and not foreign:
            # a place is where, not what: "do you have a shop in sydney I can visit?" is about the shop, but
            # "canada goose jackets" and "birkenstock arizona sandals" name what
            at_a_place = any(places.is_city(w) or places.is_place(stem(w)) for w in _after_place_preposition(ctx.text))
            unknown = [] if at_a_place else kb.unknown_words(ask.words)
            written = _how_written(ctx.text, unknown)
            # plain words we lack around a type we have ("a height chart for a nursery") may be that
            # type under another name; a type we lack ("a leather handbag") we do not sell
            plain_only = written == "common" and _head_word(ctx.text, ask.words) not in unknown
            if unknown and len(ask.words) <= _MAX_PRODUCT_WORDS and (written == "name" or (
                    not plain_only and len(unknown) >= self.settings.unknown_share * len(ask.words))):
                missing = unknown
            elif len(ask.words) == 1 and _SHOPPING.search(ctx.text) and kb.modifier_only(ask.words[0]) and \
                    not _INITIALS.search(ctx.text):  # "the m&s bergamot" is a brand's product, not a type
                missing = ask.words  # "do you sell laptops?" in a shop of laptop backpacks: only ever a modifier
            else:
                missing = []
            # Nothing the catalog knows ("any kind of rewards scheme?"): a passage merely close may be what
            # was meant, so no "we don't sell" then; "Casio watches" names a type we sell, under another brand.
            near = _MAY_ANSWER if len(missing) == len(ask.words) else None
            what = _said(ctx.text, missing)
            # Words no product and no passage has, before a type we sell ("yankee candle", "UGG boots"), are a
            # brand we do not carry, whatever passage comes close: none of them says the brand.
            head = _head_word(ctx.text, ask.words)  # the type must be one products have, not a passage's "program"
            brand = len(missing) < len(ask.words) and head is not None and head not in missing and \
                not kb.unknown_words([head], passages=False)
            # a brand or a type is a few words: "heavy is the 28cm casserole in kg" is a sentence we misread
            # "enough" in "is it warm enough for -25?" after the parka's card is no product we lack
            if missing and not of_the_card and len(what.split()) <= _MAX_NAME_WORDS and (
                    brand or not await self._passage_answers(ctx, near)):
                return ctx.answer(self._say("not_sold", message_language(ctx), what=what), reason="not_sold")
            # a colour alone filters nothing: "the navy polo hoodie" no product holds all three words of
            # may be the "Navy Hooded Sweatshirt", which the search finds
            if ask.browse and not kb.unknown_words(ask.words, passages=False) and (
                    ask.order is not None or bool(ask.filters) or bool(kb.browse_products(ask.words, k=1))):
                return self._browse(ctx, ask)  # every word is the catalog's: "cheapest blue watch under $100"
        if not asked and not unclear:
            return None  # confidently another intent: not ours
        return await self._search(ctx, asked, foreign, of_the_card)

    async def _search(self, ctx: MessageContext, asked: bool, foreign: bool, of_the_card: bool) -> Any:
        kb = self._kb
        thresholds = self.settings
        filters = {k: v for k, v in _filters(ctx.text).items() if k != "on_sale"}  # a sale is no search filter
        hits = await kb.search_products(ctx.text, k=self.settings.max_results + 2, **filters)
        good = [h for h in hits if h.score >= thresholds.min_answer_score]
        language = message_language(ctx)
        if foreign:
            # The embedder is English-centred: across languages only a shared name or code counts.
            good = cross_language_support(ctx.text, good, text_of=lambda h: " ".join([h.name, *h.attributes.values()]))
        if not asked and (not good or good[0].score < thresholds.min_product_score
                          or await self._policy_fits_better(ctx.text, good[0].score)):
            return None  # not clearly about a product: leave it to the next plugin
        if asked and good and not _SHOPPING.search(ctx.text) and not _CATALOG_FACT.search(ctx.text) \
                and not _names_it(ctx.text, good[0].name) and await self._passage_answers(ctx):
            return None  # "what bulb goes in the table lamps?": about products, but the help pages answer it
        if not good:
            if foreign or of_the_card or await self._passage_answers(ctx):
                # "do you do gift wrapping?": the FAQ answers it. A message in another language that
                # names none of our products is auto-reply's (an answer or a handoff in that
                # language): the intent classifier, trained on the shop's language, took "Wie viele
                # Tage habe ich für eine Rücksendung?" for a product question. A question of the card
                # shown that its data does not answer may be the help pages' (or a person's).
                return None
            return ctx.answer(self._say("not_found", language, custom=self._custom("offer_human")),
                              reason="product_not_found")
        best = good[0]
        close = [h for h in good if best.score - h.score <= thresholds.close_match_margin][: self.settings.max_results]
        if (chosen := named_product(ctx.text, close)) is not None:
            best = chosen  # "the russell athletic hooded sweatshirt", not the printed one listed first
        named = (chosen is not None or _names_it(ctx.text, best.name)) and \
            not any(h.name == best.name for h in close if h is not best)
        words = _catalog_question(ctx.text).words
        if not named and _name_words(words, best) < 2 and self._pages_words(words) and \
                await self._passage_answers(ctx):
            return None  # "how much is gift wrapping?": "wrapping" is the pages' word, no product's (the gift cards)
        if len(close) > 1 and not named:
            return ctx.answer(self._say("product_choices", language),
                              embeds=[self._list(close)], sources=[h.source_id for h in close],
                              reason="product_choices")
        # "is the X on sale? till when?": its sale, in the shop's language (the card's own words)
        on_sale_asked = _SALE_ASKED.search(ctx.text) and language == shop_language(self.bot)
        found = _sale_line(best, ctx.text) if on_sale_asked else self._say("product_found", language, name=best.name)
        text = _with_named_variants(found, best, ctx.text)
        return ctx.answer(text, embeds=[self._card(best)], sources=[best.source_id], reason="product_found")

    async def _detail(self, ctx: MessageContext) -> Any:
        """A detail asked of the one product the message names, or None (not one product named, nothing
        asked beyond its name): the rest of :meth:`lookup` then answers as for any product question."""
        hits = [h for h in await self._kb.search_products(ctx.text, k=self.settings.max_results + 5)
                if h.score >= self.settings.min_answer_score]
        kind = plural_kind(ctx.text, hits[0]) if hits else None
        if kind and len(self._kb.browse_products([kind], k=2)) > 1:
            return None  # "what bulb goes in the table lamps?" asks of every lamp: a page's, not one lamp's data
        hit = named_product(ctx.text, hits, loose=True)
        named = hit is not None
        if hit is None and _THE_PRODUCT.search(ctx.text):  # "got any chew toys?" asks for products, not of one
            hit = leading_product(ctx.text, hits, self.settings.close_match_margin)
        # "does the X come in olive?" names one of its options: the catalog's typed fields answer that
        if hit is None or hit.variants_named(ctx.text) or not asks_about(ctx.text, hit, _COLOURS):
            return None
        return await self._detail_answer(ctx, hit, named)

    def _pages_words(self, words: list[str]) -> list[str]:
        """Those of a message's catalog ``words`` that no product has but the shop's pages do ("wrapping")."""
        unknown_anywhere = set(self._kb.unknown_words(words))
        return [w for w in self._kb.unknown_words(words, passages=False) if w not in unknown_anywhere]

    def _names_other_products(self, text: str, shown: list[Any]) -> bool:
        """A follow-up whose product words none of the products ``shown`` has and others do: "and
        matches?" after the candle snuffer's card, "what about the losi transmission kit?"."""
        words = _catalog_question(text).words
        if not words or any(w in _COLOURS or w in _SIZE_WORDS for w in words) or _SHOP_MATTER.search(text):
            return False  # "what about in green?" asks the products shown; "and shipping?" the shop
        for hit in shown:
            held = " ".join([hit.name, hit.category or "", *hit.attributes.values(),
                             *(v for values in hit.option_stock().values() for v in values)])
            if set(map(stem, words)) & _stems_of(held):
                return False
        return bool(self._kb.browse_products(words, k=1))

    async def _names_another(self, ctx: MessageContext, hit: Any) -> bool:
        """The message names a product of its own, not ``hit``: "is it like the Trail Runner GTX?"."""
        hits = [h for h in await self._kb.search_products(ctx.text, k=self.settings.max_results)
                if h.score >= self.settings.min_answer_score]
        named = named_product(ctx.text, hits)
        return named is not None and named.sku != hit.sku

    async def _detail_answer(self, ctx: MessageContext, hit: Any, named: bool = True) -> Any:
        """The line of the product's own data that states the detail asked, with its card; None when it
        states none (the rest of the pipeline answers: the card, a policy, or a person).

        Saying "our product information doesn't say" was measured and not kept: on two blind shops it
        took 8 right answers (a warranty or returns page, the card itself) for 2 it got right.

        A passage that states the detail too answers instead when it asks the very question (an FAQ
        entry on this product, nearly word for word) or, for a product the message only leads to ("a
        down jacket"), when it answers at all: "how do I wash a down jacket?" is the care guide's."""
        detail = detail_of(ctx.text, hit, ignore=_COLOURS)
        if detail is None or _PRICE_OR_STOCK.search(detail.text):
            return None  # nothing stated; prices and stock only from the catalog's row
        if await self._passage_answers(ctx, None if not named else _SAME_QUESTION):
            passage = self._searched[2] if self._searched else None
            if passage is not None and states(ctx.text, hit, f"{passage.title or ''} {passage.text}", _COLOURS):
                return None
        return ctx.answer(f"{hit.name}: {detail.text}", embeds=[self._card(hit)], sources=[hit.source_id],
                          reason="product_detail")

    def _browse(self, ctx: MessageContext, ask: _Ask) -> Any:
        """Products holding every word, in price order, under the filters asked for."""
        kb = self._kb
        hits = kb.browse_products(ask.words, descending=ask.order == "desc", k=self.settings.max_results, **ask.filters)
        what = " ".join(ask.words)
        if not hits and ask.filters.get("in_stock"):  # "is the X in stock?": it exists, but not in stock
            sold_out = kb.browse_products(ask.words, descending=ask.order == "desc", k=self.settings.max_results,
                                          **{k: v for k, v in ask.filters.items() if k != "in_stock"})
            if sold_out:
                names = sold_out[0].name if len(sold_out) == 1 else f"{len(sold_out)} matching products"
                return ctx.answer(f"Sorry, {names} {'is' if len(sold_out) == 1 else 'are'} out of stock right now.",
                                  embeds=[self._card(sold_out[0]) if len(sold_out) == 1 else self._list(sold_out)],
                                  sources=[h.source_id for h in sold_out], reason="product_out_of_stock")
        if not hits and ask.filters.get("on_sale"):
            return self._not_on_sale(ctx, ask)
        if not hits:
            return _none_found(ctx, what, ask.filters)
        sources = [h.source_id for h in hits]
        if ask.order is not None:
            best = hits[0]
            which = "cheapest" if ask.order == "asc" else "most expensive"
            text = (f"Our {which} {what or 'product'}{_filter_text(ask.filters)}: {best.name}"
                    f"{' at ' + best.price_text if best.price_text else ''}.")
            return ctx.answer(text, embeds=[self._card(best)] + ([self._list(hits[1:])] if hits[1:] else []),
                              sources=sources, reason="product_ranked")
        if len(hits) == 1:
            found = _sale_line(hits[0], ctx.text) if ask.filters.get("on_sale") else \
                f"Here is what I found: {hits[0].name}"
            return ctx.answer(_with_named_variants(found, hits[0], ctx.text), embeds=[self._card(hits[0])],
                              sources=sources, reason="product_found")
        listed = f"Here are {what}{_filter_text(ask.filters)} we have" if what else \
            f"Here is what we have{_filter_text(ask.filters)} right now"
        return ctx.answer(f"{listed}, cheapest first:", embeds=[self._list(hits)], sources=sources,
                          reason="product_list")

    def _not_on_sale(self, ctx: MessageContext, ask: _Ask) -> Any:
        """"Is the camp chair on sale?" when it is not: it at its price, not "we have no camp chair"."""
        filters = {k: v for k, v in ask.filters.items() if k != "on_sale"}
        if not ask.words:
            return ctx.answer("Nothing in our catalog is on sale right now.", reason="product_not_on_sale")
        hits = self._kb.browse_products(ask.words, descending=ask.order == "desc", k=self.settings.max_results,
                                        **filters)
        if not hits:
            return _none_found(ctx, " ".join(ask.words), ask.filters)
        if len(hits) == 1:
            return ctx.answer(_sale_line(hits[0], ctx.text), embeds=[self._card(hits[0])], sources=[hits[0].source_id],
                              reason="product_not_on_sale")
        return ctx.answer(_NONE_ON_SALE, embeds=[self._list(hits)], sources=[h.source_id for h in hits],
                          reason="product_not_on_sale")

    def _narrowed(self, ctx: MessageContext, previous_text: str) -> Any:
        """A message of nothing but a budget or a price order ("something under $30", "anything
        cheaper?") narrows the customer's previous product question: its words, the new filters. None
        when the message names products of its own or the previous one named none the catalog knows."""
        ask = _catalog_question(ctx.text)
        if ask.words or ask.anything or not (ask.order or set(ask.filters) & {"max_price", "min_price"}):
            return None
        earlier = _catalog_question(previous_text)
        known = [w for w in earlier.words if not self._kb.unknown_words([w], passages=False)]
        head = _head_word(previous_text, known)
        filters = {**earlier.filters, **ask.filters}
        # "a laptop backpack for school": every word the catalog knows, else the type alone ("sandals for summer")
        for words in dict.fromkeys(tuple(w) for w in (known, [head] if head else []) if w):
            if self._kb.browse_products(list(words), k=1, **filters):
                return self._browse(ctx, _Ask(list(words), ask.order or earlier.order, filters, False))
        return None

    async def _follow_up(self, ctx: MessageContext, skus: list[str], previous_text: str) -> Any:
        """A question about the products this customer was just shown ("is it in stock?")."""
        kb = self._kb
        ask = _catalog_question(ctx.text)
        if ask.order is not None:  # "which one is the cheapest?": the previous question, in price order
            earlier = _catalog_question(previous_text)
            words = ask.words or earlier.words
            if words and not kb.unknown_words(words):
                return self._browse(ctx, _Ask(words, ask.order, {**earlier.filters, **ask.filters}, False))
        hits = kb.products_by_sku(skus)[: self.settings.max_results]
        if not hits:
            return None
        if ask.whole_catalog and not _REFERS_BACK.search(ctx.text):
            return self._browse(ctx, ask)  # "what's on sale right now?" after a card asks the whole shop, not "is it?"
        if _asks_sale(ctx.text):  # "what was the original price?", "until when?"
            on_sale = [h for h in hits if h.on_sale]
            if len(on_sale or hits) == 1:
                hit = (on_sale or hits)[0]
                return ctx.answer(_sale_line(hit, ctx.text), embeds=[self._card(hit)], sources=[hit.source_id],
                                  reason="product_follow_up")
            text = "Here they are again, with their sale prices:" if on_sale else _NONE_ON_SALE
            return ctx.answer(text, embeds=[self._list(on_sale or hits)], sources=[h.source_id for h in on_sale or hits],
                              reason="product_follow_up")
        named = [h for h in hits if _names_a_value(ctx.text, h)]
        if len(hits) > 1:  # "what about in green?" after two bath mats: the one that comes in green
            hits = named or hits
        # "which ones are under 40?" after three gift sets: those ("is it in stock?" asks, it filters nothing)
        budget = {k: v for k, v in ask.filters.items() if k in ("max_price", "min_price")}
        if len(hits) > 1 and budget:
            kept = [h for h in hits if _meets(h, budget)]
            if not kept:
                return ctx.answer(f"None of these is{_filter_text(budget)}; here they are again:",
                                  embeds=[self._list(hits)], sources=[h.source_id for h in hits],
                                  reason="product_follow_up")
            hits = kept
        if len(hits) == 1 and not named and not _attributes_asked(ctx.text, hits[0]) and _asks_a_detail(ctx.text) \
                and _REFERS_BACK.search(ctx.text) and not _CONTINUES.match(ctx.text) \
                and asks_about(ctx.text, hits[0], _COLOURS):
            return await self._detail_answer(ctx, hits[0])  # "can I machine wash it?"
        if not named and not any(_attributes_asked(ctx.text, h) for h in hits) and (
                _SHOP_MATTER.search(ctx.text) or (not _CATALOG_FACT.search(ctx.text) and await self._passage_answers(ctx))):
            return None  # "what warranty do they have?": the policy's (auto-reply's), not the card again
        if len(hits) == 1:
            hit = hits[0]
            facts = ", ".join(x for x in (hit.price_text, hit.stock_text) if x) or "no price or stock on record"
            if named_variants := hit.variants_named(ctx.text, previous_text):  # "and in Pink & Red?"
                facts = _variant_stock(hit, named_variants)
            elif asked := _attributes_asked(ctx.text, hit):  # "what colours?"
                options = hit.option_stock()
                facts = "; ".join(f"{k} {_option_values(options[k]) if k in options else hit.attributes[k]}"
                                  for k in asked)
            return ctx.answer(f"{hit.name}: {facts}.", embeds=[self._card(hit)], sources=[hit.source_id],
                              reason="product_follow_up")
        return ctx.answer("Here they are again, with price and availability:", embeds=[self._list(hits)],
                          sources=[h.source_id for h in hits], reason="product_follow_up")

    def _say(self, key: str, language: str, *, custom: str | None = None, **values: Any) -> str:
        return phrases(self.bot.config).say(key, language, custom=custom, custom_language=shop_language(self.bot),
                                            **values)

    def _custom(self, name: str) -> str | None:
        """The merchant's own text for a setting, if they changed it from the default."""
        value = getattr(self.settings, name)
        return value if value != type(self.settings).model_fields[name].default else None

    async def _passage_answers(self, ctx: MessageContext, confidence: float | None = None) -> bool:
        """An FAQ or policy passage answers the message with ``confidence`` (default
        ``passage_confidence``; auto-reply's measure)."""
        needed = self.settings.passage_confidence if confidence is None else confidence
        return await self._passage_confidence(ctx) >= needed

    async def _passage_confidence(self, ctx: MessageContext) -> float:
        """The best FAQ or policy passage's confidence for this message: one message asks this up to
        four times against different bars, so it is searched once and kept until the next message."""
        if self._searched is None or self._searched[0] != ctx.message_row_id:
            passages = await self._kb.search_passages(ctx.text, k=3)
            scored = [(answer_confidence(ctx.text, p), p) for p in passages]
            best, passage = max(scored, key=lambda s: s[0], default=(0.0, None))
            self._searched = (ctx.message_row_id, best, passage)
        return self._searched[1]

    async def _policy_fits_better(self, text: str, product_score: float) -> bool:
        """An FAQ or policy passage matches at least as well ("is there a warranty on jackets?")."""
        if self.bot.knowledge is None:
            return False
        passages = await self.bot.knowledge.search_passages(text, k=1)
        return bool(passages) and passages[0].score >= product_score

    @command("product", "Search the catalog")
    async def product(self, ctx: CommandContext, query: str = Option("Product name or description")) -> CommandResult:
        kb = self.bot.knowledge
        if kb is None:
            return CommandResult("The catalog is not available.")
        hits = [h for h in await kb.search_products(query, k=self.settings.max_results)
                if h.score >= self.settings.min_answer_score]
        if not hits:
            return CommandResult(f"Nothing in the catalog matches “{query}”.")
        return CommandResult(f"{len(hits)} match(es) for “{query}”:", embeds=tuple(self._card(h) for h in hits))

    @autocomplete("product", "query")
    async def product_names(self, ctx: CommandContext, current: str) -> list[str]:
        kb = self.bot.knowledge
        return [] if kb is None else [n[:100] for n in kb.product_names(current, 25)]

    def _card(self, hit: Any) -> Embed:
        fields: list[tuple[str, str]] = []
        if hit.offer_text:
            fields.append(("Price", hit.offer_text))  # "$44 (was $64, sale ends 24 Dec 2026)"
        if hit.stock_text:
            fields.append(("Availability", hit.stock_text))
        if hit.category:
            fields.append(("Category", hit.category.split(" > ")[-1]))
        options = hit.option_stock()
        # The children's options (every colour and size) are shown whole, sold-out ones marked;
        # other attributes only when short, so a card stays a card.
        shown = [(k, _option_values(options[k]) if k in options else v) for k, v in hit.attributes.items()
                 if v and (k in options or len(v) <= 60)][: self.settings.key_attributes]
        fields.extend((k[:256], v[:_FIELD_CHARS]) for k, v in shown)
        description = _without_price_claims(hit.description or "")[:300]
        return Embed(title=hit.name[:256], description=description, url=hit.url, fields=tuple(fields),
                     footer=f"SKU {hit.sku}")

    def _list(self, hits: list[Any]) -> Embed:
        fields = tuple(
            (f"{i}. {label}"[:256], " · ".join(x for x in (h.offer_text, h.stock_text) if x) or "—")
            for i, (h, label) in enumerate(zip(hits, _labels(hits), strict=True), start=1)
        )
        return Embed(title="Possible matches", fields=fields)


_NONE_ON_SALE = "None of these is on sale right now; here they are at their prices:"


def _none_found(ctx: MessageContext, what: str, filters: dict[str, Any]) -> Any:
    """No product of ``what`` under ``filters``: said so, with the offer of a person."""
    return ctx.answer(f"I couldn't find any {what}{_filter_text(filters)} in our catalog. "
                      "Would you like me to pass your question to someone on our team?", reason="product_not_found")


def _asks_sale(text: str) -> bool:
    """The message asks about a sale ("what was the original price?"), not of a sale after an order."""
    return bool(_SALE_ASKED.search(text)) and _not_after_an_order(text)


def _not_after_an_order(text: str) -> bool:
    """No order, refund or other shop matter around the sale: "it went on sale after I bought it"."""
    return not _BOUGHT.search(text) and not _SHOP_MATTER.search(text)


def _sale_line(hit: Any, message: str = "") -> str:
    """Whether ``hit`` is on sale, with the prices and the sale's last day the export gives (and,
    when the ``message`` asks when it ends and the export gives no day, that none is on record)."""
    price = hit.price_text
    if not hit.on_sale or price is None:
        return f"{hit.name} isn't on sale right now" + (f"; it's {price}." if price else ".")
    ends = f", until {hit.sale.ends_text}" if hit.sale.ends_text else \
        " (the sale has no end date on record)" if _SALE_ENDS.search(message) else ""
    yes = "Yes, " if _YES_NO.match(message) else ""  # "is it on sale?", not "what was the original price?"
    return f"{yes}{hit.name} is on sale: {price}, was {hit.regular_price_text}{ends}."


def _asks_a_detail(text: str) -> bool:
    """A question that may ask one detail of a product ("is it water resistant?"): not a price, stock,
    size or colour (the catalog's typed fields answer those), nor shopping or browsing."""
    asks_the_catalog = (_CATALOG_FACT, _ON_SALE, _SHOPPING, _CHEAPEST, _DEAREST)
    return is_detail_question(text) and not any(p.search(text) for p in asks_the_catalog) and not _filters(text)


def _how_written(text: str, words: list[str]) -> str | None:
    """How the customer wrote the catalog's unknown ``words``: ``"name"`` when one is capitalised
    ("Yankee Candle jars": a brand we do not sell), ``"common"`` when the message uses capitals but
    not for them ("a height chart for a nursery": plain words for something we may have under another
    name), None when nothing tells (all lower case)."""
    if not words:
        return None
    # a sentence's first word is capitalised whatever it is: it tells nothing
    inside = [m.group() for m in re.finditer(r"[^\W\d_][\w'’-]*", text)
              if not re.search(r"(?:^|[.!?]\s*)$", text[:m.start()].rstrip(" \"'“(") or "")]
    capitalised = {w.lower() for w in inside if w[:1].isupper()}
    if capitalised & set(words):
        return "name"
    return "common" if capitalised or text.lstrip(" \"'“(")[:1].isupper() else None


_PREPOSITION = frozenset("for with to from that which who in on of by at".split())


_PLACE_PREPOSITION = re.compile(r"\b(?:in|to|from|near|at|around|into|across|outside)\s+(?:the\s+)?([^\W\d_][\w'’-]*)", re.I)


def _after_place_preposition(text: str) -> list[str]:
    """The words right after "in", "to", "near" ...: where a place is named ("a shop in sydney")."""
    return [m.group(1).lower() for m in _PLACE_PREPOSITION.finditer(text)]


def _head_word(text: str, words: list[str]) -> str | None:
    """The product type a message names: the last of the product ``words`` before a preposition
    ends the phrase ("chart" in "a height chart for a nursery wall")."""
    head = None
    for token in re.findall(r"[^\W\d_][\w'’-]*", text.lower()):
        if token in _PREPOSITION and head is not None:
            break
        if token in words:
            head = token
    return head


def _refines(text: str, hits: list[Any]) -> bool:
    """A short message of nothing but options narrows the products just shown ("black size 10?",
    "the mustard one, is there a small?", "how much is the 50ml?"), not a search of the whole catalog
    for black things."""
    words = _catalog_question(text).words
    if len(re.findall(r"[^\W_]+", text)) > _MAX_REFINE_WORDS:
        return False
    named = {w for hit in hits for v in hit.variants_named(text) for w in re.findall(r"[^\W_]+", v.value.lower())}
    if not words:  # "how much is the 50ml?" after the perfume's card: its 50 ml bottle ("under £20" is a budget)
        return bool(named) and not _filters(text)
    return all(w in _COLOURS or w in _SIZE_WORDS or w in named for w in words)


def _names_a_value(text: str, hit: Any) -> bool:
    """The message names one of the product's options ("in green?") or attribute values ("in Beige")."""
    if hit.variants_named(text):
        return True
    said = set(re.findall(r"[^\W_]+", american(text.lower())))
    return any(value and len(value.split()) <= 3 and set(re.findall(r"[^\W_]+", american(value.lower()))) <= said
               for value in hit.attributes.values())


def _option_values(values: dict[str, int | None]) -> str:
    """"White & Black, Pink & Red (sold out)": an option's values, those with no stock marked."""
    return ", ".join(f"{v} (sold out)" if stock == 0 else v for v, stock in values.items())


def _attributes_asked(text: str, hit: Any) -> list[str]:
    """The product's attributes a message asks about by name: "what colours?" asks for "Colour"."""
    def base(word: str) -> str:
        return stem(american(word.lower()))

    asked = {base(w) for w in re.findall(r"[^\W\d_]+", text)}
    return [k for k in hit.attributes if base(k) in asked]


def _with_named_variants(text: str, hit: Any, message: str) -> str:
    """``text``, and the stock of each of the product's options the message names ("in Pink & Red?")."""
    named = hit.variants_named(message)
    return f"{text}\n{_variant_stock(hit, named)}" if named else text


def _variant_stock(hit: Any, named: list[NamedVariant]) -> str:
    """"Pink & Red: out of stock; White & Black: in stock (100)" for :meth:`ProductHit.variants_named`,
    each with its own price where the children's prices differ ("Pack of 6: $51.95, in stock (7)")."""
    def facts(variant: NamedVariant) -> str:
        stock = (stock_text(variant.stock) or "availability not on record").lower()
        price = hit.variant_price_text(variant)
        return f"{price}, {stock}" if price else stock

    return "; ".join(f"{v.value}: {facts(v)}" for v in named)


def _catalog_question(text: str) -> _Ask:
    """The product words of a message, its price order and its filters."""
    order = "desc" if _DEAREST.search(text) else "asc" if _CHEAPEST.search(text) else None
    filters = _filters(text)
    words = [w for w in query_terms(_INITIALS.sub(" ", text)).words if w not in _NOT_PRODUCT and _POSSESSIVE.sub("", w) not in _NOT_PRODUCT
             and not _MEASURE.fullmatch(w)
             and (not any(c.isdigit() for c in w) or _MODEL_NUMBER.fullmatch(w))]
    named = [w for w in words if w not in _ANY_PRODUCT]
    return _Ask(named, order, filters, any(w in _COLOURS for w in named), anything=_ANYTHING.search(text) is not None)


def _said(text: str, words: list[str]) -> str:
    """The stretch of the message that holds the unknown words, as written: "Nike", "Samsung 55 inch TV"."""
    spans = [m.span() for m in re.finditer(r"[^\W_][\w'’.-]*", text) if m.group(0).lower().rstrip(".") in words]
    if not spans:
        return " ".join(words)
    return text[spans[0][0]:spans[-1][1]]


def _filter_text(filters: dict[str, Any]) -> str:
    parts = []
    if "max_price" in filters:
        parts.append(f" under {filters['max_price']:g}")
    if "min_price" in filters:
        parts.append(f" over {filters['min_price']:g}")
    if filters.get("in_stock"):
        parts.append(" in stock")
    if filters.get("on_sale"):
        parts.append(" on sale")
    return "".join(parts)


def _meets(hit: Any, filters: dict[str, Any]) -> bool:
    """Whether ``hit`` passes the budget and availability of :func:`_filters` (its lowest price counts)."""
    if ("max_price" in filters or "min_price" in filters) and hit.price is None:
        return False
    if "max_price" in filters and hit.price > filters["max_price"]:
        return False
    if "min_price" in filters and (hit.price_max or hit.price) < filters["min_price"]:
        return False
    return (not filters.get("in_stock") or bool(hit.stock)) and (not filters.get("on_sale") or hit.on_sale)


def _filters(text: str) -> dict[str, Any]:
    """Budget, availability and sale said in the message: "under $50", "in stock", "on sale"."""
    out: dict[str, Any] = {}
    if m := _UNDER.search(text):
        out["max_price"] = float(m.group(1).replace(",", ""))
    if m := _OVER.search(text):
        out["min_price"] = float(m.group(1).replace(",", ""))
    if _IN_STOCK.search(text):
        out["in_stock"] = True
    if _SALE_FILTER.search(text) and _not_after_an_order(text):
        out["on_sale"] = True
    return out


def _labels(hits: list[Any]) -> list[str]:
    """Each hit's name, and for hits sharing a name (variants) the attribute values that tell them
    apart: "Trail Runner Shoe (Red, 10)"."""
    labels = []
    for hit in hits:
        twins = [h for h in hits if h.name == hit.name]
        if len(twins) == 1:
            labels.append(hit.name)
            continue
        differing = [k for k in hit.attributes if len({h.attributes.get(k) for h in twins}) > 1]
        values = list(dict.fromkeys(hit.attributes[k] for k in differing if len(hit.attributes[k]) <= 30))[:3]
        labels.append(f"{hit.name} ({', '.join(values) if values else 'SKU ' + hit.sku})")
    return labels


def _without_price_claims(text: str) -> str:
    """The description without the sentences or bullet points that state a price or stock: the
    card's own Price and Availability come from the catalog's columns, and a second, different
    figure ("Manufacturer suggested price: $19.99") would be one the bot cannot stand behind."""
    kept = [part for part in _SEGMENT.split(text) if part.strip() and not _PRICE_OR_STOCK.search(part)]
    return " ".join(kept)


def _stems_of(text: str) -> set[str]:
    """The stems of the words of a product's ``text`` (its name, or its name and fields joined)."""
    return set(map(stem, re.findall(r"[^\W_]+", american(text.lower()))))


def _name_words(words: list[str], hit: Any) -> int:
    """How many of a message's catalog ``words`` the product's name holds ("gift card amounts": two of the
    "Gift Card"; "gift wrapping": one)."""
    held = _stems_of(hit.name)
    return sum(stem(w) in held for w in words)


def _names_it(text: str, name: str) -> bool:
    """The message contains the product's full name: no need to ask which one."""
    return " ".join(name.lower().split()) in " ".join(text.lower().split())


async def setup(bot: SupportBot) -> None:
    await bot.add_plugin(ProductLookup)
