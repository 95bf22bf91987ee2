"""/perspectives (each side's account of something) and /timeline (dated events about a topic)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.perspectives import PerspectiveFinder
from bot.core.timeline import TimelineBuilder
from bot.core_threads import RunBlocking
from bot.errors import UserFacingError
from bot.paging import EmbedPager
from bot.render import perspectives_embeds, timeline_embeds
from index.input.dates import parse_date

__all__ = ["BriefingCog"]

def _bound(value: str | None, name: str, end: bool) -> Any:
    """A day, or a month (its first or last day): "2022-12" as `since` means 1 December."""
    if not value:
        return None
    try:
        published = parse_date(value.strip())
    except ValueError:
        raise UserFacingError(f"`{name}` must be a day like 2022-12-12 or a month like 2022-12, not {value!r}.") \
            from None
    return published.last_day() if end else published.first_day()


class BriefingCog(commands.Cog):
    def __init__(self, finder: PerspectiveFinder, timelines: TimelineBuilder, run_blocking: RunBlocking) -> None:
        self.finder = finder
        self.timelines = timelines
        self.run_blocking = run_blocking

    @app_commands.command(name="perspectives", description="How each side reports something: passages per side.")
    @app_commands.describe(question="What to compare, in Dutch or English")
    async def perspectives(self, interaction: discord.Interaction,
                           question: app_commands.Range[str, 1, 500]) -> None:
        await interaction.response.defer(thinking=True)
        found = await self.run_blocking(self.finder.find, question)
        embeds = perspectives_embeds(found)
        view = EmbedPager(interaction.user.id, embeds, "perspectives") if len(embeds) > 1 else None
        if view is None:
            await interaction.followup.send(embed=embeds[0])
        else:
            await interaction.followup.send(embed=view.current, view=view)

    @app_commands.command(name="timeline", description="Dated events about a topic, in order, each cited.")
    @app_commands.describe(topic="The topic, e.g. Lachin corridor", since="From this day or month (2022-12)",
                           until="Up to this day or month (2023-09)")
    async def timeline(self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 200],
                       since: str | None = None, until: str | None = None) -> None:
        first, last = _bound(since, "since", end=False), _bound(until, "until", end=True)
        await interaction.response.defer(thinking=True)
        built = await self.run_blocking(self.timelines.build, topic, first, last)
        embeds = timeline_embeds(built)
        if len(embeds) == 1:
            await interaction.followup.send(embed=embeds[0])
        else:
            view = EmbedPager(interaction.user.id, embeds, "timeline")
            await interaction.followup.send(embed=view.current, view=view)
