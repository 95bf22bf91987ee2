"""/digest [date]: post a day's digest in this channel."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.command_options import parse_day
from bot.core.digest import BuildDigest, day_before
from bot.core_threads import RunBlocking
from bot.permissions import is_manager
from bot.render import digest_embeds

__all__ = ["DigestCog"]


class DigestCog(commands.Cog):
    def __init__(self, build: BuildDigest, zone: ZoneInfo, run_blocking: RunBlocking,
                 manager_role_ids: Collection[int] = ()) -> None:
        self.build = build
        self.zone = zone
        self.run_blocking = run_blocking
        self.manager_role_ids = frozenset(manager_role_ids)

    @app_commands.command(name="digest", description="The digest of a day (default: yesterday).")
    @app_commands.describe(date="The day, as YYYY-MM-DD")
    async def digest(self, interaction: discord.Interaction, date: str | None = None) -> None:
        """Posted in the channel for managers (Manage Server or a manager role); shown only to the asker otherwise,
        so anyone can read a past digest without filling the channel."""
        day = parse_day(date, "date") or day_before(datetime.now(UTC), self.zone)
        private = not is_manager(interaction, self.manager_role_ids)
        await interaction.response.defer(thinking=True, ephemeral=private)
        digest = await self.run_blocking(self.build, day, self.zone)
        for embed in digest_embeds(digest):
            await interaction.followup.send(embed=embed, ephemeral=private)
