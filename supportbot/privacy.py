"""A customer's data: everything stored about them as one document, and erasing all of it.

The core's tables are walked by :meth:`History.delete_customer`; every plugin's own data goes
through its :meth:`~supportbot.plugin.Plugin.delete_user_data` and
:meth:`~supportbot.plugin.Plugin.export_user_data` hooks (Red-DiscordBot's
``red_delete_data_for_user``). Plugins are asked first, while the conversations they may key
their rows on still exist. Metrics are anonymous counters and keep counting.
"""

from __future__ import annotations

import html
import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import SupportBot
    from .history import History

__all__ = ["find_customer", "export_customer", "forget_customer", "purge_before", "describe_deleted",
           "transcript_text", "transcript_html"]

log = logging.getLogger(__name__)


def find_customer(history: History, platform: str, external_id: str) -> int | None:
    """The customer's row id, or None; unlike ``History.customer_id`` it never creates one."""
    row = history.db.execute("SELECT id FROM customers WHERE platform = ? AND external_id = ?",
                             [platform, external_id]).fetchone()
    return int(row[0]) if row else None


async def export_customer(bot: SupportBot, customer_id: int) -> dict[str, Any]:
    """Everything stored about one customer, JSON-ready: the core's record and each plugin's."""
    db = bot.history.db
    customer = bot.history.customer(customer_id) or {}
    conversations = []
    for conv in db.query("SELECT * FROM conversations WHERE customer_id = ? ORDER BY id", [customer_id]):
        messages = [
            {"at": m["created_at"], "direction": m["direction"], "author": m["author_id"], "text": m["text"],
             "outcome": {"kind": m["kind"], "reason": m["reason"]} if m["kind"] else None}
            for m in db.query("SELECT m.*, o.kind, o.reason FROM messages m LEFT JOIN outcomes o ON o.message_id = m.id "
                              "WHERE m.conversation_id = ? ORDER BY m.id", [conv["id"]])
        ]
        handoffs = [
            {k: h[k] for k in ("id", "reason", "state", "opened_at", "resolved_at", "note")}
            for h in db.query("SELECT * FROM handoffs WHERE conversation_id = ? ORDER BY id", [conv["id"]])
        ]
        conversations.append({"id": conv["id"], "channel": conv["channel_id"], "started_at": conv["started_at"],
                              "state": conv["state"], "messages": messages, "handoffs": handoffs})
    plugins = {}
    for name, plugin in bot.plugins.items():
        try:
            data = await plugin.export_user_data(customer_id)
        except Exception:
            log.exception("plugin %s failed to export customer data", name)
            data = {"error": "this plugin's data could not be read"}
        if data:
            plugins[name] = data
    return {
        "customer": {"id": customer.get("external_id"), "name": customer.get("name"),
                     "platform": customer.get("platform"), "first_seen": customer.get("created_at"),
                     "flags": json.loads(customer.get("flags") or "{}")},
        "conversations": conversations,
        "plugins": plugins,
    }


async def forget_customer(bot: SupportBot, customer_id: int) -> dict[str, int]:
    """Erase one customer everywhere; returns rows deleted per table (plugins' as ``plugin:name``).

    A plugin that fails stops nothing: the core's rows still go, and the failure is logged and
    counted as ``-1`` so the reply can say that part needs a second try.
    """
    deleted: dict[str, int] = {}
    for name, plugin in list(bot.plugins.items()):
        before = _total_rows(bot.history)
        try:
            await plugin.delete_user_data(customer_id)
        except Exception:
            log.exception("plugin %s failed to delete a customer's data", name)
            deleted[f"plugin:{name}"] = -1
            continue
        removed = before - _total_rows(bot.history)
        if removed:
            deleted[f"plugin:{name}"] = removed
    before = _total_rows(bot.history)
    deleted.update({table: n for table, n in bot.history.delete_customer(customer_id).items() if n})
    cascaded = before - _total_rows(bot.history) - sum(n for table, n in deleted.items() if ":" not in table)
    if cascaded > 0:  # plugins' rows keyed by a handoff or conversation, gone by their foreign keys
        deleted["keyed on them"] = cascaded
    log.info("customer %d erased: %s", customer_id, deleted)
    return deleted


def _total_rows(history: History) -> int:
    return sum(history.db[name].count for name in history.db.table_names() if not _internal(name))


def _internal(table: str) -> bool:
    # FTS shadow tables and sqlite's own; counting them would count each row twice.
    return table.startswith("sqlite_") or "_fts" in table


async def purge_before(bot: SupportBot, cutoff: datetime) -> int:
    """Retention: erase customers whose last conversation ended before ``cutoff``; returns how many.

    A customer who wrote since keeps their history whole; the conversation is the unit staff
    read, and half a history misleads more than it protects.
    """
    stale = [row[0] for row in bot.history.db.execute(
        "SELECT customer_id FROM conversations GROUP BY customer_id HAVING MAX(last_message_at) < ?",
        [cutoff.isoformat()])]
    for customer_id in stale:
        await forget_customer(bot, customer_id)
    return len(stale)


def describe_deleted(deleted: dict[str, int]) -> str:
    parts = [f"{n} {table.removeprefix('plugin:')} row(s)" if n >= 0 else f"{table.removeprefix('plugin:')}: FAILED"
             for table, n in deleted.items()]
    return ", ".join(parts) if parts else "nothing was stored"


# --- transcripts ---------------------------------------------------------------------------------


def _who(message: dict[str, Any]) -> str:
    if message["direction"] == "in":
        return "customer"
    return "staff" if str(message["author"]).startswith("staff:") else "bot"


def transcript_text(data: dict[str, Any]) -> str:
    c = data["customer"]
    out = [f"Conversations with {c['name'] or c['id']} ({c['platform']} {c['id']})", ""]
    for conv in data["conversations"]:
        out.append(f"== conversation {conv['id']} in {conv['channel']}, started {conv['started_at']}")
        for h in conv["handoffs"]:
            out.append(f"   handoff: {h['reason']}, {h['state']}, opened {h['opened_at']}"
                       + (f", resolved {h['resolved_at']}" if h["resolved_at"] else ""))
        for m in conv["messages"]:
            who = _who(m)
            outcome = f"   [{m['outcome']['kind']}: {m['outcome']['reason']}]" if m["outcome"] else ""
            out.append(f"[{_short_time(m['at'])}] {who}: {m['text']}{outcome}")
        out.append("")
    return "\n".join(out)


def transcript_html(data: dict[str, Any]) -> str:
    e = html.escape
    c = data["customer"]
    parts = ["<!doctype html><html lang=en><meta charset=utf-8>",
             f"<title>Conversations with {e(str(c['name'] or c['id']))}</title>",
             "<style>body{font:15px system-ui,sans-serif;max-width:800px;margin:2em auto}"
             ".customer{background:#eef}.bot{background:#efe}.staff{background:#fed}"
             "p{padding:.4em .7em;border-radius:6px}small{color:#666}</style>",
             f"<h1>Conversations with {e(str(c['name'] or c['id']))}</h1>"]
    for conv in data["conversations"]:
        parts.append(f"<h2>Conversation {conv['id']} <small>started {e(conv['started_at'])}</small></h2>")
        for h in conv["handoffs"]:
            parts.append(f"<p><small>Handoff: {e(str(h['reason']))}, {e(str(h['state']))}</small></p>")
        for m in conv["messages"]:
            who = _who(m)
            outcome = f" · {e(m['outcome']['kind'])}: {e(str(m['outcome']['reason']))}" if m["outcome"] else ""
            parts.append(f'<p class="{who}"><small>{e(_short_time(m["at"]))} · {who}{outcome}</small><br>'
                         f"{e(m['text'] or '')}</p>")
    return "\n".join(parts) + "\n</html>\n"


def _short_time(value: str) -> str:
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(value)

