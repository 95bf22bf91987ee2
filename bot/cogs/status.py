"""/status: what the archive holds and whether the index is healthy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.status import StatusReport
from bot.core_threads import RunBlocking
from bot.render import status_embed

__all__ = ["StatusCog"]


class StatusCog(commands.Cog):
    def __init__(self, report: Callable[[], StatusReport], run_blocking: RunBlocking,
                 unseen: Callable[[], Awaitable[list[str]]] | None = None) -> None:
        """`report` reads the archive (blocking); `unseen` lists the configured channels and roles the bot cannot
        see, from its own cache on the event loop."""
        self.report = report
        self.run_blocking = run_blocking
        self.unseen = unseen

    @app_commands.command(name="status", description="Articles, languages, date range, model and index health.")
    async def status(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        report = await self.run_blocking(self.report)
        if self.unseen is not None:
            report = replace(report, unseen=tuple(await self.unseen()))
        await interaction.followup.send(embed=status_embed(report))
