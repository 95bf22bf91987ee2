"""Source polling inside the bot: one APScheduler interval job per source, alerts for new articles.

Each source gets its own job (with jitter, so sources added together don't
fire together, and `max_instances=1`, so a slow source never overlaps itself
or holds up another). A source in back-off skips its turns until its
`next_poll`. Jobs are re-synced with the sources table after `/sources add`
or `remove` and every few minutes, so sources added from the CLI are picked up too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from discord.ext import commands

from bot.core_threads import RunBlocking
from bot.render import alert_embed
from config.settings import AlertsSettings
from index.models import Passage, StoredArticle
from index.sources.monitor import Monitor, routed
from index.sources.registry import SourceRegistry

__all__ = ["SourcePoller"]

log = logging.getLogger(__name__)

JOB_PREFIX = "poll:"
RESYNC_MINUTES = 5


class SourcePoller:
    def __init__(
        self,
        bot: commands.Bot,
        registry: SourceRegistry,
        monitor: Monitor,
        alerts: AlertsSettings,
        article_passages: Callable[[int], list[Passage]],
        run_blocking: RunBlocking,
    ) -> None:
        """`bot` posts the alerts and hears of changed sources; `monitor` runs its blocking work on the same
        threads as `run_blocking`."""
        self.bot = bot
        self.registry = registry
        self.monitor = monitor
        self.alerts = alerts
        self.article_passages = article_passages
        self.run_blocking = run_blocking
        self.scheduler: AsyncIOScheduler | None = None

    def attach(self, scheduler: AsyncIOScheduler) -> None:
        self.scheduler = scheduler
        self.bot.add_listener(self._on_sources_changed, "on_sources_changed")
        scheduler.add_job(self.sync_jobs, IntervalTrigger(minutes=RESYNC_MINUTES), id="poll:resync",
                          replace_existing=True, coalesce=True, misfire_grace_time=60,
                          next_run_time=datetime.now(UTC))

    async def _on_sources_changed(self) -> None:
        await self.sync_jobs()

    async def sync_jobs(self) -> None:
        """Make the scheduler's poll jobs match the enabled sources in the table."""
        if self.scheduler is None:
            return
        states = await self.run_blocking(self.registry.all)
        wanted = {s.source.name: s.source for s in states if s.source.enabled}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id != "poll:resync" and job.id[len(JOB_PREFIX):] not in wanted:
                job.remove()
        for name, source in wanted.items():
            job_id = JOB_PREFIX + name
            if self.scheduler.get_job(job_id) is None:
                self.scheduler.add_job(
                    self.poll, IntervalTrigger(minutes=source.poll_minutes, jitter=min(60, source.poll_minutes * 6)),
                    id=job_id, args=[name], max_instances=1, coalesce=True,
                    misfire_grace_time=int(source.poll_minutes * 60), next_run_time=datetime.now(UTC),
                )

    async def poll(self, name: str) -> None:
        state = await self.run_blocking(self.registry.get, name)
        if state is None or not state.source.enabled:
            return
        if state.next_poll and state.failures and datetime.fromisoformat(state.next_poll) > datetime.now(UTC):
            return  # backing off after failures
        result = await self.monitor.poll(state)
        log.info("%s", result.line())
        if result.alerts:
            await self.post_alerts(result.alerts, self.alerts.channel_id)
            if state.source.channel_id:
                await self.post_alerts(result.alerts, state.source.channel_id,
                                       lambda text: routed(state.source, text))

    async def post_alerts(self, articles: list[StoredArticle], channel_id: int | None,
                          wanted: Callable[[str], bool] | None = None) -> None:
        """Short posts for new articles in one channel (the general alerts channel, or a source's own)."""
        if not channel_id:
            return
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("alerts channel %s is not a text channel the bot can see", channel_id)
            return
        posted = 0
        for article in articles:
            if posted >= self.alerts.max_per_poll:
                break
            passages = await self.run_blocking(self.article_passages, article.id)
            if wanted is not None and not await self.run_blocking(wanted, " ".join([article.title,
                                                                                       *(p.text for p in passages)])):
                continue  # matching a long article's words is blocking work: off the event loop
            first = passages[0].text if passages else ""
            try:
                await channel.send(embed=alert_embed(article, first))
            except discord.HTTPException as exc:
                log.warning("could not post an alert to channel %s: %s", channel_id, exc)
                return
            posted += 1
