"""The auto-reply plugin.

Order of decisions for one message:
1. Understanding is ambiguous: ask one clarifying question; ambiguous again right after: hand off.
2. The intent's action is ``handoff``: hand off (escalation already took the usual ones);
   ``small_talk`` (hello, thanks): the intent's fixed reply from intents.yaml.
3. Retrieve FAQ and policy passages (and, for the generator, catalog products). Nothing relevant: hand off instead of guessing.
4. With a generator: answer through ``prompts/reply.yaml`` from those passages and this
   conversation's recent turns only; a reply that promises what the passages do not say is
   blocked and handed off. Without one: send the best FAQ/policy answer if it scores high enough.
The passages an answer stands on are recorded with its outcome.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from supportbot.guard import check_disclosure, check_promises
from supportbot.i18n import (
    cross_language_support,
    in_other_language,
    message_language,
    phrases,
    shop_language,
    small_talk_in,
    text_language,
)
from supportbot.plugin import MessageContext, Plugin, PluginSettings, on_message
from supportbot.prompts import load_prompt


class AutoReplySettings(PluginSettings):
    passages: int = Field(4, ge=1, le=20, description="Passages retrieved for one answer.")
    min_relevance: float = Field(0.45, ge=0, le=1, description="Passages below this similarity are ignored.")
    direct_answer_relevance: float = Field(
        0.6, ge=0, le=1, description="Without a generator, send an FAQ answer only at or above this similarity.")
    clarify: bool = Field(True, description="Ask one clarifying question when the intent is unclear.")
    generate: bool = Field(True, description="Write answers with the model when one is loaded.")
    catalog_passages: int = Field(
        2, ge=0, le=10, description="Catalog products given to the generator beside FAQ and policy passages.")


class AutoReply(Plugin):
    name = "auto_reply"
    Settings = AutoReplySettings
    settings: AutoReplySettings

    @on_message()
    async def reply(self, ctx: MessageContext) -> Any:
        other = await self._other_language(ctx)
        if other is not None:
            return other
        u = ctx.understanding
        if u is not None and getattr(u, "ambiguous", False) and self.settings.clarify:
            if self._last_was_clarification(ctx):
                return ctx.handoff("still_unclear", {"intent": u.intent, "runner_up": u.runner_up})
            return ctx.answer(self._clarifying_question(u), reason="clarify")
        action = getattr(u, "action", None) if u is not None else None
        if action == "handoff":
            return ctx.handoff(f"intent:{u.intent}")
        if action == "small_talk":
            text = self._small_talk_reply(u.intent)
            if text:
                return ctx.answer(text, reason="small_talk")
        knowledge = self.bot.knowledge
        if knowledge is None:
            return ctx.handoff("no_knowledge_base")
        passages = [p for p in await knowledge.search_passages(ctx.text, k=self.settings.passages)
                    if p.score >= self.settings.min_relevance]
        runner = self.bot.runner
        generating = self.settings.generate and runner is not None and runner.generation_available
        if generating and self.settings.catalog_passages:
            passages += await self._product_passages(ctx.text)
        if not passages:
            return ctx.handoff("no_grounded_answer")
        if generating:
            return await self._generated(ctx, passages)
        passages = [p for p in passages if getattr(p, "kind", None) != "product"]
        if not passages:
            return ctx.handoff("no_grounded_answer")
        best = passages[0]
        if best.score >= self.settings.direct_answer_relevance:
            return ctx.answer(best.text, sources=[best.id], reason="knowledge_match")
        return ctx.handoff("no_grounded_answer", {"best_passage": best.id, "score": round(best.score, 3)})

    async def _other_language(self, ctx: MessageContext) -> Any:
        """A message in another language than the shop's texts, answered without a generator.

        The bot's own phrases come in the customer's language. An answer that exists only in the
        shop's language is given with a note saying so, and only when the passage shares a name,
        code or number with the question: the English-centred embedder's cosine across languages
        cannot tell the right passage from an unrelated one. Otherwise a person takes it.
        """
        if not in_other_language(self.bot, ctx):
            return None
        language, shop = message_language(ctx), shop_language(self.bot)
        said = phrases(self.bot.config)
        small_talk = small_talk_in(said, ctx.text, language)
        if small_talk is not None:
            return ctx.answer(said.say(small_talk, language), reason="small_talk")
        runner = self.bot.runner
        knowledge = self.bot.knowledge
        if knowledge is None or (self.settings.generate and runner is not None and runner.generation_available):
            return None  # the generator answers in the customer's language from the same passages
        passages = [p for p in await knowledge.search_passages(ctx.text, k=self.settings.passages)
                    if getattr(p, "kind", None) != "product"]
        languages = self.bot.config.understanding.languages
        if any(text_language(p.text, languages, shop) == language for p in passages[:2]):
            return None  # the shop has texts in this language too: the usual path
        supported = cross_language_support(ctx.text, passages)
        if not supported:
            return ctx.handoff("other_language", {"language": language, "shop_language": shop})
        best = supported[0]
        notice = said.say("only_in_language", language, language=said.language_name(shop, language))
        return ctx.answer(f"{notice}\n{best.text}", sources=[best.id], reason="knowledge_match_other_language")

    async def _generated(self, ctx: MessageContext, passages: list[Any]) -> Any:
        from supportbot.models import GenerationOptions

        prompt = load_prompt(self.bot.config, "reply")
        block = "\n".join(f"[{p.id}] {p.title + ': ' if getattr(p, 'title', None) else ''}{p.text}" for p in passages)
        shop = self.bot.config.bot.name
        messages = [{"role": "system", "content": prompt["system"].format(shop=shop, passages=block)}]
        messages += await ctx.recent_turns()
        messages.append({"role": "user", "content": prompt["user"].format(message=ctx.text)})
        options = GenerationOptions(max_new_tokens=int(prompt.get("max_new_tokens", 200)))
        (text,) = await self.bot.runner.generate(messages, options)
        text = text.strip()
        sources = [p.id for p in passages]
        if not text or "HANDOFF" in text:
            return ctx.handoff("no_grounded_answer", {"passages": sources})
        check = check_promises(text, [p.text for p in passages])
        if not check.ok:
            self.log.warning("blocked a reply with unsupported promises: %s", ", ".join(check.unsupported))
            return ctx.handoff("unsupported_promise", {"blocked_reply": text, "unsupported": list(check.unsupported)})
        # The instructions without the passages: a reply may quote the shop's facts, never its rules.
        leak = check_disclosure(text, prompt["system"].format(shop=shop, passages=""),
                                allowed=f"{shop} {block} {ctx.text}")
        if not leak.ok:
            self.log.warning("blocked a reply that discloses its instructions: %s", ", ".join(leak.unsupported))
            return ctx.handoff("instructions_disclosed", {"blocked_reply": text, "found": list(leak.unsupported)})
        return ctx.answer(text, sources=sources, reason="generated")

    async def _product_passages(self, text: str) -> list[Any]:
        """Relevant catalog products as passages, stating only the stored figures."""
        from supportbot.knowledge import Passage

        hits = await self.bot.knowledge.search_products(text, k=self.settings.catalog_passages)
        out = []
        for hit in hits:
            if hit.score < self.settings.min_relevance:
                continue
            facts = [f"{k}: {v}" for k, v in list(hit.attributes.items())[:8]]
            if hit.price_text:
                facts.insert(0, f"price: {hit.price_text}")
            if hit.stock_text:
                facts.insert(1 if hit.price_text else 0, f"stock: {hit.stock_text}")
            if hit.url:
                facts.append(f"link: {hit.url}")
            out.append(Passage(id=hit.source_id, kind="product", title=hit.name, text="; ".join(facts) or hit.name,
                               score=hit.score))
        return out

    def _small_talk_reply(self, intent: str | None) -> str | None:
        understander = self.bot.understander
        catalog = getattr(understander, "catalog", None) if understander is not None else None
        return catalog.reply(intent) if catalog is not None and intent else None

    def _last_was_clarification(self, ctx: MessageContext) -> bool:
        previous = self.bot.history.previous_inbound(ctx.conversation_id, ctx.message_row_id)
        return previous is not None and previous["reason"] == "clarify"

    def _clarifying_question(self, u: Any) -> str:
        understander = self.bot.understander
        if understander is not None and hasattr(understander, "clarifying_question"):
            question = understander.clarifying_question(u)
            if question:
                return question
        labels = getattr(self.bot.understander, "labels", {}) if self.bot.understander else {}
        first = labels.get(u.intent, (u.intent or "").replace("_", " "))
        second = labels.get(u.runner_up, (u.runner_up or "").replace("_", " "))
        if first and second:
            return f"Just to be sure I help with the right thing: is this about {first}, or {second}?"
        return "Could you tell me a little more about what you need, so I can help with the right thing?"
