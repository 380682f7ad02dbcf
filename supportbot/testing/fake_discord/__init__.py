"""A loopback fake Discord (REST + gateway on 127.0.0.1) that the real discord.py runs against.

Plugin authors use it through the ``fake_discord`` fixture in
:mod:`supportbot.testing.fake_discord.fixtures`. It does not import discord.py.
"""

from .faults import RestFaults
from .models import Posted, effective_mentions
from .rest import InteractionReply
from .server import FakeDiscord

__all__ = ["FakeDiscord", "Posted", "InteractionReply", "RestFaults", "effective_mentions"]
