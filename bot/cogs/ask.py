"""/ask and /search."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.command_options import parse_day
from bot.core.answering import Answerer
from bot.core.conversation import ConversationMemory, Turn
from bot.core.writing import Writer
from bot.core_threads import RunBlocking
from bot.paging import EmbedPager
from bot.render import IndexFooterSource, answer_embed, hits_embed
from bot.written_edit import edit_into_written
from index.search.hybrid import Searcher
from index.storage.records import SearchFilters

__all__ = ["AskCog"]

LANGUAGE_CHOICES = [
    app_commands.Choice(name=name, value=code)
    for name, code in [("Dutch", "nl"), ("English", "en"), ("German", "de"), ("French", "fr"), ("Russian", "ru"),
                       ("Armenian", "hy"), ("Azerbaijani", "az"), ("Turkish", "tr")]
]
PER_PAGE = 3
SEARCH_PAGER_REFUSAL = "Only the person who searched can turn these pages."


class AskCog(commands.Cog):
    def __init__(
        self, answerer: Answerer, searcher: Searcher, footer: IndexFooterSource, run_blocking: RunBlocking,
        memory: ConversationMemory | None = None, writer: Writer | None = None,
    ) -> None:
        """`memory` holds the conversations of threads the bot started: /ask there is a follow-up. With a
        `writer`, the quoted answer is edited into a checked written one when that is ready."""
        self.writer = writer
        self.answerer = answerer
        self.searcher = searcher
        self.footer = footer
        self.run_blocking = run_blocking
        self.memory = memory if memory is not None else ConversationMemory()

    @app_commands.command(name="ask", description="Ask a question; the answer quotes and cites the news archive.")
    @app_commands.describe(
        question="Your question, in Dutch or English",
        since="Only articles published on or after this day (YYYY-MM-DD)",
        until="Only articles published on or before this day (YYYY-MM-DD)",
        language="Only articles in this language",
        written="A short written answer in your language when the server has a model (default); false: quotes only",
    )
    @app_commands.choices(language=LANGUAGE_CHOICES)
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 500],
        since: str | None = None,
        until: str | None = None,
        language: app_commands.Choice[str] | None = None,
        written: bool = True,
    ) -> None:
        filters = SearchFilters(
            since=parse_day(since, "since"),
            until=parse_day(until, "until"),
            language=language.value if language else None,
        )
        await interaction.response.defer(thinking=True)
        channel = interaction.channel
        me = interaction.client.user
        thread = channel.id if isinstance(channel, discord.Thread) and me and channel.owner_id == me.id else None
        now = datetime.now(UTC)
        context = self.memory.context(thread, now) if thread is not None else None
        answer = await self.run_blocking(self.answerer.answer, question, filters, context)
        footer = await self.footer()
        sent = await interaction.followup.send(embed=answer_embed(answer, footer), wait=True)
        if thread is not None:
            self.memory.record(thread, Turn(question, answer, now), sent.id)
        if written and self.writer is not None:
            await edit_into_written(sent, answer, footer, self.writer, self.run_blocking)

    @app_commands.command(name="search", description="Show the ranked passages for a query, with paging.")
    @app_commands.describe(query="What to look for", limit="How many passages (1-30)")
    async def search(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, 300],
        limit: app_commands.Range[int, 1, 30] = 9,
    ) -> None:
        await interaction.response.defer(thinking=True)
        result = await self.run_blocking(self.searcher.search, query, limit=limit)
        footer = await self.footer()
        hits = list(result.hits)
        pages = [hits_embed(query, hits, page, PER_PAGE, footer) for page in range(max(1, -(-len(hits) // PER_PAGE)))]
        view = EmbedPager(interaction.user.id, pages, "search", refusal=SEARCH_PAGER_REFUSAL)
        await interaction.followup.send(embed=view.current, view=view)
