"""Loading and validating ``config.yaml``.

Every module declares its own settings block (a :class:`~supportbot.settings.Settings` subclass
with documented defaults); :class:`Config` composes them. Errors name the dotted key and its line
in the file, e.g. ``config.yaml:14: discord.staff_role: Input should be a valid integer``.
Secrets never live here: the Discord token and API keys come from the environment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import Field, ValidationError

from .knowledge.settings import KnowledgeSettings
from .models.settings import EmbeddingSettings, ModelSettings
from .settings import Settings
from .transports.discord.settings import DiscordSettings
from .understanding.settings import UnderstandingSettings

__all__ = ["Config", "ConfigError", "load_config", "line_of", "merge_overrides", "DEFAULT_PLUGINS"]

SettingsT = TypeVar("SettingsT", bound=Settings)

#: Pipeline order matters: escalation first so human-owned conversations and explicit requests
#: for a person are settled before anything tries to answer.
DEFAULT_PLUGINS = ["escalation", "product_lookup", "auto_reply", "descriptions", "insights", "customer_data"]


class BotSettings(Settings):
    name: str = Field("Support", description="How the bot introduces itself.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Root log level.")
    memory_turns: int = Field(10, ge=0, le=100, description="Turns of this conversation given to plugins.")
    fallback_reply: str = Field(
        "Sorry, I couldn't help with that one. Try asking another way; I'm still here.",
        description="Said instead of handoff_reply when no plugin staffs handoffs (escalation not loaded): "
                    "no one is told, and the bot keeps answering this customer.",
    )
    max_message_chars: int = Field(
        4000, ge=1, description="Longer customer messages are cut to this many characters (Discord's own limit).")
    late_after_s: float = Field(
        300.0, gt=0, description="A reply this long after the customer wrote (the bot was down) starts with late_apology.")
    late_apology: str = Field("Sorry for the slow reply!", description="Said first in a late reply.")
    unavailable_reply: str = Field(
        "Sorry, I have a technical problem right now. I've kept your message and will answer it as soon as it's fixed.",
        description="Told once to a customer whose message could not be saved (the database is full or read-only).",
    )
    handoff_reply: str = Field(
        "I've passed this to our team; a person will reply here as soon as they can.",
        description="Told to the customer when a conversation is handed to staff.",
    )


class RateLimitSettings(Settings):
    messages: int = Field(
        12, ge=1,
        description="Messages a customer may send per window before they are ignored. Room for a burst of "
                    "short lines (\"hi\" / \"order 1234\" / \"where is it?\"); a flood is what it stops.",
    )
    per_seconds: float = Field(60.0, gt=0, description="Length of the window in seconds.")
    notice: str = Field(
        "You're sending messages faster than I can keep up; I'll read the next one in a moment.",
        description="Sent once per window to a customer who went over the limit.",
    )


class DatabaseSettings(Settings):
    path: Path = Field(Path("supportbot.db"), description="SQLite file; relative paths are beside config.yaml.")
    busy_timeout_ms: int = Field(5000, ge=0, description="How long a writer waits for a lock.")
    retry_queue: int = Field(
        1000, ge=1, description="Messages kept in memory while the database cannot be written (disk full, read-only); "
                                "more are lost, with an error in the log.")
    retry_every_s: float = Field(5.0, gt=0, description="How often those messages are tried again.")


class PluginsSettings(Settings):
    enabled: list[str] = Field(default_factory=lambda: list(DEFAULT_PLUGINS),
                               description="Plugins to load, in message-pipeline order.")
    directories: list[Path] = Field(default_factory=lambda: [Path("plugins")],
                                    description="Folders searched for plugin modules (relative to config.yaml), before the shipped plugins/.")
    settings: dict[str, dict[str, Any]] = Field(default_factory=dict,
                                                description="Per-plugin settings blocks, checked by each plugin.")


class MetricsSettings(Settings):
    enabled: bool = Field(False, description="Serve Prometheus metrics over HTTP.")
    host: str = Field("127.0.0.1", description="Address for the metrics endpoint.")
    port: int = Field(9108, ge=0, le=65535, description="Port for the metrics endpoint (0 picks one).")


class ConsoleSettings(Settings):
    customer_name: str = Field("customer", description="Name of the customer you play in the console.")
    staff_name: str = Field("staff", description="Name of the staff member who runs /commands in the console.")


class Config(Settings):
    """The whole of ``config.yaml``. Every key has a default; an empty file is a valid config."""

    bot: BotSettings = Field(default_factory=BotSettings)
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)
    model: ModelSettings = Field(default_factory=ModelSettings)
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)
    understanding: UnderstandingSettings = Field(default_factory=UnderstandingSettings)
    plugins: PluginsSettings = Field(default_factory=PluginsSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)

    #: Where the file was read from (None for a config built in code); not a YAML key.
    source: Path | None = Field(None, exclude=True)
    #: The composed YAML tree, kept to point plugin settings errors at their lines.
    yaml_root: Any = Field(None, exclude=True, repr=False)

    def resolve(self, path: Path) -> Path:
        """Paths in the config are relative to the config file's folder."""
        if path.is_absolute() or self.source is None:
            return path
        return self.source.parent / path

    def location(self, loc: tuple[Any, ...]) -> str:
        """``config.yaml:42: plugins.settings.escalation``: where a key is, for a problem about it."""
        line = line_of(self.yaml_root, loc)
        where = f"{self.source or 'config'}" + (f":{line}" if line else "")
        return f"{where}: {'.'.join(str(p) for p in loc)}"

    def plugin_settings(self, plugin: str, schema: type[SettingsT]) -> SettingsT:
        """Validate one plugin's block against its own schema, with lines in errors."""
        raw = self.plugins.settings.get(plugin, {}) or {}
        try:
            return schema.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError.from_validation(
                exc, self.yaml_root, self.source, prefix=("plugins", "settings", plugin)
            ) from None


class ConfigError(Exception):
    """A config problem, already phrased for the person who edits the file."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    @classmethod
    def from_validation(
        cls, exc: ValidationError, root: yaml.Node | None, source: Path | None, prefix: tuple[str, ...] = ()
    ) -> ConfigError:
        problems = []
        for error in exc.errors():
            loc = prefix + tuple(error["loc"])
            key = ".".join(str(part) for part in loc)
            line = line_of(root, loc)
            where = f"{source or 'config'}:{line}" if line else f"{source or 'config'}"
            message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            if error["type"] != "extra_forbidden" and "input" in error and not isinstance(error["input"], dict):
                message += f" (got {error['input']!r})"
            problems.append(f"{where}: {key}: {message}")
        return cls(problems)


def line_of(node: yaml.Node | None, loc: Iterable[Any]) -> int | None:
    """1-based line of the deepest node along ``loc`` that exists in the file."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    line = key_node.start_mark.line + 1
                    node = value_node
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _duplicate_keys(node: yaml.Node | None, source: Path, path: tuple[str, ...] = ()) -> list[str]:
    """A key given twice in one block: YAML keeps the last silently, which hides a mistake."""
    problems: list[str] = []
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            key, line = str(key_node.value), key_node.start_mark.line + 1
            if key in first and key != "<<":
                problems.append(f"{source}:{line}: {'.'.join((*path, key))}: duplicated key (first on line "
                                f"{first[key]}); keep one")
            first.setdefault(key, line)
            problems += _duplicate_keys(value_node, source, (*path, key))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems += _duplicate_keys(item, source, (*path, str(index)))
    return problems


def load_config(path: str | Path | None = None, *, overrides: dict[str, Any] | None = None) -> Config:
    """Read and validate a config file (``None``: built-in defaults only).

    Raises :class:`ConfigError` with every problem found, never ``sys.exit``.
    """
    root: yaml.Node | None = None
    data: dict[str, Any] = {}
    source = Path(path).resolve() if path is not None else None
    if source is not None:
        try:
            raw = source.read_bytes()
        except OSError as exc:
            raise ConfigError([f"{source}: cannot read config: {exc.strerror}"]) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise ConfigError([f"{source}:{line}: byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8"]) from None
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{source}:{mark.line + 1}" if mark else str(source)
            raise ConfigError([f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from None
        duplicates = _duplicate_keys(root, source)
        if duplicates:
            raise ConfigError(duplicates)
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError([f"{source}:1: the top level must be a mapping of sections"])
        data = loaded
    if overrides:
        data = merge_overrides(data, overrides)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError.from_validation(exc, root, source) from None
    config.source = source
    config.yaml_root = root
    return config


def merge_overrides(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra`` laid over it, nested mappings merged key by key (neither is changed)."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_overrides(merged[key], value)
        else:
            merged[key] = value
    return merged
