"""The core: one customer message in, exactly one outcome out.

The path of a message: transport -> :meth:`SupportBot.handle_message` -> history (durable) ->
understanding (once, attached to the context) -> plugins in the configured order -> one outcome
(answered, handed off, or ignored with a reason) -> transport sends -> history records it.

The engine knows no platform and no particular plugin: plugins are found by name and reached
through their declared handlers, commands and listeners.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import fields, is_dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import metrics
from .actions import Action, CommandResult, ComponentReply, SendMessage
from .components import ComponentRouter, specs_of
from .config import Config, ConfigError
from .events import (
    Author,
    CommandInvoked,
    ComponentUsed,
    EventBus,
    Event,
    HandoffOpened,
    MessageReceived,
    OutcomeRecorded,
    ReplySent,
)
from .handoffs import HandoffDesk, Handoffs
from .history import History, InboundRecord
from .loader import PluginNotFound, find_plugin_module, plugin_directories
from .logs import loggable, message_scope
from .outcomes import Outcome, OutcomeKind
from .plugin import CommandContext, CommandSpec, MessageContext, Plugin
from .sanitize import cap_inbound, clean_outbound, mask_payment_data
from .services import UnderstandingService
from .transports.base import TransientSendError, Transport

if TYPE_CHECKING:
    from .knowledge import KnowledgeBase
    from .models import ModelRunner
    from .understanding.understander import Understanding

__all__ = ["SupportBot", "PluginLoadError", "message_nonce"]

log = logging.getLogger(__name__)

Handler = Callable[[MessageContext], Awaitable[Outcome | None]]


class PluginLoadError(Exception):
    """A plugin could not be added; nothing of it stays registered."""


#: Pauses before a send the platform refused for now is tried again (its retry_after wins when
#: longer); with the client's own retries (discord.py tries a 429 five times) that is minutes.
SEND_RETRY_DELAYS_S: tuple[float, ...] = (1.0, 4.0, 15.0)


def message_nonce(platform: str, message_id: str) -> str:
    """A stable nonce for the reply to one inbound message (Discord allows 25 characters)."""
    return hashlib.sha256(f"{platform}:{message_id}".encode()).hexdigest()[:25]


class SupportBot:
    """Owns the plugins, the shared services and the message pipeline.

    Services are passed in (tests hand fakes); :func:`supportbot.app.build_bot` builds the real ones.
    """

    def __init__(
        self,
        config: Config,
        *,
        history: History,
        runner: ModelRunner | None = None,
        knowledge: KnowledgeBase | None = None,
        understander: UnderstandingService | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.config = config
        self.history = history
        self.runner = runner
        self.knowledge = knowledge
        self.understander = understander
        self.transport = transport
        self.bus = EventBus()
        #: The handoff state machine (open, claim, transfer, resolve, reopen); see supportbot.handoffs.
        self.handoffs = Handoffs(history, self.bus)
        self.plugins: dict[str, Plugin] = {}
        self._commands: dict[str, CommandSpec] = {}
        self._components = ComponentRouter()
        self._handlers: list[tuple[str, Handler, bool]] = []
        self._recent: defaultdict[str, deque[float]] = defaultdict(deque)
        self._notified: dict[str, float] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        #: Messages the history could not take (disk full, read-only, locked), retried in order.
        self._unwritten: deque[MessageReceived] = deque()
        self._told_unavailable: set[str] = set()
        self._retrying: asyncio.Task[Any] | None = None
        self._in_flight: set[tuple[str, str]] = set()

    # --- plugins --------------------------------------------------------------------------------

    async def load_plugins(self) -> list[str]:
        """Load every plugin in ``plugins.enabled``; a broken one is logged and skipped.

        A name that matches no module is a config error (it names the key and line).
        """
        directories = plugin_directories(self.config)
        failed = []
        for index, name in enumerate(self.config.plugins.enabled):
            try:
                module = find_plugin_module(name, directories)
            except PluginNotFound as exc:
                raise ConfigError([self.config.location(("plugins", "enabled", index)) + f": {exc}"]) from None
            except Exception:
                log.exception("plugin %s failed to import; the bot runs without it", name)
                failed.append(name)
                continue
            setup = getattr(module, "setup", None)
            if setup is None or not asyncio.iscoroutinefunction(setup):
                log.error("plugin %s has no 'async def setup(bot)'; skipped", name)
                failed.append(name)
                continue
            before = set(self.plugins)
            try:
                await setup(self)
            except ConfigError:
                raise
            except Exception:
                log.exception("plugin %s failed in setup; the bot runs without it", name)
                for added in set(self.plugins) - before:
                    await self.remove_plugin(added)
                failed.append(name)
        self._order_handlers()
        return failed

    async def add_plugin(self, plugin_cls: type[Plugin]) -> Plugin:
        """Register a plugin whole, or not at all (clashing commands, bad settings, failing load)."""
        name = getattr(plugin_cls, "name", None)
        if not name:
            raise PluginLoadError(f"{plugin_cls.__qualname__} has no 'name'")
        if name in self.plugins:
            raise PluginLoadError(f"a plugin named {name!r} is already loaded")
        settings = self.config.plugin_settings(name, plugin_cls.Settings)
        plugin = plugin_cls(self, settings)
        specs = plugin.command_specs()
        clashes = [s.name for s in specs if s.name in self._commands]
        if clashes:
            raise PluginLoadError(
                f"plugin {name!r}: command(s) {clashes} already registered by "
                f"{sorted({self._commands[c].plugin for c in clashes})}"
            )
        try:
            self._components.add(specs_of(plugin))
        except ValueError as exc:
            raise PluginLoadError(f"plugin {name!r}: {exc}") from None
        self.plugins[name] = plugin
        self._commands.update({s.name: s for s in specs})
        self._handlers.extend((name, handler, human_owned) for handler, human_owned in plugin.message_handlers())
        listeners = plugin.listeners()
        for event_type, method in listeners:
            self.bus.subscribe(event_type, method)
        try:
            self.history.migrate_plugin(name, plugin_cls.migrations)
            desk = plugin.handoff_desk()
            if desk is not None:
                self._set_desk(desk, name)
            await plugin.plugin_load()
        except BaseException:
            self._unregister(plugin)
            raise
        self._order_handlers()
        log.info("plugin %s loaded (%d command(s), %d handler(s))", name, len(specs), len(plugin.message_handlers()))
        return plugin

    async def remove_plugin(self, name: str) -> None:
        plugin = self.plugins.get(name)
        if plugin is None:
            return
        try:
            await plugin.plugin_unload()
        except Exception:
            log.exception("plugin %s failed to unload cleanly", name)
        self._unregister(plugin)

    def _set_desk(self, desk: HandoffDesk, owner: str) -> None:
        try:
            self.handoffs.set_desk(desk, owner=owner)
        except ValueError as exc:
            raise PluginLoadError(str(exc)) from None

    def _unregister(self, plugin: Plugin) -> None:
        self.handoffs.clear_desk(plugin.name)
        self.plugins.pop(plugin.name, None)
        self._commands = {k: v for k, v in self._commands.items() if v.plugin != plugin.name}
        self._handlers = [h for h in self._handlers if h[0] != plugin.name]
        self._components.remove_plugin(plugin.name)
        for event_type, method in plugin.listeners():
            self.bus.unsubscribe(event_type, method)

    def _order_handlers(self) -> None:
        order = {name: i for i, name in enumerate(self.config.plugins.enabled)}
        self._handlers.sort(key=lambda h: order.get(h[0], len(order)))

    def command_specs(self) -> list[CommandSpec]:
        return sorted(self._commands.values(), key=lambda s: s.name)

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start services and plugins. Call once, before the transport delivers anything."""
        if self.runner is not None:
            await self.runner.start()
        if self.understander is not None:
            await self.understander.start()
        await self.load_plugins()
        if self.config.metrics.enabled:
            metrics.serve(self.config.metrics.host, self.config.metrics.port)

    async def recover(self) -> int:
        """Give an outcome to inbound messages left without one by a crash; returns how many."""
        pending = self.history.pending_inbound()
        for row in pending:
            platform, _, message_id = row["platform_message_id"].partition(":")
            event = MessageReceived(
                platform=platform, message_id=message_id, channel_id=row["channel_id"],
                author=Author(id=row["customer_external_id"], name=row["customer_name"] or row["customer_external_id"]),
                text=row["text"], created_at=datetime.fromisoformat(row["created_at"]),
            )
            log.info("recovering message %s left without an outcome", message_id)
            await self.handle_message(event)
        for announcement in self.handoffs.unannounced():  # its staff thread and summary never came
            log.info("announcing handoff %d again: the bot stopped before its staff thread was ready",
                     announcement.handoff_id)
            self._announce(announcement)
        return len(pending)

    async def close(self) -> None:
        await self.bus.close()
        for task in list(self._tasks):
            task.cancel()
        for name in list(self.plugins):
            await self.remove_plugin(name)
        if self.runner is not None:
            await self.runner.close()

    def spawn(self, coro: Awaitable[Any], *, name: str | None = None) -> asyncio.Task[Any]:
        """Run background work tied to the bot's lifetime (cancelled on close, errors logged)."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def _done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.error("background task %s failed", name or t, exc_info=t.exception())

        task.add_done_callback(_done)
        return task

    # --- messages -------------------------------------------------------------------------------

    async def handle_message(self, event: MessageReceived) -> Outcome | None:
        """Take one inbound message to its outcome. Staff messages go to the bus only."""
        with message_scope(event.message_id):
            event = self._admit(event)
            if event.author.is_bot:
                return None
            if event.author.is_staff:
                # Staff are not customers: their messages (a reply in a handoff thread, say) go to
                # the bus, where escalation relays them, and never through the answering pipeline.
                await self.bus.publish(event)
                return None
            key = (event.platform, event.message_id)
            if key in self._in_flight:  # the same message live and from a catch-up: handled once
                log.info("message is already being handled; this delivery is ignored")
                return None
            self._in_flight.add(key)
            try:
                return await self._handle_customer(event)
            except sqlite3.Error as exc:  # disk full, read-only, locked: keep it and try again
                await self._write_failed(event, exc)
                return None
            finally:
                self._in_flight.discard(key)

    def last_recorded_message(self, platform: str, channel_id: str) -> str | None:
        """The platform id of the last customer message recorded in a channel: a transport that
        was away reads the channel's history from there (see :meth:`handle_message`)."""
        return self.history.last_inbound_id(platform, channel_id)

    async def _handle_customer(self, event: MessageReceived) -> Outcome | None:
        started = time.perf_counter()
        record = self.history.record_inbound(event)
        if record.existing_outcome is not None:
            log.info("message already has outcome %s; redelivery ignored", record.existing_outcome)
            return None
        # No customer's id in the log: the log outlives an erasure (docs/privacy.md); the conversation's does not.
        log.info("received in %s (conversation %d)", event.channel_id, record.conversation_id)
        half_open = self.handoffs.opened_by(record.message_row_id)  # None unless a crash cut one short
        if half_open is not None:
            # The bot stopped while this message opened a handoff: it is durable, but the customer
            # was never told. Finish it instead of deciding again (the conversation is staff-owned now).
            log.info("finishing handoff %d, opened by this message before the bot stopped", half_open.id)
            decided = Outcome.handed_off(half_open.reason).by("core")
        else:
            decided = await self._decide(event, record)
        outcome = await self._carry_out(event, record, decided)
        metrics.MESSAGES.labels(outcome=str(outcome.kind)).inc()
        metrics.RESPONSE_SECONDS.observe(time.perf_counter() - started)
        return outcome

    # --- a history that cannot be written -------------------------------------------------------

    async def _write_failed(self, event: MessageReceived, exc: sqlite3.Error) -> None:
        """Keep ``event`` in the bounded retry queue, tell its customer once, and retry in the background."""
        metrics.WRITE_FAILURES.labels(error=_write_error_kind(exc)).inc()
        limit = self.config.database.retry_queue
        if len(self._unwritten) >= limit:
            log.error("cannot write to the history (%s) and the retry queue is full (%d): message %s is lost",
                      exc, limit, event.message_id)
            metrics.WRITE_DROPPED.inc()
        else:
            self._unwritten.append(event)
            log.error("cannot write to the history (%s); message kept for retry (%d waiting)", exc, len(self._unwritten))
        metrics.RETRY_QUEUE.set(len(self._unwritten))
        if event.author.id not in self._told_unavailable:
            self._told_unavailable.add(event.author.id)
            try:  # its own nonce: the real reply later must not be taken for this one
                await self.send(SendMessage(channel_id=event.channel_id, text=self.config.bot.unavailable_reply,
                                            reply_to=event.message_id,
                                            nonce=message_nonce(event.platform, f"{event.message_id}:unavailable")))
            except Exception:
                log.exception("could not tell the customer about the problem either")
        if self._retrying is None or self._retrying.done():
            self._retrying = self.spawn(self._retry_loop(), name="history retry")

    async def _retry_loop(self) -> None:
        while self._unwritten:
            await asyncio.sleep(self.config.database.retry_every_s)
            await self.retry_unwritten()

    async def retry_unwritten(self) -> int:
        """Take the queued messages through the pipeline again, oldest first; returns how many still wait."""
        while self._unwritten:
            event = self._unwritten.popleft()
            try:
                with message_scope(event.message_id):
                    await self._handle_customer(event)
            except sqlite3.Error as exc:
                self._unwritten.appendleft(event)
                log.warning("the history still cannot be written (%s); %d message(s) waiting", exc, len(self._unwritten))
                break
        if not self._unwritten and self._told_unavailable:
            log.info("the history is writable again; every waiting message was handled")
            self._told_unavailable.clear()
        metrics.RETRY_QUEUE.set(len(self._unwritten))
        return len(self._unwritten)

    def _admit(self, event: MessageReceived) -> MessageReceived:
        """The text everything downstream sees: payment data masked (before the history, a staff
        thread, a prompt or a log line has it) and capped, so one huge paste cannot stall others."""
        text = mask_payment_data(event.text)
        text, cut = cap_inbound(text, self.config.bot.max_message_chars)
        if cut:
            log.warning("message of %d characters cut to bot.max_message_chars (%d)", len(event.text),
                        self.config.bot.max_message_chars)
        return event if text == event.text else replace(event, text=text)

    async def _decide(self, event: MessageReceived, record: InboundRecord) -> Outcome:
        limited = self._rate_limited(event.author.id)
        if limited is not None:
            return limited
        understanding = await self._understand(event, record)
        ctx = MessageContext(self, event, record.conversation_id, record.customer_id, record.message_row_id,
                             understanding)
        human_owned = self._human_owned(record)
        with self._one_message_searches():
            for plugin_name, handler, sees_human_owned in self._handlers:
                if human_owned and not sees_human_owned:
                    continue
                try:
                    outcome = await handler(ctx)
                    if outcome is not None and not isinstance(outcome, Outcome):
                        raise TypeError(f"a message handler returns an Outcome or None, not {type(outcome).__name__}")
                except Exception as exc:
                    reason = "model_failure" if _is_model_error(exc) else "plugin_error"
                    log.exception("plugin %s raised on message %s; handing off (%s)", plugin_name, event.message_id,
                                  reason)
                    return Outcome.handed_off(reason, details={"plugin": plugin_name, "error": repr(exc)}).by(plugin_name)
                if outcome is not None:
                    return outcome.by(plugin_name)
        if human_owned:
            return Outcome.ignored("human_owns_conversation")
        return Outcome.handed_off("no_plugin_answered")

    def _one_message_searches(self) -> AbstractContextManager[None]:
        """The knowledge base's scope for one message's plugins: product lookup and auto-reply
        searching the same text share one passage search (a test's stand-in may have no scope)."""
        scope = getattr(self.knowledge, "one_message", None)
        return scope() if scope is not None else nullcontext()

    def _human_owned(self, record: InboundRecord) -> bool:
        """Whether staff own this conversation, so only ``human_owned`` handlers see the message.

        Only while a desk is loaded and the handoff is still open: a conversation left marked by a
        crash, or by a desk that is no longer loaded, goes back to the bot rather than to silence."""
        if record.conversation_state != "human":
            return False
        if self.handoffs.desk is not None and self.handoffs.open_for(record.conversation_id) is not None:
            return True
        log.warning("conversation %d was staff-owned with %s; the bot answers it again", record.conversation_id,
                    "no open handoff" if self.handoffs.desk is not None else "no handoff desk loaded")
        self.history.set_conversation_state(record.conversation_id, "bot")
        return False

    async def _understand(self, event: MessageReceived, record: InboundRecord) -> Understanding | None:
        if self.understander is None:
            return None
        try:
            understanding = await self.understander.understand(event.text)
        except Exception:
            log.exception("understanding failed; plugins get none")
            return None
        if is_dataclass(understanding) and not isinstance(understanding, type):  # a test double may be anything
            # Its fields as they are: the history's JSON encoder turns any dataclass inside into a dict
            # (asdict's deep copy of every list first cost a tenth of a millisecond a message).
            self.history.attach_understanding(record.message_row_id,
                                              {f.name: getattr(understanding, f.name) for f in fields(understanding)})
        return understanding

    def _rate_limited(self, author_id: str) -> Outcome | None:
        settings = self.config.rate_limit
        now = time.monotonic()
        window = self._recent[author_id]
        while window and now - window[0] > settings.per_seconds:
            window.popleft()
        window.append(now)
        if len(window) <= settings.messages:
            return None
        # One notice per window, then silence: a spammer must not make the bot spam back.
        if now - self._notified.get(author_id, -1e9) > settings.per_seconds:
            self._notified[author_id] = now
            return Outcome.ignored("rate_limited", text=settings.notice)
        return Outcome.ignored("rate_limited")

    async def _carry_out(self, event: MessageReceived, record: InboundRecord, outcome: Outcome) -> Outcome:
        """Send what the outcome says, then record it and return it. Sending is idempotent (nonce).

        What happened after the fact (the reply sent, the outcome, a handoff opened) is emitted
        without waiting for listeners: a staff summary or thread never delays the customer's reply."""
        announcements: list[Event] = []
        if outcome.kind is OutcomeKind.HANDED_OFF:
            outcome = await self._open_handoff(record, outcome, announcements)
        text = outcome.text
        sent: tuple[int, str, str | None] | None = None
        if text or outcome.embeds:
            try:
                sent = await self._reply(event, record, text or "", outcome)
            except sqlite3.Error:
                raise  # the history failed, not the platform: the whole message is retried (same nonce)
            except Exception:
                # The outcome is still recorded: a human sees the conversation in history and,
                # for answers, the failure is a reason to hand off rather than to stay silent.
                log.exception("sending the reply failed")
                if outcome.kind is OutcomeKind.ANSWERED:
                    outcome = await self._open_handoff(
                        record, Outcome.handed_off("send_failed", details={"answer": text}).by(outcome.plugin),
                        announcements)
        if self.history.record_outcome(record.message_row_id, outcome, reply_sent=sent):
            log.info("outcome %s (%s) by %s", outcome.kind, outcome.reason, outcome.plugin)
            self.bus.emit(OutcomeRecorded(
                message_id=event.message_id, conversation_id=record.conversation_id,
                kind=str(outcome.kind), reason=outcome.reason, plugin=outcome.plugin))
        for announcement in announcements:
            self._announce(announcement)
        return outcome

    async def _reply(self, event: MessageReceived, record: InboundRecord, text: str,
                     outcome: Outcome) -> tuple[int, str, str | None]:
        """Post the reply, recorded *before* it is sent: a run that stops after the send leaves a
        trace, and the next run looks for the posted reply instead of posting it again.

        Returns the reply's row, the platform and the id it was posted as, for the outcome's
        transaction to mark it sent (a run that stops before that commit finds the posted reply
        in the channel, as after a stop just after the send)."""
        text = clean_outbound(text)
        if self._late(event):
            text = f"{self.config.bot.late_apology} {text}"
        earlier = self.history.reply_to(record.message_row_id)
        if earlier is not None:
            found = None if earlier["platform_message_id"] else await self._find_reply(event)
            if earlier["platform_message_id"] or found:
                log.info("the reply was already posted by an earlier run; not posting it again")
                return earlier["id"], event.platform, found
            row_id = earlier["id"]
        else:
            row_id = self.history.record_outbound(record.conversation_id, text, in_reply_to=record.message_row_id)
        action = SendMessage(channel_id=event.channel_id, text=text, embeds=outcome.embeds,
                             reply_to=event.message_id, nonce=message_nonce(event.platform, event.message_id))
        sent_id = await self.send(action)
        self.bus.emit(ReplySent(conversation_id=record.conversation_id, channel_id=event.channel_id,
                                platform_message_id=sent_id, text=text))
        return row_id, event.platform, sent_id

    def _late(self, event: MessageReceived) -> bool:
        return (self.history.clock() - event.created_at).total_seconds() > self.config.bot.late_after_s

    async def _find_reply(self, event: MessageReceived) -> str | None:
        finder = getattr(self.transport, "find_reply", None)
        return await finder(event.channel_id, event.message_id) if finder is not None else None

    def _announce(self, event: Event) -> None:
        if isinstance(event, HandoffOpened):
            handoff_id = event.handoff_id
            self.bus.emit(event, then=lambda: self.handoffs.mark_announced(handoff_id))
        else:
            self.bus.emit(event)

    async def _open_handoff(self, record: InboundRecord, outcome: Outcome, announcements: list[Event]) -> Outcome:
        """Open the handoff (durable first) and word the customer's notice; the HandoffOpened event
        goes to ``announcements``, for after the notice is sent and the outcome recorded."""
        reason = outcome.reason or "unspecified"
        desk = self.handoffs.desk
        if desk is None:
            # Nobody could claim or resolve a handoff: the customer is told, and their next message
            # goes to the plugins again instead of to a conversation that stays silent for good.
            log.warning("handoff (%s) with no handoff desk loaded: the conversation stays with the bot", reason)
            return replace(outcome, text=outcome.text or self.config.bot.fallback_reply,
                           details=dict(outcome.details, handoff_id=None))
        handoff, opened = self.handoffs.open(record.conversation_id, reason, message_row_id=record.message_row_id)
        if opened is not None:
            metrics.HANDOFFS.labels(reason=reason).inc()
            announcements.append(opened)
        if outcome.text is None:
            notice = self.config.bot.handoff_reply
            try:
                notice = await desk.customer_notice(handoff)
            except Exception:
                log.exception("handoff notice failed; using the default text")
            outcome = replace(outcome, text=notice)
        return replace(outcome, details=dict(outcome.details, handoff_id=handoff.id))

    async def send(self, action: Action) -> str | None:
        """Have the transport perform ``action``; refused for now (rate limits, a 5xx), it is tried
        again after :data:`SEND_RETRY_DELAYS_S` rather than dropped."""
        if self.transport is None:
            raise RuntimeError("no transport attached to the bot")
        action = _cleaned(action)
        for delay in (*SEND_RETRY_DELAYS_S, None):
            try:
                return await self.transport.send(action)
            except TransientSendError as exc:
                repeatable = exc.rate_limited or getattr(action, "nonce", None) is not None
                if delay is None or not repeatable:
                    raise
                wait = min(max(delay, exc.retry_after), 30.0)
                log.warning("%s refused for now (%s); trying again in %.1f s", type(action).__name__, exc, wait)
                metrics.SEND_RETRIES.inc()
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    # --- commands -------------------------------------------------------------------------------

    async def handle_command(self, event: CommandInvoked) -> CommandResult:
        """Run a slash command; staff-only commands refuse non-staff (ephemeral, recorded)."""
        with message_scope(f"cmd:{event.interaction_id}"):
            spec = self._commands.get(event.command)
            if spec is None:
                return CommandResult(f"Unknown command /{event.command}.")
            if spec.staff_only and not event.author.is_staff:
                self._log_command(spec, event, allowed=False, error="not staff")
                log.warning("refused /%s for a non-staff member", event.command)  # who: in command_log
                return CommandResult("This command is for staff only.", ephemeral=True)
            try:
                kwargs = _coerce_options(spec, event.options)
            except ValueError as exc:
                return CommandResult(str(exc))
            try:
                result = await spec.callback(CommandContext(self, event), **kwargs)
            except Exception as exc:
                log.exception("/%s failed", event.command)
                self._log_command(spec, event, allowed=True, error=repr(exc))
                return CommandResult("Something went wrong running that command; it has been logged.")
            self._log_command(spec, event, allowed=True)
            return result if isinstance(result, CommandResult) else CommandResult(str(result))

    def _log_command(self, spec: CommandSpec, event: CommandInvoked, *, allowed: bool, error: str | None = None) -> None:
        author, options = ("", {}) if spec.private else (event.author.id, event.options)
        self.history.log_command(event.command, author, event.channel_id, options, allowed=allowed, error=error)

    async def handle_component(self, event: ComponentUsed) -> ComponentReply:
        """A click, a choice or a form submit: routed by ``custom_id`` to the plugin that declared it."""
        with message_scope(f"component:{event.interaction_id}"):
            log.info("component %s used by %s in %s", event.custom_id, loggable(event.author), event.channel_id)
            return await self._components.dispatch(self, event)

    async def autocomplete(self, event: CommandInvoked, option: str, current: str) -> list[str]:
        spec = self._commands.get(event.command)
        completer = spec.autocompleters.get(option) if spec else None
        if completer is None or (spec and spec.staff_only and not event.author.is_staff):
            return []
        try:
            return list(await completer(CommandContext(self, event), current))[:25]
        except Exception:
            log.exception("autocomplete for /%s %s failed", event.command, option)
            return []


def _cleaned(action: Action) -> Action:
    """Every text the bot posts, cleaned (:func:`~supportbot.sanitize.clean_outbound`): generated
    replies, summaries and relayed messages alike."""
    embeds = tuple(
        replace(e, title=clean_outbound(e.title), description=clean_outbound(e.description),
                fields=tuple((clean_outbound(k), clean_outbound(v)) for k, v in e.fields),
                footer=clean_outbound(e.footer) if e.footer else e.footer)
        for e in action.embeds
    )
    return replace(action, text=clean_outbound(action.text), embeds=embeds)


def _coerce_options(spec: CommandSpec, options: dict[str, Any]) -> dict[str, Any]:
    known = {o.name: o for o in spec.options}
    unknown = set(options) - set(known)
    if unknown:
        raise ValueError(f"/{spec.name} has no option(s) {', '.join(sorted(unknown))}.")
    values = {}
    for option in spec.options:
        if option.name not in options:
            if option.required:
                raise ValueError(f"/{spec.name} needs {option.name}.")
            values[option.name] = option.default
            continue
        try:
            values[option.name] = option.convert(options[option.name])
        except (TypeError, ValueError, OverflowError):  # OverflowError: an integer option given infinity
            raise ValueError(f"{option.name} must be a {option.type}.") from None
        if option.choices and values[option.name] not in option.choices:
            raise ValueError(f"{option.name} must be one of: {', '.join(option.choices)}.")
    return values


def _write_error_kind(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    for kind, marker in (("disk_full", "full"), ("read_only", "readonly"), ("locked", "locked")):
        if marker in text.replace("read-only", "readonly"):
            return kind
    return "other"


def _is_model_error(exc: BaseException) -> bool:
    try:
        from .models import ModelError
    except ImportError:  # pragma: no cover - the runner ships with the core
        return False
    return isinstance(exc, ModelError)
