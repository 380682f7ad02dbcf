"""The auto-reply plugin.

Order of decisions for one message:
1. An urgent message (a safety report, a legal threat, fraud, a damaged item, a refund demand) is handed off at
   once, with its kind as the reason: never a clarifying question, never a canned answer. So is a question
   about one order by its number ("has my order #4471 shipped?"): only staff see orders.
2. A message in another language than the shop's texts: the bot's phrases in that language, and an
   answer only where the glossary reads the question and the passage names what it asks about
   (see ``_other_language``).
   Small talk (hello, thanks) gets the intent's fixed reply from intents.yaml.
3. The knowledge base is searched *before* anything is asked, for each question of the message
   ("How long does delivery take, and can I pay cash?" is two); a follow-up ("and for gifts?")
   is searched together with this customer's previous message (and the one before when that said
   little: "standard please"), a second question leaning on the first ("how long does it last?")
   with the first, and a message nothing answers alone with the previous message, once more.
4. With a generator: answer through ``prompts/reply.yaml`` from those passages and this
   conversation's recent turns only; a reply that promises what the passages do not say is
   blocked and handed off. Without one: send the sentences of the best passage that answer, when
   its confidence (:func:`~supportbot.knowledge.answer_confidence`) reaches ``answer_confidence``,
   or comes near it with no other passage close behind (``lead_weight``); where a generic FAQ file
   and the shop's own pages both come close, the shop's page is the best (``generic_source_penalty``),
   and where one of the shop's own passages is confident enough to answer, no generic one is sent;
   questions with no such passage are handed off, honestly, beside the answered ones.
5. Nothing confident: an intent whose action is ``handoff`` hands off; an unclear intent gets ONE
   clarifying question only when the best passage came close and the customer is neither upset
   nor writing in another language; everything else goes to staff.
The passages an answer stands on are recorded with its outcome.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from pydantic import Field

from supportbot.i18n import (
    in_other_language,
    message_language,
    phrases,
    shop_language,
    small_talk_any,
    text_language,
)
from supportbot.knowledge import KnowledgeBase, Passage, answer_confidence, excerpt, places
from supportbot.knowledge.excerpt import coverage, is_list_item, stems
from supportbot.knowledge.aliases import spelled_out
from supportbot.knowledge.places import with_countries
from supportbot.knowledge.specificity import asks_for_a_value, holds_what_is_asked, is_lead_in, states_what_is_asked
from supportbot.plugin import MessageContext, Plugin, PluginSettings, on_message
from supportbot.glossary import gloss, load as load_glossaries
from supportbot.prompts import grounded_reply
from supportbot.understanding.intents import mean_probabilities, passage_texts, topic_agreement
from supportbot.understanding.questions import (announces_topic, asks, is_follow_up, is_topic_switch, new_words,
                                              split_questions)


#: Passages whose intents are kept (a shop's FAQ and policies, many times over).
_PASSAGE_INTENTS_KEPT = 4096
#: Passages classified per embedding call while warming up, so live messages get the runner in between.
_CLASSIFY_BATCH = 32
#: In a follow-up, how much the new words ("gifts" in "and for gifts?") weigh in picking the passage.
_FOCUS_WEIGHT = 0.3
#: In a follow-up, the bonus of the passage the previous answer came from: "and how long does it take?"
#: after the delivery-zone table asks that table, not the FAQ's generic delivery times.
_CONTINUITY_WEIGHT = 0.1
#: A previous message of at most this many words ("standard please") sets a topic with the one before it.
_SHORT_TOPIC_WORDS = 3
#: How many of the customer's earlier messages are looked through for the place "there" points to.
_PLACE_TURNS = 3
#: A follow-up with this many words of its own ("and how do I contact you by email?") may be a question of its own.
_OWN_QUESTION_WORDS = 2
#: Passages searched for a value asked by name ("email address for support?") when none of the first holds one.
_VALUE_PASSAGES = 20
_WORDS = re.compile(r"[^\W\d_]+")
#: Where a question of a message in another language ends ("¿...? ¿...?", "...吗？...").
_SENTENCES = re.compile(r"(?<=[?？])\s*(?=\S)")
#: Outcomes after which the next message may be read in their context: the bot answered (or asked).
_ANSWERED = frozenset({"knowledge_match", "product_found", "product_choices", "product_follow_up", "product_list",
                       "product_ranked", "product_out_of_stock", "product_detail", "go_ahead"})


class AutoReplySettings(PluginSettings):
    passages: int = Field(4, ge=1, le=20, description="Passages retrieved for one answer.")
    min_relevance: float = Field(0.45, ge=0, le=1, description="Passages below this similarity are not given to the generator.")
    answer_confidence: float = Field(
        0.525, ge=0, le=1,
        description="Without a generator, answer from a passage at or above this confidence (retrieval score blended "
                    "with word coverage; calibrated with bench/calibrate.py, see README).")
    lead_weight: float = Field(
        1.5, ge=0, le=10,
        description="A passage under answer_confidence is still sent when it stands clearly above the next one: "
                    "its confidence plus lead_weight times its lead over the runner-up reaches lead_confidence "
                    "(and it reaches clarify_confidence). 0 turns this off.")
    lead_confidence: float = Field(
        0.65, ge=0, le=2, description="The bar for confidence + lead_weight x lead (see lead_weight).")
    generic_source_penalty: float = Field(
        0.15, ge=0, le=1,
        description="In choosing between passages, one from a source that reads as a generic FAQ (next to no amount, "
                    "day count, phone or address in it: see supportbot.knowledge.specificity) counts this much less "
                    "than the shop's own pages; whether to answer still goes by its own confidence.")
    clarify_confidence: float = Field(
        0.45, ge=0, le=1,
        description="An unclear message whose best passage reaches this (but not answer_confidence) may get one "
                    "clarifying question; below it, it goes to staff.")
    excerpt_sentences: int = Field(2, ge=1, le=10, description="Sentences or table rows of a passage sent as the answer.")
    max_questions: int = Field(3, ge=1, le=10, description="Questions of one message answered separately.")
    clarify: bool = Field(True, description="Ask one clarifying question when neither intent nor knowledge is confident.")
    generate: bool = Field(True, description="Write answers with the model when one is loaded.")
    catalog_passages: int = Field(
        2, ge=0, le=10, description="Catalog products given to the generator beside FAQ and policy passages.")


@dataclass(frozen=True)
class _Topic:
    """What a follow-up leans on: the customer's previous message and the passages its answer cited."""

    text: str
    sources: frozenset[str]


@dataclass(frozen=True)
class _Found:
    """The best passage for one question, and whether it is good enough to send."""

    question: str
    text: str | None
    source: str | None
    confidence: float
    #: whether what is sent speaks to the question's own words (not only to the topic it leaned on)
    speaks_to_it: bool = True


class AutoReply(Plugin):
    name = "auto_reply"
    Settings = AutoReplySettings
    settings: AutoReplySettings

    async def plugin_load(self) -> None:
        # (passage id, text) -> its intent probabilities: a shop's passages are classified once each,
        # in the background from the start, so the first customers do not wait for it.
        self._passage_intents: OrderedDict[tuple[str, str], dict[str, float]] = OrderedDict()
        kb = self.bot.knowledge
        if self.bot.understander is not None and isinstance(kb, KnowledgeBase):
            self.bot.spawn(self._classify_all(kb), name="auto_reply: passage intents")
        if kb is not None:  # the city and country names load once, off the event loop, before customers name one
            self.bot.spawn(asyncio.to_thread(places.load), name="auto_reply: city names")
            self.bot.spawn(asyncio.to_thread(load_glossaries, self.bot.config), name="auto_reply: glossaries")

    async def _classify_all(self, kb: KnowledgeBase) -> None:
        passages = kb.passages(limit=_PASSAGE_INTENTS_KEPT)
        for start in range(0, len(passages), _CLASSIFY_BATCH):
            await self._classify(passages[start : start + _CLASSIFY_BATCH])
        self.log.debug("classified %d passages by intent", len(passages))

    @property
    def _knowledge(self) -> KnowledgeBase:
        """The knowledge base, for the steps that run only once :meth:`reply` checked there is one."""
        kb = self.bot.knowledge
        assert kb is not None, "answers are searched only with a knowledge base"
        return kb

    @on_message()
    async def reply(self, ctx: MessageContext) -> Any:
        u = ctx.understanding
        if u is not None and getattr(u, "urgent", None):
            return ctx.handoff(f"urgent:{u.urgent}", {"kind": u.urgent})
        if u is not None and getattr(u, "order_asked", None):  # "has my order #4471 shipped?": staff see orders
            return ctx.handoff("order_lookup", {"order": u.order_asked})
        said = phrases(self.bot.config)
        if small_talk := small_talk_any(said, ctx.text, message_language(ctx)):  # "hola", "help", "thanks"
            return ctx.answer(said.say(*small_talk), reason="small_talk")
        if announces_topic(ctx.text):  # "question about the parka": the question is the next message, read with this
            return ctx.answer(said.say("go_ahead", message_language(ctx)), reason="go_ahead")
        other = await self._other_language(ctx)
        if other is not None:
            return other
        if u is not None and u.action == "small_talk" and not u.ambiguous:
            text = self._small_talk_reply(u.intent)
            if text:
                return ctx.answer(text, reason="small_talk")
        knowledge = self.bot.knowledge
        if knowledge is None:
            return ctx.handoff("no_knowledge_base")
        previous = self.bot.history.previous_inbound(ctx.conversation_id, ctx.message_row_id)
        topic = self._follow_up_topic(ctx, previous)
        runner = self.bot.runner
        if self.settings.generate and runner is not None and runner.generation_available:
            return await self._generate(ctx, u, f"{topic.text} {ctx.text}" if topic else ctx.text)
        questions = split_questions(ctx.text)[: self.settings.max_questions]
        # "is there free shipping over $75 there?" after "do you ship to canada": the place named before
        there = self._places_before(ctx, previous) if places.points_to_a_place(ctx.text) else []
        found: list[_Found] = []
        for q in questions:
            # "can i include a note? how long can it be": the second leans on the first, not on the last message
            last = found[-1] if found else None
            leans_on = _Topic(last.question, frozenset([last.source] if last.text and last.source else [])) \
                if last is not None and is_follow_up(q) else topic
            best = await self._best(q, leans_on, self.settings.answer_confidence, there)
            found.append(await self._on_its_own(q, best) if leans_on is not None else best)
        if topic is None and not all(f.text for f in found) and (context := self._context(ctx, previous)) is not None:
            # Nothing confident alone: read it with the previous message, as a person would ("do you have
            # afterpay?" then "my order is only $25, can i still use it?"); sent only if that is confident.
            said_before = self._reply_to(previous)
            retried = [f if f.text else await self._best(f.question, context, self.settings.answer_confidence, there)
                       for f in found]
            # The same words again answer a question asked of them ("can I mail a check?" after the payment
            # options) but not a request or a statement ("return these shoes please" after the policy).
            found = [r if r.text and (asks(r.question) or r.text not in said_before) else f
                     for f, r in zip(found, retried)]
        found = _once_each(found)
        if (outcome := self._send(ctx, found, message_language(ctx), "knowledge_match")) is not None:
            return outcome
        best = max(found, key=lambda f: f.confidence)
        return self._unsure(ctx, u, best.confidence, {"best_passage": best.source, "confidence": best.confidence})

    def _unsure(self, ctx: MessageContext, u: Any, confidence: float, details: dict[str, Any]) -> Any:
        """Nothing confident to say: the intent's handoff, one clarifying question, or staff."""
        if getattr(u, "action", None) == "handoff":
            return ctx.handoff(f"intent:{u.intent}", details)
        if self._may_clarify(ctx, u, confidence):
            # intents.yaml's labels are in the shop's language: another language gets the open question
            question = (phrases(self.bot.config).say("clarify", message_language(ctx))
                        if in_other_language(self.bot, ctx) else self._clarifying_question(u))
            return ctx.answer(question, reason="clarify")
        if u is not None and getattr(u, "ambiguous", False) and self._last_was_clarification(ctx):
            return ctx.handoff("still_unclear", {"intent": u.intent, "runner_up": u.runner_up, **details})
        return ctx.handoff("no_grounded_answer", details)

    async def _best(self, question: str, topic: _Topic | None, needed: float, there: list[str] | None = None) -> _Found:
        """The best passage for ``question`` (searched with the follow-up's ``topic``), excerpted;
        ``there``: the places a question naming none but pointing back ("there") is about."""
        # "postage to Cork (Ireland)", "do you take Amex (American Express)?": as the pages name them
        spoken = spelled_out(question)
        destinations = places.destinations(spoken)
        there = [] if destinations else there or []
        asked = with_countries(spoken) + (f" ({' '.join(there)})" if there else "")  # "there" is searched by its name
        query = f"{with_countries(topic.text)} {asked}" if topic else asked
        passages = await self._knowledge.search_passages(query, k=self.settings.passages)
        if not passages:
            return _Found(question, None, None, 0.0)
        if topic is None and asks_for_a_value(question) and \
                not any(holds_what_is_asked(question, p.text) for p in passages):
            # "email address for support?": the contact table holding it may share few words; look further
            seen = {p.id for p in passages}
            passages += [p for p in await self._knowledge.search_passages(query, k=_VALUE_PASSAGES)
                         if p.id not in seen and holds_what_is_asked(question, p.text)]
        # A follow-up's own words ("and for gifts?") say too little to classify: no agreement there.
        agreements = await self._agreements(None if topic else asked, passages)
        scored = [(answer_confidence(query, p, a), p) for p, a in zip(passages, agreements)]
        if topic:  # "and for gifts?": of the passages on the earlier topic, the one that has "gifts"
            focus = stems(" ".join(new_words(question)))
            scored = [(min(1.0, c + _FOCUS_WEIGHT * coverage(focus, f"{p.title or ''} {p.text}")
                           + _CONTINUITY_WEIGHT * (p.id in topic.sources)), p) for c, p in scored]
        # The shop's own page over a generic FAQ file where both come close ("select countries" vs "US only")
        # a knowledge base of a plugin author's own may not tell generic sources apart
        generic: frozenset[str] = getattr(self._knowledge, "generic_sources", frozenset)()
        own = [(c, p) for c, p in scored if p.source not in generic] if generic else []
        if own and max(c for c, _ in own) >= needed:
            scored = own  # the shop's own pages answer it: a downloaded FAQ's "we offer live chat" is not theirs
        penalty = self.settings.generic_source_penalty  # also for a page's lead-in ("here's how returns work")
        ranked = sorted(((c - penalty * bool((generic and p.source in generic) or is_lead_in(p.text)), c, p)
                         for c, p in scored), key=lambda s: s[0], reverse=True)
        # "what's the shipping cost to Hawaii?": only a passage naming Hawaii, or a region it lies in, answers it
        where = destinations or there
        if where:
            named = [(coverage(where, f"{r[2].title or ''} {r[2].text}"), r) for r in ranked]
            most = max(c for c, _ in named)
            if most > 0:  # none naming it: the best as before ("do you ship to the UK?": "only within Canada")
                # those naming the most of it ("Northern Ireland", not the Republic of Ireland's row) where
                # one of them answers, else any naming it
                fullest = [r for c, r in named if c == most]
                ranked = fullest if fullest[0][1] >= needed else [r for c, r in named if c > 0]
        # "email address for support?": of the candidates, one that holds an email address, where any does
        if topic is None and asks_for_a_value(question):  # a follow-up's "how much is it?" asks the topic's passage
            ranked = [r for r in ranked if holds_what_is_asked(question, r[2].text)] or ranked
        _, confidence, best = ranked[0]
        if confidence < needed and not self._clear_lead(confidence, ranked[1][0] if len(ranked) > 1 else 0.0):
            return _Found(question, None, best.id, confidence)
        part = excerpt(asked, best.text, max_units=self.settings.excerpt_sentences, title=best.title or "")
        speaks_to_it = part.coverage > 0
        if topic and not speaks_to_it:
            part = excerpt(query, best.text, max_units=self.settings.excerpt_sentences, title=best.title or "")
        text = _under_heading(best, part.text)
        if is_lead_in(best.text) and (after := self._knowledge.next_passage(best.id)) is not None:
            # "here's how returns work" says nothing yet: the section it leads into does (after the
            # lead-in's own list, if it has one: "We accept the following: • Visa ...")
            more = excerpt(asked, after.text, max_units=self.settings.excerpt_sentences, title=after.title or "")
            has_list = any(is_list_item(line) for line in best.text.splitlines())
            text = f"{text}\n\n{_under_heading(after, more.text)}" if has_list else _under_heading(after, more.text)
        return _Found(question, text, best.id, confidence, speaks_to_it)

    async def _on_its_own(self, question: str, with_topic: _Found) -> _Found:
        """A follow-up that asks a question of its own, read alone when that answers its own words
        better: "and how do I contact you by email?" after the returns policy asks for the email
        address, not the policy again. One word of its own leans on the topic: "and to Canada?" after
        the cost to Alaska asks the cost to Canada ("Canadian provinces ... $22", not "we ship to Canada")."""
        own = stems(" ".join(new_words(question)))
        if len(own) < _OWN_QUESTION_WORDS:
            return with_topic  # "how long does it take?", "and for gifts?": the topic's passage
        alone = await self._best(question, None, self.settings.answer_confidence)
        if not alone.text:
            return with_topic
        mine, topics = coverage(own, alone.text), coverage(own, with_topic.text or "")
        # as close to its words, and only alone holding the kind of value asked: "ok and how long does
        # delivery take to the UK?" after a jacket's price wants the days, not the UK delivery price
        if mine > topics or (mine == topics and asks_for_a_value(question) and holds_what_is_asked(question, alone.text)
                             and not holds_what_is_asked(question, with_topic.text or "")):
            return alone
        return with_topic

    def _clear_lead(self, confidence: float, runner_up: float) -> bool:
        """Whether a passage under the answer bar still answers because nothing else comes near it:
        a clear winner at 0.5 is more often right than a close call at 0.55 (calibrated on the bench
        shops' cases, each shop scored with the values chosen on the others; see README)."""
        lead = confidence - runner_up
        return (self.settings.lead_weight > 0 and confidence >= self.settings.clarify_confidence
                and confidence + self.settings.lead_weight * lead >= self.settings.lead_confidence)

    async def _agreements(self, question: str | None, passages: list[Passage]) -> list[float]:
        """Per passage, how far it classifies as the intent ``question`` asks (see ``topic_agreement``).

        A passage's intents are those of its title and of its title with its text, averaged,
        computed once per passage text and kept.
        """
        understander = self.bot.understander
        if question is None or understander is None or not passages:
            return [0.0] * len(passages)
        (asked,) = await understander.intent_probabilities([question])
        await self._classify(passages)
        return [topic_agreement(asked, self._passage_intents.get((p.id, p.text), {})) for p in passages]

    async def _classify(self, passages: list[Passage]) -> None:
        """Keep the intent probabilities of those of ``passages`` not classified yet."""
        understander = self.bot.understander
        missing = [p for p in passages if (p.id, p.text) not in self._passage_intents]
        if understander is None or not missing:
            return
        texts = [passage_texts(p.title, p.text) for p in missing]
        found = iter(await understander.intent_probabilities([t for each in texts for t in each]))
        for p, each in zip(missing, texts):
            self._passage_intents[(p.id, p.text)] = mean_probabilities([next(found) for _ in each])
            while len(self._passage_intents) > _PASSAGE_INTENTS_KEPT:
                self._passage_intents.popitem(last=False)

    def _follow_up_topic(self, ctx: MessageContext, previous: dict[str, Any] | None) -> _Topic | None:
        """The customer's ``previous`` message when this one only follows up on it ("and for gifts?"), or
        when that one only said what the question would be about ("question about the parka")."""
        if previous is None or not (is_follow_up(ctx.text) or announces_topic(previous["text"])):
            return None
        return self._topic_of(ctx, previous)

    def _context(self, ctx: MessageContext, previous: dict[str, Any] | None) -> _Topic | None:
        """The customer's ``previous`` message as the context of one that did not say it follows up,
        when the bot answered it and this one does not announce a new topic."""
        if previous is None or is_topic_switch(ctx.text) or previous["reason"] not in _ANSWERED:
            return None
        return self._topic_of(ctx, previous)

    def _topic_of(self, ctx: MessageContext, previous: dict[str, Any]) -> _Topic:
        """The topic ``previous`` (the customer's last message) sets: with the one before it too when it
        says too little alone ("shipping to hawaii", "standard please", then "how long will it take?")."""
        texts, sources = [previous["text"]], list(previous["sources"])
        if len(_WORDS.findall(previous["text"])) <= _SHORT_TOPIC_WORDS or is_follow_up(previous["text"]):
            earlier = self.bot.history.previous_inbound(ctx.conversation_id, previous["id"])
            if earlier is not None and not is_topic_switch(previous["text"]):
                texts.insert(0, earlier["text"])
                sources += earlier["sources"]
        return _Topic(" ".join(texts), frozenset(s for s in sources if isinstance(s, str)))

    def _places_before(self, ctx: MessageContext, previous: dict[str, Any] | None) -> list[str]:
        """The places the customer's last few messages sent to, the latest that named any."""
        for _ in range(_PLACE_TURNS):
            if previous is None:
                break
            if found := places.destinations(spelled_out(previous["text"])):
                return found
            previous = self.bot.history.previous_inbound(ctx.conversation_id, previous["id"])
        return []

    def _reply_to(self, previous: dict[str, Any] | None) -> str:
        """What the bot answered to the customer's ``previous`` message ("" when nothing was sent)."""
        reply = self.bot.history.reply_to(previous["id"]) if previous else None
        message = self.bot.history.message(reply["id"]) if reply else None
        return (message or {}).get("text") or ""

    def _may_clarify(self, ctx: MessageContext, u: Any, confidence: float) -> bool:
        """One clarifying question, only when neither the intent nor the knowledge base is sure, and
        never to an upset or urgent customer, or twice in a row."""
        if not self.settings.clarify or u is None or not getattr(u, "ambiguous", False):
            return False
        if getattr(u, "negative", False) or getattr(u, "urgent", None) or getattr(u, "sentiment", 0.0) < 0:
            return False
        if not self.settings.clarify_confidence <= confidence < self.settings.answer_confidence:
            return False
        return not self._last_was_clarification(ctx)

    async def _generate(self, ctx: MessageContext, u: Any, query: str) -> Any:
        """With a model: retrieve first; an unclear message with nothing confident found is asked about."""
        passages = [p for p in await self._knowledge.search_passages(query, k=self.settings.passages)
                    if p.score >= self.settings.min_relevance]
        agreements = await self._agreements(ctx.text, passages)
        confidence = max((answer_confidence(query, p, a) for p, a in zip(passages, agreements)), default=0.0)
        unsure = confidence < self.settings.answer_confidence
        if getattr(u, "action", None) == "handoff" or (unsure and getattr(u, "ambiguous", False)):
            return self._unsure(ctx, u, confidence, {"confidence": confidence})
        if self.settings.catalog_passages:
            passages += await self._product_passages(query)
        if not passages:
            return ctx.handoff("no_grounded_answer")
        return await self._generated(ctx, passages)

    async def _other_language(self, ctx: MessageContext) -> Any:
        """A message in another language than the shop's texts, answered without a generator.

        The bot's own phrases come in the customer's language. An answer that exists only in the
        shop's language is given with a note saying so, and only for a question the glossary reads
        and a passage that names every name and place it asked about (see :meth:`_glossed`): the
        English-centred embedder's cosine across languages cannot tell the right passage from an
        unrelated one, and a name alone ("Canyon" in a question about a casserole) found the shop's
        address. Otherwise a person takes it.
        """
        if not in_other_language(self.bot, ctx):
            return None
        language, shop = message_language(ctx), shop_language(self.bot)
        said = phrases(self.bot.config)  # small talk in any language was met in reply() already
        runner = self.bot.runner
        knowledge = self.bot.knowledge
        if knowledge is None or (self.settings.generate and runner is not None and runner.generation_available):
            return None  # the generator answers in the customer's language from the same passages
        passages = [p for p in await knowledge.search_passages(ctx.text, k=self.settings.passages)
                    if getattr(p, "kind", None) != "product"]
        languages = self.bot.config.understanding.languages
        if any(text_language(p.text, languages, shop) == language for p in passages[:2]):
            return None  # the shop has texts in this language too: the usual path
        notice = said.say("only_in_language", language, language=said.language_name(shop, language))
        found = await self._glossed(ctx.text, language)
        outcome = self._send(ctx, found, language, "knowledge_match_other_language", notice=notice)
        return outcome or ctx.handoff("other_language", {"language": language, "shop_language": shop})

    def _send(self, ctx: MessageContext, found: list[_Found], language: str, reason: str,
              notice: str | None = None) -> Any:
        """The answers found, when every question has one; the answered part and an honest handoff for
        the rest (named in ``language``), when some have; None when none has. ``notice`` leads the text."""
        answered = [f for f in found if f.text]
        if not answered:
            return None
        lead = f"{notice}\n" if notice else ""
        text = lead + "\n\n".join(f.text or "" for f in answered)
        sources = [f.source for f in answered]
        if len(answered) == len(found):
            return ctx.answer(text, sources=sources, reason=reason)
        rest = [f.question for f in found if not f.text]
        text += "\n\n" + phrases(self.bot.config).say("partly_answered", language, rest="; ".join(rest))
        details = {"answered": sources, "unanswered": rest, **({"language": language} if notice else {})}
        return ctx.handoff("partly_answered", details, text=text)

    async def _glossed(self, text: str, language: str) -> list[_Found]:
        """The questions of ``text`` read through the glossary (see :mod:`supportbot.glossary`), each
        answered only by a passage confident for the glossed words that also has every word the glossary
        left as written (a name, a city): the glossary says what was asked, the passage must say of what.
        Each question keeps its own words (``_Found.question``), to be named in a handoff for the rest."""
        found: list[_Found] = []
        asked: list[str] = []
        leans_on: _Topic | None = None  # "¿Cuál es el pedido mínimo?" after "¿puedo pagar con Afterpay?"
        for part in _SENTENCES.split(text)[: self.settings.max_questions]:
            glossed = gloss(part, language, self.bot.config)
            if not glossed.understood:
                continue
            f = await self._best(glossed.text, leans_on if is_follow_up(glossed.text) else None,
                                 self.settings.answer_confidence)
            leans_on = _Topic(glossed.text, frozenset([f.source] if f.text and f.source else []))
            named = stems(" ".join(glossed.must_have))
            if f.text and named and coverage(named, f.text) < 1.0:
                f = replace(f, text=None)
            found.append(f)
            asked.append(part.strip())
        return [replace(f, question=part) for f, part in zip(_once_each(found), asked)]

    async def _generated(self, ctx: MessageContext, passages: list[Any]) -> Any:
        reply = await grounded_reply(self.bot, passages, await ctx.recent_turns(), ctx.text)
        if reply.text is None:
            if reply.refused != "no_grounded_answer":
                self.log.warning("blocked a generated reply (%s): %s", reply.refused, reply.details)
            return ctx.handoff(reply.refused or "no_grounded_answer", reply.details)
        return ctx.answer(reply.text, sources=[p.id for p in passages], reason="generated")

    async def _product_passages(self, text: str) -> list[Any]:
        """Relevant catalog products as passages, stating only the stored figures."""
        from supportbot.knowledge import Passage

        if self.bot.knowledge is None:
            return []
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


def _under_heading(passage: Passage, text: str) -> str:
    """A list's items said under their heading: "Batteries ..." alone reads as covered; under
    "What isn't covered" it answers. Only a policy list whose heading the excerpt lacks."""
    lines = [line for line in passage.text.splitlines() if line.strip()]
    heading = (passage.title or "").split(" › ")[-1].strip().rstrip(":")
    if passage.kind != "policy" or not heading or not lines or heading.lower() in text.lower():
        return text
    if sum(is_list_item(line) for line in lines) * 2 < len(lines):
        return text
    return f"{heading}:\n{text}"


def _once_each(found: list[_Found]) -> list[_Found]:
    """The answers of one message with none sent twice: a later question answered by the same words
    ("do bags have a warranty? how long does it last?") is answered by them once, if they speak to it;
    otherwise ("do you gift wrap? how long does it take?": no duration in them) it is a question left open."""
    kept: list[_Found] = []
    for f in found:
        if f.text and any(f.text == k.text for k in kept):
            if not (f.speaks_to_it or states_what_is_asked(f.question, f.text)):
                kept.append(replace(f, text=None))
            continue
        kept.append(f)
    return kept
