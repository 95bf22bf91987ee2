"""Posting the daily digest: the APScheduler job, exactly once per (channel, day), with catch-up, and its sender.

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
  Never on the very first start: a digest whose time came before the bot ever
  ran for the channel is not owed (a new bot's first post was "No new reports"
  for the day before it was installed).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.core.digest import BuildDigest, Digest, day_before
from bot.core_threads import RunBlocking
from bot.digest_posts import PostLog
from bot.render import digest_embeds
from config.settings import DigestSettings

__all__ = ["DigestPoster", "SendParts", "digest_nonce", "send_digest"]

log = logging.getLogger(__name__)

SendParts = Callable[[int, Digest], Awaitable[list[int] | None]]
"""Send a digest to a channel (each message with its `digest_nonce`); the message ids, or None on failure."""


def digest_nonce(day: date, part: int) -> str:
    """Deterministic per (day, part) and within Discord's 25-character nonce limit."""
    return f"digest-{day:%Y%m%d}-{part:03d}"


async def send_digest(client: discord.Client, channel_id: int, digest: Digest) -> list[int] | None:
    """Send the digest's messages in order, each with its nonce; a missing channel or permission is logged."""
    try:
        channel = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
    except (discord.NotFound, discord.Forbidden) as exc:
        log.error("digest channel %s cannot be reached (%s): check NEWSBOT_DIGEST__CHANNEL_ID and permissions",
                  channel_id, exc)
        return None
    if not isinstance(channel, discord.abc.Messageable):
        log.error("digest channel %s is not a text channel", channel_id)
        return None
    ids = []
    try:
        for part, embed in enumerate(digest_embeds(digest)):
            message = await channel.send(embed=embed, nonce=digest_nonce(digest.day, part))
            ids.append(message.id)
    except discord.Forbidden as exc:
        log.error("no permission to post the digest in channel %s (%s)", channel_id, exc)
        return None
    except discord.HTTPException as exc:
        # Parts already sent carry nonces, so the next attempt cannot duplicate them.
        log.error("posting the digest to channel %s failed after %d messages (%s)", channel_id, len(ids), exc)
        return None
    return ids


class DigestPoster:
    def __init__(
        self,
        build: BuildDigest,
        post_log: PostLog,
        settings: DigestSettings,
        send: SendParts,
        run_blocking: RunBlocking,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.build = build
        self.post_log = post_log
        self.settings = settings
        self.send = send
        self.run_blocking = run_blocking
        self.clock = clock
        # The start-up catch-up and the cron job can fire together: one check-then-send at a time.
        self._lock = asyncio.Lock()

    def trigger(self) -> CronTrigger:
        at = self.settings.time
        return CronTrigger(hour=at.hour, minute=at.minute, timezone=self.settings.timezone)

    def latest_fire_time(self, now: datetime) -> datetime:
        """The most recent digest time at or before `now` (local wall-clock time, DST-aware)."""
        zone = self.settings.timezone
        local = now.astimezone(zone)
        fire = datetime.combine(local.date(), self.settings.time, tzinfo=zone)
        if fire > local:
            fire = datetime.combine(local.date() - timedelta(days=1), self.settings.time, tzinfo=zone)
        return fire

    async def post(self, day: date, channel_id: int) -> bool:
        """Post the digest of `day` unless it was posted already; True if something was sent now."""
        async with self._lock:
            return await self._post(day, channel_id)

    async def _post(self, day: date, channel_id: int) -> bool:
        if await self.run_blocking(self.post_log.posted, channel_id, day):
            log.info("digest of %s already posted to %s", day, channel_id)
            return False
        digest = await self.run_blocking(self.build, day, self.settings.timezone)
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
            await self.post(day_before(self.latest_fire_time(self.clock()), self.settings.timezone), channel_id)

    async def catch_up(self) -> bool:
        """After downtime: post the latest missed digest once, if it is still within the catch-up window."""
        channel_id = self.settings.channel_id
        if not channel_id:
            return False
        now = self.clock()
        first = await self.run_blocking(self.post_log.first_start, channel_id)
        if first is None:
            await self.run_blocking(self.post_log.remember_first_start, channel_id, now)
            log.info("first start with a digest for channel %s: no catch-up; the first digest comes at %s",
                     channel_id, self.settings.time.strftime("%H:%M"))
            return False
        fire = self.latest_fire_time(now)
        if now - fire > timedelta(hours=self.settings.catchup_hours) or fire < first:
            return False
        return await self.post(day_before(fire, self.settings.timezone), channel_id)

    def attach(self, scheduler: AsyncIOScheduler) -> None:
        scheduler.add_job(
            self.scheduled_run, self.trigger(), id="digest", replace_existing=True, coalesce=True,
            max_instances=1, misfire_grace_time=max(1, int(self.settings.catchup_hours * 3600)),
        )
        scheduler.add_job(self.catch_up, id="digest:catch-up", replace_existing=True, next_run_time=self.clock())
