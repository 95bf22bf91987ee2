"""/status: what the archive holds and whether the index is healthy."""

from __future__ import annotations

from collections.abc import Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.status import StatusReport
from bot.core_threads import RunBlocking
from bot.render import status_embed

__all__ = ["StatusCog"]


class StatusCog(commands.Cog):
    def __init__(self, report: Callable[[], StatusReport], run_blocking: RunBlocking) -> None:
        self.report = report
        self.run_blocking = run_blocking

    @app_commands.command(name="status", description="Articles, languages, date range, model and index health.")
    async def status(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        report = await self.run_blocking(self.report)
        await interaction.followup.send(embed=status_embed(report))
