"""The quoted answer, posted at once, edited into the checked written one when that is ready.

People see an answer within a second; a model that takes its time, fails or
writes nothing that passes the checks leaves that answer as it is. The wait is
bounded here as well as inside the writer (its own deadline), so the message
is never edited past the time limit.
"""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.core.answering import Answer
from bot.core.writing import Writer
from bot.core_threads import RunBlocking
from bot.render import IndexFooter, answer_embed

__all__ = ["edit_into_written", "WRITTEN_NOTE", "GRACE_S"]

log = logging.getLogger(__name__)

GRACE_S = 0.5
"""Beyond the writer's own limit, how long the edit waits for its thread to hand the result over."""
WRITTEN_NOTE = "written answer: every sentence checked against the passages it cites"


async def edit_into_written(message: discord.Message | discord.WebhookMessage, answer: Answer,
                            footer: IndexFooter | None, writer: Writer, run_blocking: RunBlocking) -> bool:
    """Edit `message` (showing `answer`) into the written answer; False when the quoted one stays."""
    if answer.abstained:
        return False
    try:
        written = await asyncio.wait_for(run_blocking(writer.write, answer), writer.timeout_s + GRACE_S)
    except TimeoutError:
        log.warning("writer: no written answer within %.0f s; the quoted answer stands", writer.timeout_s)
        return False
    except Exception:
        log.exception("writer failed; the quoted answer stands")
        return False
    if written is None:
        return False
    try:
        await message.edit(embed=answer_embed(written.answer, footer, note=WRITTEN_NOTE))
    except discord.HTTPException as exc:
        log.warning("could not edit answer %s into the written one: %s", message.id, exc)
        return False
    return True
