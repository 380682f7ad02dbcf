"""Application command payloads built from the plugins' command declarations.

The core's :class:`~supportbot.plugin.CommandSpec` list becomes the JSON that Discord's bulk
overwrite endpoint takes. Building JSON directly (rather than ``app_commands.CommandTree``) keeps
the core's specs the single source of truth: no callback signatures to synthesise, and the
transport answers interactions itself. Pure data, no discord.py import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ...plugin import CommandSpec, OptionSpec

__all__ = ["command_payloads", "STAFF_PERMISSIONS", "OPTION_TYPES"]

#: Staff-only commands are hidden from members without Manage Messages (server admins can change
#: that per command under Server Settings > Integrations); the core still checks the staff role.
STAFF_PERMISSIONS = 1 << 13

#: Core option type -> Discord application command option type.
OPTION_TYPES: dict[str, int] = {"string": 3, "integer": 4, "boolean": 5, "member": 6, "number": 10}

_NAME = re.compile(r"^[-_\w]{1,32}$")


def command_payloads(specs: Iterable[CommandSpec], *, dm_enabled: bool = False) -> list[dict[str, Any]]:
    """One CHAT_INPUT command per spec, options typed, staff commands permission-gated.

    Raises :class:`ValueError` naming the plugin for a spec Discord would reject.
    """
    return [_command(spec, dm_enabled=dm_enabled) for spec in specs]


def _command(spec: CommandSpec, *, dm_enabled: bool) -> dict[str, Any]:
    _check_name(spec.name, spec)
    # Discord rejects a required option after an optional one; keep declaration order otherwise.
    options = sorted(spec.options, key=lambda o: not o.required)
    # Interaction contexts: 0 guild, 1 bot DM. Staff work happens in the guild only.
    contexts = [0, 1] if dm_enabled and not spec.staff_only else [0]
    return {
        "type": 1,
        "name": spec.name,
        "description": (spec.description or spec.name)[:100],
        "options": [_option(o, spec) for o in options],
        "default_member_permissions": str(STAFF_PERMISSIONS) if spec.staff_only else None,
        "contexts": contexts,
        "integration_types": [0],
        "nsfw": False,
    }


def _option(option: OptionSpec, spec: CommandSpec) -> dict[str, Any]:
    _check_name(option.name, spec)
    payload: dict[str, Any] = {
        "type": OPTION_TYPES[option.type],
        "name": option.name,
        "description": (option.description or option.name)[:100],
        "required": option.required,
    }
    if option.choices:
        if option.autocomplete:
            raise ValueError(f"/{spec.name} ({spec.plugin}): option {option.name!r} has both choices and autocomplete")
        payload["choices"] = [{"name": str(c)[:100], "value": option.convert(c)} for c in option.choices[:25]]
    elif option.autocomplete:
        payload["autocomplete"] = True
    return payload


def _check_name(name: str, spec: CommandSpec) -> None:
    if not _NAME.match(name) or name != name.lower():
        raise ValueError(
            f"/{spec.name} ({spec.plugin}): {name!r} is not a valid Discord command or option name "
            "(1-32 lowercase letters, digits, - or _)"
        )
