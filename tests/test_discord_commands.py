"""Slash command payloads built from the core's command declarations (no Discord needed)."""

from __future__ import annotations

import pytest

from supportbot.plugin import CommandSpec, OptionSpec
from supportbot.transports.discord.commands import STAFF_PERMISSIONS, command_payloads


async def _noop(*args: object) -> None: ...


def _spec(name: str = "product", *options: OptionSpec, staff_only: bool = False) -> CommandSpec:
    return CommandSpec(name, "Search the catalog", tuple(options), staff_only, "test_plugin", _noop)


def test_options_are_typed_and_required_ones_come_first() -> None:
    [payload] = command_payloads([
        _spec(
            "product",
            OptionSpec("limit", "integer", "How many", required=False),
            OptionSpec("query", "string", "Search", required=True, autocomplete=True),
            OptionSpec("size", "string", "Size", required=False, choices=("S", "M")),
            OptionSpec("who", "member", "Customer", required=False),
            OptionSpec("price", "number", "Max price", required=False),
            OptionSpec("stock", "boolean", "In stock only", required=False),
        )
    ])
    assert payload["type"] == 1 and payload["default_member_permissions"] is None
    options = payload["options"]
    assert [o["name"] for o in options] == ["query", "limit", "size", "who", "price", "stock"]
    assert [o["type"] for o in options] == [3, 4, 3, 6, 10, 5]
    assert options[0]["autocomplete"] is True and options[0]["required"] is True
    assert options[2]["choices"] == [{"name": "S", "value": "S"}, {"name": "M", "value": "M"}]


def test_staff_commands_are_hidden_behind_manage_messages_and_guild_only() -> None:
    [payload] = command_payloads([_spec("resolve", staff_only=True)], dm_enabled=True)
    assert payload["default_member_permissions"] == str(STAFF_PERMISSIONS)
    assert payload["contexts"] == [0]
    [public] = command_payloads([_spec("help")], dm_enabled=True)
    assert public["contexts"] == [0, 1]


def test_names_discord_would_reject_name_the_plugin() -> None:
    with pytest.raises(ValueError, match=r"/Product \(test_plugin\)"):
        command_payloads([_spec("Product")])
    with pytest.raises(ValueError, match="both choices and autocomplete"):
        command_payloads([_spec("p", OptionSpec("q", "string", "", True, choices=("a",), autocomplete=True))])
