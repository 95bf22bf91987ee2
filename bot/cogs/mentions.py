"""Asking by mention: `@newsbot wat zei Aliyev over de aanval?` gets a cited reply."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.errors import user_message
from bot.render import answer_embed

if TYPE_CHECKING:
    from bot.client import NewsBot

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
    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or me not in message.mentions:
            return
        allowed = self.bot.settings.discord.ask_channel_ids
        if allowed and message.channel.id not in allowed:
            return
        question = strip_mentions(message.content, me.id)
        if not question:
            await message.reply(USAGE, mention_author=False)
            return
        try:
            async with message.channel.typing():
                answer = await self.bot.run_blocking(self.bot.services.answerer.answer, question)
                footer = await self.bot.index_footer()
            await message.reply(embed=answer_embed(answer, footer), mention_author=False)
        except Exception as exc:
            log.exception("answering mention %s in channel %s failed", message.id, message.channel.id)
            try:
                await message.reply(user_message(exc), mention_author=False)
            except discord.HTTPException:
                log.warning("could not report the failure to message %s", message.id)
