"""Base class for every settings model.

Each module declares its own settings next to the code that uses them (opsdroid's per-module
schema, Red's registered defaults); ``supportbot.config`` composes them into one file and turns
validation errors into messages that name the key and its line in ``config.yaml``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    """A settings block: unknown keys are errors, values are validated on assignment too."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)
