"""Customers' data: staff read a customer's history or erase it; a customer gets or erases their own.

``/history member:`` (staff): conversations with outcomes and handoffs, a transcript attached as
text and HTML. ``/mydata``: the customer's own data as a JSON file, by direct message.
``/forget member: confirm:`` (staff) and ``/forgetme confirm:`` erase the customer everywhere,
plugins' data included (see :mod:`supportbot.privacy`), after a confirmation. Conversations older
than ``retention_days`` are erased by a daily purge. See docs/privacy.md.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from pydantic import Field

from supportbot.actions import Button, CommandResult, mention
from supportbot.components import ComponentContext, component
from supportbot.engine import SupportBot
from supportbot.plugin import CommandContext, Member, Option, Plugin, PluginSettings, command
from supportbot.privacy import (
    describe_deleted,
    export_customer,
    find_customer,
    forget_customer,
    purge_before,
    transcript_html,
    transcript_text,
)


class CustomerDataSettings(PluginSettings):
    retention_days: float | None = Field(
        365, gt=0, description="Erase customers who have not written for this many days; null keeps everything.")
    purge_interval_hours: float = Field(24, gt=0, description="How often the retention purge runs.")


class CustomerData(Plugin):
    name = "customer_data"
    Settings = CustomerDataSettings
    settings: CustomerDataSettings

    async def plugin_load(self) -> None:
        db = self.bot.history.db
        # Who erased a customer, and when, without who was erased: the only trace an erasure leaves.
        db["privacy_erasures"].create({"id": int, "at": str, "by": str, "rows": int}, pk="id", if_not_exists=True)
        self._purger = self.bot.spawn(self._purge_loop(), name="retention purge") if self.settings.retention_days else None

    async def plugin_unload(self) -> None:
        if self._purger is not None:
            self._purger.cancel()

    def _customer(self, ctx: CommandContext, external_id: str) -> int | None:
        return find_customer(self.bot.history, ctx.event.platform, external_id)

    @command("history", "A customer's conversations, outcomes and handoffs, with the transcript", staff_only=True)
    async def history(self, ctx: CommandContext, member: Member) -> CommandResult:
        customer_id = self._customer(ctx, str(member))
        if customer_id is None:
            return CommandResult(f"Nothing is stored about {mention(str(member))}.")
        data = await export_customer(self.bot, customer_id)
        lines = [f"**{mention(str(member))}**: {len(data['conversations'])} conversation(s)"]
        for conv in data["conversations"][-10:]:
            inbound = [m for m in conv["messages"] if m["direction"] == "in"]
            outcomes = [m["outcome"]["reason"] or m["outcome"]["kind"] for m in inbound if m["outcome"]]
            handoffs = ", ".join(f"handoff {h['reason']} ({h['state']})" for h in conv["handoffs"])
            lines.append(f"• {conv['started_at'][:16]}: {len(inbound)} message(s); "
                         + (", ".join(dict.fromkeys(outcomes)) or "no outcome") + (f"; {handoffs}" if handoffs else ""))
        stem = f"transcript-{member}"
        return CommandResult("\n".join(lines), ephemeral=True, files=(
            (f"{stem}.txt", transcript_text(data).encode()), (f"{stem}.html", transcript_html(data).encode())))

    @command("mydata", "Get a copy of everything this bot stores about you, by direct message")
    async def mydata(self, ctx: CommandContext) -> CommandResult:
        customer_id = self._customer(ctx, ctx.author_id)
        if customer_id is None:
            return CommandResult("I store nothing about you.", ephemeral=True)
        data = await export_customer(self.bot, customer_id)
        files = (("my-data.json", json.dumps(data, indent=2, ensure_ascii=False).encode()),
                 ("my-conversations.html", transcript_html(data).encode()))
        return CommandResult("Here is everything this bot stores about you. `/forgetme` erases it.",
                             ephemeral=True, direct=True, files=files)

    @command("forget", "Erase everything stored about a customer (asks to confirm)", staff_only=True, private=True)
    async def forget(self, ctx: CommandContext, member: Member,
                     confirm: bool = Option("yes: erase now (without it you see what would go)", default=False)
                     ) -> CommandResult:
        customer_id = self._customer(ctx, str(member))
        # The button names the customer by row id, not platform id: custom ids reach the log.
        return await self._erase(customer_id, confirm, by=f"staff:{ctx.author_id}",
                                 again=f"/forget member:{mention(str(member))} confirm:True",
                                 button=f"customer_data:forget:{customer_id}")

    @command("forgetme", "Erase everything this bot stores about you (asks to confirm)", private=True)
    async def forgetme(self, ctx: CommandContext,
                       confirm: bool = Option("yes: erase now (without it you see what would go)", default=False)
                       ) -> CommandResult:
        return await self._erase(self._customer(ctx, ctx.author_id), confirm, by="self",
                                 again="/forgetme confirm:True", button="customer_data:forgetme")

    @component("customer_data:forget", staff_only=True)
    async def forget_clicked(self, ctx: ComponentContext) -> CommandResult:
        row = ctx.args[0] if ctx.args else ""
        customer_id = int(row) if row.isdigit() and self.bot.history.customer(int(row)) else None
        return await self._erase(customer_id, True, by=f"staff:{ctx.author_id}", again="", button="")

    @component("customer_data:forgetme")
    async def forgetme_clicked(self, ctx: ComponentContext) -> CommandResult:
        customer_id = find_customer(self.bot.history, ctx.event.platform, ctx.author_id)
        return await self._erase(customer_id, True, by="self", again="", button="")

    async def _erase(self, customer_id: int | None, confirm: bool, *, by: str, again: str,
                     button: str) -> CommandResult:
        if customer_id is None:
            return CommandResult("Nothing is stored about that person.", ephemeral=True)
        if not confirm:
            data = await export_customer(self.bot, customer_id)
            messages = sum(len(c["messages"]) for c in data["conversations"])
            return CommandResult(
                f"This erases {len(data['conversations'])} conversation(s) with {messages} message(s), their "
                f"handoffs and ratings, and every plugin's data about them. It cannot be undone. "
                f"To go ahead, press Erase or run `{again}`.", ephemeral=True,
                components=(Button(button, "Erase", style="danger"),))
        deleted = await forget_customer(self.bot, customer_id)
        db = self.bot.history.db
        with db.conn:
            db["privacy_erasures"].insert({"at": _now(), "by": by, "rows": sum(n for n in deleted.values() if n > 0)})
        return CommandResult(f"Erased: {describe_deleted(deleted)}.", ephemeral=True)

    async def purge(self) -> int:
        """One retention pass; returns how many customers were erased."""
        if not self.settings.retention_days:
            return 0
        cutoff = self.bot.history.clock() - timedelta(days=self.settings.retention_days)
        erased = await purge_before(self.bot, cutoff)
        if erased:
            self.log.info("retention: erased %d customer(s) silent since %s", erased, cutoff.date())
        return erased

    async def _purge_loop(self) -> None:
        while True:
            try:
                await self.purge()
            except Exception:
                self.log.exception("retention purge failed; trying again next time")
            await asyncio.sleep(self.settings.purge_interval_hours * 3600)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


async def setup(bot: SupportBot) -> None:
    await bot.add_plugin(CustomerData)
