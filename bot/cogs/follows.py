"""/follow, /unfollow and /following: topics whose new articles are posted to a channel."""

from __future__ import annotations

from collections.abc import Collection

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.following import FollowMatcher
from bot.core_threads import RunBlocking
from bot.errors import UserFacingError
from bot.follow_store import MAX_FOLLOWS_PER_GUILD, FollowStore
from bot.markdown_escaping import inert
from bot.permissions import require_manager
from index.input.text_cleaning import bounded_label

__all__ = ["FollowsCog"]

TOPIC_MAX_CHARS = 100


def _topic(text: str) -> str:
    """A followed topic cleaned like a file's header line: it is shown in every alert and in /following."""
    topic = bounded_label(text, TOPIC_MAX_CHARS)
    if not topic:
        raise UserFacingError("That topic has no printable words: write what to follow, e.g. Lachin corridor.")
    return topic


class FollowsCog(commands.Cog):
    def __init__(self, follows: FollowStore, matcher: FollowMatcher, run_blocking: RunBlocking,
                 manager_role_ids: Collection[int] = ()) -> None:
        self.follows = follows
        self.matcher = matcher
        self.run_blocking = run_blocking
        self.manager_role_ids = frozenset(manager_role_ids)

    @app_commands.command(name="follow", description="Post new articles about a topic in a channel.")
    @app_commands.describe(topic="What to follow, e.g. Lachin corridor or vredesmacht",
                           channel="Where the alerts go (default: here)")
    @app_commands.guild_only()
    async def follow(self, interaction: discord.Interaction, topic: app_commands.Range[str, 2, 100],
                     channel: discord.TextChannel | None = None) -> None:
        require_manager(interaction, self.manager_role_ids, "follow topics")
        guild_id = interaction.guild_id or 0
        target = channel.id if channel else interaction.channel_id or 0
        topic = _topic(topic)
        await interaction.response.defer(ephemeral=True, thinking=True)
        if await self.run_blocking(self.follows.count, guild_id) >= MAX_FOLLOWS_PER_GUILD:
            raise UserFacingError(f"This server follows {MAX_FOLLOWS_PER_GUILD} topics already; /unfollow one first.")
        vector = await self.run_blocking(self.matcher.topic_vector, topic)
        added = await self.run_blocking(self.follows.add, guild_id, target, topic, interaction.user.id, vector)
        text = (f"Following **{inert(topic)}**: new articles about it will be posted in <#{target}>."
                if added else f"<#{target}> already follows **{inert(topic)}**.")
        await interaction.followup.send(text, ephemeral=True)

    @app_commands.command(name="unfollow", description="Stop posting new articles about a topic.")
    @app_commands.describe(topic="The followed topic", channel="Only in this channel (default: every channel)")
    @app_commands.guild_only()
    async def unfollow(self, interaction: discord.Interaction, topic: app_commands.Range[str, 2, 100],
                       channel: discord.TextChannel | None = None) -> None:
        require_manager(interaction, self.manager_role_ids, "unfollow topics")
        removed = await self.run_blocking(self.follows.remove, interaction.guild_id or 0, _topic(topic),
                                          channel.id if channel else None)
        text = f"Stopped following **{inert(topic)}**." if removed else f"Nothing follows **{inert(topic)}** here."
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="following", description="The topics this server follows, and where.")
    @app_commands.guild_only()
    async def following(self, interaction: discord.Interaction) -> None:
        follows = await self.run_blocking(self.follows.in_guild, interaction.guild_id or 0)
        lines = [f"**{inert(f.topic)}** → <#{f.channel_id}>" for f in follows]
        text = "\n".join(lines)[:1900] if lines else "No topics are followed yet: a manager can add one with /follow."
        await interaction.response.send_message(text, ephemeral=True)
