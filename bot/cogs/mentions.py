"""Asking by mention: `@newsbot wat zei Aliyev over de aanval?` gets a cited reply."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from datetime import UTC, datetime

import discord
from discord.ext import commands

from bot.core.answering import Answerer
from bot.core.conversation import ConversationMemory, Turn
from bot.core.writing import Writer
from bot.core_threads import RunBlocking
from bot.errors import user_message
from bot.render import IndexFooterSource, answer_embed
from bot.written_edit import edit_into_written

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
    """Mentions, replies to the bot's answers and messages in threads it started (see README, "Follow-ups").

    Without the message-content intent Discord delivers the text of a message
    only when it mentions the bot. A reply to one of the bot's answers mentions
    it by default (the reply ping), so replies work; a reply with the ping
    switched off, or a message in a thread that does not mention the bot,
    arrives without text and is left alone: mention the bot, or use `/ask`
    in the thread, which reads the thread's conversation the same way.
    """

    def __init__(
        self,
        client: discord.Client,
        answerer: Answerer,
        footer: IndexFooterSource,
        run_blocking: RunBlocking,
        *,
        ask_channel_ids: Collection[int] = (),
        thread_channel_ids: Collection[int] = (),
        memory: ConversationMemory | None = None,
        writer: Writer | None = None,
    ) -> None:
        """`client` tells who the bot is; `ask_channel_ids` limits the channels answered in (empty: all);
        in `thread_channel_ids` every answer opens a thread on the question; with a `writer` the quoted
        answer is edited into a checked written one when that is ready."""
        self.writer = writer
        self.client = client
        self.answerer = answerer
        self.footer = footer
        self.run_blocking = run_blocking
        self.ask_channel_ids = ask_channel_ids
        self.thread_channel_ids = thread_channel_ids
        self.memory = memory if memory is not None else ConversationMemory()

    def conversation_key(self, message: discord.Message) -> int | None:
        """Where a follow-up continues: the bot's answer it replies to, or the bot's thread it is written in."""
        me = self.client.user
        reference = message.reference
        if reference is not None and reference.message_id is not None:
            replied = reference.resolved
            if not isinstance(replied, discord.Message) or (me is not None and replied.author.id == me.id):
                return reference.message_id
        channel = message.channel
        if isinstance(channel, discord.Thread) and me is not None and channel.owner_id == me.id:
            return channel.id
        return None

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.client.user
        if me is None or message.author.bot or me not in message.mentions:
            return
        channel = message.channel
        home = channel.parent_id if isinstance(channel, discord.Thread) else channel.id
        allowed = self.ask_channel_ids
        if allowed and home not in allowed:
            return
        question = strip_mentions(message.content, me.id)
        if not question:
            await message.reply(USAGE, mention_author=False)
            return
        key = self.conversation_key(message)
        now = datetime.now(UTC)
        context = self.memory.context(key, now) if key is not None else None
        try:
            async with channel.typing():
                answer = await self.run_blocking(self.answerer.answer, question, None, context)
                footer = await self.footer()
            embed = answer_embed(answer, footer)
            aliases: list[int] = []
            if not isinstance(channel, discord.Thread) and home in self.thread_channel_ids:
                thread = await message.create_thread(name=_thread_name(question), auto_archive_duration=1440)
                sent = await thread.send(embed=embed)
                aliases.append(thread.id)
            else:
                sent = await message.reply(embed=embed, mention_author=False)
                if isinstance(channel, discord.Thread):
                    aliases.append(channel.id)
            self.memory.record(key if key is not None else sent.id, Turn(question, answer, now), sent.id, *aliases)
            if self.writer is not None:
                await edit_into_written(sent, answer, footer, self.writer, self.run_blocking)
        except Exception as exc:
            log.exception("answering mention %s in channel %s failed", message.id, channel.id)
            try:
                await message.reply(user_message(exc), mention_author=False)
            except discord.HTTPException:
                log.warning("could not report the failure to message %s", message.id)


def _thread_name(question: str) -> str:
    """A thread title from the question: one line, at most 90 characters (Discord allows 100)."""
    line = " ".join(question.split()) or "Question"
    return line if len(line) <= 90 else line[:89].rsplit(" ", 1)[0] + "…"
