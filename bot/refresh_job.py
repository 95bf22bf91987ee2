"""The timed job that keeps the bot's vectors in step with what other processes store.

Searches refresh first themselves (`index.search.vector_refresh`); this job
covers the quiet hours, so `/status`, the health check and the followed-topic
alerts see an article ingested from the command line within
`REFRESH_SECONDS` even when nobody asks anything. The work runs on the core
threads, never on the event loop.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.core_threads import RunBlocking
from index.search.vector_refresh import VectorRefresh, VectorRefresher

__all__ = ["RefreshJob", "REFRESH_SECONDS"]

log = logging.getLogger(__name__)

REFRESH_SECONDS = 10.0


class RefreshJob:
    def __init__(self, refresher: VectorRefresher, run_blocking: RunBlocking,
                 every_seconds: float = REFRESH_SECONDS) -> None:
        self.refresher = refresher
        self.run_blocking = run_blocking
        self.every_seconds = every_seconds

    def attach(self, scheduler: AsyncIOScheduler) -> None:
        scheduler.add_job(self.run, IntervalTrigger(seconds=self.every_seconds), id="vectors:refresh",
                          max_instances=1, coalesce=True, misfire_grace_time=int(self.every_seconds) + 1,
                          next_run_time=datetime.now(UTC))

    async def run(self) -> VectorRefresh:
        return await self.run_blocking(self.refresher.refresh)
