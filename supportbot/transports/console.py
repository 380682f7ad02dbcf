"""The console transport: try the bot in a terminal, or drive it from a script.

Plain lines are a customer talking. ``/name opt:value ...`` runs a slash command as staff.
``!staff text`` answers, as staff, in the newest handoff thread; ``!as NAME`` switches customer.
Buttons and drop-downs print as numbered choices under their message; ``!N`` picks choice N of
the newest message that has any, and a form asks for each field on the next lines.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sys
import uuid
from typing import TextIO

from ..actions import Button, CommandResult, Component, ComponentReply, Embed, Modal
from ..events import Author, CommandInvoked, ComponentUsed, MessageReceived
from .recording import RecordedThread, RecordingTransport, Sent

__all__ = ["ConsoleTransport", "parse_command"]

_MENTION = re.compile(r"<@([^<>\s]+)>")  # supportbot.actions.mention: printed as @id
_OPTION = re.compile(r"(\w+):(.*?)(?=\s+\w+:|$)")
HELP = """\
Type as a customer. Other lines:
  /command opt:value ...   run a slash command as staff, in the newest handoff thread if any
  !staff TEXT              reply as staff in the newest handoff thread
  !as NAME                 continue as another customer
  !N                       click choice N of the newest message with buttons
  !quit                    leave"""


def parse_command(line: str) -> tuple[str, dict[str, str]]:
    """``/product query:red shoes max:3`` -> ("product", {"query": "red shoes", "max": "3"})."""
    name, _, rest = line[1:].strip().partition(" ")
    return name, {key: value.strip() for key, value in _OPTION.findall(rest.strip())}


class ConsoleTransport(RecordingTransport):
    name = "console"
    channel_id = "console"

    def __init__(self, source: TextIO | None = None, out: TextIO | None = None, *,
                 customer_name: str = "customer", staff_name: str = "staff", echo: bool = False,
                 fresh: bool = False) -> None:
        super().__init__()
        self.source = source or sys.stdin
        self.out = out or sys.stdout
        self.customer_name = customer_name
        self.staff = Author(id="console-staff", name=staff_name, is_staff=True)
        self.echo = echo  # scripts echo their input so the output reads as a transcript
        self.interactive = not echo and self.source.isatty()
        self._stopped = False
        # Message ids must not repeat across runs: the history keeps them, and a repeated id would
        # be taken for a redelivery and ignored. A random run id keeps them apart even for two
        # consoles started in the same second (the start time alone did not).
        self._run_prefix = uuid.uuid4().hex[:12]
        self._count = itertools.count(1)
        # Fresh: this run's customers are new ones, so no earlier run's conversation (its memory,
        # a handoff still open) is continued; the history keeps the earlier runs as they were.
        self.fresh = fresh
        #: The numbered choices on screen: (custom_id, select value or None, channel, message id, staff's).
        self._choices: list[tuple[str, str | None, str, str | None, bool]] = []

    def next_id(self) -> str:
        return f"{self._run_prefix}.{next(self._count)}"

    def _print(self, text: str) -> None:
        print(_MENTION.sub(r"@\1", text), file=self.out, flush=True)

    async def run(self) -> None:
        assert self.bot is not None, "start() first"
        while not self._stopped:
            if self.interactive:
                print(f"{self.customer_name}> ", end="", file=self.out, flush=True)
            line = await asyncio.to_thread(self.source.readline)
            if not line:
                break
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if self.echo:
                self._print(f"{self.customer_name if not line.startswith(('/', '!')) else self.staff.name}> {line}")
            if not await self.handle_line(line.strip()):
                break

    async def handle_line(self, line: str) -> bool:
        """Act on one line; False means quit."""
        assert self.bot is not None
        if line in ("!quit", "!exit"):
            return False
        if line == "!help":
            self._print(HELP)
        elif line.startswith("!as "):
            self.customer_name = line[4:].strip() or self.customer_name
        elif line[1:].isdigit():
            await self._pick(int(line[1:]))
        elif line.startswith("!staff "):
            thread_id = self._staff_thread()
            if thread_id is None:
                self._print("(no handoff thread is open)")
            else:
                await self.bot.handle_message(MessageReceived(
                    platform=self.name, message_id=self.next_id(), channel_id=thread_id,
                    author=self.staff, text=line[7:].strip()))
        elif line.startswith("/"):
            name, options = parse_command(line)
            options = self._members_by_name(name, options)
            # Run where staff would type it: in the newest handoff thread, so /claim and /resolve
            # need no handoff number (as !staff lines go there too).
            result = await self.bot.handle_command(CommandInvoked(
                platform=self.name, interaction_id=self.next_id(),
                channel_id=self._staff_thread() or self.channel_id,
                author=self.staff, command=name, options=options))
            self._show_result(result)
        else:
            await self.bot.handle_message(MessageReceived(
                platform=self.name, message_id=self.next_id(), channel_id=self.channel_id,
                author=self._customer(), text=line))
        return True

    async def _pick(self, number: int) -> None:
        assert self.bot is not None
        if not 1 <= number <= len(self._choices):
            self._print(f"(no choice {number} on screen)")
            return
        custom_id, value, channel_id, message_id, for_staff = self._choices[number - 1]
        # Buttons in a staff thread or under a staff command's answer are staff's; the others the customer's.
        author = self.staff if for_staff or channel_id != self.channel_id else self._customer()
        reply = await self.bot.handle_component(ComponentUsed(
            platform=self.name, interaction_id=self.next_id(), channel_id=channel_id, author=author,
            custom_id=custom_id, message_id=message_id, values=(value,) if value is not None else ()))
        await self._show_reply(reply, author, channel_id)

    async def _show_reply(self, reply: ComponentReply, author: Author, channel_id: str) -> None:
        if not isinstance(reply, Modal):
            self._show_result(reply)
            return
        assert self.bot is not None
        answers = {}
        for field in reply.fields:
            shown = f" [{field.value}]" if field.value else ""
            print(f"  form {reply.title}: {field.label}{shown}> ", end="", file=self.out, flush=True)
            line = (await asyncio.to_thread(self.source.readline)).rstrip("\n")
            if self.echo:
                self._print(line)
            answers[field.custom_id] = line or field.value
        result = await self.bot.handle_component(ComponentUsed(
            platform=self.name, interaction_id=self.next_id(), channel_id=channel_id, author=author,
            custom_id=reply.custom_id, fields=answers))
        await self._show_reply(result, author, channel_id)

    def _customer(self) -> Author:
        """The customer typing now; a fresh run's ids carry the run's prefix."""
        return Author(id=self._customer_id(self.customer_name), name=self.customer_name)

    def _customer_id(self, name: str) -> str:
        run = f"{self._run_prefix}:" if self.fresh else ""
        return f"console:{run}{name}"

    def _members_by_name(self, command: str, options: dict[str, str]) -> dict[str, str]:
        """``member:ann`` names the customer typed as ``!as ann`` (or staff): their id, as Discord sends one."""
        assert self.bot is not None
        spec = next((s for s in self.bot.command_specs() if s.name == command), None)
        members = {o.name for o in spec.options if o.type == "member"} if spec is not None else set()

        def member_id(value: str) -> str:
            value = value.strip().removeprefix("@")
            if value in (self.staff.id, self.staff.name):
                return self.staff.id
            return value if value.startswith("console:") else self._customer_id(value)

        return {key: member_id(value) if key in members else value for key, value in options.items()}

    def _show_components(self, components: tuple[Component, ...], channel_id: str, message_id: str | None,
                         for_staff: bool = False) -> None:
        if not components:
            return
        self._choices = []
        labels = []
        for item in components:
            if isinstance(item, Button):
                self._choices.append((item.custom_id, None, channel_id, message_id, for_staff))
                labels.append(f"[{len(self._choices)}] {item.label}")
            else:
                for option in item.options:
                    self._choices.append((item.custom_id, option.value, channel_id, message_id, for_staff))
                    labels.append(f"[{len(self._choices)}] {option.label}")
        self._print("  " + "  ".join(labels) + "   (type !N to choose)")

    def _staff_thread(self) -> str | None:
        """The newest handoff thread: one opened in this session, else the newest handoff still
        open in the history (opened in an earlier session on the same database)."""
        thread = next(reversed(self.threads.values()), None)
        if thread is not None or self.fresh:
            return thread.id if thread is not None else None
        assert self.bot is not None
        desk = self.bot.handoffs.desk
        if desk is None:
            return None
        threads = [desk.staff_channel(h) for h in self.bot.handoffs.open_handoffs()]
        return next((t for t in reversed(threads) if t), None)

    async def stop(self) -> None:
        self._stopped = True

    def on_sent(self, sent: Sent) -> None:
        thread = self.threads.get(sent.channel_id)
        if thread is not None:
            prefix = f"[staff thread {thread.action.name}] bot"
        elif sent.channel_id != self.channel_id:  # a thread opened in an earlier session
            prefix = f"[staff thread {sent.channel_id}] bot"
        else:
            prefix = "bot"
        self._print(f"{prefix}> {sent.text}".rstrip())
        for embed in sent.action.embeds:
            self._print(_render_embed(embed))
        self._show_components(sent.components, sent.channel_id, sent.id)

    def on_edited(self, sent: Sent) -> None:
        self._print(f"(bot edited its message) {sent.text}".rstrip())
        self._show_components(sent.components, sent.channel_id, sent.id)

    def on_thread(self, thread: RecordedThread) -> None:
        ping = "@staff " if thread.action.mention_staff else ""
        self._print(f"[staff thread {thread.action.name} opened] {ping}{thread.action.text}")
        for embed in thread.action.embeds:
            self._print(_render_embed(embed))
        self._show_components(thread.action.components, thread.id, None)

    def _show_result(self, result: CommandResult) -> None:
        self._print(f"bot (to staff)> {result.text}".rstrip())
        for embed in result.embeds:
            self._print(_render_embed(embed))
        for filename, data in result.files:
            self._print(f"  [attachment {filename}, {len(data)} bytes]")
        self._show_components(result.components, self._staff_thread() or self.channel_id, None, for_staff=True)


def _render_embed(embed: Embed) -> str:
    lines = [f"  ┌ {embed.title}" + (f" <{embed.url}>" if embed.url else "")]
    if embed.description:
        lines += [f"  │ {line}" for line in embed.description.splitlines()]
    for name, value in embed.fields:
        first, *rest = str(value).splitlines() or [""]
        lines.append(f"  │ {name}: {first}")
        lines += [f"  │   {line}" for line in rest]
    if embed.footer:
        lines.append(f"  └ {embed.footer}")
    return "\n".join(lines)
