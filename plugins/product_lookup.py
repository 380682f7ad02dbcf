"""Product lookup: answer "do you have ...?" and "how much is ...?" from the catalog.

A message is taken when the understanding says ``product_lookup``, or, when the intent is unclear
(or there is no understanding), when the best match is clearly relevant: a bare product name
("登山背包") is a product question, not something to ask about, unless an FAQ or policy passage
matches it better.

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
from typing import Any

from pydantic import Field

from supportbot.actions import CommandResult, Embed
from supportbot.i18n import cross_language_support, in_other_language, message_language, phrases, shop_language
from supportbot.plugin import CommandContext, MessageContext, Option, Plugin, PluginSettings, autocomplete, command, on_message

_UNDER = re.compile(r"\b(?:under|below|less than|cheaper than|max(?:imum)?|up to)\s*[$€£₹]?\s*(\d[\d,]*(?:\.\d+)?)", re.I)
_OVER = re.compile(r"\b(?:over|above|more than|at least|min(?:imum)?)\s*[$€£₹]?\s*(\d[\d,]*(?:\.\d+)?)", re.I)
_IN_STOCK = re.compile(r"\b(?:in stock|available now)\b", re.I)
# A description's own price or stock claim: "Price: Rs. 22,646", "suggested price: $19.99", "only 3 left".
_PRICE_OR_STOCK = re.compile(
    r"(?:rs\.?|inr|usd|eur|gbp|[$€£₹¥])\s?\d|\d\s?(?:rs\.?|inr|usd|eur|gbp)\b|\bprice\s*:|\bin stock\b|\bleft in stock\b"
    r"|\bonly \d+ left\b", re.I)
_SEGMENT = re.compile(r"(?<=[.!?])\s+(?=[^\W\d_])|\s+[•|]\s+|\n+")  # not after "Rs." before its digits
# "yes" to the offer of a person, as its own short message.
_ACCEPT = re.compile(r"^\W*(?:yes|yeah|yep|yup|sure|ok(?:ay)?|please|please do|yes please|go ahead|是|好的?|对)\b[\w\s,.!]{0,20}$",
                     re.I)


class ProductLookupSettings(PluginSettings):
    max_results: int = Field(3, ge=1, le=10, description="Products shown in a list of close matches or for /product.")
    key_attributes: int = Field(4, ge=0, le=10, description="Attributes shown on a product card.")
    offer_human: str = Field(
        "I couldn't find that in our catalog. Would you like me to pass your question to someone on our team?",
        description="Said when nothing in the catalog matches a product question.",
    )


class ProductLookup(Plugin):
    name = "product_lookup"
    Settings = ProductLookupSettings
    settings: ProductLookupSettings

    @on_message()
    async def lookup(self, ctx: MessageContext) -> Any:
        kb = self.bot.knowledge
        if _ACCEPT.match(ctx.text):
            previous = self.bot.history.previous_inbound(ctx.conversation_id, ctx.message_row_id)
            if previous is not None and previous["reason"] == "product_not_found":
                return ctx.handoff("product_not_found_accepted", {"asked": previous["text"]})
        u = ctx.understanding
        asked = u is not None and getattr(u, "action", None) == "product_lookup"
        if kb is None or (u is not None and not asked and not getattr(u, "ambiguous", False)):
            return None  # confidently another intent: not ours
        thresholds = kb.settings
        hits = await kb.search_products(ctx.text, k=self.settings.max_results + 2, **_filters(ctx.text))
        good = [h for h in hits if h.score >= thresholds.min_answer_score]
        language = message_language(ctx)
        if in_other_language(self.bot, ctx):
            # The embedder is English-centred: across languages only a shared name or code counts.
            good = cross_language_support(ctx.text, good, text_of=lambda h: " ".join([h.name, *h.attributes.values()]))
        if not asked and (not good or good[0].score < thresholds.min_product_score
                          or await self._policy_fits_better(ctx.text, good[0].score)):
            return None  # not clearly about a product: leave it to the next plugin
        if not good:
            return ctx.answer(self._say("not_found", language, custom=self._custom("offer_human")),
                              reason="product_not_found")
        ctx.notes["products"] = [h.sku for h in good]
        best = good[0]
        close = [h for h in good if best.score - h.score <= thresholds.close_match_margin][: self.settings.max_results]
        named = _names_it(ctx.text, best.name) and not any(h.name == best.name for h in close[1:])
        if len(close) > 1 and not named:
            return ctx.answer(self._say("product_choices", language),
                              embeds=[self._list(close)], sources=[h.source_id for h in close],
                              reason="product_choices")
        return ctx.answer(self._say("product_found", language, name=best.name), embeds=[self._card(best)],
                          sources=[best.source_id], reason="product_found")

    def _say(self, key: str, language: str, *, custom: str | None = None, **values: Any) -> str:
        return phrases(self.bot.config).say(key, language, custom=custom, custom_language=shop_language(self.bot),
                                            **values)

    def _custom(self, name: str) -> str | None:
        """The merchant's own text for a setting, if they changed it from the default."""
        value = getattr(self.settings, name)
        return value if value != type(self.settings).model_fields[name].default else None

    async def _policy_fits_better(self, text: str, product_score: float) -> bool:
        """An FAQ or policy passage matches at least as well ("is there a warranty on jackets?")."""
        passages = await self.bot.knowledge.search_passages(text, k=1)
        return bool(passages) and passages[0].score >= product_score

    @command("product", "Search the catalog")
    async def product(self, ctx: CommandContext, query: str = Option("Product name or description")) -> CommandResult:
        kb = self.bot.knowledge
        if kb is None:
            return CommandResult("The catalog is not available.")
        hits = [h for h in await kb.search_products(query, k=self.settings.max_results)
                if h.score >= kb.settings.min_answer_score]
        if not hits:
            return CommandResult(f"Nothing in the catalog matches “{query}”.")
        return CommandResult(f"{len(hits)} match(es) for “{query}”:", embeds=tuple(self._card(h) for h in hits))

    @autocomplete("product", "query")
    async def product_names(self, ctx: CommandContext, current: str) -> list[str]:
        kb = self.bot.knowledge
        return [] if kb is None else [n[:100] for n in kb.product_names(current, 25)]

    def _card(self, hit: Any) -> Embed:
        fields: list[tuple[str, str]] = []
        if hit.price_text:
            fields.append(("Price", hit.price_text))
        if hit.stock_text:
            fields.append(("Availability", hit.stock_text))
        if hit.category:
            fields.append(("Category", hit.category.split(" > ")[-1]))
        shown = [(k, v) for k, v in hit.attributes.items() if v and len(v) <= 60][: self.settings.key_attributes]
        fields.extend((k[:256], v) for k, v in shown)
        description = _without_price_claims(hit.description or "")[:300]
        return Embed(title=hit.name[:256], description=description, url=hit.url, fields=tuple(fields),
                     footer=f"SKU {hit.sku}")

    def _list(self, hits: list[Any]) -> Embed:
        fields = tuple(
            (f"{i}. {label}"[:256], " · ".join(x for x in (h.price_text, h.stock_text) if x) or "—")
            for i, (h, label) in enumerate(zip(hits, _labels(hits), strict=True), start=1)
        )
        return Embed(title="Possible matches", fields=fields)


def _filters(text: str) -> dict[str, Any]:
    """Budget and availability said in the message: "under $50", "in stock"."""
    out: dict[str, Any] = {}
    if m := _UNDER.search(text):
        out["max_price"] = float(m.group(1).replace(",", ""))
    if m := _OVER.search(text):
        out["min_price"] = float(m.group(1).replace(",", ""))
    if _IN_STOCK.search(text):
        out["in_stock"] = True
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


def _names_it(text: str, name: str) -> bool:
    """The message contains the product's full name: no need to ask which one."""
    return " ".join(name.lower().split()) in " ".join(text.lower().split())


async def setup(bot: Any) -> None:
    await bot.add_plugin(ProductLookup)
