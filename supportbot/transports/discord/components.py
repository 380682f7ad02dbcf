"""The core's buttons, selects and forms as Discord components, and clicks back as core events.

Views are built with ``timeout=None`` and a stable ``custom_id`` on every item, and the transport
answers component and modal interactions itself (routed by ``custom_id`` in the core), so a
button posted before a restart works after it without any view being registered again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import discord

from ...actions import Button, Component, Modal, Select
from ...events import ComponentUsed
from .mapping import PLATFORM, author_of
from .settings import DiscordSettings

__all__ = ["to_view", "to_modal", "component_event"]

_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}
_BUTTONS_PER_ROW = 5
_ROWS = 5


def to_view(components: tuple[Component, ...]) -> discord.ui.View | None:
    """A persistent view: buttons fill rows of five, each select takes a row of its own."""
    if not components:
        return None
    view = discord.ui.View(timeout=None)
    row, in_row = 0, 0
    for item in components:
        if isinstance(item, Select):
            if in_row:
                row, in_row = row + 1, 0
            view.add_item(discord.ui.Select(
                custom_id=item.custom_id[:100], placeholder=item.placeholder[:150] or None,
                min_values=item.min_values, max_values=item.max_values, row=row,
                options=[discord.SelectOption(label=o.label[:100], value=o.value[:100],
                                              description=(o.description or "")[:100] or None)
                         for o in item.options[:25]],
            ))
            row += 1
        else:
            if in_row == _BUTTONS_PER_ROW:
                row, in_row = row + 1, 0
            view.add_item(_button(item, row))
            in_row += 1
        if row >= _ROWS:
            raise ValueError(f"too many components for one message ({len(components)})")
    return view


def _button(item: Button, row: int) -> discord.ui.Button[discord.ui.View]:
    return discord.ui.Button(custom_id=item.custom_id[:100], label=item.label[:80],
                             style=_STYLES[item.style], disabled=item.disabled, row=row)


def to_modal(modal: Modal) -> discord.ui.Modal:
    form = discord.ui.Modal(title=modal.title[:45], custom_id=modal.custom_id[:100], timeout=None)
    for field in modal.fields[:5]:
        form.add_item(discord.ui.TextInput(
            label=field.label[:45], custom_id=field.custom_id[:100], default=field.value[:4000] or None,
            style=discord.TextStyle.paragraph if field.long else discord.TextStyle.short,
            required=field.required, max_length=min(field.max_length, 4000),
        ))
    return form


def component_event(interaction: discord.Interaction, settings: DiscordSettings) -> ComponentUsed:
    """A button click, a select choice or a modal submit as one core event."""
    data: dict[str, Any] = dict(interaction.data or {})
    message = interaction.message
    return ComponentUsed(
        platform=PLATFORM,
        interaction_id=str(interaction.id),
        channel_id=str(interaction.channel_id),
        author=author_of(interaction.user, settings),
        custom_id=str(data.get("custom_id", "")),
        message_id=str(message.id) if message is not None else None,
        values=tuple(str(v) for v in data.get("values", ())),
        fields=dict(_submitted_fields(data.get("components", []))),
    )


def _submitted_fields(components: Any) -> Iterator[tuple[str, str]]:
    """Text inputs of a modal submit, inside action rows (type 1) or labels (type 18) alike."""
    for item in components or ():
        if not isinstance(item, dict):
            continue
        if "custom_id" in item and "value" in item:
            yield str(item["custom_id"]), str(item["value"])
        yield from _submitted_fields(item.get("components"))
        if isinstance(item.get("component"), dict):
            yield from _submitted_fields([item["component"]])
