"""Staff and bot working a handoff together: buttons on the handoff card and the rating prompt,
internal notes, saved replies (snippets), drafted replies staff approve, and transcripts.

A mixin of the escalation plugin, which owns the staff thread and the relay; every button is a
:func:`~supportbot.components.component` routed by ``custom_id``, so cards and drafts posted
before a restart keep working after it.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from supportbot.actions import (
    Button,
    CommandResult,
    Component,
    EditMessage,
    Modal,
    SendMessage,
    TextField,
    mention,
)
from supportbot.components import ComponentContext, component
from supportbot.events import (
    Attachment,
    HandoffClaimed,
    HandoffReopened,
    HandoffResolved,
    HandoffTransferred,
    MessageReceived,
)
from supportbot.handoffs import Handoff, HandoffAlreadyClaimed, HandoffError
from supportbot.i18n import conversation_language, cross_language_support, shop_language
from supportbot.plugin import CommandContext, Option, autocomplete, command, listener
from supportbot.prompts import grounded_reply

from .staff_store import StaffStore, StoredFile

if TYPE_CHECKING:
    import logging

    from supportbot.engine import SupportBot
    from supportbot.events import Author

    from .plugin import EscalationSettings
    from .store import DeskStore

__all__ = ["StaffTools", "render_transcript"]

_MEMBER_ID = re.compile(r"(\d{5,})")
_PASSAGES_IN_DRAFT = 2


class StaffTools:
    """Mixed into :class:`~plugins.escalation.plugin.Escalation`, which provides what is declared
    here besides ``staff``."""

    staff: StaffStore
    if TYPE_CHECKING:
        bot: SupportBot
        settings: EscalationSettings
        desk: DeskStore
        log: logging.Logger

        def _say(self, key: str, conversation_id: int, **values: Any) -> str: ...

        def _handoff_for_command(self, ctx: CommandContext, handoff: int | None) -> Handoff | None: ...

        async def relay_to_customer(self, handoff: Handoff, staff: Author, text: str, platform: str) -> None: ...

    # --- the handoff card: owner shown, Claim / Resolve / Transfer -------------------------------

    def _card(self, handoff: Handoff) -> tuple[str, tuple[Component, ...]]:
        owner = f"claimed by {mention(handoff.owner_id)}" if handoff.owner_id else "waiting for someone to claim it"
        if not handoff.is_open:
            return f"Handoff #{handoff.id} is resolved.", ()
        buttons: list[Component] = []
        if handoff.owner_id is None:
            buttons.append(Button(f"escalation:claim:{handoff.id}", "Claim", style="primary"))
        buttons += [Button(f"escalation:resolve:{handoff.id}", "Resolve", style="success"),
                    Button(f"escalation:transfer:{handoff.id}", "Transfer")]
        return f"Handoff #{handoff.id} · {handoff.reason.replace('_', ' ')} · {owner}", tuple(buttons)

    async def post_card(self, handoff: Handoff, thread_id: str) -> None:
        text, buttons = self._card(handoff)
        message_id = await self.bot.send(SendMessage(channel_id=thread_id, text=text, components=buttons))
        if message_id is not None:
            self.staff.set_card(handoff.id, thread_id, message_id)

    async def _refresh_card(self, handoff_id: int) -> None:
        where, handoff = self.staff.card(handoff_id), self.bot.handoffs.get(handoff_id)
        if where is None or handoff is None:
            return
        text, buttons = self._card(handoff)
        try:
            await self.bot.send(EditMessage(where[0], where[1], text, components=buttons))
        except Exception:  # the card is a convenience: the handoff itself changed already
            self.log.exception("could not update the card of handoff %d", handoff_id)

    @listener(HandoffClaimed)
    async def _card_after_claim(self, event: HandoffClaimed) -> None:
        await self._refresh_card(event.handoff_id)

    @listener(HandoffTransferred)
    async def _card_after_transfer(self, event: HandoffTransferred) -> None:
        await self._refresh_card(event.handoff_id)

    @listener(HandoffReopened)
    async def _card_after_reopen(self, event: HandoffReopened) -> None:
        await self._refresh_card(event.handoff_id)

    @listener(HandoffResolved)
    async def _after_resolve(self, event: HandoffResolved) -> None:
        await self._refresh_card(event.handoff_id)
        if self.settings.transcript_on_resolve:
            await self._post_transcript(event.handoff_id)

    def _handoff_named(self, args: tuple[str, ...]) -> Handoff | None:
        """The handoff whose id is the first part of a ``custom_id`` after its prefix."""
        return self.bot.handoffs.get(int(args[0])) if args and args[0].isdigit() else None

    def _open_handoff(self, args: tuple[str, ...]) -> Handoff | None:
        handoff = self._handoff_named(args)
        return handoff if handoff is not None and handoff.is_open else None

    @component("escalation:claim", staff_only=True)
    async def _claim_button(self, ctx: ComponentContext) -> CommandResult:
        handoff = self._open_handoff(ctx.args)
        if handoff is None:
            return CommandResult("This handoff is no longer open.")
        try:
            self.bot.handoffs.claim(handoff.id, ctx.author_id)
        except HandoffAlreadyClaimed as exc:
            return CommandResult(f"Already claimed by {mention(exc.owner_id)}; use Transfer to move it.")
        return CommandResult(f"You now own handoff #{handoff.id}.")

    @component("escalation:resolve", staff_only=True)
    async def _resolve_button(self, ctx: ComponentContext) -> CommandResult:
        handoff = self._open_handoff(ctx.args)
        if handoff is None:
            return CommandResult("This handoff is no longer open.")
        try:
            self.bot.handoffs.resolve(handoff.id, staff_id=ctx.author_id)
        except HandoffError:
            return CommandResult("This handoff is no longer open.")
        return CommandResult(f"Handoff #{handoff.id} resolved.")

    @component("escalation:transfer", staff_only=True)
    async def _transfer_button(self, ctx: ComponentContext) -> Modal | CommandResult:
        handoff = self._open_handoff(ctx.args)
        if handoff is None:
            return CommandResult("This handoff is no longer open.")
        return Modal(f"escalation:transfer-to:{handoff.id}", f"Transfer handoff #{handoff.id}",
                     (TextField("member", "Staff member (an @mention or user id; empty: the queue)", required=False),))

    @component("escalation:transfer-to", staff_only=True)
    async def _transfer_form(self, ctx: ComponentContext) -> CommandResult:
        handoff = self._open_handoff(ctx.args)
        if handoff is None:
            return CommandResult("This handoff is no longer open.")
        typed = ctx.fields.get("member", "").strip()
        found = _MEMBER_ID.search(typed)
        if typed and found is None:
            return CommandResult(f"{typed!r} is not a member; use an @mention or a user id.")
        to = found.group(1) if found else None
        self.bot.handoffs.transfer(handoff.id, to, by=ctx.author_id)
        return CommandResult(f"Handoff #{handoff.id} now belongs to {mention(to)}." if to
                             else f"Handoff #{handoff.id} is back in the queue.")

    # --- the rating: buttons 1-5 and an optional comment ----------------------------------------

    def rating_buttons(self, handoff_id: int) -> tuple[Component, ...]:
        return tuple(Button(f"escalation:csat:{handoff_id}:{n}", f"{n} ★" if n == 5 else str(n)) for n in range(1, 6))

    def _customer_of(self, handoff: Handoff) -> str | None:
        conversation = self.bot.history.conversation(handoff.conversation_id) or {}
        customer = self.bot.history.customer(conversation.get("customer_id", -1)) or {}
        return customer.get("external_id")

    @component("escalation:csat")
    async def _rate(self, ctx: ComponentContext) -> CommandResult:
        handoff = self._handoff_named(ctx.args)
        if handoff is None or len(ctx.args) < 2 or ctx.args[1] not in "12345":
            return CommandResult("This rating is no longer open.")
        if self._customer_of(handoff) != ctx.author_id:
            return CommandResult("Only the customer of this conversation can rate it.")
        record = self.desk.get(handoff.id)
        if record.csat_asked_at is None or handoff.is_open:
            return CommandResult("This rating is no longer open.")
        self.desk.update(handoff.id, csat=int(ctx.args[1]))
        return CommandResult(self._say("rating_thanks", handoff.conversation_id),
                             components=(Button(f"escalation:csat-comment:{handoff.id}", "Add a comment"),))

    @component("escalation:csat-comment")
    async def _comment_button(self, ctx: ComponentContext) -> Modal | CommandResult:
        handoff = self._handoff_named(ctx.args)
        if handoff is None or self._customer_of(handoff) != ctx.author_id:
            return CommandResult("This rating is no longer open.")
        return Modal(f"escalation:csat-said:{handoff.id}", "Tell us more",
                     (TextField("comment", "Comment", long=True, max_length=1000),))

    @component("escalation:csat-said")
    async def _comment_form(self, ctx: ComponentContext) -> CommandResult:
        handoff = self._handoff_named(ctx.args)
        comment = ctx.fields.get("comment", "").strip()
        if handoff is None or self._customer_of(handoff) != ctx.author_id or not comment:
            return CommandResult("Nothing was saved.")
        self.staff.add_csat_comment(handoff.id, comment)
        return CommandResult(self._say("rating_thanks", handoff.conversation_id))

    # --- internal notes ----------------------------------------------------------------------------

    def is_note(self, text: str) -> bool:
        prefix = self.settings.note_prefix
        return bool(prefix) and text.lstrip().startswith(prefix)

    def keep_note(self, handoff: Handoff, author_id: str, text: str) -> None:
        note = text.lstrip().removeprefix(self.settings.note_prefix).strip() if self.is_note(text) else text.strip()
        if note:
            self.staff.add_note(handoff.id, author_id, note)

    @command("note", "Keep an internal note on this handoff (never sent to the customer)", staff_only=True)
    async def note(self, ctx: CommandContext, text: str) -> str:
        handoff = self._handoff_for_command(ctx, None)
        if handoff is None:
            return "Run /note in a handoff's thread."
        self.keep_note(handoff, ctx.author_id, text)
        return f"Note kept on handoff #{handoff.id} (staff only)."

    # --- snippets ----------------------------------------------------------------------------------

    @command("snippet", "Send a saved reply to this handoff's customer", staff_only=True)
    async def snippet(self, ctx: CommandContext, name: str) -> str:
        handoff = self._handoff_for_command(ctx, None)
        if handoff is None:
            return "Run /snippet in a handoff's thread."
        saved = self.staff.snippet(name)
        if saved is None:
            return f"No snippet named {name!r}; see /snippet-list."
        text = self._fill(saved.text, handoff)
        await self.relay_to_customer(handoff, ctx.event.author, text, ctx.event.platform)
        return f"Sent {name!r} to the customer."

    @autocomplete("snippet", "name")
    async def _snippet_names(self, ctx: CommandContext, current: str) -> list[str]:
        return [s.name for s in self.staff.snippets(current)]

    @command("snippet-add", "Save a reply; {customer} and {order} are filled in when it is sent", staff_only=True)
    async def snippet_add(self, ctx: CommandContext, name: str, text: str) -> str:
        name = name.strip()
        if not name or len(name) > 50:
            return "A snippet name is 1 to 50 characters."
        self.staff.save_snippet(name, text, ctx.author_id)
        return f"Snippet {name!r} saved."

    @command("snippet-list", "The saved replies", staff_only=True)
    async def snippet_list(self, ctx: CommandContext) -> str:
        saved = self.staff.snippets()
        return "\n".join(f"**{s.name}**: {s.text[:80]}" for s in saved) if saved else "No snippets yet; add one with /snippet-add."

    @command("snippet-remove", "Delete a saved reply", staff_only=True)
    async def snippet_remove(self, ctx: CommandContext, name: str) -> str:
        return f"Snippet {name!r} removed." if self.staff.remove_snippet(name) else f"No snippet named {name!r}."

    @autocomplete("snippet-remove", "name")
    async def _removable_names(self, ctx: CommandContext, current: str) -> list[str]:
        return [s.name for s in self.staff.snippets(current)]

    def _fill(self, text: str, handoff: Handoff) -> str:
        conversation = self.bot.history.conversation(handoff.conversation_id) or {}
        customer = self.bot.history.customer(conversation.get("customer_id", -1)) or {}
        values = {"customer": customer.get("name") or "there", "order": _last_order_number(self, handoff) or "your order"}
        return re.sub(r"\{(customer|order)\}", lambda m: values[m.group(1)], text)

    # --- drafted replies ---------------------------------------------------------------------------

    async def offer_draft(self, handoff: Handoff, thread_id: str) -> None:
        """Propose a reply to the customer's last message, for staff to send, edit or discard."""
        if not self.settings.drafts:
            return
        last = _last_customer_text(self, handoff)
        if not last:
            return
        text = await self._draft_text(last, conversation_language(self.bot, handoff.conversation_id),
                                      handoff.conversation_id)
        if not text:
            return
        draft_id = self.staff.add_draft(handoff.id, thread_id, text)
        message_id = await self.bot.send(SendMessage(
            channel_id=thread_id, text=f"Suggested reply (staff only until you send it):\n{text}",
            components=(Button(f"escalation:draft-send:{draft_id}", "Send", style="success"),
                        Button(f"escalation:draft-edit:{draft_id}", "Edit"),
                        Button(f"escalation:draft-discard:{draft_id}", "Discard", style="danger"))))
        self.staff.set_draft_message(draft_id, message_id)

    async def _draft_text(self, question: str, language: str, conversation_id: int) -> str | None:
        knowledge = self.bot.knowledge
        if knowledge is None:
            return None
        passages = (await knowledge.search_passages(question, k=_PASSAGES_IN_DRAFT))[:_PASSAGES_IN_DRAFT]
        if language != shop_language(self.bot):
            # The English-centred embedder matches anything across languages: keep only passages
            # sharing a number, code or name with the question, as auto-reply does.
            passages = cross_language_support(question, passages)
        if not passages:
            return None
        runner = self.bot.runner
        if runner is not None and runner.generation_available:
            turns = self.bot.history.recent_turns(conversation_id, self.bot.config.bot.memory_turns)
            try:
                asked = max((i for i, turn in enumerate(turns) if turn["role"] == "user"), default=len(turns))
                reply = await grounded_reply(self.bot, passages, turns[:asked], question)
            except Exception as exc:  # a draft is a convenience: the quoted passages still help
                self.log.warning("drafting with the model failed (%s); suggesting the passages", exc)
            else:
                if reply.text is not None:
                    return reply.text
                self.log.info("model draft refused (%s); suggesting the passages", reply.refused)
        # Without a generator the best passages are the suggestion, quoted: staff see what it rests on.
        return "\n".join(f"> {p.text}" for p in passages)

    def _draft_for(self, args: tuple[str, ...]) -> Any:
        draft = self.staff.draft(int(args[0])) if args and args[0].isdigit() else None
        if draft is None or draft.status != "drafted":
            return None
        handoff = self.bot.handoffs.get(draft.handoff_id)
        return (draft, handoff) if handoff is not None and handoff.is_open else None

    @component("escalation:draft-send", staff_only=True)
    async def _send_draft(self, ctx: ComponentContext) -> CommandResult:
        found = self._draft_for(ctx.args)
        if found is None:
            return CommandResult("This draft was already used, or its handoff is closed.")
        draft, handoff = found
        text = _unquote(draft.text)
        return await self._use_draft(ctx, draft, handoff, text, "sent")

    @component("escalation:draft-edit", staff_only=True)
    async def _edit_draft(self, ctx: ComponentContext) -> Modal | CommandResult:
        found = self._draft_for(ctx.args)
        if found is None:
            return CommandResult("This draft was already used, or its handoff is closed.")
        draft, _ = found
        return Modal(f"escalation:draft-edited:{draft.id}", "Edit the reply",
                     (TextField("text", "Reply", value=_unquote(draft.text), long=True, max_length=2000),))

    @component("escalation:draft-edited", staff_only=True)
    async def _edited_draft(self, ctx: ComponentContext) -> CommandResult:
        found = self._draft_for(ctx.args)
        text = ctx.fields.get("text", "").strip()
        if found is None or not text:
            return CommandResult("Nothing was sent.")
        draft, handoff = found
        return await self._use_draft(ctx, draft, handoff, text, "edited")

    @component("escalation:draft-discard", staff_only=True)
    async def _discard_draft(self, ctx: ComponentContext) -> CommandResult:
        found = self._draft_for(ctx.args)
        if found is None:
            return CommandResult("This draft was already used, or its handoff is closed.")
        draft, _ = found
        self.staff.decide_draft(draft.id, "discarded", ctx.author_id)
        await self._close_draft(draft, f"Draft discarded by {mention(ctx.author_id)}.")
        return CommandResult("Draft discarded.")

    async def _use_draft(self, ctx: ComponentContext, draft: Any, handoff: Handoff, text: str,
                         status: str) -> CommandResult:
        if not self.staff.decide_draft(draft.id, status, ctx.author_id, text):
            return CommandResult("This draft was already used.")
        await self.relay_to_customer(handoff, ctx.event.author, text, ctx.event.platform)
        await self._close_draft(draft, f"Draft {'sent' if status == 'sent' else 'edited and sent'} by "
                                       f"{mention(ctx.author_id)}:\n{text}")
        return CommandResult("Sent to the customer.")

    async def _close_draft(self, draft: Any, text: str) -> None:
        if draft.message_id is not None:
            await self.bot.send(EditMessage(draft.channel_id, draft.message_id, text))

    # --- attachments: references relayed both ways, within the configured limits ------------------

    def _refusal(self, attachment: Attachment) -> str | None:
        """Why a file is not passed on (too large, a type not accepted), or None."""
        limit_mb = self.settings.attachment_max_mb
        if attachment.size > limit_mb * 1024 * 1024:
            return f"{attachment.filename} ({_size(attachment.size)} > {limit_mb:g} MB)"
        kinds = self.settings.attachment_types
        if kinds and not any((attachment.content_type or "").startswith(kind) for kind in kinds):
            return f"{attachment.filename} ({attachment.content_type or '?'} ∉ {', '.join(kinds)})"
        return None

    async def take_customer_files(self, event: MessageReceived, conversation_id: int) -> int:
        """Keep references to the files a customer sent (to relay to staff); the sender is told
        about each refused one. Returns how many were accepted."""
        accepted, refused = 0, []
        for attachment in event.attachments:
            why = self._refusal(attachment)
            if why is not None:
                refused.append(why)
                continue
            self.staff.add_file(conversation_id, "in", event.author.id, attachment.url, attachment.filename,
                                attachment.content_type, attachment.size, relayed=False)
            accepted += 1
        if refused:
            text = self._say("file_refused", conversation_id, why="; ".join(refused))
            sent_id = await self.bot.send(SendMessage(channel_id=event.channel_id, text=text))
            self.bot.history.record_outbound(conversation_id, text, platform=event.platform, platform_message_id=sent_id)
        return accepted

    async def relay_customer_files(self, conversation_id: int, thread_id: str) -> None:
        files = self.staff.unrelayed_files(conversation_id)
        if files:
            await self.bot.send(SendMessage(channel_id=thread_id, text="Files from the customer:\n" + _file_lines(files)))
            self.staff.mark_relayed([f.id for f in files])

    async def staff_files(self, handoff: Handoff, event: MessageReceived) -> str:
        """The lines naming a staff member's accepted files (kept too); refused ones are explained
        in the thread."""
        accepted, refused = [], []
        for attachment in event.attachments:
            why = self._refusal(attachment)
            if why is not None:
                refused.append(why)
                continue
            file_id = self.staff.add_file(handoff.conversation_id, "out", f"staff:{event.author.id}", attachment.url,
                                          attachment.filename, attachment.content_type, attachment.size, relayed=True)
            accepted.append(StoredFile(file_id, attachment.url, attachment.filename, attachment.content_type,
                                       attachment.size))
        if refused:
            await self.bot.send(SendMessage(channel_id=event.channel_id,
                                            text="Not sent to the customer: " + "; ".join(refused)))
        return _file_lines(accepted)

    # --- transcripts -------------------------------------------------------------------------------

    async def _post_transcript(self, handoff_id: int) -> bool:
        handoff = self.bot.handoffs.get(handoff_id)
        thread_id = self.desk.get(handoff_id).thread_id
        if handoff is None or thread_id is None:
            return False
        files = (
            (f"handoff-{handoff_id}.txt", render_transcript(self, handoff, for_customer=False, html_page=False).encode()),
            (f"handoff-{handoff_id}.html", render_transcript(self, handoff, for_customer=False, html_page=True).encode()),
        )
        await self.bot.send(SendMessage(channel_id=thread_id, text=f"Transcript of handoff #{handoff_id} "
                                        "(internal notes marked; the customer's copy leaves them out).", files=files))
        return True

    @command("transcript", "Post a handoff's transcript (text and HTML) in this channel", staff_only=True)
    async def transcript(self, ctx: CommandContext,
                         handoff: int | None = Option("handoff number", default=None),
                         customer_copy: bool = Option("the customer's copy, without internal notes",
                                                      default=False)) -> CommandResult:
        handoff_id = handoff if handoff is not None else self.desk.handoff_by_thread(ctx.event.channel_id)
        found = self.bot.handoffs.get(handoff_id) if handoff_id is not None else None
        if found is None:
            return CommandResult("No such handoff; name one with handoff:<number>.")
        suffix = "-customer" if customer_copy else ""
        return CommandResult(f"Transcript of handoff #{found.id}.", files=(
            (f"handoff-{found.id}{suffix}.txt", render_transcript(self, found, for_customer=customer_copy,
                                                                  html_page=False).encode()),
            (f"handoff-{found.id}{suffix}.html", render_transcript(self, found, for_customer=customer_copy,
                                                                   html_page=True).encode())))


def render_transcript(plugin: StaffTools, handoff: Handoff, *, for_customer: bool, html_page: bool) -> str:
    """The handoff's conversation in time order; internal notes are marked, or left out of the
    customer's copy."""
    history = plugin.bot.history
    lines: list[tuple[str, str, str, bool]] = []
    for m in history.messages_of(handoff.conversation_id):
        author = str(m["author_id"])
        who = "customer" if m["direction"] == "in" else "staff" if author.startswith("staff:") else "bot"
        lines.append((m["created_at"], who, m["text"] or "", False))
    if not for_customer:
        lines += [(n.created_at, f"note by {n.author_id}", n.text, True) for n in plugin.staff.notes(handoff.id)]
    lines.sort(key=lambda line: line[0])
    title = f"Handoff #{handoff.id} ({handoff.reason.replace('_', ' ')})"
    if not html_page:
        body = [f"[{_when(at)}] {'INTERNAL ' if internal else ''}{who}: {text}" for at, who, text, internal in lines]
        return "\n".join([title, ""] + body) + "\n"
    e = html.escape
    rows = [f'<p class="{"note" if internal else who}"><small>{e(_when(at))} · {"internal " if internal else ""}'
            f"{e(who)}</small><br>{e(text)}</p>" for at, who, text, internal in lines]
    return ("<!doctype html><html lang=en><meta charset=utf-8>"
            f"<title>{e(title)}</title><style>body{{font:15px system-ui,sans-serif;max-width:800px;margin:2em auto}}"
            "p{padding:.4em .7em;border-radius:6px}.customer{background:#eef}.bot{background:#efe}"
            ".staff{background:#fed}.note{background:#ffd;border:1px dashed #cc6}small{color:#666}</style>"
            f"<h1>{e(title)}</h1>\n" + "\n".join(rows) + "\n</html>\n")


def _when(value: str) -> str:
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(value)


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def _file_lines(files: list[StoredFile]) -> str:
    return "\n".join(f"📎 {f.filename} ({f.content_type or 'file'}, {_size(f.size)}) {f.url}" for f in files)


def _unquote(text: str) -> str:
    return "\n".join(line.removeprefix("> ") for line in text.splitlines())


def _last_customer_text(plugin: StaffTools, handoff: Handoff) -> str | None:
    inbound = [m for m in plugin.bot.history.messages_of(handoff.conversation_id) if m["direction"] == "in"]
    return inbound[-1]["text"] if inbound else None


def _last_order_number(plugin: StaffTools, handoff: Handoff) -> str | None:
    for m in reversed(plugin.bot.history.messages_of(handoff.conversation_id)):
        understanding = json.loads(m["understanding"]) if m.get("understanding") else {}
        numbers = (understanding.get("entities") or {}).get("order_number") or []
        if numbers:
            return str(numbers[-1])
    return None

