"""/digest [date]: post a day's digest in this channel, once per channel and day.

A manager's /digest is posted for everyone and recorded like the scheduled one
(`bot.digest_posts`), so neither that day's scheduled post nor a second
/digest repeats it in the channel: the asker is told, and shown it alone.
"""

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
from bot.digest_posts import PostLog
from bot.permissions import is_manager
from bot.render import digest_embeds

__all__ = ["DigestCog"]


class DigestCog(commands.Cog):
    def __init__(self, build: BuildDigest, zone: ZoneInfo, run_blocking: RunBlocking,
                 manager_role_ids: Collection[int] = (), posts: PostLog | None = None) -> None:
        """`posts` records which (channel, day) digests were posted publicly."""
        self.build = build
        self.zone = zone
        self.run_blocking = run_blocking
        self.manager_role_ids = frozenset(manager_role_ids)
        self.posts = posts

    @app_commands.command(name="digest", description="The digest of a day (default: yesterday).")
    @app_commands.describe(date="The day, as YYYY-MM-DD")
    async def digest(self, interaction: discord.Interaction, date: str | None = None) -> None:
        """Posted in the channel for managers (Manage Server or a manager role); shown only to the asker otherwise,
        so anyone can read a past digest without filling the channel."""
        day = parse_day(date, "date") or day_before(datetime.now(UTC), self.zone)
        private = not is_manager(interaction, self.manager_role_ids)
        channel_id = interaction.channel_id or 0
        posted = (not private and self.posts is not None
                  and await self.run_blocking(self.posts.posted, channel_id, day))
        await interaction.response.defer(thinking=True, ephemeral=private or posted)
        digest = await self.run_blocking(self.build, day, self.zone)
        if posted:
            await interaction.followup.send(
                f"The digest of {day.strftime('%A')} {day.day} {day.strftime('%B %Y')} was posted in this channel "
                "already, so it is shown only to you here.", ephemeral=True)
        ids = []
        for embed in digest_embeds(digest):
            message = await interaction.followup.send(embed=embed, ephemeral=private or posted, wait=True)
            ids.append(message.id)
        if not private and not posted and self.posts is not None:
            await self.run_blocking(self.posts.record, channel_id, day, ids)
