"""The Discord transport: the only code in supportbot that imports discord.py.

Importing this package (or :mod:`.settings`) does not import discord.py; :func:`create_transport`
does, so a console-only install never needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import DiscordStartupError
from .settings import DiscordSettings

if TYPE_CHECKING:
    from .transport import DiscordTransport

__all__ = ["DiscordSettings", "DiscordStartupError", "create_transport"]


def create_transport(settings: DiscordSettings, token: str) -> DiscordTransport:
    """Build the Discord transport (imports discord.py now)."""
    from .transport import DiscordTransport

    return DiscordTransport(settings, token)
