"""The staff brief for a handoff: generated when a model is there, extractive otherwise."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from supportbot.actions import Embed
from supportbot.handoffs import Handoff
from supportbot.prompts import load_prompt
from supportbot.services import Services

if TYPE_CHECKING:
    from supportbot.config import Config
    from supportbot.models import ModelRunner

log = logging.getLogger("supportbot.plugins.escalation")

LAST_MESSAGES = 8


@dataclass
class Summary:
    customer_name: str
    text: str
    intent: str | None = None
    sentiment: float | None = None
    order_numbers: list[str] = field(default_factory=list)
    last_messages: list[str] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)
    #: Staff's internal notes on the handoff so far (a reopened one has some).
    notes: list[str] = field(default_factory=list)
    generated: bool = False

    def embed(self, handoff: Handoff) -> Embed:
        fields = [("Reason", handoff.reason.replace("_", " "))]
        if self.intent:
            fields.append(("Intent", self.intent))
        if self.sentiment is not None:
            fields.append(("Sentiment", f"{self.sentiment:+.2f}"))
        if self.order_numbers:
            fields.append(("Order numbers", ", ".join(self.order_numbers)))
        if self.answered:
            fields.append(("Bot already said", _clip(" / ".join(self.answered[-2:]), 1000)))
        fields.append(("Last messages", _clip("\n".join(self.last_messages), 1000) or "-"))
        if self.notes:
            fields.append(("Internal notes", _clip("\n".join(self.notes), 1000)))
        return Embed(title=f"Handoff #{handoff.id}: {self.customer_name}", description=_clip(self.text, 2000),
                     fields=tuple(fields),
                     footer="Reply in this thread; the bot relays it. /claim, /resolve [note] when done.")


async def build_summary(bot: Services, handoff: Handoff, *, use_model: bool, timeout_s: float) -> Summary:
    history = bot.history
    conversation = history.conversation(handoff.conversation_id) or {}
    customer = history.customer(conversation.get("customer_id", -1)) or {}
    messages = history.messages_of(handoff.conversation_id)
    inbound = [m for m in messages if m["direction"] == "in"]
    summary = Summary(customer_name=customer.get("name") or customer.get("external_id") or "customer", text="")
    for m in messages[-LAST_MESSAGES:]:
        who = summary.customer_name if m["direction"] == "in" else ("staff" if str(m["author_id"]).startswith("staff:") else "bot")
        summary.last_messages.append(f"{who}: {m['text']}")
    summary.answered = [m["text"] for m in messages if m["direction"] == "out" and m["author_id"] == "bot"]
    for m in reversed(inbound):
        understanding = json.loads(m["understanding"]) if m.get("understanding") else None
        if understanding:
            summary.intent = summary.intent or understanding.get("intent")
            if summary.sentiment is None:
                summary.sentiment = understanding.get("sentiment")
            for number in (understanding.get("entities") or {}).get("order_number", []):
                if number not in summary.order_numbers:
                    summary.order_numbers.append(number)
    summary.text = _extractive(inbound, summary.customer_name)
    runner = bot.runner
    if use_model and runner is not None and runner.generation_available and messages:
        try:
            summary.text = await _generated(runner, bot.config, summary, timeout_s)
            summary.generated = True
        except Exception as exc:  # the extractive brief is already there; say why the model's is not
            log.warning("handoff %d: generated summary failed (%s); using the extractive one", handoff.id, exc)
    return summary


def _extractive(inbound: list[dict[str, Any]], name: str) -> str:
    if not inbound:
        return f"{name} was handed to staff."
    first, last = inbound[0]["text"], inbound[-1]["text"]
    if first == last:
        return f"{name} wrote: “{_clip(first, 400)}”"
    return f"{name} first wrote: “{_clip(first, 300)}” and most recently: “{_clip(last, 300)}”"


async def _generated(runner: ModelRunner, config: Config, summary: Summary, timeout_s: float) -> str:
    from supportbot.models import GenerationOptions

    prompt = load_prompt(config, "handoff_summary")
    transcript = "\n".join(summary.last_messages)
    chat = [{"role": "system", "content": prompt["system"]},
            {"role": "user", "content": prompt["user"].format(transcript=transcript)}]
    options = GenerationOptions(max_new_tokens=int(prompt.get("max_new_tokens", 120)), temperature=0.0, timeout_s=timeout_s)
    (text,) = await runner.generate(chat, options)
    return text.strip() or summary.text


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
