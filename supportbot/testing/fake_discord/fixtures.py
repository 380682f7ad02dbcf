"""Pytest fixture for the fake Discord: ``pytest_plugins = ["supportbot.testing.fake_discord.fixtures"]``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .server import FakeDiscord

__all__ = ["fake_discord"]


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started :class:`FakeDiscord` on an ephemeral port, stopped after the test."""
    async with FakeDiscord() as fake:
        yield fake
