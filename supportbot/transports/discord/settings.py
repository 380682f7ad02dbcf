"""The ``discord:`` block of config.yaml. Importing this does not import discord.py."""

from __future__ import annotations

from pydantic import Field, field_validator

from ...settings import Settings

__all__ = ["DiscordSettings", "DEFAULT_API_BASE", "DEFAULT_GATEWAY_URL"]

DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg"


class DiscordSettings(Settings):
    """Where the bot listens on Discord and how it reaches Discord. The token is ``DISCORD_TOKEN``."""

    support_channels: list[int] = Field(
        default_factory=list, description="Channel ids where customers are answered."
    )
    staff_channel: int | None = Field(
        None, description="Channel id under which handoffs open a private thread for staff."
    )
    staff_role: int | None = Field(
        None, description="Role id of staff: may run staff commands; the only role a handoff pings."
    )
    dm_enabled: bool = Field(False, description="Also answer customers who write to the bot in direct messages.")
    command_guild_id: int | None = Field(
        None,
        description="Sync slash commands to this guild only (instant, for development); global when unset.",
    )
    sharded: bool = Field(False, description="Run discord.py's AutoShardedClient (large bots, 2,500+ guilds).")
    api_base: str = Field(
        DEFAULT_API_BASE, description="REST base URL; change only to go through a proxy or a fake Discord."
    )
    gateway_url: str = Field(
        DEFAULT_GATEWAY_URL,
        description="Gateway websocket URL; when changed, it is also used to RESUME (instead of Discord's).",
    )
    typing_indicator: bool = Field(True, description="Show 'typing…' while a reply is being worked on.")
    catch_up_limit: int = Field(
        1000, ge=0, description="After a fresh login, at most this many messages per support channel written while "
                                "the bot was away are read back and answered (0: none).")

    @field_validator("api_base", "gateway_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")
