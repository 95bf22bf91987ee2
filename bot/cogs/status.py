"""/status: what the archive holds and whether the index is healthy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.status import status_report
from bot.render import status_embed

if TYPE_CHECKING:
    from bot.client import NewsBot

__all__ = ["StatusCog"]


class StatusCog(commands.Cog):
    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(name="status", description="Articles, languages, date range, model and index health.")
    async def status(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        report = await self.bot.run_blocking(status_report, self.bot.services)
        await interaction.followup.send(embed=status_embed(report))
