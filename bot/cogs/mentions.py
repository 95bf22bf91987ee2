"""Asking by mention: `@newsbot wat zei Aliyev over de aanval?` gets a cited reply."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection

import discord
from discord.ext import commands

from bot.core.answering import Answerer
from bot.core_threads import RunBlocking
from bot.errors import user_message
from bot.render import IndexFooterSource, answer_embed

__all__ = ["MentionsCog", "strip_mentions"]

log = logging.getLogger(__name__)

USAGE = (
    "Ask me something about the news archive, e.g. `@newsbot what did Aliyev say about Shusha?` "
    "or use `/ask`. Vraag gerust in het Nederlands."
)
_MENTION = re.compile(r"<@!?(\d+)>")


def strip_mentions(content: str, bot_id: int) -> str:
    """The question without the mention(s) of the bot; other mentions are left as they are."""
    return re.sub(rf"<@!?{bot_id}>", " ", content).strip()


class MentionsCog(commands.Cog):
    def __init__(
        self,
        client: discord.Client,
        answerer: Answerer,
        footer: IndexFooterSource,
        run_blocking: RunBlocking,
        *,
        ask_channel_ids: Collection[int] = (),
    ) -> None:
        """`client` tells who the bot is; `ask_channel_ids` limits the channels answered in (empty: all)."""
        self.client = client
        self.answerer = answerer
        self.footer = footer
        self.run_blocking = run_blocking
        self.ask_channel_ids = ask_channel_ids

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.client.user
        if me is None or message.author.bot or me not in message.mentions:
            return
        allowed = self.ask_channel_ids
        if allowed and message.channel.id not in allowed:
            return
        question = strip_mentions(message.content, me.id)
        if not question:
            await message.reply(USAGE, mention_author=False)
            return
        try:
            async with message.channel.typing():
                answer = await self.run_blocking(self.answerer.answer, question)
                footer = await self.footer()
            await message.reply(embed=answer_embed(answer, footer), mention_author=False)
        except Exception as exc:
            log.exception("answering mention %s in channel %s failed", message.id, message.channel.id)
            try:
                await message.reply(user_message(exc), mention_author=False)
            except discord.HTTPException:
                log.warning("could not report the failure to message %s", message.id)
