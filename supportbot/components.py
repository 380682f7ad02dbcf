"""Buttons, selects and forms: how a click reaches the plugin that posted the component.

A plugin posts components with its actions (:class:`~supportbot.actions.Button` on a
:class:`~supportbot.actions.SendMessage`, say) and declares who answers them::

    class Handoffs(Plugin):
        name = "handoffs"

        @component("handoffs:claim", staff_only=True)
        async def claim(self, ctx: ComponentContext) -> ComponentReply:
            handoff_id = int(ctx.args[0])          # from "handoffs:claim:42"
            ...
            return CommandResult("Claimed.")

Routing is by ``custom_id`` prefix alone: nothing is held in memory per posted message, so a
button keeps working after a restart, and every transport (Discord, the console, the test
transport) delivers a click as one :class:`~supportbot.events.ComponentUsed`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .actions import CommandResult, ComponentReply, Modal
from .events import ComponentUsed
from .logs import loggable

if TYPE_CHECKING:
    from .engine import SupportBot

__all__ = ["component", "ComponentContext", "ComponentSpec", "ComponentRouter", "specs_of"]

log = logging.getLogger(__name__)

COMPONENT_TAG = "__supportbot_component__"

ComponentHandler = Callable[["ComponentContext"], Awaitable[ComponentReply | None]]


def component(prefix: str, *, staff_only: bool = False) -> Callable[[Any], Any]:
    """Mark a plugin method as the handler of components whose ``custom_id`` is ``prefix`` or
    starts with ``prefix + ":"``; ``staff_only`` refuses anyone else at click time."""
    if not prefix or prefix.endswith(":"):
        raise ValueError(f"component prefix {prefix!r} must be non-empty and not end with ':'")

    def mark(func: Any) -> Any:
        setattr(func, COMPONENT_TAG, (prefix, staff_only))
        return func

    return mark


@dataclass
class ComponentContext:
    """What a component handler gets: the click, and the ``custom_id``'s parts after the prefix."""

    bot: SupportBot
    event: ComponentUsed
    args: tuple[str, ...]

    @property
    def author_id(self) -> str:
        return self.event.author.id

    @property
    def is_staff(self) -> bool:
        return self.event.author.is_staff

    @property
    def values(self) -> tuple[str, ...]:
        return self.event.values

    @property
    def fields(self) -> dict[str, str]:
        return self.event.fields


@dataclass(frozen=True)
class ComponentSpec:
    prefix: str
    staff_only: bool
    plugin: str
    callback: ComponentHandler


class ComponentRouter:
    """The prefixes plugins declared, and the dispatch of one click to the longest match."""

    def __init__(self) -> None:
        self._specs: dict[str, ComponentSpec] = {}

    def add(self, specs: list[ComponentSpec]) -> None:
        clashes = [s.prefix for s in specs if s.prefix in self._specs]
        if clashes:
            owners = sorted({self._specs[p].plugin for p in clashes})
            raise ValueError(f"component prefix(es) {clashes} already registered by {owners}")
        self._specs.update({s.prefix: s for s in specs})

    def remove_plugin(self, plugin: str) -> None:
        self._specs = {p: s for p, s in self._specs.items() if s.plugin != plugin}

    def match(self, custom_id: str) -> tuple[ComponentSpec, tuple[str, ...]] | None:
        for prefix in sorted(self._specs, key=len, reverse=True):
            if custom_id == prefix or custom_id.startswith(prefix + ":"):
                rest = custom_id[len(prefix) + 1 :]
                return self._specs[prefix], tuple(rest.split(":")) if rest else ()
        return None

    async def dispatch(self, bot: SupportBot, event: ComponentUsed) -> ComponentReply:
        """Run the handler for ``event``; every click gets an answer (a refusal is ephemeral)."""
        found = self.match(event.custom_id)
        if found is None:
            log.warning("no handler for component %r (clicked by %s)", event.custom_id, loggable(event.author))
            return CommandResult("This button no longer does anything.")
        spec, args = found
        if spec.staff_only and not event.author.is_staff:
            log.warning("refused component %s for a non-staff member", event.custom_id)
            return CommandResult("This button is for staff only.")
        try:
            reply = await spec.callback(ComponentContext(bot, event, args))
        except Exception:
            log.exception("component %s of plugin %s failed", event.custom_id, spec.plugin)
            return CommandResult("Something went wrong with that button; it has been logged.")
        if reply is None:
            return CommandResult("Done.")
        if not isinstance(reply, (CommandResult, Modal)):
            log.error("component %s of plugin %s returned %r, not a CommandResult or Modal",
                      event.custom_id, spec.plugin, type(reply).__name__)
            return CommandResult("Something went wrong with that button; it has been logged.")
        return reply


def specs_of(plugin: Any) -> list[ComponentSpec]:
    """The component handlers a plugin instance declares."""
    found = []
    for attr in dir(type(plugin)):
        tag = getattr(getattr(type(plugin), attr, None), COMPONENT_TAG, None)
        if tag is not None:
            prefix, staff_only = tag
            found.append(ComponentSpec(prefix, staff_only, plugin.name, getattr(plugin, attr)))
    return found

