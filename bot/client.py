"""The Discord client: intents, mentions policy, the cogs and timed jobs it was given.

It holds no logic of its own and knows no cog: `bot.assembly` builds each cog
with the collaborators it uses and hands them over with `install`; core work
leaves the event loop through the `CoreThreads` the client closes on exit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord import app_commands
from discord.ext import commands

from bot.core_threads import CoreThreads
from bot.errors import report_interaction_error

__all__ = ["NewsBot", "ScheduledJob", "ServerUnreachable"]

log = logging.getLogger(__name__)

ScheduledJob = Callable[[AsyncIOScheduler], None]
"""Adds a job (source polls, the daily digest) to the bot's scheduler."""


class ServerUnreachable(Exception):
    """The configured server refuses the bot's commands: a wrong `NEWSBOT_DISCORD__GUILD_ID`, or a bot that was
    never invited there. `newsbot run` ends with this one line instead of a traceback from inside discord.py."""

    def __init__(self, guild_id: int, reason: str) -> None:
        super().__init__(
            f"Discord refuses the slash commands for server {guild_id} ({reason}): check NEWSBOT_DISCORD__GUILD_ID "
            "(right-click the server icon, Copy Server ID) and that the bot was invited to that server with the "
            "applications.commands scope")
        self.guild_id = guild_id


class _ReportingTree(app_commands.CommandTree["NewsBot"]):
    """Slash-command failures go to the one translator of errors into user messages."""

    async def on_error(self, interaction: discord.Interaction[NewsBot], error: app_commands.AppCommandError) -> None:
        await report_interaction_error(interaction, error)


class NewsBot(commands.Bot):
    def __init__(self, *, threads: CoreThreads, guild_id: int | None = None) -> None:
        super().__init__(
            # Prefix commands are off (on_message below never processes them); slash commands and
            # mentions are the interface. No message-content intent: mentions still carry content.
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=_ReportingTree,
        )
        self.threads = threads
        self.guild_id = guild_id
        self._cogs_to_add: list[commands.Cog] = []
        self._jobs: list[ScheduledJob] = []
        self.scheduler: AsyncIOScheduler | None = None

    def install(self, cogs: Iterable[commands.Cog] = (), jobs: Iterable[ScheduledJob] = ()) -> None:
        """Cogs and timed jobs to start with the bot; `setup_hook` adds them once the event loop runs."""
        self._cogs_to_add.extend(cogs)
        self._jobs.extend(jobs)

    async def setup_hook(self) -> None:
        for cog in self._cogs_to_add:
            await self.add_cog(cog)
        if self._jobs:
            # One scheduler on the bot's own loop for every timed job (source polls, the digest).
            self.scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone="UTC")
            for attach in self._jobs:
                attach(self.scheduler)
            self.scheduler.start()
        if self.guild_id:
            guild = discord.Object(id=self.guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except (discord.Forbidden, discord.NotFound) as exc:
                raise ServerUnreachable(self.guild_id, exc.text or str(exc.status)) from None
            log.info("synced %d commands to guild %s", len(synced), self.guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands (may take up to an hour to appear)", len(synced))

    async def on_ready(self) -> None:
        log.info("logged in as %s (%s) in %d guilds", self.user, getattr(self.user, "id", "?"), len(self.guilds))

    async def on_message(self, message: discord.Message) -> None:
        """Deliberately empty: no prefix commands. Mentions are handled by MentionsCog."""

    async def close(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await super().close()
        self.threads.shutdown()
