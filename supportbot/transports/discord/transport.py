"""The Discord transport: discord.py events in, the core's actions out.

``start`` logs in (a bad token fails here, in one line) and syncs the plugins' slash commands;
``run`` holds the gateway connection until ``stop``. Inbound messages and interactions each run
in their own task (discord.py schedules one per event), so a slow model never stalls the gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import io
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from ...actions import CommandResult, Component, EditMessage, Modal, OpenThread, SendMessage
from ..base import TransientSendError, Transport
from . import components, mapping
from .client import ShardedSupportClient, SupportClient, restore_endpoints, use_endpoints
from .commands import command_payloads
from .errors import BAD_TOKEN, INTENT_REFUSED, MISSING_TOKEN, DiscordStartupError
from .settings import DiscordSettings
from .splitting import split_message

if TYPE_CHECKING:
    from ...engine import SupportBot

__all__ = ["DiscordTransport"]

log = logging.getLogger(__name__)

#: Discord drops "typing..." after 10 s; renew a little before.
_TYPING_RENEW_S = 8.0
#: An interaction must be answered within 3 s; defer (shows "thinking...") if the core is slower.
_DEFER_AFTER_S = 2.0
_NONCE_MAX = 25


class DiscordTransport(Transport):
    """Runs a discord.py client for the core. Build it with :func:`create_transport`."""

    name = "discord"

    def __init__(self, settings: DiscordSettings, token: str, **client_options: Any) -> None:
        """``client_options`` go to the discord.py client (tests pass ``guild_ready_timeout``,
        ``heartbeat_timeout`` and ``reidentify_delay``)."""
        super().__init__()
        self.settings = settings
        self._token = token.strip()
        self._client_options = client_options
        self._previous_endpoints: Any = None
        self.client: SupportClient | ShardedSupportClient | None = None
        #: Seconds a command may run before its interaction is deferred ("thinking...").
        self.defer_after = _DEFER_AFTER_S
        #: Per support channel, the last message recorded when the gateway connected: where the
        #: next catch-up reads from (see :meth:`_on_connect`).
        self._catch_up_from: dict[int, str | None] | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self, bot: SupportBot) -> None:
        """Log in and sync slash commands; raises :class:`DiscordStartupError` for a bad token."""
        await super().start(bot)
        if not self._token:
            raise DiscordStartupError(MISSING_TOKEN)
        self._previous_endpoints = use_endpoints(self.settings.api_base, self.settings.gateway_url)
        client_cls = ShardedSupportClient if self.settings.sharded else SupportClient
        self.client = client_cls(
            gateway_url=self.settings.gateway_url,
            hooks={"message": self._on_message, "interaction": self._on_interaction, "ready": self._on_ready,
                   "connect": self._on_connect, "shard_connect": self._on_connect},
            **self._client_options,
        )
        try:
            await self.client.login(self._token)
        except discord.LoginFailure:
            await self.stop()
            raise DiscordStartupError(BAD_TOKEN) from None
        except BaseException:
            await self.stop()
            raise
        await self.sync_commands()

    async def run(self) -> None:
        """Hold the gateway connection (reconnecting and resuming as needed) until :meth:`stop`."""
        client = self._require_client()
        try:
            await client.connect(reconnect=True)
        except discord.PrivilegedIntentsRequired:
            raise DiscordStartupError(INTENT_REFUSED) from None
        except discord.ConnectionClosed as exc:
            if exc.code == 4004:  # authentication failed on the gateway
                raise DiscordStartupError(BAD_TOKEN) from None
            raise

    async def stop(self) -> None:
        if self.client is not None and not self.client.is_closed():
            await self.client.close()
        if self._previous_endpoints is not None:
            restore_endpoints(self._previous_endpoints)
            self._previous_endpoints = None

    async def wait_until_ready(self) -> None:
        """Until the gateway sent READY and the guilds arrived (for tests and scripts)."""
        await self._require_client().wait_until_ready()

    def _require_client(self) -> SupportClient | ShardedSupportClient:
        if self.client is None:
            raise RuntimeError("the Discord transport is not started")
        return self.client

    def _require_bot(self) -> SupportBot:
        if self.bot is None:
            raise RuntimeError("the Discord transport is not started")
        return self.bot

    async def _on_ready(self) -> None:
        client = self._require_client()
        log.info("connected to Discord as %s in %d guild(s)", client.user, len(client.guilds))
        if not self.settings.support_channels and not self.settings.dm_enabled:
            log.warning("discord.support_channels is empty and DMs are off: the bot will answer no one")
        # READY comes at start and after every fresh login (never on a resume, which replays what was
        # missed): what customers wrote meanwhile is only in the channels' history.
        self._require_bot().spawn(self.catch_up(), name="discord catch-up")

    async def _on_connect(self, *_: Any) -> None:
        """Note where each channel's record stood when the gateway connected, before any event of
        the new session: discord.py hands on live messages while it waits for the guilds, before
        READY reaches :meth:`_on_ready`, and a catch-up that read from the newest recorded message
        then skipped everything written while the bot was down (330 of 1,000 in one load run)."""
        if self.bot is not None:
            self._catch_up_from = {channel_id: self.bot.last_recorded_message(mapping.PLATFORM, str(channel_id))
                                   for channel_id in self.settings.support_channels}

    async def catch_up(self) -> int:
        """Hand the core each support channel's messages since the last one it recorded before
        this session, oldest first; returns how many were read. The core ignores those it already
        settled (or is handling: a live delivery of the same message)."""
        bot, client = self._require_bot(), self._require_client()
        marks, self._catch_up_from = self._catch_up_from or {}, None
        read = 0
        for channel_id in self.settings.support_channels:
            after = marks[channel_id] if channel_id in marks else bot.last_recorded_message(mapping.PLATFORM,
                                                                                           str(channel_id))
            if after is None or not self.settings.catch_up_limit:
                continue  # a bot new to this channel does not answer its whole past
            try:
                channel = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
                async for message in channel.history(  # type: ignore[union-attr]
                        limit=self.settings.catch_up_limit, after=discord.Object(int(after)), oldest_first=True):
                    read += 1
                    await self._on_message(message)
            except discord.HTTPException as exc:
                log.warning("could not read channel %s to catch up: %s", channel_id, exc)
        if read:
            log.info("caught up: read %d message(s) written while the bot was away", read)
        return read

    async def find_reply(self, channel_id: str, message_id: str) -> str | None:
        """The id of the bot's reply to ``message_id`` if one is in the channel (a run that posted
        it may have stopped before writing that down)."""
        client = self._require_client()
        try:
            channel = client.get_channel(int(channel_id)) or await client.fetch_channel(int(channel_id))
            async for message in channel.history(limit=50, after=discord.Object(int(message_id)),  # type: ignore[union-attr]
                                                 oldest_first=True):
                reference = message.reference
                if message.author.id == client.user.id and reference and reference.message_id == int(message_id):  # type: ignore[union-attr]
                    return str(message.id)
        except discord.HTTPException as exc:
            log.warning("could not look for an earlier reply to %s: %s", message_id, exc)
        return None

    # -- slash commands -------------------------------------------------------------------------

    async def sync_commands(self) -> None:
        """Register the plugins' commands: in ``command_guild_id`` (instant) or globally."""
        client = self._require_client()
        payload = command_payloads(self._require_bot().command_specs(), dm_enabled=self.settings.dm_enabled)
        app_id = client.application_id
        if app_id is None:  # login() sets it; guard anyway instead of syncing to "None"
            raise RuntimeError("application id unknown after login")
        if self.settings.command_guild_id is not None:
            await client.http.bulk_upsert_guild_commands(app_id, self.settings.command_guild_id, payload)
            where = f"guild {self.settings.command_guild_id}"
        else:
            await client.http.bulk_upsert_global_commands(app_id, payload)
            where = "globally (may take up to an hour to appear)"
        log.info("synced %d slash command(s) %s", len(payload), where)

    async def _on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.application_command:
            await self._run_command(interaction)
        elif interaction.type is discord.InteractionType.autocomplete:
            await self._autocomplete(interaction)
        elif interaction.type in (discord.InteractionType.component, discord.InteractionType.modal_submit):
            await self._use_component(interaction)

    async def _use_component(self, interaction: discord.Interaction) -> None:
        event = components.component_event(interaction, self.settings)
        task = asyncio.ensure_future(self._require_bot().handle_component(event))
        try:
            reply = await asyncio.wait_for(asyncio.shield(task), self.defer_after)
        except TimeoutError:
            # A form must be the first answer, so a slow handler can only answer with text.
            await interaction.response.defer(ephemeral=True, thinking=True)
            reply = await task
        if isinstance(reply, Modal):
            if interaction.response.is_done():
                reply = CommandResult("That took too long to open the form; please click again.")
            else:
                form = components.to_modal(reply)
                await interaction.response.send_modal(form)
                form.stop()  # answered by custom_id in the core, not by discord.py's view store
                return
        await self._answer(interaction, reply)

    async def _run_command(self, interaction: discord.Interaction) -> None:
        event = mapping.command_event(interaction, self.settings)
        task = asyncio.ensure_future(self._require_bot().handle_command(event))
        try:
            result = await asyncio.wait_for(asyncio.shield(task), self.defer_after)
        except TimeoutError:
            # Results are ephemeral unless a command says otherwise; "thinking" must pick now.
            await interaction.response.defer(ephemeral=True, thinking=True)
            result = await task
        await self._answer(interaction, result)

    async def _answer(self, interaction: discord.Interaction, result: CommandResult) -> None:
        if result.direct:
            try:
                await interaction.user.send(content=result.text[:2000] or None, allowed_mentions=mapping.allowed_mentions(),
                                            files=[discord.File(io.BytesIO(data), filename=n) for n, data in result.files])
            except discord.HTTPException:  # DMs closed: the same, visible to the author alone
                result = dataclasses.replace(result, direct=False, ephemeral=True,
                                             text="Your direct messages are closed, so here it is (only you see it).")
            else:
                result = CommandResult("I've sent it to you by direct message.", ephemeral=True)
        embeds = [mapping.to_discord_embed(e) for e in result.embeds[:10]]
        # Discord rejects an empty answer; a command that returned nothing still gets one.
        chunks = split_message(result.text) or ["" if embeds or result.files else "Done."]
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            kwargs: dict[str, Any] = {
                "content": chunk or None,
                "ephemeral": result.ephemeral,
                "allowed_mentions": mapping.allowed_mentions(),
            }
            if last:
                kwargs["embeds"] = embeds
                kwargs["files"] = [discord.File(io.BytesIO(data), filename=name) for name, data in result.files]
                view = components.to_view(result.components)
                if view is not None:
                    kwargs["view"] = view
            if not interaction.response.is_done():
                await interaction.response.send_message(**kwargs)
            else:
                await interaction.followup.send(**kwargs)

    async def _autocomplete(self, interaction: discord.Interaction) -> None:
        focused = mapping.focused_option(interaction)
        if focused is None:
            await interaction.response.autocomplete([])
            return
        option, current = focused
        event = mapping.command_event(interaction, self.settings)
        values = await self._require_bot().autocomplete(event, option, current)
        cast = _choice_type(self._require_bot(), event.command, option)
        choices = []
        for value in values[:25]:
            with contextlib.suppress(ValueError):
                choices.append(discord.app_commands.Choice(name=str(value)[:100], value=cast(value)))
        await interaction.response.autocomplete(choices)

    # -- inbound messages -----------------------------------------------------------------------

    async def _on_message(self, message: discord.Message) -> None:
        # Bots, ours included, never reach the core: no loops with other bots, no self-replies.
        if message.author.bot or message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        if not mapping.listens_to(message, self.settings):
            return
        event = mapping.message_event(message, self.settings)
        if event.author.is_staff:  # staff writing in a handoff thread: no typing, the core relays
            await self._require_bot().handle_message(event)
            return
        async with self.typing(event.channel_id):
            await self._require_bot().handle_message(event)

    @contextlib.asynccontextmanager
    async def typing(self, channel_id: str) -> AsyncIterator[None]:
        """"Bot is typing..." in ``channel_id`` until the block ends; failures never block a reply."""
        if not self.settings.typing_indicator or self.client is None:
            yield
            return
        task = asyncio.ensure_future(self._keep_typing(int(channel_id)))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _keep_typing(self, channel_id: int) -> None:
        http = self._require_client().http
        while True:
            try:
                await http.send_typing(channel_id)
            except discord.HTTPException as exc:
                log.debug("typing indicator in %s failed: %s", channel_id, exc)
            await asyncio.sleep(_TYPING_RENEW_S)

    # -- outbound actions -----------------------------------------------------------------------

    async def send(self, action: SendMessage | OpenThread | EditMessage) -> str | None:
        """Perform ``action``; what Discord refuses for now (429s past discord.py's own five tries,
        a 5xx) is a :class:`TransientSendError`, which the core tries again."""
        try:
            return await super().send(action)
        except discord.HTTPException as exc:
            if exc.status == 429 or exc.status >= 500:
                header = exc.response.headers.get("Retry-After", "") if exc.response is not None else ""
                retry_after = float(header) if header.replace(".", "", 1).isdigit() else 0.0
                raise TransientSendError(f"Discord answered {exc.status}", rate_limited=exc.status == 429,
                                         retry_after=retry_after) from exc
            raise
        except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as exc:
            raise TransientSendError(f"Discord unreachable ({exc!r})") from exc

    async def send_message(self, action: SendMessage) -> str | None:
        """Post ``action`` (split if long); returns the id of the first message."""
        channel = self._require_client().get_partial_messageable(int(action.channel_id))
        reference = None
        if action.reply_to is not None:
            reference = discord.MessageReference(
                message_id=int(action.reply_to), channel_id=int(action.channel_id), fail_if_not_exists=False
            )
        ids = await self._post(channel, action.text, action.embeds, action.nonce, action.mention_staff, reference,
                               action.components, action.files)
        return ids[0] if ids else None

    async def edit_message(self, action: EditMessage) -> str | None:
        """Replace a message the bot posted, components included (a handoff card's owner, say)."""
        channel = self._require_client().get_partial_messageable(int(action.channel_id))
        view = components.to_view(action.components)
        message = await channel.get_partial_message(int(action.message_id)).edit(
            content=action.text[:2000] or None,
            embeds=[mapping.to_discord_embed(e) for e in action.embeds[:10]],
            view=view,
            allowed_mentions=mapping.allowed_mentions(),
        )
        if view is not None:
            view.stop()
        return str(message.id)

    async def open_thread(self, action: OpenThread) -> str | None:
        """A private thread for staff under the staff channel, with the handoff summary in it."""
        parent_id = int(action.channel_id) if action.channel_id is not None else self.settings.staff_channel
        if parent_id is None:
            raise ValueError("discord.staff_channel is not set: cannot open a handoff thread")
        client = self._require_client()
        parent = client.get_channel(parent_id) or await client.fetch_channel(parent_id)
        if not isinstance(parent, discord.TextChannel):
            raise ValueError(f"channel {parent_id} is not a text channel: cannot open a private thread in it")
        thread = await parent.create_thread(
            name=action.name[:100] or "handoff",
            type=discord.ChannelType.private_thread,
            invitable=False,
            auto_archive_duration=10080,
        )
        await self._post(thread, action.text, action.embeds, None, action.mention_staff, None, action.components)
        return str(thread.id)

    async def _post(
        self,
        channel: discord.abc.Messageable,
        text: str,
        embeds: Any,
        nonce: str | None,
        mention_staff: bool,
        reference: discord.MessageReference | None,
        items: tuple[Component, ...] = (),
        files: tuple[tuple[str, bytes], ...] = (),
    ) -> list[str]:
        """Send ``text`` in as many messages as it takes; embeds ride on the last one.

        Only the first message may mention the staff role (and only when asked): every message
        carries ``allowed_mentions`` so text the bot repeats can never ping anyone else.
        Components ride on the last message too.
        """
        role = self.settings.staff_role if mention_staff else None
        if role is not None:
            text = f"{mapping.staff_mention(self.settings)} {text}"
        chunks = split_message(text) or [""]
        discord_embeds = [mapping.to_discord_embed(e) for e in embeds[:10]]
        ids = []
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            if not chunk and not (last and (discord_embeds or files)):
                continue
            kwargs: dict[str, Any] = {}
            if reference is not None and index == 0:
                kwargs["reference"] = reference
            view = components.to_view(items) if last else None
            if view is not None:
                kwargs["view"] = view
            if (chunk_nonce := _chunk_nonce(nonce, index)) is not None:
                kwargs["nonce"] = chunk_nonce
            if last and files:
                kwargs["files"] = [discord.File(io.BytesIO(data), filename=name) for name, data in files]
            message = await channel.send(
                chunk or None,
                embeds=discord_embeds if last else [],
                allowed_mentions=mapping.allowed_mentions(role if index == 0 else None),
                **kwargs,
            )
            if view is not None:
                view.stop()  # clicks are routed by custom_id in the core; keep no view in memory
            ids.append(str(message.id))
        return ids


def _chunk_nonce(nonce: str | None, index: int) -> str | None:
    """The action's nonce for the first message; a derived one per later part (max 25 chars)."""
    if nonce is None:
        return None
    if index == 0 and len(nonce) <= _NONCE_MAX:
        return nonce
    return hashlib.sha256(f"{nonce}:{index}".encode()).hexdigest()[:_NONCE_MAX]


def _choice_type(bot: SupportBot, command: str, option: str) -> Any:
    """Autocomplete choices must have the option's own type (a string for a string option...)."""
    for spec in bot.command_specs():
        if spec.name == command:
            for opt in spec.options:
                if opt.name == option:
                    return opt.convert
    return str
