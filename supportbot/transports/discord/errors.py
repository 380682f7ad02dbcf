"""Why the Discord transport cannot start, phrased for the person running the bot.

Kept free of discord.py so ``bot.py`` can catch it without importing the library.
"""

from __future__ import annotations

__all__ = ["DiscordStartupError", "BAD_TOKEN", "MISSING_TOKEN", "INTENT_REFUSED"]

_PORTAL = "https://discord.com/developers/applications"

MISSING_TOKEN = f"DISCORD_TOKEN is empty: copy the bot token from {_PORTAL} > your app > Bot > Reset Token."
BAD_TOKEN = (
    f"Discord rejected DISCORD_TOKEN (401 Unauthorized): use the bot token from {_PORTAL} > your app > Bot "
    "(not the client secret or application id)."
)
INTENT_REFUSED = (
    f"Discord refused the Message Content intent (gateway close 4014): in {_PORTAL} > your app > Bot > "
    "Privileged Gateway Intents, turn on MESSAGE CONTENT INTENT, save, and start the bot again."
)


class DiscordStartupError(RuntimeError):
    """A problem only the operator can fix; ``str()`` is one line saying how. Exit, don't retry."""
