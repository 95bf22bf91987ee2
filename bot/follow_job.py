"""Followed-topic alerts inside the bot: a timed job matches newly stored articles and posts the alerts.

Every `follow_check_seconds` the job takes the articles stored since its last
check (from any source: a poll, `newsbot ingest` while the bot runs), matches
them against every followed topic off the event loop (`bot.core.following`),
posts each alert in its follow's channel and records it, then moves its mark
past those articles. A restart resumes from the mark: nothing is alerted twice
and nothing stored while the bot was down is skipped.

An article is decided only once the bot can search it: another process may
have stored it a moment ago, before this process's vectors caught up
(`index.search.vector_refresh`). The job brings them up to date first, and
stops its mark before the first article still missing from them, so that
article is matched on a later check instead of being passed over unmatched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import discord
import numpy as np
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from discord.ext import commands

from bot.core.following import FollowAlert, FollowMatcher
from bot.core_threads import RunBlocking
from bot.follow_store import FollowStore
from bot.render import follow_alert_embed
from index.models import StoredArticle
from index.storage.sqlite.article_store import ArticleStore

__all__ = ["FollowAlerter"]

log = logging.getLogger(__name__)


class FollowAlerter:
    def __init__(self, bot: commands.Bot, follows: FollowStore, matcher: FollowMatcher, articles: ArticleStore,
                 run_blocking: RunBlocking, every_seconds: float = 60.0, *,
                 searchable: Callable[[Sequence[int]], np.ndarray] | None = None,
                 refresh: Callable[[], object] = lambda: None) -> None:
        """`searchable` says which paragraph ids searches can find now (`VectorIndex.holds`); `refresh` brings
        the vectors up to date with other processes first."""
        self.searchable = searchable
        self.refresh = refresh
        self.bot = bot
        self.follows = follows
        self.matcher = matcher
        self.articles = articles
        self.run_blocking = run_blocking
        self.every_seconds = every_seconds

    def attach(self, scheduler: AsyncIOScheduler) -> None:
        scheduler.add_job(self.check, IntervalTrigger(seconds=self.every_seconds), id="follows", max_instances=1,
                          coalesce=True, misfire_grace_time=int(self.every_seconds), next_run_time=datetime.now(UTC))

    def _due(self) -> tuple[list[FollowAlert], int | None]:
        """Alerts for the articles stored since the last check that searches can find, and the newest article
        id decided (None: nothing to move the mark past)."""
        self.refresh()
        ids = self.follows.unchecked_article_ids()
        batch: list[tuple[StoredArticle, list[int]]] = []
        newest = None
        for article_id in ids:
            try:
                article = self.articles.article(article_id)
            except KeyError:
                newest = article_id  # removed since it was stored
                continue
            paragraph_ids = [p.id for p in self.articles.article_passages(article_id)]
            if paragraph_ids and self.searchable is not None and not self.searchable(paragraph_ids).all():
                log.debug("article %d is not searchable here yet: matched on a later check", article_id)
                break
            batch.append((article, paragraph_ids))
            newest = article_id
        follows = self.follows.all() if batch else []
        if not follows:
            return [], newest
        return self.matcher.alerts(follows, batch, self.follows, datetime.now(UTC)), newest

    async def check(self) -> int:
        """Match and post what is due; returns how many alerts were posted."""
        alerts, newest = await self.run_blocking(self._due)
        posted = 0
        for alert in alerts:
            if await self._post(alert):
                posted += 1
                story = alert.article.duplicate_of or alert.article.id
                await self.run_blocking(self.follows.record_alert, alert.follow.id, story, alert.article.id,
                                        datetime.now(UTC))
        if newest is not None:
            await self.run_blocking(self.follows.mark_checked, newest)
        return posted

    async def _post(self, alert: FollowAlert) -> bool:
        channel = self.bot.get_channel(alert.follow.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("followed topic %r: channel %s is gone or not a text channel", alert.follow.topic,
                        alert.follow.channel_id)
            return False
        try:
            await channel.send(embed=follow_alert_embed(alert))
        except discord.HTTPException as exc:
            log.warning("followed topic %r: could not post in channel %s (%s)", alert.follow.topic,
                        alert.follow.channel_id, exc)
            return False
        return True
