"""The plugin contract: one small base class and decorators that only tag.

A plugin is a :class:`Plugin` subclass in a module with an ``async def setup(bot)`` entry point::

    class Greeter(Plugin):
        name = "greeter"

        @on_message()
        async def hello(self, ctx: MessageContext) -> Outcome | None:
            if ctx.event.text.lower().startswith("hello"):
                return ctx.answer("Hello! How can I help?")
            return None  # not mine: the next plugin in the pipeline gets it

    async def setup(bot):
        await bot.add_plugin(Greeter)

Decorators attach metadata; :meth:`Plugin.collect` gathers it when the plugin is added, so a
plugin whose commands clash is refused whole (nothing half-registered).
"""

from __future__ import annotations

import inspect
import logging
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .components import ComponentContext, component
from .events import Event, MessageReceived
from .outcomes import Outcome
from .settings import Settings

if TYPE_CHECKING:
    from .engine import SupportBot
    from .events import CommandInvoked
    from .handoffs import HandoffDesk
    from .history import Migration
    from .understanding.understander import Understanding

__all__ = [
    "Plugin",
    "PluginSettings",
    "on_message",
    "command",
    "autocomplete",
    "listener",
    "Option",
    "OptionInfo",
    "OPTION_TYPES",
    "Member",
    "OptionSpec",
    "CommandSpec",
    "MessageContext",
    "CommandContext",
    "component",
    "ComponentContext",
]

_MESSAGE_TAG = "__supportbot_message__"
_COMMAND_TAG = "__supportbot_command__"
_AUTOCOMPLETE_TAG = "__supportbot_autocomplete__"
_LISTENER_TAG = "__supportbot_listeners__"


class PluginSettings(Settings):
    """Base for a plugin's settings block (``plugins.settings.<name>`` in config.yaml)."""


class Member(str):
    """Annotation for an option that names a member; the value is their user id."""


OptionType = Literal["string", "integer", "number", "boolean", "member"]


def _to_bool(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")


#: The one table of command option types: the annotation that declares each, and how a value from a
#: transport becomes that Python type. Transports map the names to their platform's own types.
OPTION_TYPES: dict[OptionType, tuple[type, Callable[[Any], Any]]] = {
    "string": (str, str),
    "integer": (int, int),
    "number": (float, float),
    "boolean": (bool, _to_bool),
    "member": (Member, str),
}
_TYPE_NAMES: dict[Any, OptionType] = {annotation: name for name, (annotation, _) in OPTION_TYPES.items()}


@dataclass(frozen=True)
class OptionInfo:
    """Metadata for a command option: what :func:`Option` returns, as the parameter's default."""

    description: str = ""
    default: Any = inspect.Parameter.empty
    choices: tuple[str, ...] = ()


def Option(description: str = "", default: Any = inspect.Parameter.empty, choices: tuple[str, ...] = ()) -> Any:
    """Describe a command option as its parameter's default: ``days: int = Option("look back", default=30)``.

    Typed ``Any`` so the parameter keeps its own type for the type checker (as Typer's ``Option``)."""
    return OptionInfo(description, default, choices)


@dataclass(frozen=True)
class OptionSpec:
    name: str
    type: OptionType
    description: str
    required: bool
    default: Any = None
    choices: tuple[str, ...] = ()
    autocomplete: bool = False

    def convert(self, value: Any) -> Any:
        """A value from a transport as this option's Python type (ValueError or TypeError if it is not one)."""
        return OPTION_TYPES[self.type][1](value)


@dataclass(frozen=True)
class CommandSpec:
    """A slash command as transports register it."""

    name: str
    description: str
    options: tuple[OptionSpec, ...]
    staff_only: bool
    plugin: str
    callback: Callable[..., Awaitable[Any]] = field(repr=False, compare=False)
    autocompleters: dict[str, Callable[..., Awaitable[list[str]]]] = field(default_factory=dict, repr=False, compare=False)
    #: Its options and its author stay out of the command log (it names or erases a customer).
    private: bool = False


@dataclass(frozen=True)
class _MessageHandlerTag:
    human_owned: bool


def on_message(*, human_owned: bool = False) -> Callable[[Callable], Callable]:
    """Mark a coroutine method as a step of the customer-message pipeline.

    ``human_owned=True`` handlers also see messages of conversations that staff own (relaying
    them, for instance); other handlers never do.
    """

    def decorate(func: Callable) -> Callable:
        _require_coroutine(func, "on_message")
        setattr(func, _MESSAGE_TAG, _MessageHandlerTag(human_owned))
        return func

    return decorate


def command(name: str, description: str, *, staff_only: bool = False,
            private: bool = False) -> Callable[[Callable], Callable]:
    """Declare a slash command; options come from the method's annotated parameters.

    ``private`` commands are logged without their options or author: one that erases a customer
    must not leave their id in the log it erased them from.
    """
    if not name.islower() or " " in name or not 1 <= len(name) <= 32:
        raise ValueError(f"command name {name!r} must be 1-32 lowercase characters without spaces")

    def decorate(func: Callable) -> Callable:
        _require_coroutine(func, "command")
        setattr(func, _COMMAND_TAG, (name, description, staff_only, private))
        return func

    return decorate


def autocomplete(command_name: str, option: str) -> Callable[[Callable], Callable]:
    """Offer completions for one option of a command: ``async def f(self, ctx, current) -> list[str]``."""

    def decorate(func: Callable) -> Callable:
        _require_coroutine(func, "autocomplete")
        setattr(func, _AUTOCOMPLETE_TAG, (command_name, option))
        return func

    return decorate


def listener(*event_types: type[Event]) -> Callable[[Callable], Callable]:
    """Subscribe a coroutine method to bus events; stacks with other tags."""
    for event_type in event_types:
        if not (isinstance(event_type, type) and issubclass(event_type, Event)):
            raise TypeError(f"@listener needs Event subclasses, got {event_type!r}")

    def decorate(func: Callable) -> Callable:
        _require_coroutine(func, "listener")
        existing: tuple[type[Event], ...] = getattr(func, _LISTENER_TAG, ())
        setattr(func, _LISTENER_TAG, existing + event_types)
        return func

    return decorate


def _require_coroutine(func: Callable, what: str) -> None:
    if not inspect.iscoroutinefunction(func):
        raise TypeError(f"@{what} needs an async def, got {func.__qualname__}")


class Plugin:
    """Base class of every plugin. Override the hooks you need; everything else is optional.

    Attributes available to subclasses: ``self.bot`` (runner, history, knowledge, config, bus),
    ``self.settings`` (an instance of the nested ``Settings`` class, validated from config) and
    ``self.log`` (a logger named after the plugin).
    """

    name: ClassVar[str]
    Settings: ClassVar[type[PluginSettings]] = PluginSettings
    #: This plugin's own tables: run in order before ``plugin_load``, each once per database
    #: (:meth:`supportbot.history.History.migrate_plugin`). Append; never edit a shipped one.
    migrations: ClassVar[tuple[Migration, ...]] = ()

    def __init__(self, bot: SupportBot, settings: PluginSettings) -> None:
        self.bot = bot
        self.settings = settings
        self.log = logging.getLogger(f"supportbot.plugins.{self.name}")

    # Lifecycle hooks (Red's cog_load/cog_unload, errbot's activate/deactivate).
    async def plugin_load(self) -> None:
        """Called once after the plugin is registered; raise to refuse loading."""

    async def plugin_unload(self) -> None:
        """Called when the bot stops or the plugin is removed."""

    # Customers' data (Red's red_delete_data_for_user): a plugin that stores anything about a
    # customer implements both, so /forget erases it and /mydata shows it.
    async def delete_user_data(self, customer_id: int) -> None:
        """Forget what this plugin stored about a customer (the core deletes its own rows after)."""

    async def export_user_data(self, customer_id: int) -> dict[str, Any]:
        """What this plugin stored about a customer, as JSON-ready data for their copy."""
        return {}

    def handoff_desk(self) -> HandoffDesk | None:
        """Return a :class:`~supportbot.handoffs.HandoffDesk` if this plugin staffs handoffs (it
        words the customer's notice and sets the reopen window). Without any, no handoff opens."""
        return None

    # Collection of tagged methods.
    def message_handlers(self) -> list[tuple[Callable[[MessageContext], Awaitable[Outcome | None]], bool]]:
        return [
            (method, tag.human_owned)
            for method, tag in self._tagged(_MESSAGE_TAG)
        ]

    def listeners(self) -> list[tuple[type[Event], Callable[[Any], Awaitable[None]]]]:
        return [(event_type, method) for method, types in self._tagged(_LISTENER_TAG) for event_type in types]

    def command_specs(self) -> list[CommandSpec]:
        completers: dict[str, dict[str, Callable[..., Awaitable[list[str]]]]] = {}
        for method, (command_name, option) in self._tagged(_AUTOCOMPLETE_TAG):
            completers.setdefault(command_name, {})[option] = method
        specs = []
        for method, (name, description, staff_only, private) in self._tagged(_COMMAND_TAG):
            mine = completers.pop(name, {})
            options = _options_from_signature(method, autocompleted=set(mine))
            unknown = set(mine) - {o.name for o in options}
            if unknown:
                raise TypeError(f"{self.name}: autocomplete for unknown option(s) {sorted(unknown)} of /{name}")
            specs.append(CommandSpec(name, description, tuple(options), staff_only, self.name, method, mine, private))
        if completers:
            raise TypeError(f"{self.name}: autocomplete for unknown command(s) {sorted(completers)}")
        return specs

    def _tagged(self, tag: str) -> list[tuple[Any, Any]]:
        found = []
        for attr in dir(type(self)):
            func = getattr(type(self), attr, None)
            value = getattr(func, tag, None)
            if value is not None:
                found.append((getattr(self, attr), value))
        return found


def _options_from_signature(method: Callable, *, autocompleted: set[str]) -> list[OptionSpec]:
    func = getattr(method, "__func__", method)
    hints = typing.get_type_hints(func)
    params = list(inspect.signature(func).parameters.values())[2:]  # skip self, ctx
    options = []
    for param in params:
        annotation = hints.get(param.name, str)
        optional = False
        if typing.get_origin(annotation) in (typing.Union, getattr(__import__("types"), "UnionType")):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = len(args) < len(typing.get_args(annotation))
            annotation = args[0]
        if annotation not in _TYPE_NAMES:
            raise TypeError(f"option {param.name!r} of {func.__qualname__}: unsupported type {annotation!r}")
        meta = param.default if isinstance(param.default, OptionInfo) else OptionInfo()
        default = meta.default if isinstance(param.default, OptionInfo) else param.default
        required = default is inspect.Parameter.empty and not optional
        options.append(
            OptionSpec(
                name=param.name,
                type=_TYPE_NAMES[annotation],
                description=meta.description or param.name.replace("_", " "),
                required=required,
                default=None if default is inspect.Parameter.empty else default,
                choices=meta.choices,
                autocomplete=param.name in autocompleted,
            )
        )
    return options


@dataclass
class MessageContext:
    """What a message handler gets: the event, what the bot understood, and outcome builders."""

    bot: SupportBot
    event: MessageReceived
    conversation_id: int
    customer_id: int
    message_row_id: int
    understanding: Understanding | None = None

    @property
    def text(self) -> str:
        return self.event.text

    async def recent_turns(self, limit: int | None = None) -> list[dict[str, str]]:
        """The last turns of *this* conversation as chat messages (oldest first, this one excluded)."""
        n = limit if limit is not None else self.bot.config.bot.memory_turns
        return self.bot.history.recent_turns(self.conversation_id, n, before_message_id=self.message_row_id)

    def answer(self, text: str, *, embeds: Any = (), sources: Any = (), reason: str | None = None) -> Outcome:
        return Outcome.answered(text, embeds=embeds, sources=sources, reason=reason)

    def handoff(self, reason: str, details: dict[str, Any] | None = None, *, text: str | None = None) -> Outcome:
        return Outcome.handed_off(reason, text=text, details=details)

    def ignore(self, reason: str) -> Outcome:
        return Outcome.ignored(reason)


@dataclass
class CommandContext:
    """What a command callback gets."""

    bot: SupportBot
    event: CommandInvoked

    @property
    def author_id(self) -> str:
        return self.event.author.id

    @property
    def is_staff(self) -> bool:
        return self.event.author.is_staff
