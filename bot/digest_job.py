"""Posting the daily digest: the APScheduler job, exactly once per (channel, day), with catch-up.

- The cron trigger fires at `digest.time` in `digest.timezone` (zoneinfo, so
  08:00 stays 08:00 local across daylight-saving changes) and posts the digest
  of the previous local day.
- Exactly once: a post is recorded in SQLite (channel, day) as soon as its
  messages are sent; a restart finds the record and posts nothing. Each
  message carries a nonce derived from the day and its place in the digest
  and is sent with `enforce_nonce`, so a retry after a failed or interrupted
  send cannot duplicate what Discord already accepted.
- APScheduler's default misfire grace (1 s) would silently drop a run the
  loop was too busy to start on time; the grace is the catch-up window, and
  `coalesce` folds piled-up runs into one.
- Catch-up: at start, if the most recent digest time passed less than
  `catchup_hours` ago and its digest was not posted, it is posted once. Only
  that latest one: after days of downtime the channel gets one digest, not a flood.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.core.digest import Digest, build_digest
from bot.core.services import Services
from config.settings import DigestSettings
from index.posts import PostLog

__all__ = ["DigestPoster", "SendParts", "digest_nonce"]

log = logging.getLogger(__name__)

SendParts = Callable[[int, Digest], Awaitable[list[int] | None]]
"""Send a digest to a channel (each message with its `digest_nonce`); the message ids, or None on failure."""
RunBlocking = Callable[..., Awaitable[Any]]


def digest_nonce(day: date, part: int) -> str:
    """Deterministic per (day, part) and within Discord's 25-character nonce limit."""
    return f"digest-{day:%Y%m%d}-{part:03d}"


class DigestPoster:
    def __init__(
        self,
        services: Services,
        settings: DigestSettings,
        send: SendParts,
        run_blocking: RunBlocking,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.services = services
        self.settings = settings
        self.send = send
        self.run_blocking = run_blocking
        self.clock = clock
        self.zone = ZoneInfo(settings.timezone)
        self.post_log = PostLog(services.store)
        # The start-up catch-up and the cron job can fire together: one check-then-send at a time.
        self._lock = asyncio.Lock()

    def trigger(self) -> CronTrigger:
        hour, minute = (int(x) for x in self.settings.time.split(":"))
        return CronTrigger(hour=hour, minute=minute, timezone=self.zone)

    def latest_fire_time(self, now: datetime) -> datetime:
        """The most recent digest time at or before `now` (local wall-clock time, DST-aware)."""
        hour, minute = (int(x) for x in self.settings.time.split(":"))
        local = now.astimezone(self.zone)
        fire = datetime(local.year, local.month, local.day, hour, minute, tzinfo=self.zone)
        if fire > local:
            previous = local.date() - timedelta(days=1)
            fire = datetime(previous.year, previous.month, previous.day, hour, minute, tzinfo=self.zone)
        return fire

    @staticmethod
    def day_for(fire: datetime) -> date:
        """A digest posted on day X covers day X − 1."""
        return fire.date() - timedelta(days=1)

    async def post(self, day: date, channel_id: int) -> bool:
        """Post the digest of `day` unless it was posted already; True if something was sent now."""
        async with self._lock:
            return await self._post(day, channel_id)

    async def _post(self, day: date, channel_id: int) -> bool:
        if await self.run_blocking(self.post_log.posted, channel_id, day):
            log.info("digest of %s already posted to %s", day, channel_id)
            return False
        digest = await self.run_blocking(
            build_digest, self.services.store, self.services.embedder, day, self.settings.timezone,
            topic=self.services.topic, side_of=self.services.side_of,
        )
        if digest.empty and self.settings.skip_empty:
            log.info("no reports on %s: digest skipped", day)
            await self.run_blocking(self.post_log.record, channel_id, day, [])
            return False
        message_ids = await self.send(channel_id, digest)
        if message_ids is None:
            return False
        await self.run_blocking(self.post_log.record, channel_id, day, message_ids)
        log.info("posted the digest of %s to channel %s (%d messages)", day, channel_id, len(message_ids))
        return True

    async def scheduled_run(self) -> None:
        channel_id = self.settings.channel_id
        if channel_id:
            await self.post(self.day_for(self.latest_fire_time(self.clock())), channel_id)

    async def catch_up(self) -> bool:
        """After downtime: post the latest missed digest once, if it is still within the catch-up window."""
        channel_id = self.settings.channel_id
        if not channel_id:
            return False
        now = self.clock()
        fire = self.latest_fire_time(now)
        if now - fire > timedelta(hours=self.settings.catchup_hours):
            return False
        return await self.post(self.day_for(fire), channel_id)

    def attach(self, scheduler: AsyncIOScheduler) -> None:
        scheduler.add_job(
            self.scheduled_run, self.trigger(), id="digest", replace_existing=True, coalesce=True,
            max_instances=1, misfire_grace_time=max(1, int(self.settings.catchup_hours * 3600)),
        )
        scheduler.add_job(self.catch_up, id="digest:catch-up", replace_existing=True, next_run_time=self.clock())
