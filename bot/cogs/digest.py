"""/digest [date]: post a day's digest here; and the sender the scheduled digest uses."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.ask import parse_day
from bot.core.digest import Digest, build_digest
from bot.digest_job import digest_nonce
from bot.render import digest_embeds

if TYPE_CHECKING:
    from bot.client import NewsBot

__all__ = ["DigestCog", "send_digest"]

log = logging.getLogger(__name__)


async def send_digest(bot: NewsBot, channel_id: int, digest: Digest) -> list[int] | None:
    """Send the digest's messages in order, each with its nonce; a missing channel or permission is logged."""
    try:
        channel = bot.get_channel(channel_id) or await bot.fetch_channel(channel_id)
    except (discord.NotFound, discord.Forbidden) as exc:
        log.error("digest channel %s cannot be reached (%s): check NEWSBOT_DIGEST__CHANNEL_ID and permissions",
                  channel_id, exc)
        return None
    if not isinstance(channel, discord.abc.Messageable):
        log.error("digest channel %s is not a text channel", channel_id)
        return None
    ids = []
    try:
        for part, embed in enumerate(digest_embeds(digest)):
            message = await channel.send(embed=embed, nonce=digest_nonce(digest.day, part))
            ids.append(message.id)
    except discord.Forbidden as exc:
        log.error("no permission to post the digest in channel %s (%s)", channel_id, exc)
        return None
    except discord.HTTPException as exc:
        # Parts already sent carry nonces, so the next attempt cannot duplicate them.
        log.error("posting the digest to channel %s failed after %d messages (%s)", channel_id, len(ids), exc)
        return None
    return ids


class DigestCog(commands.Cog):
    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(name="digest", description="Post the digest of a day here (default: yesterday).")
    @app_commands.describe(date="The day, as YYYY-MM-DD")
    async def digest(self, interaction: discord.Interaction, date: str | None = None) -> None:
        settings = self.bot.settings.digest
        day = parse_day(date, "date") or (datetime.now(ZoneInfo(settings.timezone)).date() - timedelta(days=1))
        await interaction.response.defer(thinking=True)
        services = self.bot.services
        digest = await self.bot.run_blocking(build_digest, services.store, services.embedder, day, settings.timezone,
                                             topic=services.topic, side_of=services.side_of)
        for embed in digest_embeds(digest):
            await interaction.followup.send(embed=embed)
