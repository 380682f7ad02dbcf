"""The escalation plugin: triggers, the staff thread, relaying, CSAT, support hours, staff commands.

Triggers that need the message itself live here (asking for a person, complaints, strong negative
sentiment, staff keywords, flagged customers). Others reach the core as handoff outcomes from
elsewhere (no grounded answer, still unclear after a clarifying question, a model or plugin
failure); this plugin gives every one of them the same thread, summary and customer notice.

The handoff's state (open, claimed, resolved, reopened) is the core's (``bot.handoffs``); this
plugin is its :class:`~supportbot.handoffs.HandoffDesk` and reacts to the core's handoff events,
whoever caused them (a command, a button, the auto-close), keeping its own records in its own table.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field

from supportbot.actions import CommandResult, OpenThread, SendMessage, mention
from supportbot.events import Author, HandoffOpened, HandoffResolved, MessageReceived
from supportbot.handoffs import Handoff, HandoffAlreadyClaimed, HandoffDesk, HandoffError
from supportbot.i18n import conversation_language, phrases
from supportbot.outcomes import Outcome
from supportbot.plugin import (
    CommandContext,
    Member,
    MessageContext,
    Option,
    Plugin,
    PluginSettings,
    command,
    listener,
    on_message,
)
from supportbot.reports import render_chart

from .hours import SupportHours
from .staff import StaffTools
from .staff_store import STAFF_MIGRATIONS, StaffStore
from .store import MIGRATIONS, DeskStore, staff_report
from .summary import build_summary

_DEFAULT_HUMAN_PHRASES = [
    "human", "real person", "a person", "an agent", "live agent", "representative", "someone from your team",
    "speak to someone", "talk to someone", "customer service agent", "manager", "supervisor",
]


class EscalationSettings(PluginSettings):
    mode: Literal["relay", "in_place"] = Field(
        "relay", description="relay: staff write in the thread and the bot relays; in_place: staff answer in the channel.")
    human_intents: list[str] = Field(default_factory=lambda: ["contact_human_agent"],
                                     description="Intents that mean 'let me talk to a person'.")
    complaint_intents: list[str] = Field(default_factory=lambda: ["complaint"], description="Intents handed off as complaints.")
    human_phrases: list[str] = Field(default_factory=lambda: list(_DEFAULT_HUMAN_PHRASES),
                                     description="Phrases that ask for a person, used when intent detection is unsure.")
    keywords: list[str] = Field(default_factory=list, description="Staff-defined words that always hand off (e.g. chargeback).")
    handoff_flagged_customers: bool = Field(True, description="Customers flagged vip or flagged always go to a person.")
    expected_wait_minutes: int = Field(30, ge=1, description="What the customer is told to expect during support hours.")
    support_hours: SupportHours | None = Field(None, description="When staff are in; unset means always.")
    reopen_within_hours: float = Field(24, ge=0, description="A new handoff this soon after the last one reopens it.")
    auto_close_after_hours: float = Field(48, gt=0, description="Close a handoff this long after the last activity, once staff replied.")
    check_interval_s: float = Field(300, gt=0, description="How often auto-close runs.")
    ask_csat: bool = Field(True, description="Ask the customer for a 1-5 rating when staff resolve.")
    summary_with_model: bool = Field(True, description="Write the staff summary with the model when one is loaded.")
    summary_timeout_s: float = Field(15, gt=0, description="Give up on a generated summary after this long.")
    note_prefix: str = Field("#", description="A staff line in a handoff thread starting with this is an internal note, never relayed.")
    drafts: bool = Field(True, description="Propose a reply from the knowledge base in each new staff thread, to send, edit or discard.")
    transcript_on_resolve: bool = Field(True, description="Post the handoff's transcript (text and HTML) in its thread when it is resolved.")
    attachment_max_mb: float = Field(8, gt=0, description="Files larger than this are not relayed (the sender is told).")
    attachment_types: list[str] = Field(
        default_factory=lambda: ["image/", "video/", "application/pdf", "text/plain"],
        description="Content types relayed between customer and staff (prefixes); empty accepts any.")


_MAX_WAITING = 50  # lines kept for a staff thread that is still opening (a flood is not relayed whole)
_CSAT = re.compile(r"^\s*([1-5])\s*(?:/\s*5|stars?|⭐+)?\s*[.!]?\s*$", re.IGNORECASE)


class Escalation(StaffTools, Plugin):
    name = "escalation"
    Settings = EscalationSettings
    settings: EscalationSettings
    migrations = MIGRATIONS + STAFF_MIGRATIONS

    async def plugin_load(self) -> None:
        self.desk = DeskStore(self.bot.history)
        self.staff = StaffStore(self.bot.history)
        #: Lines a customer wrote while their handoff's staff thread was being opened.
        self._waiting: dict[int, list[str]] = {}
        self._phrases = re.compile(
            r"\b(" + "|".join(re.escape(p) for p in self.settings.human_phrases) + r")\b", re.IGNORECASE
        ) if self.settings.human_phrases else None
        self._keywords = [k.lower() for k in self.settings.keywords]
        self._closer = self.bot.spawn(self._auto_close_loop(), name="escalation auto-close")

    async def plugin_unload(self) -> None:
        self._closer.cancel()

    def handoff_desk(self) -> HandoffDesk:
        return self

    # --- the desk the core asks -----------------------------------------------------------------

    def reopen_window(self) -> timedelta:
        return timedelta(hours=self.settings.reopen_within_hours)

    def _say(self, key: str, conversation_id: int, **values: Any) -> str:
        """One of the bot's phrases, in the language the customer last wrote in."""
        return phrases(self.bot.config).say(key, conversation_language(self.bot, conversation_id), **values)

    async def customer_notice(self, handoff: Handoff) -> str:
        hours = self.settings.support_hours
        now = self.bot.history.clock()
        if hours is not None and not hours.is_open(now):
            back = hours.next_opening(now)
            language = conversation_language(self.bot, handoff.conversation_id)
            when = f"{back:%A} at {back:%H:%M}" if language == "en" else f"{back:%Y-%m-%d %H:%M}"
            return self._say("handoff_offline", handoff.conversation_id, when=f"{when} ({hours.timezone})")
        return self._say("handoff", handoff.conversation_id, minutes=self.settings.expected_wait_minutes)

    def staff_channel(self, handoff: Handoff) -> str | None:
        return self.desk.get(handoff.id).thread_id

    # --- triggers -------------------------------------------------------------------------------

    @on_message(human_owned=True)
    async def route(self, ctx: MessageContext) -> Outcome | None:
        files = await self.take_customer_files(ctx.event, ctx.conversation_id) if ctx.event.attachments else 0
        handoff = self.bot.handoffs.open_for(ctx.conversation_id)
        if handoff is not None:  # the core only shows this handler staff-owned conversations
            return await self._while_human_owns(ctx, handoff)
        last = self.bot.handoffs.last_for(ctx.conversation_id)
        if last and not last.is_open:
            record = self.desk.get(last.id)
            csat = _CSAT.match(ctx.text)
            if csat and record.csat_asked_at and record.csat is None:
                self.desk.update(last.id, csat=int(csat.group(1)))
                return ctx.answer(self._say("rating_thanks", ctx.conversation_id), reason="csat")
            if last.resolved_by == "auto" and self._recent(last.resolved_at, self.settings.reopen_within_hours):
                return ctx.handoff("customer_returned")
        if files:  # a photo of the damage, a receipt: a person has to look at it
            return ctx.handoff("attachment", {"files": files})
        if ctx.event.attachments and not ctx.text.strip():
            return ctx.ignore("attachment_refused")
        return self._trigger(ctx)

    def _trigger(self, ctx: MessageContext) -> Outcome | None:
        flags = self.bot.history.customer_flags(ctx.customer_id)
        if self.settings.handoff_flagged_customers and (flags.get("vip") or flags.get("flagged")):
            return ctx.handoff("vip_customer" if flags.get("vip") else "flagged_customer")
        text = ctx.text.lower()
        hit = next((k for k in self._keywords if k in text), None)
        if hit:
            return ctx.handoff("keyword", {"keyword": hit})
        u = ctx.understanding
        if u is not None and not u.ambiguous:
            if u.intent in self.settings.human_intents:
                return ctx.handoff("asked_for_human")
            if u.intent in self.settings.complaint_intents:
                return ctx.handoff("complaint")
        if self._phrases and self._phrases.search(ctx.text) and (u is None or u.intent not in ("contact_customer_service",)):
            return ctx.handoff("asked_for_human")
        if u is not None and u.negative:  # understanding.negative_sentiment_threshold
            return ctx.handoff("negative_sentiment", {"sentiment": u.sentiment})
        return None

    async def _while_human_owns(self, ctx: MessageContext, handoff: Handoff) -> Outcome:
        self.bot.handoffs.touch(handoff.id)
        if self.settings.mode != "relay":
            return ctx.ignore("human_owns_conversation")
        line = f"**{ctx.event.author.name}:** {ctx.text}"
        thread_id = self.desk.get(handoff.id).thread_id
        if thread_id is None:
            # The staff thread is still being opened (after the customer's notice): it gets this
            # line as soon as it exists, in order.
            waiting = self._waiting.setdefault(handoff.id, [])
            if len(waiting) < _MAX_WAITING:
                waiting.append(line)
            return ctx.ignore("relayed_to_staff")
        if ctx.text.strip():
            await self.bot.send(SendMessage(channel_id=thread_id, text=line))
        await self.relay_customer_files(ctx.conversation_id, thread_id)  # files wait in the store until then
        return ctx.ignore("relayed_to_staff")

    # --- reacting to the core's handoff events --------------------------------------------------

    @listener(HandoffOpened)
    async def on_handoff_opened(self, event: HandoffOpened) -> None:
        """A new handoff gets a staff thread with the summary; a reopened one a note in its thread."""
        handoff = self.bot.handoffs.get(event.handoff_id)
        if handoff is None:
            return
        if event.reopened:
            self.desk.new_round(handoff.id)
        summary = await build_summary(self.bot, handoff, use_model=self.settings.summary_with_model,
                                      timeout_s=self.settings.summary_timeout_s)
        summary.notes = [f"{mention(n.author_id)}: {n.text}" for n in self.staff.notes(handoff.id)]
        customer = summary.customer_name
        thread_id = self.desk.get(handoff.id).thread_id
        if event.reopened and thread_id:
            await self.bot.send(SendMessage(channel_id=thread_id, mention_staff=True, embeds=(summary.embed(handoff),),
                                            text=f"Reopened: {customer} wrote again ({event.reason}).\n{summary.text}"))
            return
        try:
            thread_id = await self.bot.send(OpenThread(
                name=f"#{handoff.id} {customer}: {event.reason.replace('_', ' ')}"[:100],
                text=f"New handoff ({event.reason.replace('_', ' ')}) from {customer}.",
                embeds=(summary.embed(handoff),), mention_staff=True))
        except Exception:
            self.log.exception("could not open a staff thread for handoff %d", handoff.id)
            self._waiting.pop(handoff.id, None)
            self.desk.update(handoff.id, summary=summary.text)
            return
        if thread_id is not None:
            # What the customer wrote while the thread opened; no await between the last pop and
            # the update below, so no line can slip in between.
            while waiting := self._waiting.pop(handoff.id, []):
                for line in waiting:
                    await self.bot.send(SendMessage(channel_id=thread_id, text=line))
        self.desk.update(handoff.id, thread_id=thread_id, summary=summary.text)
        if thread_id is not None:
            await self.relay_customer_files(handoff.conversation_id, thread_id)
            await self.post_card(handoff, thread_id)
            await self.offer_draft(handoff, thread_id)

    @listener(HandoffResolved)
    async def on_handoff_resolved(self, event: HandoffResolved) -> None:
        """Tell the customer (asking for a rating when staff resolved it) and note it in the thread."""
        history = self.bot.history
        conversation = history.conversation(event.conversation_id) or {}
        buttons: tuple[Any, ...] = ()
        if event.staff_id == "auto":
            text = self._say("auto_closed", event.conversation_id)
        elif self.settings.ask_csat:
            text = self._say("rating_prompt", event.conversation_id)
            buttons = self.rating_buttons(event.handoff_id)
            self.desk.update(event.handoff_id, csat_asked_at=history.clock())
        else:
            text = self._say("resolved", event.conversation_id)
        if conversation.get("channel_id"):
            sent_id = await self.bot.send(SendMessage(channel_id=conversation["channel_id"], text=text,
                                                      components=buttons))
            history.record_outbound(event.conversation_id, text, platform=conversation.get("platform"),
                                    platform_message_id=sent_id)
        thread_id = self.desk.get(event.handoff_id).thread_id
        if thread_id:
            note = f": {event.note}" if event.note else "."
            await self.bot.send(SendMessage(channel_id=thread_id, text=f"Resolved by {_by(event.staff_id)}{note}"))

    @listener(MessageReceived)
    async def on_staff_message(self, event: MessageReceived) -> None:
        """Staff wrote in a handoff thread: it counts as their reply (and claims an unowned handoff);
        in relay mode it goes on to the customer."""
        handoff_id = self.desk.handoff_by_thread(event.channel_id) if event.author.is_staff else None
        handoff = self.bot.handoffs.get(handoff_id) if handoff_id is not None else None
        if handoff is None or not handoff.is_open:
            return
        if self.is_note(event.text):  # internal: kept, never relayed, not a reply to the customer
            self.keep_note(handoff, event.author.id, event.text)
            return
        history = self.bot.history
        now = history.clock()
        record = self.desk.get(handoff.id)
        self.desk.update(handoff.id, staff_replied_at=now, staff_round=handoff.reopen_count,
                         first_staff_reply_at=record.first_staff_reply_at or now)
        if handoff.owner_id is None:
            self.bot.handoffs.claim(handoff.id, event.author.id)
        else:
            self.bot.handoffs.touch(handoff.id)
        if self.settings.mode != "relay":
            return
        files = await self.staff_files(handoff, event) if event.attachments else ""
        text = "\n".join(part for part in (event.text, files) if part)
        if text:
            await self.relay_to_customer(handoff, event.author, text, event.platform)

    async def relay_to_customer(self, handoff: Handoff, staff: Author, text: str, platform: str) -> None:
        """Post a staff member's reply in the customer's channel, recorded as theirs."""
        history = self.bot.history
        conversation = history.conversation(handoff.conversation_id) or {}
        sent_id = await self.bot.send(SendMessage(channel_id=conversation["channel_id"],
                                                  text=f"**{staff.name} (staff):** {text}"))
        history.record_outbound(handoff.conversation_id, text, author_id=f"staff:{staff.id}",
                                platform=platform, platform_message_id=sent_id)

    # --- staff commands -------------------------------------------------------------------------

    def _handoff_for_command(self, ctx: CommandContext, handoff: int | None) -> Handoff | None:
        """The handoff named by number, else the one whose thread the command runs in; only open ones."""
        if handoff is None:
            handoff = self.desk.handoff_by_thread(ctx.event.channel_id)
        found = self.bot.handoffs.get(handoff) if handoff is not None else None
        return found if found is not None and found.is_open else None

    @command("handoffs", "Open handoffs, oldest first, with how long they have waited", staff_only=True)
    async def list_handoffs(self, ctx: CommandContext) -> CommandResult:
        now = self.bot.history.clock()
        rows = []
        for h in self.bot.handoffs.open_handoffs():
            waited = _duration(now - h.opened_at)
            owner = f"claimed by {mention(h.owner_id)}" if h.owner_id else "unclaimed"
            rows.append(f"#{h.id} · {h.reason.replace('_', ' ')} · waiting {waited} · {owner}")
        return CommandResult("\n".join(rows) if rows else "No open handoffs.")

    @command("claim", "Take a handoff (run it in the handoff's thread, or name it)", staff_only=True)
    async def claim(self, ctx: CommandContext, handoff: int | None = Option("handoff number", default=None)) -> str:
        h = self._handoff_for_command(ctx, handoff)
        if h is None:
            return "No open handoff here; name one with handoff:<number> (see /handoffs)."
        try:
            self.bot.handoffs.claim(h.id, ctx.author_id)
        except HandoffAlreadyClaimed as exc:
            return f"Handoff #{h.id} is already claimed by {mention(exc.owner_id)}; use /transfer to move it."
        return f"You now own handoff #{h.id}."

    @command("unclaim", "Give a handoff back to the queue", staff_only=True)
    async def unclaim(self, ctx: CommandContext, handoff: int | None = Option("handoff number", default=None)) -> str:
        h = self._handoff_for_command(ctx, handoff)
        if h is None:
            return "No open handoff here."
        self.bot.handoffs.transfer(h.id, None, by=ctx.author_id)
        return f"Handoff #{h.id} is back in the queue."

    @command("transfer", "Hand a handoff to another staff member", staff_only=True)
    async def transfer(self, ctx: CommandContext, member: Member,
                       handoff: int | None = Option("handoff number", default=None)) -> str:
        h = self._handoff_for_command(ctx, handoff)
        if h is None:
            return "No open handoff here."
        self.bot.handoffs.transfer(h.id, str(member), by=ctx.author_id)
        return f"Handoff #{h.id} now belongs to {mention(str(member))}."

    @command("resolve", "Close a handoff; the bot answers this customer again", staff_only=True)
    async def resolve(self, ctx: CommandContext, note: str | None = Option("what was done", default=None),
                      handoff: int | None = Option("handoff number", default=None)) -> str:
        h = self._handoff_for_command(ctx, handoff)
        if h is None:
            return "No open handoff here."
        try:
            self.bot.handoffs.resolve(h.id, staff_id=ctx.author_id, note=note)
        except HandoffError:  # resolved meanwhile (another staff member, the auto-close)
            return "No open handoff here."
        return f"Handoff #{h.id} resolved."

    @command("flag", "Mark a customer vip or flagged (always handed to a person), or clear it", staff_only=True)
    async def flag(self, ctx: CommandContext, member: Member,
                   flag: str = Option("vip, flagged or none", choices=("vip", "flagged", "none"))) -> str:
        customer_id = self.bot.history.customer_id(ctx.event.platform, str(member))
        self.bot.history.set_customer_flags(customer_id, vip=flag == "vip", flagged=flag == "flagged")
        return f"{mention(str(member))} is now {'unflagged' if flag == 'none' else flag}."

    @command("stats", "Who resolved what: bot alone vs. people, response times, CSAT", staff_only=True)
    async def stats(self, ctx: CommandContext, days: int = Option("look back this many days", default=30)) -> CommandResult:
        since = self.bot.history.clock() - timedelta(days=days)
        report = staff_report(self.bot.history, since=since, reopen_days=self.settings.reopen_within_hours / 24)
        if not report.conversations:
            return CommandResult(report.as_text())
        chart = await asyncio.to_thread(render_chart, report)  # matplotlib takes ~100 ms: off the loop
        return CommandResult(report.as_text(), files=(("stats.png", chart),))

    async def export_user_data(self, customer_id: int) -> dict[str, Any]:
        """The staff side of this customer's handoffs (their rows go with the handoffs, by cascade)."""
        rows = self.bot.history.db.execute(
            "SELECT e.handoff_id, e.summary, e.csat FROM escalation_handoffs e JOIN handoffs h ON h.id = e.handoff_id "
            "JOIN conversations c ON c.id = h.conversation_id WHERE c.customer_id = ?", [customer_id]).fetchall()
        return {"handoffs": [{"handoff": h, "summary_for_staff": s, "rating": r} for h, s, r in rows]} if rows else {}

    # --- auto-close -----------------------------------------------------------------------------

    async def auto_close_due(self) -> list[int]:
        """Close handoffs idle past the limit; only those where staff already replied this round."""
        now = self.bot.history.clock()
        limit = timedelta(hours=self.settings.auto_close_after_hours)
        closed = []
        for h in self.bot.handoffs.open_handoffs():
            record = self.desk.get(h.id)
            if record.staff_replied_at is None or record.staff_round != h.reopen_count:
                continue  # the customer is still waiting for a person (this round): never close that
            if h.last_activity_at and now - h.last_activity_at >= limit:
                self.bot.handoffs.resolve(h.id, staff_id="auto", note="closed after inactivity")
                closed.append(h.id)
        return closed

    async def _auto_close_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.check_interval_s)
            try:
                await self.auto_close_due()
            except Exception:
                self.log.exception("auto-close pass failed")

    def _recent(self, when: datetime | None, hours: float) -> bool:
        return when is not None and self.bot.history.clock() - when <= timedelta(hours=hours)


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours < 48 else f"{hours // 24}d {hours % 24}h"


def _by(staff_id: str | None) -> str:
    return "auto-close" if staff_id == "auto" else mention(staff_id) if staff_id else "staff"
