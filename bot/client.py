"""The Discord client: intents, mentions policy, executor for blocking work, cogs.

It holds no logic of its own: cogs translate events into core calls, and
`run_blocking` is the one door through which core work (embedding, FAISS,
SQLite) leaves the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord import app_commands
from discord.ext import commands

from bot.core.services import Services
from bot.errors import report_interaction_error
from bot.render import IndexFooter

__all__ = ["NewsBot"]

log = logging.getLogger(__name__)
T = TypeVar("T")

CORE_WORKERS = 4


class NewsBot(commands.Bot):
    def __init__(
        self,
        services: Services,
        *,
        extra_cogs: list[Callable[[NewsBot], commands.Cog]] | None = None,
        jobs: list[Callable[[NewsBot, AsyncIOScheduler], None]] | None = None,
    ):
        super().__init__(
            # Prefix commands are off (on_message below never processes them); slash commands and
            # mentions are the interface. No message-content intent: mentions still carry content.
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.services = services
        self.settings = services.settings
        self.executor = ThreadPoolExecutor(max_workers=CORE_WORKERS, thread_name_prefix="newsbot-core")
        self._extra_cogs = extra_cogs or []
        self._jobs = jobs or []
        self.scheduler: AsyncIOScheduler | None = None
        self.tree.on_error = self._on_app_command_error

    async def run_blocking(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run core work on the worker threads, never on the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(func, *args, **kwargs))

    async def setup_hook(self) -> None:
        from bot.cogs.ask import AskCog
        from bot.cogs.briefing import BriefingCog
        from bot.cogs.digest import DigestCog
        from bot.cogs.mentions import MentionsCog
        from bot.cogs.status import StatusCog
        from bot.core.perspectives import PerspectiveFinder
        from bot.core.timeline import TimelineBuilder

        await self.add_cog(AskCog(self))
        services = self.services
        await self.add_cog(BriefingCog(
            PerspectiveFinder(services.searcher, services.topic, services.side_of),
            TimelineBuilder(services.searcher, services.store, services.topic),
            self.run_blocking,
        ))
        await self.add_cog(DigestCog(self))
        await self.add_cog(MentionsCog(self))
        await self.add_cog(StatusCog(self))
        for make in self._extra_cogs:
            await self.add_cog(make(self))
        if self._jobs:
            # One scheduler on the bot's own loop for every timed job (source polls, the digest).
            self.scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone="UTC")
            for attach in self._jobs:
                attach(self, self.scheduler)
            self.scheduler.start()
        guild_id = self.settings.discord.guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to guild %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands (may take up to an hour to appear)", len(synced))

    async def on_ready(self) -> None:
        log.info("logged in as %s (%s) in %d guilds", self.user, getattr(self.user, "id", "?"), len(self.guilds))

    async def on_message(self, message: discord.Message) -> None:
        """Deliberately empty: no prefix commands. Mentions are handled by MentionsCog."""

    async def _on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_interaction_error(interaction, error)

    async def index_footer(self) -> IndexFooter:
        stats = await self.run_blocking(self.services.store.stats)
        return IndexFooter(stats.articles, stats.paragraphs, stats.newest_display)

    async def close(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await super().close()
        self.executor.shutdown(wait=False, cancel_futures=True)
