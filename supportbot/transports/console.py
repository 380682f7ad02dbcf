"""The console transport: try the bot in a terminal, or drive it from a script.

Plain lines are a customer talking. ``/name opt:value ...`` runs a slash command as staff.
``!staff text`` answers, as staff, in the newest handoff thread; ``!as NAME`` switches customer.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sys
import time
from typing import TextIO

from ..actions import CommandResult, Embed
from ..events import Author, CommandInvoked, MessageReceived
from .recording import RecordingTransport, Sent, _Thread

__all__ = ["ConsoleTransport", "parse_command"]

_MENTION = re.compile(r"<@([^<>\s]+)>")  # supportbot.actions.mention: printed as @id
_OPTION = re.compile(r"(\w+):(.*?)(?=\s+\w+:|$)")
HELP = """\
Type as a customer. Other lines:
  /command opt:value ...   run a slash command as staff, in the newest handoff thread if any
  !staff TEXT              reply as staff in the newest handoff thread
  !as NAME                 continue as another customer
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
        # be taken for a redelivery and ignored. The start time (in hex seconds) makes them unique.
        self._run_prefix = format(int(time.time()), "x")
        self._count = itertools.count(1)
        # Fresh: this run's customers are new ones, so no earlier run's conversation (its memory,
        # a handoff still open) is continued; the history keeps the earlier runs as they were.
        self.fresh = fresh

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
                author=self.customer(), text=line))
        return True

    def customer(self) -> Author:
        """The customer typing now; a fresh run's ids carry the run's prefix."""
        run = f"{self._run_prefix}:" if self.fresh else ""
        return Author(id=f"console:{run}{self.customer_name}", name=self.customer_name)

    def _staff_thread(self) -> str | None:
        """The newest handoff thread: one opened in this session, else the newest handoff still
        open in the history (opened in an earlier session on the same database)."""
        thread = next(reversed(self.threads.values()), None)
        if thread is not None or self.fresh:
            return thread.id if thread is not None else None
        assert self.bot is not None
        open_ = [h for h in self.bot.history.open_handoffs() if h.thread_id]
        return open_[-1].thread_id if open_ else None

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

    def on_thread(self, thread: _Thread) -> None:
        ping = "@staff " if thread.action.mention_staff else ""
        self._print(f"[staff thread {thread.action.name} opened] {ping}{thread.action.text}")
        for embed in thread.action.embeds:
            self._print(_render_embed(embed))

    def _show_result(self, result: CommandResult) -> None:
        self._print(f"bot (to staff)> {result.text}".rstrip())
        for embed in result.embeds:
            self._print(_render_embed(embed))
        for filename, data in result.files:
            self._print(f"  [attachment {filename}, {len(data)} bytes]")


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
