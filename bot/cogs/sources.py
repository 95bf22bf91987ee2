"""/sources list | add | remove: manage monitored sources from Discord.

Changing sources needs Manage Server. Discord can only attach default
permissions to a top-level command, and `/sources list` is for everyone, so
the check lives in the handlers; it would have to be there anyway, because
server admins can override registered command permissions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.monitoring import check_source
from bot.core_threads import RunBlocking
from bot.errors import UserFacingError
from bot.markdown_escaping import cut_escaped, inert
from bot.permissions import require_manager
from bot.render import channel_mention, fit_text
from index.input.text_cleaning import bounded_label
from index.sides import Side
from index.sources.fetch import FetchPolicy
from index.sources.registry import NAME_MAX_CHARS, Source, SourceRegistry, checked_source

__all__ = ["SourcesCog"]

SIDES = [app_commands.Choice(name=side.value, value=side.value) for side in Side]


def _words(value: str | None) -> tuple[str, ...]:
    return tuple(w.strip() for w in (value or "").split(",") if w.strip())


class SourcesCog(commands.GroupCog, group_name="sources", group_description="Monitored news sources"):
    def __init__(
        self,
        registry: SourceRegistry,
        policy: FetchPolicy,
        run_blocking: RunBlocking,
        *,
        poll_minutes: float,
        changed: Callable[[], None],
        manager_role_ids: Collection[int] = (),
    ) -> None:
        """`policy` fetches a candidate once; `poll_minutes` is a new source's interval; `changed` tells the
        poller that the sources table changed."""
        self.registry = registry
        self.policy = policy
        self.run_blocking = run_blocking
        self.poll_minutes = poll_minutes
        self.changed = changed
        self.manager_role_ids = frozenset(manager_role_ids)
        super().__init__()

    @app_commands.command(name="list", description="Every monitored source with its last success and errors.")
    async def list_sources(self, interaction: discord.Interaction) -> None:
        states = await self.run_blocking(self.registry.all)
        lines = "\n".join(state.describe(channel_mention, inert) for state in states)
        description = cut_escaped(fit_text(lines, 4000), 4000) if lines else "No sources are monitored yet."
        embed = discord.Embed(title="Monitored sources", description=description,
                              colour=discord.Colour.dark_teal())
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="add", description="Add a feed or page to monitor (fetched once to check it).")
    @app_commands.describe(url="RSS/Atom feed or article page (http/https)", name="Short unique name",
                           outlet="The outlet shown in citations (default: the name)",
                           language="ISO code such as nl or en", side="Whose account its articles carry",
                           channel="Post this source's new articles here too",
                           include="Only articles naming one of these words go there (comma-separated)",
                           exclude="Articles naming one of these words never go there (comma-separated)",
                           replace="Replace the source of this name if there is one")
    @app_commands.choices(side=SIDES)
    async def add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 8, 500],
        name: app_commands.Range[str, 1, 60],
        outlet: app_commands.Range[str, 1, 100] | None = None,
        language: app_commands.Range[str, 2, 5] | None = None,
        side: app_commands.Choice[str] | None = None,
        channel: discord.TextChannel | None = None,
        include: app_commands.Range[str, 1, 300] | None = None,
        exclude: app_commands.Range[str, 1, 300] | None = None,
        replace: bool = False,
    ) -> None:
        require_manager(interaction, self.manager_role_ids, "change sources")
        source = checked_source(Source(
            name=name, url=url.strip(), outlet=outlet or name, language=language,
            side=Side(side.value) if side else Side.UNKNOWN, poll_minutes=self.poll_minutes,
            channel_id=channel.id if channel else None, include=_words(include), exclude=_words(exclude),
        ), "/sources add")
        await interaction.response.defer(ephemeral=True, thinking=True)
        existing = await self.run_blocking(self.registry.get, source.name)
        if existing is not None and not replace:
            raise UserFacingError(f"A source named {inert(source.name)} exists already: add `replace: True` to "
                                  "replace it.")
        source, found = await check_source(source, self.policy)
        await self.run_blocking(self.registry.upsert, source)
        self.changed()
        done = "Replaced" if existing is not None else "Added"
        await interaction.followup.send(f"{done} **{inert(source.name)}**: {inert(found)}.", ephemeral=True)

    @app_commands.command(name="remove", description="Stop monitoring a source.")
    async def remove(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 60]) -> None:
        require_manager(interaction, self.manager_role_ids, "change sources")
        removed = await self.run_blocking(self.registry.remove, bounded_label(name, NAME_MAX_CHARS))
        self.changed()
        text = f"Removed **{inert(name)}**." if removed else f"No source named {inert(name)}."
        await interaction.response.send_message(text, ephemeral=True)
